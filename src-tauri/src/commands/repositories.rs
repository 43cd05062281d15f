//! Wizard step 3 (Repository) and the Repositories view: ECR repositories and their images.

use crate::state::AppState;
use berth_core::aws::ecr::ImageSummary;
use berth_core::ecr_lifecycle::{LifecycleRule, LifecycleSummary};
use berth_core::dashboard::repository_list::{
    self, ImageDeletion, PlannedAction, RepositoryDeletion, RepositoryList, RepositoryRef,
    RepositoryUsage,
};
use berth_core::wizard::repository::{self, CreatedRepository, NewRepository, RepositoryDetails};
use berth_core::Result;
use tauri::State;

/// Every repository in the region, with the storage price.
#[tauri::command]
pub async fn list_repositories(state: State<'_, AppState>) -> Result<RepositoryList> {
    let clients = state.aws().await?;
    repositories::list_repositories(&clients, &state.activity).await
}

/// Image counts, sizes and costs of some repositories (the UI asks for the rows it shows first).
#[tauri::command]
pub async fn get_repository_usage(
    state: State<'_, AppState>,
    repositories: Vec<RepositoryRef>,
) -> Result<Vec<RepositoryUsage>> {
    let clients = state.aws().await?;
    Ok(repositories::repository_usage(&clients, repositories).await)
}

/// One repository with its lifecycle policy and whether Berth made it.
#[tauri::command]
pub async fn get_repository(state: State<'_, AppState>, name: String) -> Result<RepositoryDetails> {
    let clients = state.aws().await?;
    repository::repository_details(&clients, &state.activity, &name).await
}

#[tauri::command]
pub async fn list_repository_images(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<ImageSummary>> {
    let clients = state.aws().await?;
    repositories::list_images(&clients, &state.activity, &name).await
}

/// Creates a repository and remembers it as the wizard's.
#[tauri::command]
pub async fn create_repository(
    state: State<'_, AppState>,
    repository: NewRepository,
) -> Result<CreatedRepository> {
    repository::validate_new_repository(&repository)?;
    let clients = state.aws().await?;
    let created = repository::create_repository(&clients, &state.activity, &repository).await?;
    remember(&state, Some(created.details.repository.name.clone()))?;
    Ok(created)
}

/// Picks an existing repository for the wizard (after checking it is there).
#[tauri::command]
pub async fn choose_repository(
    state: State<'_, AppState>,
    name: String,
) -> Result<RepositoryDetails> {
    let clients = state.aws().await?;
    let details = repository::repository_details(&clients, &state.activity, &name).await?;
    remember(&state, Some(details.repository.name.clone()))?;
    Ok(details)
}

#[tauri::command]
pub async fn put_lifecycle_rule(
    state: State<'_, AppState>,
    name: String,
    rule: LifecycleRule,
) -> Result<LifecycleSummary> {
    let clients = state.aws().await?;
    repository::put_lifecycle_rule(&clients, &state.activity, &name, &rule).await
}

/// Deletes a repository; one with images only with its name typed as `confirmation`.
#[tauri::command]
pub async fn delete_repository(
    state: State<'_, AppState>,
    name: String,
    confirmation: Option<String>,
) -> Result<RepositoryDeletion> {
    let clients = state.aws().await?;
    let outcome =
        repositories::delete_repository(&clients, &state.activity, &name, confirmation.as_deref())
            .await?;
    if !matches!(outcome, RepositoryDeletion::NeedsConfirmation { .. }) {
        // The wizard must not go on with a repository (or an image) that no longer exists.
        state.update(|s| {
            if s.wizard.repository.as_deref() == Some(name.as_str()) {
                s.wizard.repository = None;
            }
            if s.wizard
                .image
                .as_ref()
                .is_some_and(|i| i.repository == name)
            {
                s.wizard.image = None;
            }
            Ok(())
        })?;
    }
    Ok(outcome)
}

#[tauri::command]
pub async fn delete_repository_images(
    state: State<'_, AppState>,
    repository: String,
    digests: Vec<String>,
) -> Result<ImageDeletion> {
    let clients = state.aws().await?;
    let outcome =
        repositories::delete_images(&clients, &state.activity, &repository, &digests).await?;
    state.update(|s| {
        let pushed = s.wizard.image.as_ref();
        if pushed.is_some_and(|i| {
            i.repository == repository
                && (outcome.deleted.contains(&i.digest) || outcome.already_gone.contains(&i.digest))
        }) {
            s.wizard.image = None;
        }
        Ok(())
    })?;
    Ok(outcome)
}

/// The `aws` commands an action would run, to show before the user confirms it.
#[tauri::command]
pub async fn preview_ecr_commands(
    state: State<'_, AppState>,
    action: PlannedAction,
) -> Result<Vec<String>> {
    let clients = state.aws().await?;
    Ok(repositories::planned_commands(&clients, &action))
}

fn remember(state: &AppState, repository: Option<String>) -> Result<()> {
    state.update(|s| {
        s.wizard.repository = repository;
        Ok(())
    })
}
