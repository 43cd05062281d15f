//! Practice without an AWS account: Berth's own practice backend, from the Account step.

use crate::state::AppState;
use berth_core::practice::{PartsReport, PracticeStatus};
use berth_core::wizard::account::{self, AccountOverview};
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
/// next time unless `reset`) and turns practice mode off.
pub async fn stop_practice(app: &AppHandle, reset: bool) -> Result<AccountOverview> {
    let state = app.state::<AppState>();
    state.update(|s| {
        if s.account.practice.managed {
            s.account.practice.enabled = false;
            s.account.practice.managed = false;
        }
        Ok(())
    })?;
    if reset {
        state.practice.reset().await?;
    } else {
        state.practice.stop().await;
    }
    Ok(account::overview(&state.settings()).await)
}
