//! The activity log: every action with its equivalent command line.

use crate::state::AppState;
use berth_core::activity::ActivityEntry;
use berth_core::Result;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// The newest entries, oldest first.
#[tauri::command]
pub fn list_activity(state: State<'_, AppState>) -> Vec<ActivityEntry> {
    state.activity.recent(500)
}

/// Sends every new entry to `channel` from now on (the window calls this once).
#[tauri::command]
pub fn watch_activity(state: State<'_, AppState>, channel: Channel<ActivityEntry>) {
    state.activity.subscribe(Arc::new(move |entry| {
        // A reloaded window leaves a closed channel behind; sending to it is harmless.
        let _ = channel.send(entry.clone());
    }));
}

#[tauri::command]
pub fn clear_activity(state: State<'_, AppState>) -> Result<()> {
    state.activity.clear()
}
