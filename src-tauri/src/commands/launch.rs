//! Wizard step 5, Launch: plan, launch (or resume), follow, and tear down.

use crate::jobs::{self, AppJobs, JobEvent, JobOutcome};
use crate::state::AppState;
use berth_core::aws::AwsClients;
use berth_core::jobs::JobId;
use berth_core::pricing::CostEstimate;
use berth_core::wizard::launch::apply::{self, LaunchContext};
use berth_core::wizard::launch::network::{self, NetworkOverview};
use berth_core::wizard::launch::plan::{self, LaunchPlan};
use berth_core::wizard::launch::record::{LaunchRecord, LaunchStore};
use berth_core::wizard::launch::teardown::{self, TeardownContext, TeardownPlan};
use berth_core::wizard::launch::timeline::FollowOptions;
use berth_core::wizard::launch::{self, open, LaunchChoices, LaunchConfig, LaunchOverview};
use berth_core::{BerthError, Result};
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

/// One launch or teardown of an app at a time.
fn refuse_if_busy(jobs: &AppJobs, app: &str) -> Result<()> {
    match jobs
        .list()
        .into_iter()
        .find(|j| j.running && j.key == app && matches!(j.kind.as_str(), "launch" | "teardown"))
    {
        Some(running) => Err(BerthError::invalid("launch", "busy")
            .with("app", app)
            .with("id", running.id)),
        None => Ok(()),
    }
}

pub async fn get_launch(app: &AppHandle) -> Result<LaunchOverview> {
    let settings = app.state::<AppState>().settings();
    Ok(launch::overview(&settings, &app.state::<LaunchStore>()))
}

pub async fn estimate_launch_cost(
    app: &AppHandle,
    choices: LaunchChoices,
) -> Result<Option<CostEstimate>> {
    let region = app.state::<AppState>().settings().account.region;
    Ok(region.and_then(|region| launch::estimate(&region, &choices)))
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
    refuse_if_busy(&jobs, &name)?;
    let app = app.clone();
    jobs::spawn(
        &jobs,
        "launch",
        &name,
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
}

pub async fn plan_teardown(app: &AppHandle, name: String) -> Result<TeardownPlan> {
    let state = app.state::<AppState>();
    let clients = clients_for_app(&state, &app.state::<LaunchStore>(), &name).await?;
    teardown::plan_teardown(&clients, &name).await
}

pub async fn start_teardown(app: &AppHandle, name: String) -> Result<JobId> {
    let jobs = app.state::<AppJobs>().inner().clone();
    refuse_if_busy(&jobs, &name)?;
    let app = app.clone();
    let key = name.clone();
    jobs::spawn(
        &jobs,
        "teardown",
        &key,
        move |job| async move {
            let state = app.state::<AppState>();
            let store = app.state::<LaunchStore>();
            let clients = clients_for_app(&state, &store, &name).await?;
            let run = job.map(JobEvent::Launch);
            let ctx = TeardownContext {
                clients: &clients,
                store: &store,
                run: &run,
                wait: FollowOptions::default(),
            };
            teardown::teardown(&ctx, &name).await
        },
        JobOutcome::TornDown,
    )
}

/// Opens a running task's `http://IP:port` in the browser.
pub async fn open_address(_: &AppHandle, url: String) -> Result<()> {
    open::open_address(&url)
}
