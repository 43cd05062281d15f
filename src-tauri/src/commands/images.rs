//! Wizard step 4, Image.

use crate::operations::Operations;
use crate::progress::ChannelSink;
use crate::state::AppState;
use berth_core::image::local::LocalImage;
use berth_core::image::run::{self, LocalRun};
use berth_core::progress::{Operation, Progress};
use berth_core::settings::PushedImage;
use berth_core::wizard::image::{
    self, BuildRequest, BuiltImage, FolderInfo, ImageStep, PushRequest,
};
use berth_core::Result;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
pub async fn get_image_step(state: State<'_, AppState>) -> Result<ImageStep> {
    Ok(image::overview(&state.settings()).await)
}

/// What a build of this folder would send, and the tag to suggest.
#[tauri::command]
pub async fn inspect_build_folder(
    folder: String,
    dockerfile: Option<String>,
) -> Result<FolderInfo> {
    image::inspect_folder(&folder, dockerfile.as_deref()).await
}

#[tauri::command]
pub async fn list_local_images() -> Result<Vec<LocalImage>> {
    image::local_images(&image::engine().await?).await
}

#[tauri::command]
pub async fn build_image(
    state: State<'_, AppState>,
    operations: State<'_, Operations>,
    request: BuildRequest,
    operation_id: String,
    channel: Channel<Progress>,
) -> Result<BuiltImage> {
    let running = operations.start(&operation_id);
    let op = Operation::new(Arc::new(ChannelSink(channel)), running.token.clone());
    let repository = state.settings().wizard.repository;
    let engine = image::engine().await?;
    image::build(
        &engine,
        repository.as_deref(),
        &request,
        &state.activity,
        &op,
    )
    .await
}

/// Pushes to the chosen repository and remembers the image for the Launch step.
#[tauri::command]
pub async fn push_image(
    state: State<'_, AppState>,
    operations: State<'_, Operations>,
    request: PushRequest,
    operation_id: String,
    channel: Channel<Progress>,
) -> Result<PushedImage> {
    let running = operations.start(&operation_id);
    let op = Operation::new(Arc::new(ChannelSink(channel)), running.token.clone());
    let settings = state.settings();
    let clients = state.aws().await?;
    let engine = image::engine().await?;
    let pushed = image::push(
        &engine,
        &clients,
        &settings.account,
        settings.wizard.repository.as_deref(),
        &request,
        &state.activity,
        &op,
    )
    .await?;
    state.update(|s| {
        s.wizard.image = Some(pushed.clone());
        Ok(())
    })?;
    Ok(pushed)
}

/// Cancels a build, a push or a log stream; false when it had already ended.
#[tauri::command]
pub fn cancel_operation(operations: State<'_, Operations>, operation_id: String) -> bool {
    operations.cancel(&operation_id)
}

#[tauri::command]
pub async fn start_local_run(
    state: State<'_, AppState>,
    image: String,
    container_port: u16,
    host_port: u16,
) -> Result<LocalRun> {
    let engine = image::engine().await?;
    image::start_local(&engine, &image, container_port, host_port, &state.activity).await
}

/// Streams a local run's output until it stops or the watch is cancelled.
#[tauri::command]
pub async fn watch_local_run(
    operations: State<'_, Operations>,
    container_id: String,
    operation_id: String,
    channel: Channel<Progress>,
) -> Result<()> {
    let running = operations.start(&operation_id);
    let op = Operation::new(Arc::new(ChannelSink(channel)), running.token.clone());
    let engine = image::engine().await?;
    image::watch_local(&engine, &container_id, &op).await
}

#[tauri::command]
pub async fn stop_local_run(state: State<'_, AppState>, container_id: String) -> Result<()> {
    let engine = image::engine().await?;
    image::stop_local(&engine, &container_id, &state.activity).await
}

/// Opens http://127.0.0.1:PORT/ in the browser.
#[tauri::command]
pub fn open_local_app(port: u16) -> Result<()> {
    run::open_in_browser(port)
}
