//! The Deployments view: one snapshot of what runs in a region (clusters → services → tasks, with
//! counts, sizes, addresses, cost and the latest service events), the notification events found by
//! comparing a snapshot with the one before (each event exactly once), and how long to wait after
//! a failed refresh.

use crate::aws::ecs::{self, name_from_arn, TaskDefinitionCache, TaskDefinitionFacts};
use crate::aws::{ec2, AwsClients};
use crate::dashboard::costs::{fargate_prices_for, task_cost, RunningCost, FARGATE_PRICES};
use crate::error::{BerthError, ErrorKind, Result};
use crate::pricing::PriceSource;
use crate::tags::{is_managed, APP_KEY};
use aws_sdk_ecs::types::{Service, Task};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
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

/// Reads what runs in the clients' region: one ListClusters, then per cluster ListServices,
/// DescribeServices (10 at a time), ListTasks and DescribeTasks (100 at a time, including the
/// `followed` tasks that dropped out of the listing), DescribeTaskDefinition for definitions not
/// seen before, and one DescribeNetworkInterfaces per 200 new tasks for their public addresses.
pub async fn take_snapshot(
    clients: &AwsClients,
    cache: &StatusCache,
    followed: &[FollowedTask],
) -> Result<DeploymentsSnapshot> {
    let region = clients.region().to_owned();
    let cluster_arns = ecs::list_clusters(clients).await?;
    let mut raw = Vec::with_capacity(cluster_arns.len());
    for cluster_arn in &cluster_arns {
        let service_arns = ecs::list_services(clients, cluster_arn).await?;
        let services = ecs::describe_services(clients, cluster_arn, &service_arns).await?;
        let mut task_arns =
            ecs::list_tasks(clients, cluster_arn, &ecs::TaskFilter::default()).await?;
        let listed: HashSet<String> = task_arns.iter().cloned().collect();
        task_arns.extend(
            followed
                .iter()
                .filter(|f| &f.cluster_arn == cluster_arn && !listed.contains(&f.task_arn))
                .map(|f| f.task_arn.clone()),
        );
        let tasks = ecs::describe_tasks(clients, cluster_arn, &task_arns).await?;
        raw.push((cluster_arn.clone(), services, tasks));
    }

    let definition_arns: HashSet<&str> = raw
        .iter()
        .flat_map(|(_, services, tasks)| {
            services
                .iter()
                .filter_map(|s| s.task_definition())
                .chain(tasks.iter().filter_map(|t| t.task_definition_arn()))
        })
        .collect();
    let definitions =
        ecs::task_definitions(clients, &cache.task_definitions, definition_arns).await?;

    // Public addresses of tasks seen for the first time (a stopped task's interface is gone).
    let mut unknown: Vec<(String, String)> = Vec::new();
    for (_, _, tasks) in &raw {
        for task in tasks {
            let arn = task.task_arn().unwrap_or_default();
            if task.last_status() != Some("STOPPED") && cache.address(arn).is_none() {
                if let Some(eni) = attachment_detail(task, "networkInterfaceId") {
                    unknown.push((arn.to_owned(), eni.to_owned()));
                }
            }
        }
    }
    if !unknown.is_empty() {
        let ids: Vec<String> = unknown.iter().map(|(_, eni)| eni.clone()).collect();
        let ips = ec2::public_ips(clients, &ids).await?;
        cache.remember_addresses(
            unknown
                .into_iter()
                .map(|(task, eni)| (task, ips.get(&eni).cloned())),
        );
    }

    let mut clusters = Vec::with_capacity(raw.len());
    let mut just_stopped = Vec::new();
    for (cluster_arn, services, tasks) in raw {
        let cluster = name_from_arn(&cluster_arn).to_owned();
        let mut by_service: HashMap<String, Vec<TaskStatus>> = HashMap::new();
        let mut standalone = Vec::new();
        for task in &tasks {
            let status = task_status(task, &cluster, &region, &definitions, cache);
            if status.last_status == "STOPPED" {
                just_stopped.push(status);
            } else if let Some(service) = &status.service {
                by_service.entry(service.clone()).or_default().push(status);
            } else {
                standalone.push(status);
            }
        }
        let mut service_list: Vec<ServiceStatus> = services
            .iter()
            .map(|s| {
                let name = s.service_name().unwrap_or_default();
                let tasks = by_service.remove(name).unwrap_or_default();
                service_status(s, &cluster, &definitions, tasks)
            })
            .collect();
        service_list.sort_by(|a, b| a.name.cmp(&b.name));
        // Tasks of a service that is gone (deleted while they drain) still run and cost.
        for (_, tasks) in by_service {
            standalone.extend(tasks);
        }
        sort_newest_first(&mut standalone);
        let running_tasks = service_list
            .iter()
            .flat_map(|s| s.tasks.iter())
            .chain(standalone.iter())
            .filter(|t| t.last_status == "RUNNING")
            .count() as u32;
        let cost = service_list
            .iter()
            .map(|s| s.cost)
            .chain(standalone.iter().map(|t| t.cost))
            .sum::<RunningCost>();
        clusters.push(ClusterStatus {
            name: cluster,
            arn: cluster_arn,
            services: service_list,
            tasks: standalone,
            running_tasks,
            cost,
        });
    }
    clusters.sort_by(|a, b| a.name.cmp(&b.name));
    sort_newest_first(&mut just_stopped);

    Ok(DeploymentsSnapshot {
        region,
        practice: clients.is_practice(),
        taken_at: now_millis(),
        running_tasks: clusters.iter().map(|c| c.running_tasks).sum(),
        cost: clusters.iter().map(|c| c.cost).sum::<RunningCost>(),
        clusters,
        recently_stopped: just_stopped,
        prices: FARGATE_PRICES,
    })
}

fn sort_newest_first(tasks: &mut [TaskStatus]) {
    tasks.sort_by(|a, b| {
        let at = |t: &TaskStatus| t.stopped_at.or(t.started_at).or(t.created_at);
        at(b).cmp(&at(a)).then_with(|| a.id.cmp(&b.id))
    });
}

fn millis(dt: Option<&aws_smithy_types::DateTime>) -> Option<u64> {
    dt.and_then(|d| d.to_millis().ok())
        .map(|ms| ms.max(0) as u64)
}

pub(crate) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

fn attachment_detail<'a>(task: &'a Task, name: &str) -> Option<&'a str> {
    task.attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some(name))
        .and_then(|d| d.value())
}

fn parse_units(value: Option<&str>) -> Option<u32> {
    value.and_then(|v| v.trim().parse().ok())
}

fn definition_label(arn: &str, definitions: &HashMap<String, TaskDefinitionFacts>) -> String {
    match definitions.get(arn) {
        Some(def) => format!("{}:{}", def.family, def.revision),
        None => name_from_arn(arn).to_owned(),
    }
}

/// The image of the container that matters: the first essential one.
fn main_image(def: Option<&TaskDefinitionFacts>) -> Option<String> {
    let def = def?;
    def.containers
        .iter()
        .find(|c| c.essential)
        .or(def.containers.first())
        .map(|c| c.image.clone())
}

fn task_status(
    task: &Task,
    cluster: &str,
    region: &str,
    definitions: &HashMap<String, TaskDefinitionFacts>,
    cache: &StatusCache,
) -> TaskStatus {
    let arn = task.task_arn().unwrap_or_default().to_owned();
    let def_arn = task.task_definition_arn().unwrap_or_default();
    let def = definitions.get(def_arn);
    let cpu = parse_units(task.cpu()).or_else(|| parse_units(def.and_then(|d| d.cpu.as_deref())));
    let memory =
        parse_units(task.memory()).or_else(|| parse_units(def.and_then(|d| d.memory.as_deref())));
    let cpu_architecture = def
        .map(|d| d.cpu_architecture.clone())
        .unwrap_or_else(|| "X86_64".to_owned());
    let last_status = task.last_status().unwrap_or("PROVISIONING").to_owned();
    let public_ip = cache.address(&arn).flatten();
    let launch_type = task.launch_type().map(|l| l.as_str().to_owned());
    // Only Fargate bills by task size; a stopped task costs nothing any more.
    let cost = if last_status == "STOPPED" {
        RunningCost::zero()
    } else if launch_type.as_deref() == Some("FARGATE") {
        task_cost(
            fargate_prices_for(region, &cpu_architecture),
            cpu,
            memory,
            public_ip.is_some(),
        )
    } else {
        RunningCost {
            complete: false,
            ..RunningCost::zero()
        }
    };
    let stopped_reason = task
        .stopped_reason()
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    TaskStatus {
        id: name_from_arn(&arn).to_owned(),
        cluster: cluster.to_owned(),
        service: task
            .group()
            .and_then(|g| g.strip_prefix("service:"))
            .map(str::to_owned),
        desired_status: task.desired_status().unwrap_or("RUNNING").to_owned(),
        health: task
            .health_status()
            .map(|h| h.as_str().to_owned())
            .filter(|h| h != "UNKNOWN"),
        launch_type,
        cpu,
        memory,
        cpu_architecture,
        task_definition: definition_label(def_arn, definitions),
        task_definition_arn: def_arn.to_owned(),
        image: main_image(def),
        public_ip,
        private_ip: attachment_detail(task, "privateIPv4Address").map(str::to_owned),
        created_at: millis(task.created_at()),
        started_at: millis(task.started_at()),
        stopped_at: millis(task.stopped_at()),
        stopped_by_berth: stopped_reason
            .as_deref()
            .is_some_and(|r| r.starts_with(BERTH_STOP_REASON)),
        stopped_reason,
        stop_code: task.stop_code().map(|c| c.as_str().to_owned()),
        containers: task
            .containers()
            .iter()
            .map(|c| ContainerStatus {
                name: c.name().unwrap_or_default().to_owned(),
                last_status: c.last_status().unwrap_or_default().to_owned(),
                exit_code: c.exit_code(),
                reason: c.reason().filter(|r| !r.is_empty()).map(str::to_owned),
            })
            .collect(),
        has_logs: def.is_some_and(|d| d.containers.iter().any(|c| c.log.is_some())),
        last_status,
        cost,
        arn,
    }
}

fn service_status(
    service: &Service,
    cluster: &str,
    definitions: &HashMap<String, TaskDefinitionFacts>,
    mut tasks: Vec<TaskStatus>,
) -> ServiceStatus {
    sort_newest_first(&mut tasks);
    let def_arn = service.task_definition().unwrap_or_default();
    let def = definitions.get(def_arn);
    let tags = service.tags();
    let cost = tasks.iter().map(|t| t.cost).sum::<RunningCost>();
    ServiceStatus {
        name: service.service_name().unwrap_or_default().to_owned(),
        arn: service.service_arn().unwrap_or_default().to_owned(),
        cluster: cluster.to_owned(),
        status: service.status().unwrap_or("ACTIVE").to_owned(),
        desired: service.desired_count(),
        running: service.running_count(),
        pending: service.pending_count(),
        launch_type: service.launch_type().map(|l| l.as_str().to_owned()),
        task_definition: definition_label(def_arn, definitions),
        task_definition_arn: def_arn.to_owned(),
        image: main_image(def),
        cpu: parse_units(def.and_then(|d| d.cpu.as_deref())),
        memory: parse_units(def.and_then(|d| d.memory.as_deref())),
        cpu_architecture: def
            .map(|d| d.cpu_architecture.clone())
            .unwrap_or_else(|| "X86_64".to_owned()),
        created_at: millis(service.created_at()),
        deployments: service
            .deployments()
            .iter()
            .map(|d| DeploymentStatus {
                id: d.id().unwrap_or_default().to_owned(),
                status: d.status().unwrap_or_default().to_owned(),
                rollout_state: d.rollout_state().map(|r| r.as_str().to_owned()),
                rollout_state_reason: d.rollout_state_reason().map(str::to_owned),
                task_definition: definition_label(
                    d.task_definition().unwrap_or_default(),
                    definitions,
                ),
                desired: d.desired_count(),
                running: d.running_count(),
                pending: d.pending_count(),
                failed: d.failed_tasks(),
                created_at: millis(d.created_at()),
                updated_at: millis(d.updated_at()),
            })
            .collect(),
        events: service
            .events()
            .iter()
            .take(EVENTS_PER_SERVICE)
            .map(|e| ServiceEventLine {
                id: e.id().unwrap_or_default().to_owned(),
                at: millis(e.created_at()),
                message: e.message().unwrap_or_default().to_owned(),
            })
            .collect(),
        tasks,
        cost,
        managed: is_managed(
            tags.iter()
                .map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default())),
        ),
        app: tags
            .iter()
            .find(|t| t.key() == Some(APP_KEY))
            .and_then(|t| t.value())
            .map(str::to_owned),
        has_logs: def.is_some_and(|d| d.containers.iter().any(|c| c.log.is_some())),
    }
}

/// The log streams of a task (from its task definition, read once and cached).
pub async fn task_log_streams(
    clients: &AwsClients,
    cache: &StatusCache,
    task_definition_arn: &str,
    task_id: &str,
) -> Result<Vec<crate::aws::logs::LogStreamRef>> {
    if task_definition_arn.trim().is_empty() {
        return Err(BerthError::invalid("taskDefinition", "required"));
    }
    let defs =
        ecs::task_definitions(clients, &cache.task_definitions, [task_definition_arn]).await?;
    Ok(defs
        .get(task_definition_arn)
        .map(|def| crate::aws::logs::streams_of(def, task_id))
        .unwrap_or_default())
}

/// Something worth telling the user about, even with the window closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StatusEvent {
    /// A service deployment has all its tasks running.
    #[serde(rename_all = "camelCase")]
    DeploymentRunning {
        cluster: String,
        service: String,
        running: i32,
    },
    /// A task that no service started (a one-off task) reached RUNNING.
    #[serde(rename_all = "camelCase")]
    TaskRunning { cluster: String, task_id: String },
    /// A task stopped that was not stopped from Berth.
    #[serde(rename_all = "camelCase")]
    TaskStopped {
        cluster: String,
        service: Option<String>,
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
        running: i32,
        desired: i32,
    },
    /// A degraded service has all its tasks running again.
    #[serde(rename_all = "camelCase")]
    ServiceRecovered {
        cluster: String,
        service: String,
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
            // Stops: a task that was live last time and is STOPPED now.
            for task in &next.recently_stopped {
                if was_live.contains_key(task.arn.as_str())
                    && !task.stopped_by_berth
                    && self.announced_stops.insert(task.arn.clone())
                {
                    events.push(stopped_event(task));
                }
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
                if let Some(done) = completed_deployment(service) {
                    let was_done = before
                        .and_then(|b| b.deployments.iter().find(|d| d.id == done.id))
                        .is_some_and(deployment_completed);
                    if !was_done && self.announced_deployments.insert(done.id.clone()) {
                        events.push(StatusEvent::DeploymentRunning {
                            cluster: service.cluster.clone(),
                            service: service.name.clone(),
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
                            running: service.running,
                            desired: service.desired,
                        });
                    }
                }
                if service.running >= service.desired && self.degraded.remove(key) {
                    events.push(StatusEvent::ServiceRecovered {
                        cluster: service.cluster.clone(),
                        service: service.name.clone(),
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

fn stopped_event(task: &TaskStatus) -> StatusEvent {
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
        task_id: task.id.clone(),
        reason,
        exit_code: container.and_then(|c| c.exit_code),
    }
}

/// How long to wait before the next refresh after `failures` failed ones in a row: the interval
/// doubles with each failure (four times as fast when AWS asked to slow down), up to 10 minutes.
pub fn retry_delay(interval: Duration, failures: u32, last_error: Option<&BerthError>) -> Duration {
    const MAX: Duration = Duration::from_secs(600);
    if failures == 0 {
        return interval;
    }
    let throttled = last_error.is_some_and(|e| e.kind == ErrorKind::Throttled);
    let exponent = failures.min(10) + if throttled { 2 } else { 0 };
    interval
        .saturating_mul(1u32 << exponent.min(16))
        .min(MAX)
        .max(interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_double_the_wait_throttling_more_and_never_past_ten_minutes() {
        let base = Duration::from_secs(15);
        assert_eq!(retry_delay(base, 0, None), base);
        let err = BerthError::new(ErrorKind::AwsEndpointUnreachable);
        assert_eq!(retry_delay(base, 1, Some(&err)), Duration::from_secs(30));
        assert_eq!(retry_delay(base, 2, Some(&err)), Duration::from_secs(60));
        let throttled = BerthError::new(ErrorKind::Throttled);
        assert_eq!(
            retry_delay(base, 1, Some(&throttled)),
            Duration::from_secs(120)
        );
        assert_eq!(retry_delay(base, 30, Some(&err)), Duration::from_secs(600));
        // An interval longer than the cap is never shortened by a failure.
        let slow = Duration::from_secs(900);
        assert_eq!(retry_delay(slow, 3, Some(&err)), slow);
    }
}
