//! The Repositories view: every ECR repository, its images, and deleting them.

use crate::state::AppState;
use berth_core::aws::ecr::ImageSummary;
use berth_core::dashboard::repository_list::{
    self, ImageDeletion, PlannedAction, RepositoryDeletion, RepositoryList, RepositoryRef,
    RepositoryUsage,
};
use berth_core::Result;
use tauri::{AppHandle, Manager};

/// Every repository in the region, with the storage price.
pub async fn list_repositories(app: &AppHandle) -> Result<RepositoryList> {
    let clients = app.state::<AppState>().aws().await?;
    repository_list::list_repositories(&clients).await
}

/// Image counts, sizes and costs of some repositories (the UI asks for the rows it shows first).
pub async fn get_repository_usage(
    app: &AppHandle,
    repositories: Vec<RepositoryRef>,
) -> Result<Vec<RepositoryUsage>> {
    let clients = app.state::<AppState>().aws().await?;
    Ok(repository_list::repository_usage(&clients, repositories).await)
}

pub async fn list_repository_images(app: &AppHandle, name: String) -> Result<Vec<ImageSummary>> {
    let clients = app.state::<AppState>().aws().await?;
    repository_list::list_images(&clients, &name).await
}

/// Deletes a repository; one with images only with its name typed as `confirmation`.
pub async fn delete_repository(
    app: &AppHandle,
    name: String,
    confirmation: Option<String>,
) -> Result<RepositoryDeletion> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let outcome =
        repository_list::delete_repository(&clients, &name, confirmation.as_deref()).await?;
    if !matches!(outcome, RepositoryDeletion::NeedsConfirmation { .. }) {
        // The wizard must not go on with a repository (or an image) that no longer exists.
        state.update(|s| {
            if s.wizard_mut().repository.as_deref() == Some(name.as_str()) {
                s.wizard_mut().repository = None;
            }
            if s.wizard_mut()
                .image
                .as_ref()
                .is_some_and(|i| i.repository == name)
            {
                s.wizard_mut().image = None;
            }
            Ok(())
        })?;
    }
    Ok(outcome)
}

pub async fn delete_repository_images(
    app: &AppHandle,
    repository: String,
    digests: Vec<String>,
) -> Result<ImageDeletion> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    let outcome = repository_list::delete_images(&clients, &repository, &digests).await?;
    state.update(|s| {
        let pushed = s.wizard_mut().image.as_ref();
        if pushed.is_some_and(|i| {
            i.repository == repository
                && (outcome.deleted.contains(&i.digest) || outcome.already_gone.contains(&i.digest))
        }) {
            s.wizard_mut().image = None;
        }
        Ok(())
    })?;
    Ok(outcome)
}

/// The `aws` commands an action would run, to show before the user confirms it.
pub async fn preview_ecr_commands(app: &AppHandle, action: PlannedAction) -> Result<Vec<String>> {
    let clients = app.state::<AppState>().aws().await?;
    Ok(repository_list::planned_commands(&clients, &action))
}
