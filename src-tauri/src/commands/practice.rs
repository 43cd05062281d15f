//! Practice without an AWS account: Berth's own practice backend, from the Account step.

use crate::state::AppState;
use berth_core::practice::{PartsReport, PracticeStatus, PRACTICE_TARGET};
use berth_core::settings::WizardSettings;
use berth_core::wizard::account::{self, AccountOverview};
use berth_core::wizard::launch::record::LaunchStore;
use berth_core::Result;
use tauri::{AppHandle, Manager};

pub async fn practice_status(app: &AppHandle) -> Result<PracticeStatus> {
    Ok(app.state::<AppState>().practice.status())
}

pub async fn check_practice_parts(app: &AppHandle) -> Result<PartsReport> {
    Ok(app.state::<AppState>().practice.check_parts().await)
}

/// Starts the practice backend (or finds it running) and switches Berth to it. Nothing changes
/// when it cannot start.
pub async fn start_practice(app: &AppHandle) -> Result<AccountOverview> {
    let state = app.state::<AppState>();
    state.practice.start().await?;
    state.update(|s| {
        s.account.practice.enabled = true;
        s.account.practice.managed = true;
        Ok(())
    })?;
    Ok(account::overview(&state.settings()).await)
}

/// Leaves practice for the real account: stops the practice backend (its data is kept for the
/// next time) and turns practice mode off.
pub async fn stop_practice(app: &AppHandle) -> Result<AccountOverview> {
    let state = app.state::<AppState>();
    leave(&state)?;
    state.practice.stop().await;
    Ok(account::overview(&state.settings()).await)
}

/// Forgets everything made in practice and leaves it: the backend stops (removing the task
/// containers it runs), its saved accounts and the registry's images are deleted, and so are
/// what the wizard remembers of practice and the records of launches made in it, which would
/// otherwise point at things that no longer exist. The real account's state is not touched.
pub async fn reset_practice(app: &AppHandle) -> Result<AccountOverview> {
    let state = app.state::<AppState>();
    leave(&state)?;
    state.practice.reset().await?;
    state.update(|s| {
        s.practice_wizard = WizardSettings::default();
        Ok(())
    })?;
    let launches = app.state::<LaunchStore>();
    for record in launches.list() {
        if record.endpoint_url.as_deref() == Some(PRACTICE_TARGET) {
            launches.remove(&record.app)?;
        }
    }
    Ok(account::overview(&state.settings()).await)
}

/// Turns Berth's own practice off (an emulator of the user's own stays as it is).
fn leave(state: &AppState) -> Result<()> {
    state.update(|s| {
        if s.account.practice.managed {
            s.account.practice.enabled = false;
            s.account.practice.managed = false;
        }
        Ok(())
    })
}
