//! Wizard step 3, Repository: create or choose the ECR repository the image goes to.

use crate::state::AppState;
use berth_core::ecr_lifecycle::{LifecycleRule, LifecycleSummary};
use berth_core::wizard::repository::{self, CreatedRepository, NewRepository, RepositoryDetails};
use berth_core::Result;
use tauri::{AppHandle, Manager};

/// One repository with its lifecycle policy and whether Berth made it.
pub async fn get_repository(app: &AppHandle, name: String) -> Result<RepositoryDetails> {
    let clients = app.state::<AppState>().aws().await?;
    repository::repository_details(&clients, &name).await
}

/// Creates a repository and remembers it as the wizard's.
pub async fn create_repository(
    app: &AppHandle,
    repository: NewRepository,
) -> Result<CreatedRepository> {
    repository::validate_new_repository(&repository)?;
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let created = repository::create_repository(&clients, &repository).await?;
    remember(&state, &created.details.repository.name)?;
    Ok(created)
}

/// Picks an existing repository for the wizard (after checking it is there).
pub async fn choose_repository(app: &AppHandle, name: String) -> Result<RepositoryDetails> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let details = repository::repository_details(&clients, &name).await?;
    remember(&state, &details.repository.name)?;
    Ok(details)
}

pub async fn put_lifecycle_rule(
    app: &AppHandle,
    name: String,
    rule: LifecycleRule,
) -> Result<LifecycleSummary> {
    let clients = app.state::<AppState>().aws().await?;
    repository::put_lifecycle_rule(&clients, &name, &rule).await
}

fn remember(state: &AppState, repository: &str) -> Result<()> {
    state.update(|s| {
        s.wizard_mut().repository = Some(repository.to_owned());
        Ok(())
    })
}
