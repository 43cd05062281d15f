//! The Deployments view: one snapshot of what runs in a region (clusters → services → tasks, with
//! counts, sizes, addresses, cost and the latest service events) — `snapshot` takes it — and the
//! notification events found by comparing a snapshot with the one before, each exactly once —
//! `events` finds them.

mod events;
mod health;
mod snapshot;

pub use events::{StatusEvent, StatusWatch};
pub use health::{health, ServiceHealth};
pub(crate) use snapshot::now_millis;
pub use snapshot::{take_snapshot, task_log_streams};

use crate::aws::ecs::TaskDefinitionCache;
use crate::dashboard::costs::RunningCost;
use crate::pricing::PriceSource;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};
use ts_rs::TS;

/// The reason Berth gives ECS when the user stops a task in Berth. A stop with this reason is the
/// user's own doing and is not announced as a surprise.
pub const BERTH_STOP_REASON: &str = "Stopped from Berth";

/// How many service events each service shows.
pub const EVENTS_PER_SERVICE: usize = 5;
/// How many recently stopped tasks the view keeps, and for how long.
pub const RECENT_STOPS: usize = 20;
pub const RECENT_STOP_MILLIS: u64 = 60 * 60 * 1000;

/// One container of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub name: String,
    pub last_status: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}

/// One task, running or just stopped.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatus {
    pub arn: String,
    /// The last part of the ARN, as the console shows it.
    pub id: String,
    pub cluster: String,
    /// The service that started it, if any (from the task's `service:<name>` group).
    pub service: Option<String>,
    /// Who started it: a service's deployment id (`ecs-svc/…`) for a service's task.
    #[serde(skip)]
    #[ts(skip)]
    pub started_by: Option<String>,
    /// PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED.
    pub last_status: String,
    pub desired_status: String,
    pub health: Option<String>,
    pub launch_type: Option<String>,
    /// ECS CPU units (1024 = 1 vCPU) and MiB.
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    /// `X86_64` or `ARM64`.
    pub cpu_architecture: String,
    /// `family:revision`.
    pub task_definition: String,
    pub task_definition_arn: String,
    pub image: Option<String>,
    pub public_ip: Option<String>,
    pub private_ip: Option<String>,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub created_at: Option<u64>,
    #[ts(type = "number | null")]
    pub started_at: Option<u64>,
    #[ts(type = "number | null")]
    pub stopped_at: Option<u64>,
    pub stopped_reason: Option<String>,
    pub stop_code: Option<String>,
    /// Stopped by the user from Berth (so no surprise to announce).
    pub stopped_by_berth: bool,
    pub containers: Vec<ContainerStatus>,
    /// Whether its containers log to CloudWatch (so the log viewer can open it).
    pub has_logs: bool,
    pub cost: RunningCost,
}

/// A service deployment (ECS rolls a service out one deployment at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    pub id: String,
    /// PRIMARY (the newest) or ACTIVE (being replaced).
    pub status: String,
    /// IN_PROGRESS, COMPLETED or FAILED.
    pub rollout_state: Option<String>,
    pub rollout_state_reason: Option<String>,
    pub task_definition: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub failed: i32,
    #[ts(type = "number | null")]
    pub created_at: Option<u64>,
    #[ts(type = "number | null")]
    pub updated_at: Option<u64>,
}

/// A line of the service's event log ("has reached a steady state", "unable to place a task").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceEventLine {
    pub id: String,
    #[ts(type = "number | null")]
    pub at: Option<u64>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatus {
    pub name: String,
    pub arn: String,
    pub cluster: String,
    /// ACTIVE, DRAINING or INACTIVE.
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub launch_type: Option<String>,
    /// `family:revision` of the service's task definition.
    pub task_definition: String,
    pub task_definition_arn: String,
    pub image: Option<String>,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub cpu_architecture: String,
    #[ts(type = "number | null")]
    pub created_at: Option<u64>,
    pub deployments: Vec<DeploymentStatus>,
    /// Newest first.
    pub events: Vec<ServiceEventLine>,
    /// Its tasks that have not stopped, newest first.
    pub tasks: Vec<TaskStatus>,
    pub cost: RunningCost,
    /// Berth created it (tagged `berth:managed=true`).
    pub managed: bool,
    /// The `berth:app` tag.
    pub app: Option<String>,
    pub has_logs: bool,
    /// Application Auto Scaling keeps its desired count between a minimum and a maximum.
    pub scaling: Option<crate::aws::autoscaling::ServiceScaling>,
    /// An Express service (ECS Express Mode): ECS manages its count, task definitions and load
    /// balancer, so it is changed by a new launch and deleted by teardown, not by the view's
    /// scale, redeploy or tag actions.
    pub express: bool,
    /// Its stable HTTPS address (an Express service's, once ECS has given it).
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatus {
    pub name: String,
    pub arn: String,
    pub services: Vec<ServiceStatus>,
    /// Tasks that no service started (one-off tasks), not stopped.
    pub tasks: Vec<TaskStatus>,
    pub running_tasks: u32,
    pub cost: RunningCost,
}

/// Everything the Deployments view shows, as of `taken_at`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentsSnapshot {
    pub region: String,
    pub practice: bool,
    #[ts(type = "number")]
    pub taken_at: u64,
    pub clusters: Vec<ClusterStatus>,
    /// Tasks that stopped within the last hour while Berth watched, newest first.
    pub recently_stopped: Vec<TaskStatus>,
    pub running_tasks: u32,
    pub cost: RunningCost,
    pub prices: PriceSource,
}

impl DeploymentsSnapshot {
    pub fn services(&self) -> impl Iterator<Item = &ServiceStatus> {
        self.clusters.iter().flat_map(|c| c.services.iter())
    }

    /// Every task in the snapshot that has not stopped, in services or not.
    pub fn live_tasks(&self) -> impl Iterator<Item = &TaskStatus> {
        self.clusters.iter().flat_map(|c| {
            c.tasks
                .iter()
                .chain(c.services.iter().flat_map(|s| s.tasks.iter()))
        })
    }
}

/// A task Berth saw unfinished last time: it is described again even when ECS no longer lists
/// it, so its stop (and the reason) is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowedTask {
    pub cluster_arn: String,
    pub task_arn: String,
}

/// What a refresh remembers between runs: task definitions (they never change) and public
/// addresses (a task keeps its address for life).
#[derive(Debug, Default)]
pub struct StatusCache {
    pub task_definitions: TaskDefinitionCache,
    addresses: Mutex<HashMap<String, Option<String>>>,
}

impl StatusCache {
    fn address(&self, task_arn: &str) -> Option<Option<String>> {
        self.lock().get(task_arn).cloned()
    }

    fn remember_addresses(&self, found: impl IntoIterator<Item = (String, Option<String>)>) {
        let mut map = self.lock();
        map.extend(found);
        // Addresses of tasks long gone are not worth keeping.
        if map.len() > 20_000 {
            map.clear();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<String>>> {
        self.addresses.lock().unwrap_or_else(|e| e.into_inner())
    }
}
