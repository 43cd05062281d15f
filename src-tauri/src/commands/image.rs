//! Wizard step 4, Image: build or pick an image, run it locally, push it to the repository.

use crate::jobs::{self, AppJobs, JobEvent, JobOutcome};
use crate::state::AppState;
use berth_core::image::local::LocalImage;
use berth_core::image::run::{self, LocalRun};
use berth_core::jobs::JobId;
use berth_core::settings::ImageDraft;
use berth_core::wizard::image::{self, BuildRequest, FolderInfo, ImageStep, PushRequest};
use berth_core::Result;
use tauri::{AppHandle, Manager};

pub async fn get_image_step(app: &AppHandle) -> Result<ImageStep> {
    Ok(image::overview(&app.state::<AppState>().settings()).await)
}

/// What a build of this folder would send, and the tag to suggest.
/// The folder read is remembered, so a restart opens the step on it.
pub async fn inspect_build_folder(
    app: &AppHandle,
    folder: String,
    dockerfile: Option<String>,
) -> Result<FolderInfo> {
    let info = image::inspect_folder(&folder, dockerfile.as_deref()).await?;
    remember(app, |draft| draft.folder_read(&info, dockerfile.as_deref()))?;
    Ok(info)
}

/// Updates what the Image step remembers of its choices.
fn remember(app: &AppHandle, change: impl FnOnce(&mut ImageDraft)) -> Result<()> {
    app.state::<AppState>().update(|s| {
        change(
            s.wizard_mut()
                .image_draft
                .get_or_insert_with(Default::default),
        );
        Ok(())
    })
}

pub async fn list_local_images(_: &AppHandle) -> Result<Vec<LocalImage>> {
    image::local_images(&image::engine().await?).await
}

pub async fn build_image(app: &AppHandle, request: BuildRequest) -> Result<JobId> {
    let app = app.clone();
    let jobs = app.state::<AppJobs>().inner().clone();
    jobs::spawn(
        &jobs,
        "build",
        "image",
        move |job| async move {
            let state = app.state::<AppState>();
            let repository = state.settings().wizard().repository.clone();
            let engine = image::engine().await?;
            let op = job.map(JobEvent::Progress);
            let built = image::build(
                &engine,
                repository.as_deref(),
                &request,
                &state.activity,
                &op,
            )
            .await?;
            remember(&app, |draft| draft.built(&request, &built))?;
            Ok(built)
        },
        JobOutcome::Built,
    )
}

/// Pushes to the chosen repository and remembers the image for the Launch step.
pub async fn push_image(app: &AppHandle, request: PushRequest) -> Result<JobId> {
    let app = app.clone();
    let jobs = app.state::<AppJobs>().inner().clone();
    jobs::spawn(
        &jobs,
        "push",
        "image",
        move |job| async move {
            let state = app.state::<AppState>();
            let settings = state.settings();
            let clients = state.aws().await?;
            let engine = image::engine().await?;
            let op = job.map(JobEvent::Progress);
            let pushed = image::push(
                &engine,
                &clients,
                &settings.account,
                settings.wizard().repository.as_deref(),
                &request,
                &state.activity,
                &op,
            )
            .await?;
            state.update(|s| {
                let wizard = s.wizard_mut();
                wizard.image = Some(pushed.clone());
                wizard
                    .image_draft
                    .get_or_insert_with(Default::default)
                    .pushed(&request, &pushed);
                Ok(())
            })?;
            Ok(pushed)
        },
        JobOutcome::Pushed,
    )
}

pub async fn start_local_run(
    app: &AppHandle,
    image: String,
    container_port: u16,
    host_port: u16,
) -> Result<LocalRun> {
    let engine = image::engine().await?;
    let log = &app.state::<AppState>().activity;
    image::start_local(&engine, &image, container_port, host_port, log).await
}

/// Follows a local run's output until it stops (or the job is cancelled).
pub async fn watch_local_run(app: &AppHandle, container_id: String) -> Result<JobId> {
    let jobs = app.state::<AppJobs>().inner().clone();
    let key = container_id.clone();
    jobs::spawn(
        &jobs,
        "localRun",
        &key,
        move |job| async move {
            let engine = image::engine().await?;
            image::watch_local(&engine, &container_id, &job.map(JobEvent::Progress)).await
        },
        |()| JobOutcome::Ended,
    )
}

pub async fn stop_local_run(app: &AppHandle, container_id: String) -> Result<()> {
    let engine = image::engine().await?;
    image::stop_local(&engine, &container_id, &app.state::<AppState>().activity).await
}

/// Opens http://127.0.0.1:PORT/ in the browser.
pub async fn open_local_app(_: &AppHandle, port: u16) -> Result<()> {
    run::open_in_browser(port)
}
