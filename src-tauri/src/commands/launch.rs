//! Wizard step 5, Launch.

use crate::state::AppState;
use berth_core::aws::AwsClients;
use berth_core::pricing::CostEstimate;
use berth_core::wizard::launch::apply::{self, LaunchContext};
use berth_core::wizard::launch::network::{self, NetworkOverview};
use berth_core::wizard::launch::plan::{self, LaunchPlan};
use berth_core::wizard::launch::record::{LaunchRecord, LaunchStore};
use berth_core::wizard::launch::teardown::{self, TeardownContext, TeardownPlan};
use berth_core::wizard::launch::timeline::{ActiveRun, FollowOptions, LaunchEvent, Run};
use berth_core::wizard::launch::{self, open, LaunchChoices, LaunchConfig, LaunchOverview};
use berth_core::{BerthError, Result};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

/// The launch or teardown running now: its events so far (replayed to a window that comes back)
/// and the channel of the window watching it.
struct Current {
    token: CancellationToken,
    run: ActiveRun,
    events: Vec<LaunchEvent>,
    channel: Channel<LaunchEvent>,
}

/// The launch records, and the one launch or teardown that may run at a time.
pub struct Launches {
    store: LaunchStore,
    current: Arc<Mutex<Option<Current>>>,
}

impl Launches {
    pub fn new(data_dir: &Path) -> Self {
        Launches {
            store: LaunchStore::in_dir(data_dir),
            current: Arc::new(Mutex::new(None)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Current>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A run whose events go to `channel`; refused while another runs.
    fn start(&self, app: &str, teardown: bool, channel: Channel<LaunchEvent>) -> Result<Run> {
        let mut current = self.lock();
        if current.is_some() {
            return Err(BerthError::invalid("launch", "busy"));
        }
        let token = CancellationToken::new();
        *current = Some(Current {
            token: token.clone(),
            run: ActiveRun {
                app: app.to_owned(),
                teardown,
            },
            events: Vec::new(),
            channel,
        });
        let shared = self.current.clone();
        let sink = Arc::new(move |event: LaunchEvent| {
            if let Some(current) = shared.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                // A closed window leaves a dead channel; the work carries on and its record is saved.
                let _ = current.channel.send(event.clone());
                current.events.push(event);
            }
        });
        Ok(Run::new(sink, token))
    }

    fn finish(&self) {
        *self.lock() = None;
    }
}

/// Clients for a remembered launch: the current account, which must still point where the
/// launch went.
async fn clients_for(state: &AppState, record: &LaunchRecord) -> Result<AwsClients> {
    let clients = state.aws().await?;
    launch::check_target(record, &clients)?;
    Ok(clients)
}

fn config(state: &AppState, choices: LaunchChoices) -> Result<LaunchConfig> {
    LaunchConfig::new(choices, &state.settings().wizard)
}

#[tauri::command]
pub fn get_launch(state: State<'_, AppState>, launches: State<'_, Launches>) -> LaunchOverview {
    launch::overview(&state.settings(), &launches.store)
}

#[tauri::command]
pub fn estimate_launch_cost(
    state: State<'_, AppState>,
    choices: LaunchChoices,
) -> Option<CostEstimate> {
    let region = state.settings().account.region?;
    launch::estimate(&region, &choices)
}

#[tauri::command]
pub async fn get_launch_network(state: State<'_, AppState>) -> Result<NetworkOverview> {
    network::overview(&state.aws().await?).await
}

/// The user's public address as a /32, for "my IP only". Never called out in practice mode.
#[tauri::command]
pub async fn detect_my_ip(state: State<'_, AppState>) -> Result<String> {
    if state.settings().account.practice.enabled {
        return Err(BerthError::invalid("cidr", "practice"));
    }
    network::my_ip_cidr().await
}

#[tauri::command]
pub async fn plan_launch(state: State<'_, AppState>, choices: LaunchChoices) -> Result<LaunchPlan> {
    let config = config(&state, choices)?;
    plan::plan(&state.aws().await?, &config).await
}

#[tauri::command]
pub async fn start_launch(
    state: State<'_, AppState>,
    launches: State<'_, Launches>,
    choices: LaunchChoices,
    channel: Channel<LaunchEvent>,
) -> Result<LaunchRecord> {
    let config = config(&state, choices)?;
    let clients = state.aws().await?;
    run_launch(&state, &launches, &clients, config, channel).await
}

/// Continues an unfinished launch with the choices it was started with.
#[tauri::command]
pub async fn resume_launch(
    state: State<'_, AppState>,
    launches: State<'_, Launches>,
    app: String,
    channel: Channel<LaunchEvent>,
) -> Result<LaunchRecord> {
    let record = launches
        .store
        .load(&app)?
        .ok_or_else(|| BerthError::invalid("launch", "unknown").with("app", &app))?;
    let clients = clients_for(&state, &record).await?;
    run_launch(&state, &launches, &clients, record.config, channel).await
}

async fn run_launch(
    state: &AppState,
    launches: &Launches,
    clients: &AwsClients,
    config: LaunchConfig,
    channel: Channel<LaunchEvent>,
) -> Result<LaunchRecord> {
    let run = launches.start(&config.choices.app, false, channel)?;
    let ctx = LaunchContext {
        clients,
        log: &state.activity,
        store: &launches.store,
        run: &run,
        follow: FollowOptions::default(),
    };
    let result = apply::launch(&ctx, config).await;
    launches.finish();
    result
}

/// Stops the running launch or teardown at its next step (nothing is undone; it can be resumed).
#[tauri::command]
pub fn cancel_launch(launches: State<'_, Launches>) {
    if let Some(current) = launches.lock().as_ref() {
        current.token.cancel();
    }
}

/// Sends the running launch or teardown's events so far, then every new one, to `channel` (a
/// window that was closed or left the page while it ran). `None` when nothing runs.
#[tauri::command]
pub fn watch_launch(
    launches: State<'_, Launches>,
    channel: Channel<LaunchEvent>,
) -> Option<ActiveRun> {
    let mut guard = launches.lock();
    let current = guard.as_mut()?;
    for event in &current.events {
        let _ = channel.send(event.clone());
    }
    current.channel = channel;
    Some(current.run.clone())
}

#[tauri::command]
pub async fn plan_teardown(
    state: State<'_, AppState>,
    launches: State<'_, Launches>,
    app: String,
) -> Result<TeardownPlan> {
    let clients = match launches.store.load(&app)? {
        Some(record) => clients_for(&state, &record).await?,
        None => state.aws().await?,
    };
    teardown::plan_teardown(&clients, &app).await
}

#[tauri::command]
pub async fn start_teardown(
    state: State<'_, AppState>,
    launches: State<'_, Launches>,
    app: String,
    channel: Channel<LaunchEvent>,
) -> Result<TeardownPlan> {
    let clients = match launches.store.load(&app)? {
        Some(record) => clients_for(&state, &record).await?,
        None => state.aws().await?,
    };
    let run = launches.start(&app, true, channel)?;
    let ctx = TeardownContext {
        clients: &clients,
        log: &state.activity,
        store: &launches.store,
        run: &run,
        wait: FollowOptions::default(),
    };
    let result = teardown::teardown(&ctx, &app).await;
    launches.finish();
    result
}

/// Opens a running task's `http://IP:port` in the browser.
#[tauri::command]
pub fn open_address(url: String) -> Result<()> {
    open::open_address(&url)
}
