//! Wizard step 2, IAM.

use crate::state::AppState;
use berth_core::wizard::iam::{
    self, DeployUserOutcome, DeployUserPlan, DeployUserRequest, PermissionReport, RoleChange,
    RoleState, RoleStatus,
};
use berth_core::Result;
use tauri::State;

/// The permission checklist for the identity in use.
#[tauri::command]
pub async fn check_permissions(
    state: State<'_, AppState>,
    role_name: String,
    user_name: String,
) -> Result<PermissionReport> {
    let clients = state.aws().await?;
    iam::check_permissions(&clients, &state.activity, &role_name, &user_name).await
}

#[tauri::command]
pub async fn get_execution_role(state: State<'_, AppState>, name: String) -> Result<RoleStatus> {
    let clients = state.aws().await?;
    let status = iam::execution_role_status(&clients, &state.activity, &name).await?;
    remember_role(&state, &status)?;
    Ok(status)
}

/// Creates the role, or fixes it when `fix` is set.
#[tauri::command]
pub async fn ensure_execution_role(
    state: State<'_, AppState>,
    name: String,
    fix: bool,
) -> Result<RoleChange> {
    let clients = state.aws().await?;
    let change = iam::ensure_execution_role(&clients, &state.activity, &name, fix).await?;
    remember_role(&state, &change.status)?;
    Ok(change)
}

/// The Launch step names this role in its task definition: remember it once it is ready, and
/// forget it when that same role turns out missing or broken.
fn remember_role(state: &AppState, status: &RoleStatus) -> Result<()> {
    let remembered = state.settings().wizard.execution_role_arn;
    let next = match (&status.state, &status.arn) {
        (RoleState::Ready, Some(arn)) => Some(arn.clone()),
        _ if remembered
            .as_deref()
            .is_some_and(|arn| arn.ends_with(&format!("/{}", status.name))) =>
        {
            None
        }
        _ => remembered.clone(),
    };
    if next == remembered {
        return Ok(());
    }
    state.update(|s| {
        s.wizard.execution_role_arn = next;
        Ok(())
    })
}

/// The deploy user's policy and commands, shown before anything is created.
#[tauri::command]
pub async fn plan_deploy_user(
    state: State<'_, AppState>,
    user_name: String,
    role_name: String,
) -> Result<DeployUserPlan> {
    let clients = state.aws().await?;
    iam::plan_deploy_user(&clients, &state.activity, &user_name, &role_name).await
}

/// Creates the deploy user; its key goes to the keychain and becomes the identity in use. Only
/// the masked key id comes back.
#[tauri::command]
pub async fn create_deploy_user(
    state: State<'_, AppState>,
    request: DeployUserRequest,
) -> Result<DeployUserOutcome> {
    let clients = state.aws().await?;
    let mut next = state.settings();
    let result = iam::create_deploy_user(
        &clients,
        state.store.clone(),
        &mut next,
        &state.activity,
        &request,
    )
    .await;
    // A key that reached the keychain is remembered even if verification failed afterwards.
    state.update(|s| {
        s.identities = next.identities;
        s.account.source = next.account.source;
        Ok(())
    })?;
    result
}
