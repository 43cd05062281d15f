//! What the wizard remembers between its steps.

use crate::state::AppState;
use berth_core::settings::WizardSettings;
use berth_core::Result;
use tauri::{AppHandle, Manager};

/// The execution role, repository and image the earlier steps left ready.
pub async fn get_wizard(app: &AppHandle) -> Result<WizardSettings> {
    Ok(app.state::<AppState>().settings().wizard().clone())
}
