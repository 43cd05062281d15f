//! Whether a launch has reached its goal, decided from what ECS says of its deployment and tasks
//! (no AWS calls here: [`super::timeline::follow`] looks, this decides).
//!
//! A service runs when ECS says so: its deployment's `rolloutState` is `COMPLETED` ("When the
//! service reaches a steady state, the deployment transitions to a COMPLETED state", ECS API
//! reference, Deployment) and its tasks run. One poll that sees a task RUNNING is not enough: a
//! container that exits a second later was RUNNING too. A one-off task has no deployment, so it
//! must stay RUNNING for a short while before Berth calls it running.

use crate::aws::ecs::{Deployment, Task};
use std::time::Duration;

/// What the launch has come to, as far as one look tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not there yet: look again.
    Wait,
    /// Running as ECS means it.
    Running,
    /// This task stopped before that: it explains the failure.
    Stopped(Box<Task>),
}

/// Whether ECS wants `task` running and it runs (and is not known to be unhealthy: Berth's task
/// definitions declare no health check, so ECS reports `UNKNOWN` for them; ECS ignores an
/// image's own HEALTHCHECK).
fn runs(task: &Task) -> bool {
    task.last_status == "RUNNING"
        && task.desired_status == "RUNNING"
        && task.health_status.as_deref() != Some("UNHEALTHY")
}

/// The newest task that has reached STOPPED (a task still DEACTIVATING/STOPPING has no exit
/// code yet: it is waited for).
fn newest_stopped<'a>(tasks: impl IntoIterator<Item = &'a Task>) -> Option<&'a Task> {
    tasks
        .into_iter()
        .filter(|t| t.last_status == "STOPPED")
        .max_by_key(|t| t.created_at)
}

/// Stop codes of tasks that AWS stopped for reasons of its own infrastructure (Fargate task
/// retirement, a Spot interruption, an unhealthy host), not because of the app: a service's
/// scheduler replaces them, so they say nothing about the launch ("Stopped tasks error codes",
/// Amazon ECS Developer Guide; the practice backend uses TerminationNotice for the tasks it stops
/// when it shuts down).
const INFRASTRUCTURE_STOPS: [&str; 3] = [
    "TerminationNotice",
    "SpotInterruption",
    "InfrastructureHealth",
];

fn stopped_by_infrastructure(task: &Task) -> bool {
    task.stop_code
        .as_deref()
        .is_some_and(|code| INFRASTRUCTURE_STOPS.contains(&code))
}

/// A service launch: `deployment` is the launch's own deployment (none until ECS shows it),
/// `live` the tasks of that deployment ECS wants running, `stopped` the deployment's tasks ECS
/// has stopped or is stopping, `desired` how many tasks the launch asked for.
///
/// Running needs the rollout COMPLETED with `desired` tasks of the deployment running. Before
/// that, a stopped task of the deployment is the failure, whether ECS is about to try again or
/// its circuit breaker has given up (`FAILED`). The only tie — COMPLETED with its tasks running
/// while an earlier task of it stopped — is ECS's own verdict: steady state. A task AWS stopped
/// for its own infrastructure is no failure of the launch: the replacement is waited for.
pub fn service(
    deployment: Option<&Deployment>,
    live: &[Task],
    stopped: &[Task],
    desired: usize,
) -> Verdict {
    let completed = deployment.is_some_and(|d| d.rollout_state.as_deref() == Some("COMPLETED"));
    if completed && live.len() >= desired.max(1) && live.iter().all(runs) {
        return Verdict::Running;
    }
    match newest_stopped(stopped.iter().filter(|t| !stopped_by_infrastructure(t))) {
        Some(task) => Verdict::Stopped(Box::new(task.clone())),
        // FAILED without a stopped task to show is not something ECS does; waiting (bounded by
        // the follow's give-up time) is the honest answer.
        None => Verdict::Wait,
    }
}

/// One-off tasks: `tasks` are the launch's tasks, `wanted` how many it started, `running_for`
/// how long all of them have been seen running (none when they were not, at the last look),
/// `settle` how long they must stay running.
pub fn tasks(
    tasks: &[Task],
    wanted: usize,
    running_for: Option<Duration>,
    settle: Duration,
) -> Verdict {
    if let Some(task) = newest_stopped(tasks) {
        return Verdict::Stopped(Box::new(task.clone()));
    }
    let all_run = tasks.len() >= wanted.max(1) && tasks.iter().all(runs);
    if all_run && running_for.is_some_and(|d| d >= settle) {
        Verdict::Running
    } else {
        Verdict::Wait
    }
}

/// Whether every task runs now (the one-off settle clock starts then).
pub fn all_running(tasks: &[Task], wanted: usize) -> bool {
    tasks.len() >= wanted.max(1) && tasks.iter().all(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, last: &str, desired: &str, created: i64) -> Task {
        Task {
            arn: format!("arn:aws:ecs:us-east-1:123456789012:task/c/{id}"),
            id: id.to_owned(),
            task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2".into(),
            last_status: last.into(),
            desired_status: desired.into(),
            stopped_reason: None,
            stop_code: None,
            health_status: Some("UNKNOWN".into()),
            containers: Vec::new(),
            eni: None,
            private_ip: None,
            started_by: Some("ecs-svc/1".into()),
            group: Some("service:web".into()),
            created_at: Some(created),
        }
    }

    fn deployment(rollout: &str) -> Deployment {
        Deployment {
            id: "ecs-svc/1".into(),
            status: "PRIMARY".into(),
            task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2".into(),
            rollout_state: Some(rollout.into()),
            rollout_reason: None,
            desired: 1,
            running: 1,
            pending: 0,
            failed_tasks: 0,
        }
    }

    #[test]
    fn a_service_task_seen_running_is_not_yet_a_running_service() {
        // The bug: one poll saw RUNNING and Berth said "Your container is running."
        let running = [task("a", "RUNNING", "RUNNING", 10)];
        let d = deployment("IN_PROGRESS");
        assert_eq!(service(Some(&d), &running, &[], 1), Verdict::Wait);
        assert_eq!(service(None, &running, &[], 1), Verdict::Wait);
    }

    #[test]
    fn a_service_runs_once_its_rollout_completed_with_its_tasks_running() {
        let running = [task("a", "RUNNING", "RUNNING", 10)];
        let d = deployment("COMPLETED");
        assert_eq!(service(Some(&d), &running, &[], 1), Verdict::Running);
        // Fewer tasks than asked for, or one not running yet: not yet.
        assert_eq!(service(Some(&d), &running, &[], 2), Verdict::Wait);
        let pending = [task("b", "PENDING", "RUNNING", 11)];
        assert_eq!(service(Some(&d), &pending, &[], 1), Verdict::Wait);
        let mut sick = task("a", "RUNNING", "RUNNING", 10);
        sick.health_status = Some("UNHEALTHY".into());
        assert_eq!(service(Some(&d), &[sick], &[], 1), Verdict::Wait);
    }

    #[test]
    fn a_task_of_the_deployment_that_stops_before_completion_is_the_failure() {
        let crashed = task("a", "STOPPED", "STOPPED", 10);
        let replacement = [task("b", "PENDING", "RUNNING", 20)];
        let d = deployment("IN_PROGRESS");
        // ECS already started a replacement: the crash is still the answer.
        assert_eq!(
            service(Some(&d), &replacement, std::slice::from_ref(&crashed), 1),
            Verdict::Stopped(Box::new(crashed.clone()))
        );
        // The circuit breaker gave up: the newest stopped task explains it.
        let later = task("c", "STOPPED", "STOPPED", 30);
        assert_eq!(
            service(
                Some(&deployment("FAILED")),
                &[],
                &[crashed.clone(), later.clone()],
                1
            ),
            Verdict::Stopped(Box::new(later))
        );
        // Still stopping (no exit code yet): waited for.
        let stopping = task("d", "DEACTIVATING", "STOPPED", 40);
        assert_eq!(service(Some(&d), &[], &[stopping], 1), Verdict::Wait);
    }

    #[test]
    fn a_service_task_stopped_by_aws_infrastructure_is_replaced_not_a_failure() {
        // Seen in CI: a launch resumed after practice restarted found the task the old backend
        // stopped on shutdown and called the launch stopped while its replacement was starting.
        let mut retired = task("a", "STOPPED", "STOPPED", 10);
        retired.stop_code = Some("TerminationNotice".into());
        let replacement = [task("b", "PENDING", "RUNNING", 20)];
        let d = deployment("IN_PROGRESS");
        assert_eq!(
            service(Some(&d), &replacement, std::slice::from_ref(&retired), 1),
            Verdict::Wait
        );
        // The app's own exit still is the answer.
        let mut crashed = task("c", "STOPPED", "STOPPED", 5);
        crashed.stop_code = Some("EssentialContainerExited".into());
        assert_eq!(
            service(Some(&d), &replacement, &[retired, crashed.clone()], 1),
            Verdict::Stopped(Box::new(crashed))
        );
    }

    #[test]
    fn a_one_off_task_must_stay_running_a_moment() {
        let settle = Duration::from_secs(10);
        let running = [task("a", "RUNNING", "RUNNING", 10)];
        assert!(all_running(&running, 1));
        assert_eq!(
            tasks(&running, 1, Some(Duration::ZERO), settle),
            Verdict::Wait
        );
        assert_eq!(
            tasks(&running, 1, Some(Duration::from_secs(10)), settle),
            Verdict::Running
        );
        // It exited within the first seconds: stopped, not running.
        let exited = task("a", "STOPPED", "STOPPED", 10);
        assert_eq!(
            tasks(
                std::slice::from_ref(&exited),
                1,
                Some(Duration::from_secs(3)),
                settle
            ),
            Verdict::Stopped(Box::new(exited.clone()))
        );
        // ECS wants it stopped though it still says RUNNING: not running.
        let stopping = [task("a", "RUNNING", "STOPPED", 10)];
        assert!(!all_running(&stopping, 1));
        assert_eq!(
            tasks(&stopping, 1, Some(Duration::from_secs(30)), settle),
            Verdict::Wait
        );
    }
}
