//! Taking a snapshot of what runs, in as few calls as the APIs allow.

use super::*;
use crate::aws::ecs::{self, name_from_arn, TaskDefinitionFacts};
use crate::aws::{ec2, AwsClients};
use crate::dashboard::costs::{load_balancer_cost, task_cost};
use crate::error::{BerthError, Result};
use crate::pricing;
use crate::tags::{is_managed, APP_KEY};
use aws_sdk_ecs::types::{Service, Task};
use std::collections::HashSet;

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
    let listed = ecs::list_clusters(clients).await?;
    let cluster_arns = if listed.is_empty() {
        listed
    } else {
        ecs::active_clusters(clients, &listed).await?
    };
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

    let mut scaling = if raw.iter().any(|(_, services, _)| !services.is_empty()) {
        crate::aws::autoscaling::all_service_scaling(clients).await?
    } else {
        HashMap::new()
    };

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
                let mut status = service_status(s, &cluster, &region, &definitions, tasks);
                status.scaling =
                    scaling.remove(&crate::aws::autoscaling::resource_id(&cluster, name));
                status
            })
            .collect();
        service_list.sort_by(|a, b| a.name.cmp(&b.name));
        // One more call per Express service (none for the others): its HTTPS address. Not
        // finding it only leaves the address out; the view still shows the service.
        for status in service_list.iter_mut().filter(|s| s.express) {
            if let Ok(Some(express)) = ecs::describe_express_service(clients, &status.arn).await {
                status.url = express.url;
            }
        }
        // Tasks of a service that is gone (deleted while they drain) still run and cost.
        for (_, tasks) in by_service {
            standalone.extend(tasks);
        }
        sort_newest_first(&mut standalone);
        let running_tasks = count_running(
            service_list
                .iter()
                .flat_map(|s| s.tasks.iter())
                .chain(standalone.iter()),
        ) as u32;
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

    let prices = pricing::fargate_source_in(&region);
    Ok(DeploymentsSnapshot {
        region,
        practice: clients.is_practice(),
        taken_at: now_millis(),
        running_tasks: clusters.iter().map(|c| c.running_tasks).sum(),
        cost: clusters.iter().map(|c| c.cost).sum::<RunningCost>(),
        clusters,
        recently_stopped: just_stopped,
        prices,
    })
}

fn count_running<'a>(tasks: impl Iterator<Item = &'a TaskStatus>) -> i32 {
    tasks.filter(|t| t.last_status == "RUNNING").count() as i32
}

/// Tasks on their way to RUNNING (ECS's pending count counts the PENDING state alone).
fn count_pending<'a>(tasks: impl Iterator<Item = &'a TaskStatus>) -> i32 {
    tasks
        .filter(|t| t.desired_status == "RUNNING" && t.last_status != "RUNNING")
        .count() as i32
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
        task_cost(region, &cpu_architecture, cpu, memory, public_ip.is_some())
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
        started_by: task.started_by().map(str::to_owned),
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
    region: &str,
    definitions: &HashMap<String, TaskDefinitionFacts>,
    mut tasks: Vec<TaskStatus>,
) -> ServiceStatus {
    sort_newest_first(&mut tasks);
    let def_arn = service.task_definition().unwrap_or_default();
    let def = definitions.get(def_arn);
    let tags = service.tags();
    let express = service.resource_management_type()
        == Some(&aws_sdk_ecs::types::ResourceManagementType::Ecs);
    let mut cost = tasks.iter().map(|t| t.cost).sum::<RunningCost>();
    if express {
        cost = cost + load_balancer_cost(region);
    }
    ServiceStatus {
        name: service.service_name().unwrap_or_default().to_owned(),
        arn: service.service_arn().unwrap_or_default().to_owned(),
        cluster: cluster.to_owned(),
        status: service.status().unwrap_or("ACTIVE").to_owned(),
        desired: service.desired_count(),
        // Counted from the tasks listed with it, as the header and the task rows are, so the
        // view never says "Running 0" beside a task row that says Running.
        running: count_running(tasks.iter()),
        pending: count_pending(tasks.iter()),
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
                // A service's tasks are started by its deployment (startedBy = deployment id).
                running: count_running(tasks.iter().filter(|t| t.started_by.as_deref() == d.id())),
                pending: count_pending(tasks.iter().filter(|t| t.started_by.as_deref() == d.id())),
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
        scaling: None,
        express,
        url: None,
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
