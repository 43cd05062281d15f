//! The Deployments view: what runs (from the refresh loop), logs, charts and actions.

use crate::desktop::DesktopSink;
use crate::state::AppState;
use berth_core::aws::logs::{self, LogPage, LogRequest, LogStreamRef};
use berth_core::aws::cloudwatch::{self, MetricRange, ServiceMetrics};
use berth_core::dashboard::monitor::{Monitor, MonitorState};
use berth_core::dashboard::service_actions::{self, TagDeployment};
use berth_core::dashboard::deployments;
use berth_core::Result;
use tauri::ipc::Channel;
use tauri::State;

/// Sends the loop's state to `channel` from now on, and returns the current one.
#[tauri::command]
pub fn watch_deployments(
    sink: State<'_, std::sync::Arc<DesktopSink>>,
    monitor: State<'_, Monitor>,
    channel: Channel<MonitorState>,
) -> MonitorState {
    *sink.window.lock().unwrap_or_else(|e| e.into_inner()) = Some(channel);
    monitor.state()
}

/// Whether the Deployments view is on screen (it refreshes while it is, or while the tray is on).
#[tauri::command]
pub fn show_deployments(monitor: State<'_, Monitor>, visible: bool) {
    monitor.set_controls(|c| c.view_visible = visible);
}

#[tauri::command]
pub fn refresh_deployments(monitor: State<'_, Monitor>) {
    monitor.refresh_now();
}

#[tauri::command]
pub async fn scale_service(
    state: State<'_, AppState>,
    monitor: State<'_, Monitor>,
    cluster: String,
    service: String,
    desired: i32,
) -> Result<()> {
    let clients = state.aws().await?;
    service_actions::scale_service(&clients, &state.activity, &cluster, &service, desired).await?;
    monitor.refresh_now();
    Ok(())
}

#[tauri::command]
pub async fn redeploy_service(
    state: State<'_, AppState>,
    monitor: State<'_, Monitor>,
    cluster: String,
    service: String,
) -> Result<()> {
    let clients = state.aws().await?;
    service_actions::force_new_deployment(&clients, &state.activity, &cluster, &service).await?;
    monitor.refresh_now();
    Ok(())
}

#[tauri::command]
pub async fn deploy_image_tag(
    state: State<'_, AppState>,
    monitor: State<'_, Monitor>,
    cluster: String,
    service: String,
    tag: String,
) -> Result<TagDeployment> {
    let clients = state.aws().await?;
    let deployed =
        service_actions::deploy_image_tag(&clients, &state.activity, &cluster, &service, &tag)
            .await?;
    monitor.refresh_now();
    Ok(deployed)
}

#[tauri::command]
pub async fn delete_service(
    state: State<'_, AppState>,
    monitor: State<'_, Monitor>,
    cluster: String,
    service: String,
) -> Result<()> {
    let clients = state.aws().await?;
    service_actions::delete_service(&clients, &state.activity, &cluster, &service).await?;
    monitor.refresh_now();
    Ok(())
}

#[tauri::command]
pub async fn stop_task(
    state: State<'_, AppState>,
    monitor: State<'_, Monitor>,
    cluster: String,
    task: String,
) -> Result<()> {
    let clients = state.aws().await?;
    service_actions::stop_task(&clients, &state.activity, &cluster, &task).await?;
    monitor.refresh_now();
    Ok(())
}

/// The CloudWatch log streams of a task's containers.
#[tauri::command]
pub async fn list_task_log_streams(
    state: State<'_, AppState>,
    task_definition_arn: String,
    task_id: String,
) -> Result<Vec<LogStreamRef>> {
    let clients = state.aws().await?;
    status::task_log_streams(
        &clients,
        &state.status_cache,
        &task_definition_arn,
        &task_id,
    )
    .await
}

/// A page of a log stream: the newest lines, an earlier or later page, or search results.
#[tauri::command]
pub async fn read_task_logs(state: State<'_, AppState>, request: LogRequest) -> Result<LogPage> {
    let clients = state.aws().await?;
    logs::read(&clients, &request).await
}

/// CPU and memory utilisation of a service over the last hour or day.
#[tauri::command]
pub async fn read_service_metrics(
    state: State<'_, AppState>,
    cluster: String,
    service: String,
    range: MetricRange,
) -> Result<ServiceMetrics> {
    let clients = state.aws().await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    metrics::service_utilisation(&clients, &cluster, &service, range, now).await
}
