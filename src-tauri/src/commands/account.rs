//! Wizard step 1, Account.

use crate::state::AppState;
use berth_core::settings::AccountSettings;
use berth_core::wizard::account::{self, AccountOverview, NewIdentity, VerifiedIdentity};
use berth_core::{BerthError, Result};
use tauri::State;

#[tauri::command]
pub async fn get_account(state: State<'_, AppState>) -> Result<AccountOverview> {
    Ok(account::overview(&state.settings()).await)
}

/// Stores the typed keys in the keychain. The keys come in; only a masked key id goes out.
#[tauri::command]
pub async fn save_identity(
    state: State<'_, AppState>,
    identity: NewIdentity,
) -> Result<AccountOverview> {
    let store = state.store.clone();
    account::validate_new_identity(&identity)?;
    let mut settings = state.settings();
    // Keychain calls block on D-Bus or the OS; keep them off the async runtime.
    let settings = tauri::async_runtime::spawn_blocking(move || {
        account::save_identity(store.as_ref(), &mut settings, &identity).map(|_| settings)
    })
    .await
    .map_err(BerthError::internal)??;
    state.update(|s| {
        *s = settings;
        Ok(())
    })?;
    Ok(account::overview(&state.settings()).await)
}

#[tauri::command]
pub async fn remove_identity(state: State<'_, AppState>, name: String) -> Result<AccountOverview> {
    let store = state.store.clone();
    let mut settings = state.settings();
    let settings = tauri::async_runtime::spawn_blocking(move || {
        account::remove_identity(store.as_ref(), &mut settings, &name).map(|_| settings)
    })
    .await
    .map_err(BerthError::internal)??;
    state.update(|s| {
        *s = settings;
        Ok(())
    })?;
    Ok(account::overview(&state.settings()).await)
}

/// Remembers the chosen identity, region and practice mode.
#[tauri::command]
pub async fn update_account(
    state: State<'_, AppState>,
    account: AccountSettings,
) -> Result<AccountOverview> {
    account::validate_practice(&account.practice)?;
    state.update(|s| {
        s.account = account;
        Ok(())
    })?;
    Ok(account::overview(&state.settings()).await)
}

#[tauri::command]
pub async fn verify_account(state: State<'_, AppState>) -> Result<VerifiedIdentity> {
    let source = state.settings().account.source;
    let clients = state.aws().await?;
    account::verify(&clients, source.as_ref(), &state.activity).await
}
