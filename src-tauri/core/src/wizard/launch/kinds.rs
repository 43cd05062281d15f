//! The words a launch and its teardown speak in: which resource, what will happen or happened to
//! it, and where a running task can be reached. Shared by the plan, the timeline and the launch
//! record.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A resource a launch creates, reuses or removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    Cluster,
    LogGroup,
    SecurityGroup,
    /// The security group's inbound rule for the container port.
    IngressRule,
    TaskDefinition,
    Service,
    /// The service of an app with a stable HTTPS address (ECS Express Mode), with the load
    /// balancer share, task definitions and security groups ECS makes for it.
    ExpressService,
    /// One-off tasks (task mode), or the tasks teardown stops.
    Task,
    /// The service's desired count registered with Application Auto Scaling, with its CPU
    /// target-tracking policy (`service/<cluster>/<service>`).
    ScalableTarget,
    /// The ECR repository with its images (shared by the apps launched from it).
    Repository,
    /// The task execution role of the IAM step (shared by every app).
    ExecutionRole,
    /// The deploy user of the IAM step.
    DeployUser,
    /// An SSM SecureString parameter holding an environment value kept secret.
    Secret,
    /// The execution role's inline policy that lets ECS read the app's secrets.
    SecretPolicy,
}

/// What happened to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Created,
    /// It existed as wanted: nothing to do.
    Reused,
    Updated,
    /// Tasks were started.
    Started,
    /// A service scaled to zero before deletion.
    ScaledDown,
    /// Tasks were stopped.
    Stopped,
    Deleted,
    /// Teardown left it in place (not Berth's, or still in use).
    Kept,
}

/// A task's public address, once it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TaskAddress {
    pub task_id: String,
    pub public_ip: Option<String>,
    pub private_ip: Option<String>,
    /// `http://<public ip>:<port>`, when there is a public IP.
    pub url: Option<String>,
}

/// What will happen to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PlanAction {
    Create,
    Reuse,
    Update,
    /// Start one-off tasks.
    Run,
    /// Remove what an earlier launch made and this one no longer wants (scaling turned off).
    Remove,
}

/// One difference an update will fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `retention`, `ingress`, `taskDefinition`, `desiredCount`, `network`, `minCapacity`,
    /// `maxCapacity`, `cpuTarget`.
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One line of the review page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanItem {
    pub resource: ResourceKind,
    pub name: String,
    pub action: PlanAction,
    /// The existing resource's id or ARN, when it is reused or updated.
    pub id: Option<String>,
    pub changes: Vec<Change>,
    /// The `aws` commands that do the same (none for a reuse).
    pub commands: Vec<String>,
}

/// What ECS does with a service after one of its deployment's tasks stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum AfterStop {
    /// It starts another task, and goes on until the circuit breaker judges the deployment failed
    /// (each start is billed): stopping the service ends it.
    Retrying,
    /// The circuit breaker failed the deployment: ECS launches no more of its tasks.
    Halted,
    /// The circuit breaker failed the deployment and ECS went back to the revision that worked.
    RolledBack { task_definition: String },
}
