//! The live timeline of a launch (and of a teardown): one event per completed action, then the
//! task's lifecycle (PROVISIONING → PENDING → RUNNING) followed until it runs — with its public
//! address — or stops, with the reason explained.

use super::explain::{self, Diagnosis};
pub use super::kinds::{Outcome, ResourceKind, TaskAddress};
use super::record::LaunchRecord;
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
    /// The service's task counts changed (before its tasks show up, or while ECS retries).
    Service {
        desired: i32,
        running: i32,
        pending: i32,
        /// ECS's newest service event, e.g. "has started 1 tasks".
        message: Option<String>,
    },
    /// A running task's address.
    Address {
        address: TaskAddress,
    },
    /// A task has been PENDING for more than three minutes.
    Slow {
        diagnosis: Diagnosis,
    },
    /// A task stopped.
    Stopped {
        diagnosis: Diagnosis,
    },
    /// Berth stopped watching before the tasks ran (it gave up waiting, or the user left).
    Waiting,
    /// The launch is over; the record says how it ended.
    Finished {
        record: Box<LaunchRecord>,
    },
    /// The teardown is over: everything Berth made for the app is gone.
    TornDown {
        app: String,
    },
    Failed {
        error: BerthError,
    },
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
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            poll: Duration::from_secs(3),
            slow_after: Duration::from_secs(180),
            give_up_after: Duration::from_secs(15 * 60),
            log_lines: 30,
        }
    }
}

/// What to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watch {
    /// These tasks (one-off mode).
    Tasks(Vec<String>),
    /// Whatever tasks the service runs, until `desired` of them run. Stopped ones count only if
    /// created after `since` (seconds since the epoch), so an old failure is not blamed on this
    /// launch.
    Service { since: i64, desired: usize },
}

/// How watching ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEnd {
    Running(Vec<TaskAddress>),
    Stopped(Diagnosis),
    /// Not running yet when Berth stopped watching.
    Waiting,
}

/// The ARNs among `arns` of tasks the service started.
async fn service_tasks(
    clients: &AwsClients,
    names: &Names,
    arns: &[String],
    run: &Run,
) -> Result<Vec<String>> {
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let tasks = run
        .guard(ecs::task_states(clients, &names.cluster, arns))
        .await?;
    Ok(tasks
        .into_iter()
        .filter(|t| is_service_task(t, &names.service))
        .map(|t| t.arn)
        .collect())
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

/// Watches tasks until every one runs (their addresses are looked up), one stops (its reason
/// is explained), or `options.give_up_after` passes.
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
    let mut last_service: Option<(i32, i32, i32, Option<String>)> = None;
    loop {
        let arns = match watch {
            Watch::Tasks(arns) => arns.clone(),
            Watch::Service { since, .. } => {
                let running = TaskFilter {
                    service: Some(&names.service),
                    ..TaskFilter::default()
                };
                let listed = run
                    .guard(ecs::list_tasks(clients, &names.cluster, &running))
                    .await?;
                let mut arns = service_tasks(clients, names, &listed, run).await?;
                if arns.is_empty() {
                    // ECS may already have stopped a failing task and be about to retry.
                    let stopped = TaskFilter {
                        stopped: true,
                        ..running
                    };
                    let stopped = run
                        .guard(ecs::list_tasks(clients, &names.cluster, &stopped))
                        .await?;
                    if !stopped.is_empty() {
                        let tasks = run
                            .guard(ecs::task_states(clients, &names.cluster, &stopped))
                            .await?;
                        if let Some(task) = tasks
                            .iter()
                            .filter(|t| is_service_task(t, &names.service))
                            // AWS always says when a task was created; without it, assume now.
                            .filter(|t| t.created_at.is_none_or(|at| at >= *since))
                            .max_by_key(|t| t.created_at)
                        {
                            let d = diagnose(clients, names, task, options.log_lines, run).await?;
                            run.emit(LaunchEvent::Stopped {
                                diagnosis: d.clone(),
                            });
                            return Ok(FollowEnd::Stopped(d));
                        }
                    }
                    let service = run
                        .guard(ecs::describe_service(
                            clients,
                            &names.cluster,
                            &names.service,
                        ))
                        .await?;
                    if let Some(s) = service {
                        let now = (s.desired, s.running, s.pending, s.events.first().cloned());
                        if last_service.as_ref() != Some(&now) {
                            run.emit(LaunchEvent::Service {
                                desired: now.0,
                                running: now.1,
                                pending: now.2,
                                message: now.3.clone(),
                            });
                            last_service = Some(now);
                        }
                    }
                }
                arns.sort();
                arns
            }
        };
        if !arns.is_empty() {
            let mut tasks = run
                .guard(ecs::task_states(clients, &names.cluster, &arns))
                .await?;
            if let Watch::Service { .. } = watch {
                // Only the service's own tasks (moto's ListTasks ignores serviceName).
                tasks.retain(|t| is_service_task(t, &names.service));
            }
            for task in &tasks {
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
            if let Some(task) = tasks.iter().find(|t| t.last_status == "STOPPED") {
                let d = diagnose(clients, names, task, options.log_lines, run).await?;
                run.emit(LaunchEvent::Stopped {
                    diagnosis: d.clone(),
                });
                return Ok(FollowEnd::Stopped(d));
            }
            let wanted = match watch {
                Watch::Tasks(arns) => arns.len(),
                Watch::Service { desired, .. } => *desired,
            };
            let running = tasks.iter().filter(|t| t.last_status == "RUNNING").count();
            if running == tasks.len() && running >= wanted.max(1) {
                let mut addresses = Vec::new();
                for task in &tasks {
                    let address = address_of(clients, task, port, run).await?;
                    run.emit(LaunchEvent::Address {
                        address: address.clone(),
                    });
                    addresses.push(address);
                }
                return Ok(FollowEnd::Running(addresses));
            }
            for task in tasks.iter().filter(|t| is_starting(&t.last_status)) {
                let pending_for = task
                    .created_at
                    .map(|at| Duration::from_secs((now_secs() - at).max(0) as u64))
                    .unwrap_or_else(|| started.elapsed());
                if pending_for >= options.slow_after && !warned_slow.contains(&task.id) {
                    warned_slow.push(task.id.clone());
                    let stream = names.log_stream(&task.id);
                    run.emit(LaunchEvent::Slow {
                        diagnosis: explain::pending_too_long(task, &names.log_group, &stream),
                    });
                }
            }
        }
        if started.elapsed() >= options.give_up_after {
            run.emit(LaunchEvent::Waiting);
            return Ok(FollowEnd::Waiting);
        }
        run.sleep(options.poll).await?;
    }
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
    let stream = names.log_stream(&task.id);
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

async fn address_of(
    clients: &AwsClients,
    task: &Task,
    port: u16,
    run: &Run,
) -> Result<TaskAddress> {
    let public_ip = match &task.eni {
        Some(eni) => run.guard(ec2::public_ip(clients, eni)).await?,
        None => None,
    };
    Ok(TaskAddress {
        task_id: task.id.clone(),
        url: public_ip.as_ref().map(|ip| format!("http://{ip}:{port}")),
        public_ip,
        private_ip: task.private_ip.clone(),
    })
}
