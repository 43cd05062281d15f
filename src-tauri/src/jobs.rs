//! The app's long work on core's one job model: what a job tells the window ([`JobEvent`]), and
//! how a command starts one — the work runs on its own task, so the command answers with the
//! job's id at once, and the page (or a later one, or a reloaded window) attaches to it.

use berth_core::activity::ActivityEntry;
use berth_core::aws::signin::{SignInWaiting, SignedIn};
use berth_core::dashboard::monitor::MonitorState;
use berth_core::dashboard::revisions::Rollback;
use berth_core::jobs::{Job, JobId, Jobs, Replay};
use berth_core::progress::Progress;
use berth_core::settings::PushedImage;
use berth_core::wizard::image::BuiltImage;
use berth_core::wizard::launch::record::LaunchRecord;
use berth_core::wizard::launch::teardown::TeardownPlan;
use berth_core::wizard::launch::timeline::LaunchEvent;
use berth_core::{BerthError, ErrorKind, Result};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use tauri::ipc::Channel;
use ts_rs::TS;

/// One event of a job, as the window receives it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", content = "event", rename_all = "camelCase")]
pub enum JobEvent {
    /// A build, push or local run went on.
    Progress(Progress),
    /// A launch, teardown or roll back went on.
    Launch(LaunchEvent),
    /// The Deployments watch has a new state.
    Deployments(MonitorState),
    /// The activity log has a new entry.
    Activity(ActivityEntry),
    /// A browser sign-in waits for the browser.
    SignIn(SignInWaiting),
    /// The job ended: what it made, or why not.
    Done(JobOutcome),
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", content = "value", rename_all = "camelCase")]
pub enum JobOutcome {
    Built(BuiltImage),
    Pushed(PushedImage),
    Launched(Box<LaunchRecord>),
    TornDown(TeardownPlan),
    SignedIn(SignedIn),
    /// A service went back to an earlier revision (or tried to: `end` says how it went).
    RolledBack(Rollback),
    /// It ended with nothing to hand over (a local run's output ended).
    Ended,
    Failed(BerthError),
    Cancelled,
}

/// The app's jobs.
pub type AppJobs = Jobs<JobEvent>;

/// Events of a build log or a timeline kept for a page that comes back: more than any real
/// build or launch emits, so none is lost, and a bound so a runaway log cannot eat memory.
const KEPT_EVENTS: usize = 20_000;

/// Starts `work` as a job of `kind` on `key`, on its own task, and answers its id. The work gets
/// the job handle; its result becomes the final `Done` event.
pub fn spawn<T, F, W>(
    jobs: &AppJobs,
    kind: &str,
    key: &str,
    work: W,
    outcome: fn(T) -> JobOutcome,
) -> Result<JobId>
where
    W: FnOnce(Job<JobEvent>) -> F,
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    spawn_unless(jobs, kind, key, &[], work, outcome)
}

/// [`spawn`], refused while a job of one of the `rivals` kinds runs on the same key.
pub fn spawn_unless<T, F, W>(
    jobs: &AppJobs,
    kind: &str,
    key: &str,
    rivals: &[&str],
    work: W,
    outcome: fn(T) -> JobOutcome,
) -> Result<JobId>
where
    W: FnOnce(Job<JobEvent>) -> F,
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let (id, job) = jobs.start_unless(kind, key, Replay::All(KEPT_EVENTS), rivals)?;
    let done = job.clone();
    let future = work(job);
    let registry = jobs.clone();
    let job_id = id.clone();
    tauri::async_runtime::spawn(async move {
        let end = match future.await {
            Ok(value) => outcome(value),
            Err(e) if e.kind == ErrorKind::Cancelled => JobOutcome::Cancelled,
            Err(e) => JobOutcome::Failed(e),
        };
        done.emit(JobEvent::Done(end));
        registry.finish(&job_id);
    });
    Ok(id)
}

/// A watcher that sends a job's events to the window over `channel`; it is dropped once the
/// window is gone.
pub fn channel_watcher(channel: Channel<JobEvent>) -> berth_core::jobs::Watcher<JobEvent> {
    Arc::new(move |event| channel.send(event.clone()).is_ok())
}
