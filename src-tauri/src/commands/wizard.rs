//! What the wizard remembers between its steps.

use crate::state::AppState;
use berth_core::settings::WizardSettings;
use tauri::State;

/// The execution role, repository and image the earlier steps left ready.
#[tauri::command]
pub fn get_wizard(state: State<'_, AppState>) -> WizardSettings {
    state.settings().wizard
}
