//! The activity log: every change with its equivalent command line, and the reads tallied.

use crate::state::AppState;
use berth_core::activity::ActivityView;
use berth_core::Result;
use tauri::{AppHandle, Manager};

/// How many entries the Activity view shows.
const SHOWN: usize = 500;

pub async fn list_activity(app: &AppHandle) -> Result<ActivityView> {
    Ok(app.state::<AppState>().activity.view(SHOWN))
}

pub async fn clear_activity(app: &AppHandle) -> Result<()> {
    app.state::<AppState>().activity.clear()
}
