//! Wizard step 5, Launch: plan, launch (or resume), follow, and tear down.

use crate::jobs::{self, AppJobs, JobEvent, JobOutcome};
use crate::state::AppState;
use berth_core::aws::AwsClients;
use berth_core::jobs::JobId;
use berth_core::pricing::CostEstimate;
use berth_core::wizard::launch::apply::{self, LaunchContext};
use berth_core::wizard::launch::kinds::ResourceKind;
use berth_core::wizard::launch::network::{self, NetworkOverview};
use berth_core::wizard::launch::plan::{self, LaunchPlan};
use berth_core::wizard::launch::record::{LaunchRecord, LaunchStore};
use berth_core::wizard::launch::shared::{SharedNames, SharedRemovals};
use berth_core::wizard::launch::teardown::{self, TeardownAction, TeardownContext, TeardownPlan};
use berth_core::wizard::launch::timeline::{FollowOptions, LaunchEvent};
use berth_core::wizard::launch::{self, open, LaunchChoices, LaunchConfig, LaunchOverview};
use berth_core::{BerthError, Result};
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// Clients for a remembered launch: the current account, which must still point where the
/// launch went.
async fn clients_for(state: &AppState, record: &LaunchRecord) -> Result<AwsClients> {
    let clients = state.aws().await?;
    launch::check_target(record, &clients)?;
    Ok(clients)
}

/// Clients for `app`: its launch's target when Berth remembers one, else the current account.
async fn clients_for_app(state: &AppState, store: &LaunchStore, app: &str) -> Result<AwsClients> {
    match store.load(app)? {
        Some(record) => clients_for(state, &record).await,
        None => state.aws().await,
    }
}

fn config(state: &AppState, choices: LaunchChoices) -> Result<LaunchConfig> {
    LaunchConfig::new(choices, state.settings().wizard())
}

/// The registry's "busy" as the Launch page words it: another launch or teardown of `app`.
fn busy(error: BerthError, app: &str) -> BerthError {
    match error.param("id") {
        Some(id) if error.param("rule") == Some("busy") => BerthError::invalid("launch", "busy")
            .with("app", app)
            .with("id", id),
        _ => error,
    }
}

/// How long a teardown waits for the launch it stopped to end (a cancelled launch ends at its
/// next await: this bound is for one stuck in a call that does not answer).
const LAUNCH_STOP_LIMIT: Duration = Duration::from_secs(60);

pub async fn get_launch(app: &AppHandle) -> Result<LaunchOverview> {
    let settings = app.state::<AppState>().settings();
    Ok(launch::overview(&settings, &app.state::<LaunchStore>()))
}

pub async fn estimate_launch_cost(
    app: &AppHandle,
    choices: LaunchChoices,
) -> Result<Option<CostEstimate>> {
    let state = app.state::<AppState>();
    let settings = state.settings();
    if let (Some(region), false) = (&settings.account.region, settings.in_practice()) {
        refresh_prices(app, &state, region).await;
    }
    Ok(settings
        .account
        .region
        .and_then(|region| launch::estimate(&region, &choices)))
}

/// Reads today's prices of `region` from AWS's Price List API when signed in and not done
/// today (`pricing::live`): the estimate then uses them. Never fails the estimate: without
/// credentials, permission or an answer in time, the bundled prices stay, with the reason.
async fn refresh_prices(app: &AppHandle, state: &AppState, region: &str) {
    use berth_core::pricing::live;
    if live::latest(region).is_some_and(|r| r.is_fresh(live::now_secs())) {
        return;
    }
    let Ok(clients) = state.aws().await else {
        return;
    };
    let cache = app.state::<live::PriceCache>();
    live::refresh(&clients, &cache, region, live::now_secs()).await;
}

pub async fn get_launch_network(app: &AppHandle) -> Result<NetworkOverview> {
    network::overview(&app.state::<AppState>().aws().await?).await
}

/// The user's public address as a /32, for "my IP only". Never called out in practice mode.
pub async fn detect_my_ip(app: &AppHandle) -> Result<String> {
    if app.state::<AppState>().settings().account.practice.enabled {
        return Err(BerthError::invalid("cidr", "practice"));
    }
    network::my_ip_cidr().await
}

pub async fn plan_launch(app: &AppHandle, choices: LaunchChoices) -> Result<LaunchPlan> {
    let state = app.state::<AppState>();
    let config = config(&state, choices)?;
    plan::plan(&state.aws().await?, &config).await
}

pub async fn start_launch(app: &AppHandle, choices: LaunchChoices) -> Result<JobId> {
    let config = config(&app.state::<AppState>(), choices)?;
    spawn_launch(app, config, None)
}

/// Continues an unfinished launch with the choices it was started with.
pub async fn resume_launch(app: &AppHandle, name: String) -> Result<JobId> {
    let record = app
        .state::<LaunchStore>()
        .load(&name)?
        .ok_or_else(|| BerthError::invalid("launch", "unknown").with("app", &name))?;
    spawn_launch(app, record.config.clone(), Some(record))
}

fn spawn_launch(
    app: &AppHandle,
    config: LaunchConfig,
    resumed: Option<LaunchRecord>,
) -> Result<JobId> {
    let jobs = app.state::<AppJobs>().inner().clone();
    let name = config.choices.app.clone();
    let app = app.clone();
    // Never while a teardown of the app runs: it would make again what the teardown removes.
    jobs::spawn_unless(
        &jobs,
        "launch",
        &name,
        &["teardown"],
        move |job| async move {
            let state = app.state::<AppState>();
            let clients = match &resumed {
                Some(record) => clients_for(&state, record).await?,
                None => state.aws().await?,
            };
            let run = job.map(JobEvent::Launch);
            let ctx = LaunchContext {
                clients: &clients,
                store: &app.state::<LaunchStore>(),
                run: &run,
                follow: FollowOptions::default(),
            };
            apply::launch(&ctx, config).await
        },
        |record| JobOutcome::Launched(Box::new(record)),
    )
    .map_err(|e| busy(e, &name))
}

/// The repository, role and deploy user `name` used, as its record (else the wizard) says.
fn shared_names(state: &AppState, store: &LaunchStore, name: &str) -> Result<SharedNames> {
    SharedNames::of(name, store, state.settings().wizard())
}

pub async fn plan_teardown(app: &AppHandle, name: String) -> Result<TeardownPlan> {
    let state = app.state::<AppState>();
    let store = app.state::<LaunchStore>();
    let clients = clients_for_app(&state, &store, &name).await?;
    let shared = shared_names(&state, &store, &name)?;
    teardown::plan_teardown(&clients, &name, &shared).await
}

/// Tears `name` down. A launch of it that still runs (its page was left, which never stops it)
/// is stopped first, and waited for: left running, it would make again what the teardown
/// removes. Once the teardown is registered no launch of the app can start.
/// `remove` names the shared resources (repository, execution role, deploy user) to remove too.
pub async fn start_teardown(
    app: &AppHandle,
    name: String,
    remove: SharedRemovals,
) -> Result<JobId> {
    let jobs = app.state::<AppJobs>().inner().clone();
    let app = app.clone();
    let key = name.clone();
    let registry = jobs.clone();
    jobs::spawn(
        &jobs,
        "teardown",
        &key,
        move |job| async move {
            let run = job.map(JobEvent::Launch);
            let stopped = run
                .guard(registry.stop_and_wait("launch", &name, LAUNCH_STOP_LIMIT))
                .await
                .map_err(|e| busy(e, &name))?;
            if stopped.is_some() {
                run.emit(LaunchEvent::LaunchStopped { app: name.clone() });
            }
            let state = app.state::<AppState>();
            let store = app.state::<LaunchStore>();
            let clients = clients_for_app(&state, &store, &name).await?;
            let shared = shared_names(&state, &store, &name)?;
            let ctx = TeardownContext {
                clients: &clients,
                store: &store,
                run: &run,
                wait: FollowOptions::default(),
                shared,
                remove,
            };
            let plan = teardown::teardown(&ctx, &name).await?;
            // A removed deploy user is no longer the wizard's.
            if plan.shared.iter().any(|i| {
                i.resource == ResourceKind::DeployUser && i.action == TeardownAction::Delete
            }) {
                state.update(|s| {
                    s.wizard_mut().deploy_user = None;
                    Ok(())
                })?;
            }
            Ok(plan)
        },
        JobOutcome::TornDown,
    )
    .map_err(|e| busy(e, &key))
}

/// Opens a running task's `http://IP:port` in the browser.
pub async fn open_address(_: &AppHandle, url: String) -> Result<()> {
    open::open_address(&url)
}
