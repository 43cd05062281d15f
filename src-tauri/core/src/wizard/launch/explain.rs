//! Why a task stopped, in plain words with the fix: the usual first-run failures of docs/aws-facts.md#first-run-failures,
//! recognised from ECS's stopped reason, the container's exit code and its last log lines. The UI
//! holds the words (English and Korean) for each [`StopCause`].

use crate::aws::ecs::Task;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What most likely went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StopCause {
    /// CannotPullContainerError … i/o timeout: no route to ECR (private subnet, no public IP).
    NoRouteToEcr,
    /// CannotPullContainerError … not found: wrong image URI or tag.
    ImageNotFound,
    /// The image was built for another CPU (arm64 image on X86_64, or the reverse).
    PlatformMismatch,
    /// ResourceInitializationError: unable to pull secrets or registry auth — no network path to
    /// ECR, or the execution role lacks permissions.
    RegistryAuth,
    /// The execution role is missing, cannot be assumed, or may not pull the image.
    ExecutionRole,
    /// The task's log group does not exist (the execution role may not create it).
    LogGroupMissing,
    /// The container ran out of memory and was killed.
    OutOfMemory,
    /// The essential container exited: the application crashed or finished.
    AppExited,
    /// The task has been PENDING for more than three minutes: usually the image pull is stuck.
    PendingTooLong,
    /// Someone (or a scaling/deployment) stopped it on purpose.
    StoppedOnPurpose,
    /// Nothing Berth recognises: the raw reason is shown.
    Unknown,
}

/// Everything the failure card shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    pub task_id: String,
    pub cause: StopCause,
    /// ECS's own words.
    pub stopped_reason: Option<String>,
    pub stop_code: Option<String>,
    /// The essential container's exit code, when it ran.
    pub exit_code: Option<i32>,
    /// The container's own reason (e.g. the pull error), when ECS gives one.
    pub container_reason: Option<String>,
    /// The last lines the container logged, oldest first.
    pub log_lines: Vec<String>,
    pub log_group: String,
    pub log_stream: String,
}

fn has(text: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| text.contains(n))
}

/// Recognises the cause from what ECS and the logs say.
pub fn classify(
    stopped_reason: &str,
    container_reason: &str,
    exit_code: Option<i32>,
    log_lines: &[String],
) -> StopCause {
    let reason = format!("{stopped_reason}\n{container_reason}").to_ascii_lowercase();
    let logs = log_lines.join("\n").to_ascii_lowercase();
    let platform = [
        "exec format error",
        "does not contain descriptor matching platform",
        "no matching manifest for",
        "image platform",
        "platform linux/",
        "platform 'linux/",
    ];
    let role = [
        "unable to assume the role",
        "not authorized to perform",
        "accessdenied",
        "access denied",
        "is not authorized",
    ];
    if has(&reason, &platform) || has(&logs, &["exec format error"]) {
        return StopCause::PlatformMismatch;
    }
    if reason.contains("cannotpullcontainererror") {
        if has(&reason, &role) {
            return StopCause::ExecutionRole;
        }
        if has(
            &reason,
            &["not found", "manifest unknown", "does not exist"],
        ) {
            return StopCause::ImageNotFound;
        }
        // i/o timeout, context deadline exceeded, request canceled…: the pull found no way out.
        return StopCause::NoRouteToEcr;
    }
    if reason.contains("resourceinitializationerror") {
        if has(
            &reason,
            &["log group", "loggroup", "resourcenotfoundexception"],
        ) {
            return StopCause::LogGroupMissing;
        }
        if has(&reason, &role) {
            return StopCause::ExecutionRole;
        }
        return StopCause::RegistryAuth;
    }
    if has(&reason, &role) {
        return StopCause::ExecutionRole;
    }
    if reason.contains("outofmemory") || reason.contains("out of memory") {
        return StopCause::OutOfMemory;
    }
    if reason.contains("essential container in task exited") || exit_code.is_some_and(|c| c != 0) {
        return if exit_code == Some(137) && reason.contains("memory") {
            StopCause::OutOfMemory
        } else {
            StopCause::AppExited
        };
    }
    if has(
        &reason,
        &["stopped by user", "scaling activity", "deployment"],
    ) {
        return StopCause::StoppedOnPurpose;
    }
    StopCause::Unknown
}

/// The diagnosis of a stopped task, given its last log lines.
pub fn diagnose(
    task: &Task,
    log_lines: Vec<String>,
    log_group: &str,
    log_stream: &str,
) -> Diagnosis {
    // The essential container is the one that explains the stop: the first with an exit code or
    // a reason.
    let container = task
        .containers
        .iter()
        .find(|c| c.exit_code.is_some() || c.reason.is_some())
        .or_else(|| task.containers.first());
    let exit_code = container.and_then(|c| c.exit_code);
    let container_reason = container.and_then(|c| c.reason.clone());
    let cause = classify(
        task.stopped_reason.as_deref().unwrap_or_default(),
        container_reason.as_deref().unwrap_or_default(),
        exit_code,
        &log_lines,
    );
    Diagnosis {
        task_id: task.id.clone(),
        cause,
        stopped_reason: task.stopped_reason.clone(),
        stop_code: task.stop_code.clone(),
        exit_code,
        container_reason,
        log_lines,
        log_group: log_group.to_owned(),
        log_stream: log_stream.to_owned(),
    }
}

/// The "still PENDING after three minutes" diagnosis.
pub fn pending_too_long(task: &Task, log_group: &str, log_stream: &str) -> Diagnosis {
    Diagnosis {
        task_id: task.id.clone(),
        cause: StopCause::PendingTooLong,
        stopped_reason: None,
        stop_code: None,
        exit_code: None,
        container_reason: None,
        log_lines: Vec::new(),
        log_group: log_group.to_owned(),
        log_stream: log_stream.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ecs::ContainerState;

    fn cause(reason: &str) -> StopCause {
        classify(reason, "", None, &[])
    }

    // One test per row of the docs/aws-facts.md table, with reasons as ECS writes them.

    #[test]
    fn an_io_timeout_pulling_the_image_means_no_route_to_ecr() {
        assert_eq!(
            cause(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): \
                 failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1: \
                 failed to do request: Head \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/web/manifests/v1\": \
                 dial tcp 52.94.0.1:443: i/o timeout"
            ),
            StopCause::NoRouteToEcr
        );
        assert_eq!(
            cause("CannotPullContainerError: Error response from daemon: Get https://api.ecr.us-east-1.amazonaws.com/: net/http: request canceled while waiting for connection"),
            StopCause::NoRouteToEcr
        );
    }

    #[test]
    fn a_missing_tag_means_the_image_was_not_found() {
        assert_eq!(
            cause(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): \
                 failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2: \
                 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2: not found"
            ),
            StopCause::ImageNotFound
        );
        assert_eq!(
            cause("CannotPullContainerError: Error response from daemon: manifest for 1234.dkr.ecr.us-east-1.amazonaws.com/web:latest not found: manifest unknown"),
            StopCause::ImageNotFound
        );
    }

    #[test]
    fn an_image_for_another_cpu_is_a_platform_mismatch() {
        assert_eq!(
            cause(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): \
                 image Manifest does not contain descriptor matching platform 'linux/amd64'"
            ),
            StopCause::PlatformMismatch
        );
        // An arm64 image whose binary the X86_64 host cannot execute exits at once.
        let lines = vec!["exec /usr/local/bin/server: exec format error".to_owned()];
        assert_eq!(
            classify("Essential container in task exited", "", Some(255), &lines),
            StopCause::PlatformMismatch
        );
    }

    #[test]
    fn unable_to_pull_registry_auth_is_a_network_or_role_problem() {
        assert_eq!(
            cause(
                "ResourceInitializationError: unable to pull secrets or registry auth: \
                 execution resource retrieval failed: unable to retrieve ecr registry auth: \
                 service call has been retried 3 time(s): RequestError: send request failed \
                 caused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.46.0.1:443: i/o timeout"
            ),
            StopCause::RegistryAuth
        );
        assert_eq!(
            cause(
                "ResourceInitializationError: unable to pull secrets or registry auth: \
                 execution resource retrieval failed: unable to retrieve ecr registry auth: \
                 service call has been retried 3 time(s): AccessDeniedException: User: \
                 arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/abc is not \
                 authorized to perform: ecr:GetAuthorizationToken"
            ),
            StopCause::ExecutionRole
        );
    }

    #[test]
    fn a_role_ecs_cannot_assume_is_an_execution_role_problem() {
        assert_eq!(
            cause("ECS was unable to assume the role 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole' that was provided for this task."),
            StopCause::ExecutionRole
        );
    }

    #[test]
    fn an_exited_essential_container_means_the_app_crashed() {
        let lines = vec![
            "Starting server".to_owned(),
            "Error: Cannot find module 'express'".to_owned(),
        ];
        assert_eq!(
            classify("Essential container in task exited", "", Some(1), &lines),
            StopCause::AppExited
        );
        assert_eq!(
            classify("Essential container in task exited", "", Some(0), &[]),
            StopCause::AppExited
        );
    }

    #[test]
    fn memory_kills_and_deliberate_stops_are_told_apart() {
        assert_eq!(
            classify(
                "Essential container in task exited",
                "OutOfMemoryError: Container killed due to memory usage",
                Some(137),
                &[]
            ),
            StopCause::OutOfMemory
        );
        assert_eq!(cause("Task stopped by user"), StopCause::StoppedOnPurpose);
        assert_eq!(
            cause("Scaling activity initiated by (deployment ecs-svc/123)"),
            StopCause::StoppedOnPurpose
        );
        assert_eq!(cause("Something new and strange"), StopCause::Unknown);
        assert_eq!(
            cause("ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist."),
            StopCause::LogGroupMissing
        );
    }

    #[test]
    fn a_diagnosis_carries_exit_code_reason_and_log_lines() {
        let task = Task {
            arn: "arn:aws:ecs:us-east-1:1:task/berth/abc".into(),
            id: "abc".into(),
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/web:1".into(),
            last_status: "STOPPED".into(),
            desired_status: "STOPPED".into(),
            stopped_reason: Some("Essential container in task exited".into()),
            stop_code: Some("EssentialContainerExited".into()),
            health_status: None,
            containers: vec![ContainerState {
                name: "web".into(),
                last_status: "STOPPED".into(),
                exit_code: Some(3),
                reason: None,
            }],
            eni: None,
            private_ip: None,
            started_by: Some("berth".into()),
            group: None,
            created_at: None,
        };
        let d = diagnose(&task, vec!["boom".into()], "/berth/web", "ecs/web/abc");
        assert_eq!(d.cause, StopCause::AppExited);
        assert_eq!(d.exit_code, Some(3));
        assert_eq!(d.log_lines, ["boom"]);
        assert_eq!(d.log_stream, "ecs/web/abc");
        let p = pending_too_long(&task, "/berth/web", "ecs/web/abc");
        assert_eq!(p.cause, StopCause::PendingTooLong);
    }
}
