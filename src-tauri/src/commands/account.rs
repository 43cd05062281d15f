//! Wizard step 1, Account.

use crate::state::AppState;
use berth_core::settings::{AccountSettings, Settings};
use berth_core::wizard::account::{self, AccountOverview, NewIdentity, VerifiedIdentity};
use berth_core::{BerthError, Result};
use tauri::{AppHandle, Manager};

pub async fn get_account(app: &AppHandle) -> Result<AccountOverview> {
    Ok(account::overview(&app.state::<AppState>().settings()).await)
}

/// Runs a keychain change on a copy of the settings off the async runtime (keychain calls block
/// on D-Bus or the OS), then keeps the changed settings.
async fn change_keychain(
    state: &AppState,
    change: impl FnOnce(&mut Settings) -> Result<()> + Send + 'static,
) -> Result<AccountOverview> {
    let mut settings = state.settings();
    let settings =
        tauri::async_runtime::spawn_blocking(move || change(&mut settings).map(|_| settings))
            .await
            .map_err(BerthError::internal)??;
    state.update(|s| {
        *s = settings;
        Ok(())
    })?;
    Ok(account::overview(&state.settings()).await)
}

/// Stores the typed keys in the keychain. The keys come in; only a masked key id goes out.
pub async fn save_identity(app: &AppHandle, identity: NewIdentity) -> Result<AccountOverview> {
    account::validate_new_identity(&identity)?;
    let state = app.state::<AppState>();
    let store = state.store.clone();
    change_keychain(&state, move |s| {
        account::save_identity(store.as_ref(), s, &identity).map(|_| ())
    })
    .await
}

pub async fn remove_identity(app: &AppHandle, name: String) -> Result<AccountOverview> {
    let state = app.state::<AppState>();
    let store = state.store.clone();
    change_keychain(&state, move |s| {
        account::remove_identity(store.as_ref(), s, &name)
    })
    .await
}

/// Remembers the chosen identity, region and practice mode.
pub async fn update_account(app: &AppHandle, account: AccountSettings) -> Result<AccountOverview> {
    account::validate_practice(&account.practice)?;
    let state = app.state::<AppState>();
    state.update(|s| {
        s.account = account;
        Ok(())
    })?;
    Ok(account::overview(&state.settings()).await)
}

pub async fn verify_account(app: &AppHandle) -> Result<VerifiedIdentity> {
    let state = app.state::<AppState>();
    let source = state.settings().account.source;
    let clients = state.aws().await?;
    account::verify(&clients, source.as_ref()).await
}
