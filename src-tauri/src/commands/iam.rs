//! Wizard step 2, IAM.

use crate::state::AppState;
use berth_core::wizard::iam::{
    self, DeployUserOutcome, DeployUserPlan, DeployUserRequest, InfrastructureRoleChange,
    InfrastructureRoleStatus, PermissionReport, RoleChange, RoleState, RoleStatus,
};
use berth_core::Result;
use tauri::{AppHandle, Manager};

/// The permission checklist for the identity in use (with the KMS grants when the wizard's
/// repository is encrypted with KMS).
pub async fn check_permissions(
    app: &AppHandle,
    role_name: String,
    user_name: String,
) -> Result<PermissionReport> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let repository = state.settings().wizard().repository.clone();
    iam::check_permissions(&clients, &role_name, &user_name, repository.as_deref()).await
}

pub async fn get_execution_role(app: &AppHandle, name: String) -> Result<RoleStatus> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let status = iam::execution_role_status(&clients, &name).await?;
    remember_role(&state, &status)?;
    Ok(status)
}

/// Creates the role, or fixes it when `fix` is set.
pub async fn ensure_execution_role(app: &AppHandle, name: String, fix: bool) -> Result<RoleChange> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let change = iam::ensure_execution_role(&clients, &name, fix).await?;
    remember_role(&state, &change.status)?;
    Ok(change)
}

/// The Express Mode infrastructure role, as it is.
pub async fn get_infrastructure_role(app: &AppHandle) -> Result<InfrastructureRoleStatus> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    iam::infrastructure_role_status(&clients).await
}

/// Creates the Express Mode infrastructure role when it is missing. The Launch step finds it by
/// its name, beside the execution role: nothing to remember.
pub async fn ensure_infrastructure_role(app: &AppHandle) -> Result<InfrastructureRoleChange> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    iam::ensure_infrastructure_role(&clients).await
}

/// The Launch step names this role in its task definition: remember it once it is ready, and
/// forget it when that same role turns out missing or broken.
fn remember_role(state: &AppState, status: &RoleStatus) -> Result<()> {
    let remembered = state.settings().wizard().execution_role_arn.clone();
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
        s.wizard_mut().execution_role_arn = next;
        Ok(())
    })
}

/// The deploy user's policy and commands, shown before anything is created.
pub async fn plan_deploy_user(
    app: &AppHandle,
    user_name: String,
    role_name: String,
) -> Result<DeployUserPlan> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let repository = state.settings().wizard().repository.clone();
    iam::plan_deploy_user(&clients, &user_name, &role_name, repository.as_deref()).await
}

/// Creates the deploy user; its key goes to the keychain and becomes the identity in use. Only
/// the masked key id comes back.
pub async fn create_deploy_user(
    app: &AppHandle,
    request: DeployUserRequest,
) -> Result<DeployUserOutcome> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let mut next = state.settings();
    let result = iam::create_deploy_user(&clients, state.store.clone(), &mut next, &request).await;
    let deploy_user = next.wizard().deploy_user.clone();
    // A key that reached the keychain is remembered even if verification failed afterwards.
    state.update(|s| {
        s.identities = next.identities;
        s.account.source = next.account.source;
        if result.is_ok() {
            // Teardown offers to remove the deploy user it remembers.
            s.wizard_mut().deploy_user = deploy_user;
        }
        Ok(())
    })?;
    result
}
