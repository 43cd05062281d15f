//! The Deployments view: actions on what runs (a roll back among them, followed as a job), logs
//! and charts. What runs arrives from the refresh loop through the `deployments` job.

use crate::jobs::{self, AppJobs, JobEvent, JobOutcome};
use crate::state::AppState;
use berth_core::aws::cloudwatch::{self, MetricRange, ServiceMetrics};
use berth_core::aws::logs::{self, LogPage, LogRequest, LogStreamRef};
use berth_core::aws::AwsClients;
use berth_core::dashboard::deployments;
use berth_core::dashboard::monitor::Monitor;
use berth_core::dashboard::revisions::{self, RevisionList};
use berth_core::dashboard::secrets::{self, SecretString, ServiceSecret};
use berth_core::dashboard::service_actions::{self, TagDeployment};
use berth_core::jobs::JobId;
use berth_core::wizard::launch::timeline::FollowOptions;
use berth_core::Result;
use std::future::Future;
use tauri::{AppHandle, Manager};

/// Whether the Deployments view is on screen (it refreshes while it is, or while the tray is on).
pub async fn show_deployments(app: &AppHandle, visible: bool) -> Result<()> {
    app.state::<Monitor>()
        .set_controls(|c| c.view_visible = visible);
    Ok(())
}

pub async fn refresh_deployments(app: &AppHandle) -> Result<()> {
    app.state::<Monitor>().refresh_now();
    Ok(())
}

/// Runs an action on what runs, then refreshes the view so it shows the result.
async fn act<T, F: Future<Output = Result<T>>>(
    app: &AppHandle,
    action: impl FnOnce(AwsClients) -> F,
) -> Result<T> {
    let clients = app.state::<AppState>().aws().await?;
    let done = action(clients).await?;
    app.state::<Monitor>().refresh_now();
    Ok(done)
}

pub async fn scale_service(
    app: &AppHandle,
    cluster: String,
    service: String,
    desired: i32,
) -> Result<()> {
    act(app, |c| async move {
        service_actions::scale_service(&c, &cluster, &service, desired).await
    })
    .await
}

pub async fn list_service_secrets(
    app: &AppHandle,
    cluster: String,
    service: String,
) -> Result<Vec<ServiceSecret>> {
    let clients = app.state::<AppState>().aws().await?;
    secrets::service_secrets(&clients, &cluster, &service).await
}

/// The value becomes a `SecretString` at once and is never answered, logged or kept.
pub async fn change_service_secret(
    app: &AppHandle,
    cluster: String,
    service: String,
    name: String,
    value: String,
) -> Result<()> {
    let value = SecretString::from(value);
    act(app, |c| async move {
        secrets::change_secret(&c, &cluster, &service, &name, value).await
    })
    .await
}

pub async fn redeploy_service(app: &AppHandle, cluster: String, service: String) -> Result<()> {
    act(app, |c| async move {
        service_actions::force_new_deployment(&c, &cluster, &service).await
    })
    .await
}

pub async fn deploy_image_tag(
    app: &AppHandle,
    cluster: String,
    service: String,
    tag: String,
) -> Result<TagDeployment> {
    act(app, |c| async move {
        service_actions::deploy_image_tag(&c, &cluster, &service, &tag).await
    })
    .await
}

/// The revisions the service can go back to.
pub async fn list_revisions(
    app: &AppHandle,
    cluster: String,
    service: String,
) -> Result<RevisionList> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    revisions::list_revisions(
        &clients,
        &state.status_cache.task_definitions,
        &cluster,
        &service,
    )
    .await
}

/// Checks the roll back (refused at once when it cannot be done), then rolls the service out to
/// the revision on a job that follows the deployment as a launch is followed. One roll back of a
/// service at a time.
pub async fn start_rollback(
    app: &AppHandle,
    cluster: String,
    service: String,
    task_definition: String,
) -> Result<JobId> {
    let clients = app.state::<AppState>().aws().await?;
    let target = revisions::check_rollback(&clients, &cluster, &service, &task_definition).await?;
    let jobs = app.state::<AppJobs>().inner().clone();
    let monitor = app.clone();
    let key = format!("{cluster}/{service}");
    jobs::spawn(
        &jobs,
        "rollback",
        &key,
        move |job| async move {
            let run = job.map(JobEvent::Launch);
            let done =
                revisions::roll_back(&clients, &target, &run, FollowOptions::default()).await;
            monitor.state::<Monitor>().refresh_now();
            done
        },
        JobOutcome::RolledBack,
    )
}

pub async fn delete_service(app: &AppHandle, cluster: String, service: String) -> Result<()> {
    act(app, |c| async move {
        service_actions::delete_service(&c, &cluster, &service).await
    })
    .await
}

pub async fn stop_task(app: &AppHandle, cluster: String, task: String) -> Result<()> {
    act(app, |c| async move {
        service_actions::stop_task(&c, &cluster, &task).await
    })
    .await
}

/// The CloudWatch log streams of a task's containers.
pub async fn list_task_log_streams(
    app: &AppHandle,
    task_definition_arn: String,
    task_id: String,
) -> Result<Vec<LogStreamRef>> {
    let state = app.state::<AppState>();
    let clients = state.aws().await?;
    deployments::task_log_streams(
        &clients,
        &state.status_cache,
        &task_definition_arn,
        &task_id,
    )
    .await
}

/// A page of a log stream: the newest lines, an earlier or later page, or search results.
pub async fn read_task_logs(app: &AppHandle, request: LogRequest) -> Result<LogPage> {
    let clients = app.state::<AppState>().aws().await?;
    logs::read(&clients, &request).await
}

/// CPU and memory utilisation of a service over the last hour or day.
pub async fn read_service_metrics(
    app: &AppHandle,
    cluster: String,
    service: String,
    range: MetricRange,
) -> Result<ServiceMetrics> {
    let clients = app.state::<AppState>().aws().await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    cloudwatch::service_utilisation(&clients, &cluster, &service, range, now).await
}
