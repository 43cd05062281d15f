//! The live timeline of a launch (and of a teardown): one event per completed action, then the
//! task's lifecycle (PROVISIONING → PENDING → RUNNING) and the service's rollout followed until
//! the launch runs as ECS means it ([`super::verdict`]) — with its public address — or a task
//! stops, with the reason explained.

use super::explain::{self, Diagnosis};
pub use super::kinds::{AfterStop, Outcome, ResourceKind, TaskAddress};
use super::record::LaunchRecord;
use super::verdict::{self, Verdict};
use super::Names;
use crate::aws::ecs::{self, Task, TaskFilter};
use crate::aws::{ec2, logs, AwsClients};
use crate::error::{BerthError, Result};
use crate::jobs::Job;
use serde::Serialize;
use std::time::{Duration, Instant};
use ts_rs::TS;

/// One event on the timeline. Tagged by `event` so the UI can `switch` on it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum LaunchEvent {
    /// An action on a resource completed (or was not needed).
    Action {
        resource: ResourceKind,
        name: String,
        outcome: Outcome,
        /// The id or ARN, when there is one.
        id: Option<String>,
        /// The equivalent command of what was done (none when nothing was done).
        command: Option<String>,
    },
    /// A task's lifecycle status changed.
    Task {
        task_id: String,
        last_status: String,
        desired_status: String,
    },
    /// The launch's deployment of the service changed (its task counts, or how the rollout goes).
    Service {
        desired: i32,
        running: i32,
        pending: i32,
        /// ECS's newest service event, e.g. "has started 1 tasks".
        message: Option<String>,
        /// `IN_PROGRESS`, `COMPLETED` or `FAILED`.
        rollout: Option<String>,
    },
    /// A running task's address.
    Address {
        address: TaskAddress,
    },
    /// The stable HTTPS address ECS Express Mode gave the service (it answers once the service's
    /// tasks run and the load balancer finds them healthy).
    HttpsAddress {
        url: String,
    },
    /// A task has been PENDING for more than three minutes.
    Slow {
        diagnosis: Diagnosis,
    },
    /// A task stopped.
    Stopped {
        diagnosis: Diagnosis,
        /// What ECS does next with the service (none for one-off tasks).
        then: Option<AfterStop>,
    },
    /// AWS refused an action for a reason that passes by itself; Berth tries again after a pause.
    Retrying {
        reason: RetryReason,
        /// Seconds until the next attempt.
        after_secs: u32,
    },
    /// Berth stopped watching before the tasks ran (it gave up waiting, or the user left).
    Waiting,
    /// The launch is over; the record says how it ended.
    Finished {
        record: Box<LaunchRecord>,
    },
    /// A launch of the app was still running when its teardown began: Berth stopped it, and
    /// waited for it to end, before removing anything.
    LaunchStopped {
        app: String,
    },
    /// The teardown is over: everything Berth made for the app is gone.
    TornDown {
        app: String,
    },
    Failed {
        error: BerthError,
    },
}

/// Why an action is tried again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RetryReason {
    /// IAM has not yet made a role it just created usable everywhere (eventual consistency).
    RolePropagating { role: String },
    /// ECS's service-linked role is new to the account (Berth made it, or ECS is making it).
    ServiceLinkedRole,
    /// A service of the same name is still being deleted (DRAINING).
    ServiceDraining { service: String },
}

/// A running launch or teardown: a [`Job`] that speaks [`LaunchEvent`].
pub type Run = Job<LaunchEvent>;

/// How closely and how long to watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowOptions {
    /// Between two looks at the tasks.
    pub poll: Duration,
    /// A task PENDING longer than this gets the "image pull stuck" explanation (docs/aws-facts.md#first-run-failures: 3 min).
    pub slow_after: Duration,
    /// Berth stops watching (nothing is undone) after this long without RUNNING.
    pub give_up_after: Duration,
    /// Log lines fetched for a stopped task.
    pub log_lines: i32,
    /// How long a one-off task must stay RUNNING to count as running (a container that exits
    /// within its first seconds was RUNNING too).
    pub settle: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            poll: Duration::from_secs(3),
            slow_after: Duration::from_secs(180),
            give_up_after: Duration::from_secs(15 * 60),
            log_lines: 30,
            settle: Duration::from_secs(10),
        }
    }
}

/// What to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watch {
    /// These tasks (one-off mode).
    Tasks(Vec<String>),
    /// The service's deployment of `task_definition`, until `desired` of its tasks run. Tasks of
    /// other deployments (the revision before, still running during a rollout) never count: not
    /// for the address, not for a failure.
    Service {
        task_definition: String,
        desired: usize,
    },
}

/// How watching ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEnd {
    Running(Vec<TaskAddress>),
    Stopped(Diagnosis, Option<AfterStop>),
    /// Not running yet when Berth stopped watching.
    Waiting,
}

/// Whether ECS started `task` for the service `service` (its group is `service:<name>`).
pub fn is_service_task(task: &Task, service: &str) -> bool {
    task.group
        .as_deref()
        .and_then(|g| g.strip_prefix("service:"))
        == Some(service)
}

/// Statuses a task passes through before it runs.
fn is_starting(status: &str) -> bool {
    matches!(status, "PROVISIONING" | "PENDING" | "ACTIVATING")
}

/// Watches the launch until it runs as ECS means it ([`verdict`]: a service's deployment
/// COMPLETED with its tasks running; one-off tasks RUNNING for `options.settle`) — their
/// addresses are looked up —, one of its tasks stops (its reason is explained), or
/// `options.give_up_after` passes. Every look is one poll apart; cancelling the job ends the wait.
pub async fn follow(
    clients: &AwsClients,
    names: &Names,
    port: u16,
    watch: &Watch,
    run: &Run,
    options: FollowOptions,
) -> Result<FollowEnd> {
    let started = Instant::now();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut warned_slow: Vec<String> = Vec::new();
    let mut last_service: Option<ServiceView> = None;
    // Since when every one-off task has been seen running.
    let mut running_since: Option<Instant> = None;
    loop {
        let (tasks, decided, after_stop) = match watch {
            Watch::Tasks(arns) => {
                let tasks = run
                    .guard(ecs::task_states(clients, &names.cluster, arns))
                    .await?;
                if verdict::all_running(&tasks, arns.len()) {
                    running_since.get_or_insert_with(Instant::now);
                } else {
                    running_since = None;
                }
                let decided = verdict::tasks(
                    &tasks,
                    arns.len(),
                    running_since.map(|at| at.elapsed()),
                    options.settle,
                );
                (tasks, decided, None)
            }
            Watch::Service {
                task_definition,
                desired,
            } => {
                let look = look_at_service(clients, names, task_definition, run).await?;
                if last_service.as_ref() != Some(&look.view) {
                    run.emit(look.view.event());
                    last_service = Some(look.view.clone());
                }
                let decided = verdict::service(
                    look.deployment.as_ref(),
                    &look.live,
                    &look.stopped,
                    *desired,
                );
                (look.live, decided, Some(look.after_stop))
            }
        };
        // The stopped task too: the timeline shows it reach STOPPED before it is explained.
        let stopped = match &decided {
            Verdict::Stopped(task) => Some(task.as_ref()),
            _ => None,
        };
        for task in tasks.iter().chain(stopped) {
            let state = (task.id.clone(), task.last_status.clone());
            if !seen.contains(&state) {
                seen.push(state);
                run.emit(LaunchEvent::Task {
                    task_id: task.id.clone(),
                    last_status: task.last_status.clone(),
                    desired_status: task.desired_status.clone(),
                });
            }
        }
        match decided {
            Verdict::Stopped(task) => {
                let d = diagnose(clients, names, &task, options.log_lines, run).await?;
                run.emit(LaunchEvent::Stopped {
                    diagnosis: d.clone(),
                    then: after_stop.clone(),
                });
                return Ok(FollowEnd::Stopped(d, after_stop));
            }
            Verdict::Running => {
                let mut addresses = Vec::new();
                for task in &tasks {
                    // A one-off task gets no inbound rule (a job): its address opens nothing.
                    let open_port = matches!(watch, Watch::Service { .. }).then_some(port);
                    let address = address_of(clients, task, open_port, run).await?;
                    run.emit(LaunchEvent::Address {
                        address: address.clone(),
                    });
                    addresses.push(address);
                }
                return Ok(FollowEnd::Running(addresses));
            }
            Verdict::Wait => {}
        }
        for task in tasks.iter().filter(|t| is_starting(&t.last_status)) {
            let pending_for = task
                .created_at
                .map(|at| Duration::from_secs((now_secs() - at).max(0) as u64))
                .unwrap_or_else(|| started.elapsed());
            if pending_for >= options.slow_after && !warned_slow.contains(&task.id) {
                warned_slow.push(task.id.clone());
                let stream = names.log_stream(task);
                run.emit(LaunchEvent::Slow {
                    diagnosis: explain::pending_too_long(task, &names.log_group, &stream),
                });
            }
        }
        if started.elapsed() >= options.give_up_after {
            run.emit(LaunchEvent::Waiting);
            return Ok(FollowEnd::Waiting);
        }
        run.sleep(options.poll).await?;
    }
}

/// What the timeline shows of the launch's deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ServiceView {
    desired: i32,
    running: i32,
    pending: i32,
    message: Option<String>,
    rollout: Option<String>,
}

impl ServiceView {
    fn event(&self) -> LaunchEvent {
        LaunchEvent::Service {
            desired: self.desired,
            running: self.running,
            pending: self.pending,
            message: self.message.clone(),
            rollout: self.rollout.clone(),
        }
    }
}

/// One look at the service, for the launch's own deployment.
struct ServiceLook {
    view: ServiceView,
    /// The launch's deployment, once ECS shows it.
    deployment: Option<ecs::Deployment>,
    /// The deployment's tasks that ECS wants running.
    live: Vec<Task>,
    /// The deployment's tasks that ECS has stopped or is stopping.
    stopped: Vec<Task>,
    after_stop: AfterStop,
}

/// Whether `task` belongs to the launch's deployment: ECS writes a deployment's id into the
/// `startedBy` of each task it starts for it ("If an Amazon ECS service started the task, the
/// startedBy parameter contains the deployment ID of that service", ECS API reference, Task).
/// Before the deployment is seen, the task definition decides.
fn of_deployment(task: &Task, deployment: Option<&ecs::Deployment>, task_definition: &str) -> bool {
    match deployment {
        Some(d) => task.started_by.as_deref() == Some(d.id.as_str()),
        None => task.task_definition == task_definition,
    }
}

async fn look_at_service(
    clients: &AwsClients,
    names: &Names,
    task_definition: &str,
    run: &Run,
) -> Result<ServiceLook> {
    let service = run
        .guard(ecs::describe_service(
            clients,
            &names.cluster,
            &names.service,
        ))
        .await?;
    let deployment = service
        .as_ref()
        .and_then(|s| s.deployment_of(task_definition))
        .cloned();
    let after_stop = match (&service, &deployment) {
        (Some(s), Some(d)) if d.rollout_state.as_deref() == Some("FAILED") => {
            match s.deployments.iter().find(|other| other.status == "PRIMARY") {
                Some(primary) if primary.task_definition != task_definition => {
                    AfterStop::RolledBack {
                        task_definition: primary.task_definition.clone(),
                    }
                }
                _ => AfterStop::Halted,
            }
        }
        _ => AfterStop::Retrying,
    };
    let view = ServiceView {
        desired: deployment.as_ref().map_or(0, |d| d.desired),
        running: deployment.as_ref().map_or(0, |d| d.running),
        pending: deployment.as_ref().map_or(0, |d| d.pending),
        message: service.as_ref().and_then(|s| s.events.first().cloned()),
        rollout: deployment.as_ref().and_then(|d| d.rollout_state.clone()),
    };
    let ours = |t: &Task| {
        is_service_task(t, &names.service) && of_deployment(t, deployment.as_ref(), task_definition)
    };
    let running = TaskFilter {
        service: Some(&names.service),
        ..TaskFilter::default()
    };
    let mut live = tasks_of(clients, names, &running, run).await?;
    live.retain(|t| ours(t));
    live.sort_by(|a, b| a.arn.cmp(&b.arn));
    // Always looked at, not only when nothing runs: ECS replaces a crashed task at once, and
    // the crash is still the launch's failure.
    let stopping = TaskFilter {
        stopped: true,
        ..running
    };
    let mut stopped = tasks_of(clients, names, &stopping, run).await?;
    stopped.retain(|t| ours(t));
    Ok(ServiceLook {
        view,
        deployment,
        live,
        stopped,
        after_stop,
    })
}

/// The tasks `filter` lists, described.
async fn tasks_of(
    clients: &AwsClients,
    names: &Names,
    filter: &TaskFilter<'_>,
    run: &Run,
) -> Result<Vec<Task>> {
    let listed = run
        .guard(ecs::list_tasks(clients, &names.cluster, filter))
        .await?;
    if listed.is_empty() {
        return Ok(Vec::new());
    }
    run.guard(ecs::task_states(clients, &names.cluster, &listed))
        .await
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A stopped task's diagnosis, with its last log lines from CloudWatch Logs.
pub async fn diagnose(
    clients: &AwsClients,
    names: &Names,
    task: &Task,
    lines: i32,
    run: &Run,
) -> Result<Diagnosis> {
    let stream = names.log_stream(task);
    // Logs are a help, not a must: a failure to read them does not hide the stop reason.
    let log_lines = run
        .guard(logs::last_lines(clients, &names.log_group, &stream, lines))
        .await
        .unwrap_or_default();
    Ok(explain::diagnose(
        task,
        log_lines,
        &names.log_group,
        &stream,
    ))
}

/// The task's addresses; a URL to open only with `port` (a service, whose port is open).
async fn address_of(
    clients: &AwsClients,
    task: &Task,
    port: Option<u16>,
    run: &Run,
) -> Result<TaskAddress> {
    let public_ip = match &task.eni {
        Some(eni) => run.guard(ec2::public_ip(clients, eni)).await?,
        None => None,
    };
    Ok(TaskAddress {
        task_id: task.id.clone(),
        url: public_ip
            .as_ref()
            .zip(port)
            .map(|(ip, port)| format!("http://{ip}:{port}")),
        public_ip,
        private_ip: task.private_ip.clone(),
    })
}
