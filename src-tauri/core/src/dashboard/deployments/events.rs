//! What changed since the last snapshot that is worth telling the user, each event once.

use super::*;
use std::collections::{HashSet, VecDeque};

/// Something worth telling the user about, even with the window closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StatusEvent {
    /// A service deployment has all its tasks running.
    #[serde(rename_all = "camelCase")]
    DeploymentRunning {
        cluster: String,
        service: String,
        /// The `berth:app` tag of the service.
        app: Option<String>,
        running: i32,
    },
    /// A service deployment failed (ECS's circuit breaker gave up on it), perhaps rolling back.
    #[serde(rename_all = "camelCase")]
    DeploymentFailed {
        cluster: String,
        service: String,
        app: Option<String>,
        /// ECS's rollout state reason, with the first failed task's reason when one was seen.
        reason: String,
        /// ECS is putting the last completed deployment back.
        rolled_back: bool,
    },
    /// A task that no service started (a one-off task) reached RUNNING.
    #[serde(rename_all = "camelCase")]
    TaskRunning { cluster: String, task_id: String },
    /// A task stopped that was not stopped from Berth.
    #[serde(rename_all = "camelCase")]
    TaskStopped {
        cluster: String,
        service: Option<String>,
        app: Option<String>,
        task_id: String,
        /// ECS's stopped reason, else the first container's reason, else the stop code.
        reason: String,
        exit_code: Option<i32>,
    },
    /// A service's running count dropped below its desired count.
    #[serde(rename_all = "camelCase")]
    ServiceDegraded {
        cluster: String,
        service: String,
        app: Option<String>,
        running: i32,
        desired: i32,
    },
    /// A degraded service has all its tasks running again.
    #[serde(rename_all = "camelCase")]
    ServiceRecovered {
        cluster: String,
        service: String,
        app: Option<String>,
        running: i32,
    },
}

/// Compares each new snapshot with the previous one and yields each event exactly once, however
/// often the same state is seen again. It also keeps the recently stopped tasks, which ECS drops
/// from its listing as soon as they are told to stop.
#[derive(Debug, Default)]
pub struct StatusWatch {
    previous: Option<DeploymentsSnapshot>,
    announced_stops: HashSet<String>,
    announced_running: HashSet<String>,
    announced_deployments: HashSet<String>,
    announced_failures: HashSet<String>,
    /// Deployments (not yet completed) one of whose tasks' stop was told: a failing rollout's
    /// further crashes are the same news.
    told_rollout_stops: HashSet<String>,
    /// The first stop reason seen per unfinished deployment, for its failure notice.
    rollout_stop_reasons: HashMap<String, String>,
    degraded: HashSet<String>,
    recent_stops: VecDeque<TaskStatus>,
}

impl StatusWatch {
    /// The tasks to describe next time even if ECS stops listing them.
    pub fn followed(&self) -> Vec<FollowedTask> {
        let Some(prev) = &self.previous else {
            return Vec::new();
        };
        prev.clusters
            .iter()
            .flat_map(|c| {
                c.tasks
                    .iter()
                    .chain(c.services.iter().flat_map(|s| s.tasks.iter()))
                    .map(move |t| FollowedTask {
                        cluster_arn: c.arn.clone(),
                        task_arn: t.arn.clone(),
                    })
            })
            .collect()
    }

    /// The last snapshot seen, with the recently stopped tasks filled in.
    pub fn latest(&self) -> Option<&DeploymentsSnapshot> {
        self.previous.as_ref()
    }

    /// Takes in a new snapshot (adding the recently stopped tasks to it) and returns what changed
    /// that the user should hear about. The first snapshot (and the first after the region
    /// changed) only sets the baseline.
    pub fn observe(&mut self, mut next: DeploymentsSnapshot) -> Vec<StatusEvent> {
        let baseline = match &self.previous {
            Some(prev) if prev.region == next.region && prev.practice == next.practice => {
                Some(prev)
            }
            _ => None,
        };
        let mut events = Vec::new();
        if let Some(prev) = baseline {
            let was_live: HashMap<&str, &TaskStatus> =
                prev.live_tasks().map(|t| (t.arn.as_str(), t)).collect();
            // Stops: a task that was live last time and is STOPPED now, not by the user (from
            // Berth) nor by ECS scaling in or replacing it for a deployment.
            let services: HashMap<(&str, &str), &ServiceStatus> = next
                .services()
                .map(|s| ((s.cluster.as_str(), s.name.as_str()), s))
                .collect();
            for task in &next.recently_stopped {
                if !was_live.contains_key(task.arn.as_str())
                    || task.stopped_by_berth
                    || stopped_by_scheduler(task)
                    || !self.announced_stops.insert(task.arn.clone())
                {
                    continue;
                }
                let service = task
                    .service
                    .as_deref()
                    .and_then(|name| services.get(&(task.cluster.as_str(), name)));
                let event = stopped_event(task, service.and_then(|s| s.app.clone()));
                // A task of a rollout that has not completed: its first stop is told, the
                // rollout's later crashes are not (its failure is, if ECS gives up).
                let rollout = service.zip(task.started_by.as_deref()).and_then(|(s, by)| {
                    s.deployments
                        .iter()
                        .find(|d| d.id == by && !deployment_completed(d))
                });
                if let Some(rollout) = rollout {
                    if let StatusEvent::TaskStopped { reason, .. } = &event {
                        self.rollout_stop_reasons
                            .entry(rollout.id.clone())
                            .or_insert_with(|| reason.clone());
                    }
                    if !self.told_rollout_stops.insert(rollout.id.clone()) {
                        continue;
                    }
                }
                events.push(event);
            }
            // One-off tasks reaching RUNNING.
            for cluster in &next.clusters {
                for task in &cluster.tasks {
                    let was_running = was_live
                        .get(task.arn.as_str())
                        .is_some_and(|t| t.last_status == "RUNNING");
                    if task.last_status == "RUNNING"
                        && !was_running
                        && self.announced_running.insert(task.arn.clone())
                    {
                        events.push(StatusEvent::TaskRunning {
                            cluster: cluster.name.clone(),
                            task_id: task.id.clone(),
                        });
                    }
                }
            }
            let prev_services: HashMap<&str, &ServiceStatus> =
                prev.services().map(|s| (s.arn.as_str(), s)).collect();
            for service in next.services() {
                let before = prev_services.get(service.arn.as_str());
                for failed in service
                    .deployments
                    .iter()
                    .filter(|d| d.rollout_state.as_deref() == Some("FAILED"))
                {
                    if self.announced_failures.insert(failed.id.clone()) {
                        let mut reason = failed.rollout_state_reason.clone().unwrap_or_default();
                        if let Some(task) = self.rollout_stop_reasons.get(&failed.id) {
                            reason = format!("{reason} {task}").trim().to_owned();
                        }
                        events.push(StatusEvent::DeploymentFailed {
                            cluster: service.cluster.clone(),
                            service: service.name.clone(),
                            app: service.app.clone(),
                            reason,
                            rolled_back: service.deployments.iter().any(is_rollback),
                        });
                    }
                }
                if let Some(done) = completed_deployment(service) {
                    let was_done = before
                        .and_then(|b| b.deployments.iter().find(|d| d.id == done.id))
                        .is_some_and(deployment_completed);
                    // A rollback that completes was already told with the failure.
                    if !was_done
                        && self.announced_deployments.insert(done.id.clone())
                        && !is_rollback(done)
                    {
                        events.push(StatusEvent::DeploymentRunning {
                            cluster: service.cluster.clone(),
                            service: service.name.clone(),
                            app: service.app.clone(),
                            running: service.running,
                        });
                    }
                }
                let key = &service.arn;
                if let Some(before) = before {
                    if service.running < before.running
                        && service.running < service.desired
                        && self.degraded.insert(key.clone())
                    {
                        events.push(StatusEvent::ServiceDegraded {
                            cluster: service.cluster.clone(),
                            service: service.name.clone(),
                            app: service.app.clone(),
                            running: service.running,
                            desired: service.desired,
                        });
                    }
                }
                if service.running >= service.desired && self.degraded.remove(key) {
                    events.push(StatusEvent::ServiceRecovered {
                        cluster: service.cluster.clone(),
                        service: service.name.clone(),
                        app: service.app.clone(),
                        running: service.running,
                    });
                }
            }
        } else {
            // A new baseline: what is already true now is not news.
            self.recent_stops.clear();
            self.degraded.clear();
            for task in next.recently_stopped.iter() {
                self.announced_stops.insert(task.arn.clone());
            }
            for service in next.services() {
                if let Some(done) = completed_deployment(service) {
                    self.announced_deployments.insert(done.id.clone());
                }
                for d in &service.deployments {
                    if d.rollout_state.as_deref() == Some("FAILED") {
                        self.announced_failures.insert(d.id.clone());
                    }
                }
            }
        }

        // Keep the stops of the last hour, newest first, in this and later snapshots.
        let cutoff = next.taken_at.saturating_sub(RECENT_STOP_MILLIS);
        for task in next.recently_stopped.drain(..).rev() {
            self.recent_stops.retain(|t| t.arn != task.arn);
            self.recent_stops.push_front(task);
        }
        self.recent_stops
            .retain(|t| t.stopped_at.unwrap_or(next.taken_at) >= cutoff);
        self.recent_stops.truncate(RECENT_STOPS);
        next.recently_stopped = self.recent_stops.iter().cloned().collect();

        // Forget announcements about things no longer in view, so the sets stay small.
        let live: HashSet<&str> = next
            .live_tasks()
            .map(|t| t.arn.as_str())
            .chain(next.recently_stopped.iter().map(|t| t.arn.as_str()))
            .collect();
        self.announced_stops.retain(|a| live.contains(a.as_str()));
        self.announced_running.retain(|a| live.contains(a.as_str()));
        let deployments: HashSet<&str> = next
            .services()
            .flat_map(|s| s.deployments.iter().map(|d| d.id.as_str()))
            .collect();
        self.announced_deployments
            .retain(|d| deployments.contains(d.as_str()));
        self.announced_failures
            .retain(|d| deployments.contains(d.as_str()));
        self.told_rollout_stops
            .retain(|d| deployments.contains(d.as_str()));
        self.rollout_stop_reasons
            .retain(|d, _| deployments.contains(d.as_str()));

        self.previous = Some(next);
        events
    }
}

fn deployment_completed(d: &DeploymentStatus) -> bool {
    match d.rollout_state.as_deref() {
        Some(state) => state == "COMPLETED",
        None => d.desired > 0 && d.running >= d.desired,
    }
}

/// The service's primary deployment, if it has all its tasks running.
fn completed_deployment(service: &ServiceStatus) -> Option<&DeploymentStatus> {
    service
        .deployments
        .iter()
        .find(|d| d.status == "PRIMARY")
        .filter(|d| d.desired > 0 && deployment_completed(d))
}

/// ECS's own reason when it stops a task to scale in or to replace it in a deployment.
fn stopped_by_scheduler(task: &TaskStatus) -> bool {
    task.stopped_reason
        .as_deref()
        .is_some_and(|r| r.starts_with("Scaling activity initiated by"))
}

/// A deployment ECS started to put the last completed one back after a failure.
fn is_rollback(d: &DeploymentStatus) -> bool {
    d.rollout_state_reason
        .as_deref()
        .is_some_and(|r| r.contains("rolling back"))
}

fn stopped_event(task: &TaskStatus, app: Option<String>) -> StatusEvent {
    let container = task
        .containers
        .iter()
        .find(|c| c.exit_code.is_some_and(|code| code != 0) || c.reason.is_some());
    let reason = task
        .stopped_reason
        .clone()
        .or_else(|| container.and_then(|c| c.reason.clone()))
        .or_else(|| task.stop_code.clone())
        .unwrap_or_default();
    StatusEvent::TaskStopped {
        cluster: task.cluster.clone(),
        service: task.service.clone(),
        app,
        task_id: task.id.clone(),
        reason,
        exit_code: container.and_then(|c| c.exit_code),
    }
}
