//! The plan of a launch: for every resource, whether it will be created, reused or updated, with
//! the equivalent `aws` commands and the cost — computed without changing anything. The apply
//! runs the same inspections (`ensure::*::inspect`) right before acting, so what it does is what
//! the plan said.

use super::desired::{is_berths, Desired, Target};
use super::ensure::{
    cluster, express, log_group, scaling, security_group, service, task_definition, tasks,
};
use super::kinds::ResourceKind;
pub use super::kinds::{Change, PlanAction, PlanItem};
use super::preflight::{self, Found};
use super::{secrets, LaunchConfig, LaunchMode, Names};
use crate::aws::{ecs, AwsClients};
use crate::error::Result;
use crate::pricing::CostEstimate;
use serde::Serialize;
use ts_rs::TS;

/// Something the review page must say before the user launches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PlanNote {
    /// Blocks the launch: the execution role does not exist (any more). Fix it in the IAM step.
    ExecutionRoleMissing { role: String },
    /// Blocks the launch: a resource of the name Berth would use exists but is not Berth's.
    NameTaken {
        resource: ResourceKind,
        name: String,
    },
    /// The image tag is not in the repository: the task would stop with "not found".
    ImageNotFound { repository: String, tag: String },
    /// These subnets do not route to the internet: the task could not pull its image.
    PrivateSubnets { subnets: Vec<String> },
    /// Without a public IP a task in a public subnet cannot pull from ECR.
    NoPublicIp,
    /// The cluster exists but is not Berth's: it is used, and never deleted by teardown.
    ClusterNotBerths { name: String },
    /// One-off tasks of an earlier launch still run (they are not stopped by this one).
    TasksStillRunning { count: u32 },
    /// A service of the app's name is still being deleted: the launch waits until it is gone,
    /// then creates the new one.
    ServiceDraining { name: String },
    /// Blocks the launch: a variable is marked secret but has no value, and none is stored.
    SecretValueMissing { name: String },
    /// Blocks the launch: a stable HTTPS address needs the infrastructure role of the IAM step.
    InfrastructureRoleMissing { role: String },
    /// Blocks the launch: the app runs as a service of the other kind (public IP or HTTPS
    /// address); ECS cannot turn one into the other, so tear it down first.
    AddressKindChanged { name: String, express: bool },
}

impl PlanNote {
    pub fn is_blocking(&self) -> bool {
        matches!(
            self,
            PlanNote::ExecutionRoleMissing { .. }
                | PlanNote::NameTaken { .. }
                | PlanNote::SecretValueMissing { .. }
                | PlanNote::InfrastructureRoleMissing { .. }
                | PlanNote::AddressKindChanged { .. }
        )
    }
}

/// The review page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LaunchPlan {
    pub config: LaunchConfig,
    pub names: Names,
    pub region: String,
    pub practice: bool,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub items: Vec<PlanItem>,
    /// Blocking notes first.
    pub notes: Vec<PlanNote>,
    pub blocked: bool,
    /// `None` in a region Berth has no prices for.
    pub cost: Option<CostEstimate>,
}

/// Computes the plan. Read-only: nothing is created, changed or deleted.
pub async fn plan(clients: &AwsClients, config: &LaunchConfig) -> Result<LaunchPlan> {
    let d = Desired::of(clients, config).await?;
    let mut notes = Vec::new();

    if preflight::execution_role(clients, &config.execution_role_arn).await? == Found::No {
        notes.push(PlanNote::ExecutionRoleMissing {
            role: config.execution_role_arn.clone(),
        });
    }
    if let (Some(repository), Some(reference)) = (
        config.repository.as_deref(),
        preflight::reference_of(&config.image),
    ) {
        if preflight::image_in(clients, repository, reference).await? == Found::No {
            notes.push(PlanNote::ImageNotFound {
                repository: repository.to_owned(),
                tag: reference.to_owned(),
            });
        }
    }
    if let Some(role) = d.infrastructure_role_arn.as_deref().filter(|_| d.express) {
        if preflight::infrastructure_role(clients, role).await? == Found::No {
            notes.push(PlanNote::InfrastructureRoleMissing {
                role: role.to_owned(),
            });
        }
    }
    let private = d.network.private_subnets();
    if !private.is_empty() {
        notes.push(PlanNote::PrivateSubnets { subnets: private });
    }
    if !d.public_ip {
        notes.push(PlanNote::NoPublicIp);
    }

    let (cluster, existing_cluster) = cluster::inspect(clients, &d).await?;
    if let Some(c) = &existing_cluster {
        if !is_berths(&c.tags) {
            notes.push(PlanNote::ClusterNotBerths {
                name: c.name.clone(),
            });
        }
    }
    let (log_group, existing_group) = log_group::inspect(clients, &d).await?;
    if existing_group.as_ref().is_some_and(|g| !is_berths(&g.tags)) {
        notes.push(PlanNote::NameTaken {
            resource: ResourceKind::LogGroup,
            name: d.names.log_group.clone(),
        });
    }
    // An Express service's security groups and task definitions are ECS's: the launch makes
    // neither.
    let (security_group, existing_sg) = if d.express {
        (None, None)
    } else {
        let (item, existing) = security_group::inspect(clients, &d).await?;
        (Some(item), existing)
    };
    if existing_sg.as_ref().is_some_and(|g| !is_berths(&g.tags)) {
        notes.push(PlanNote::NameTaken {
            resource: ResourceKind::SecurityGroup,
            name: d.names.security_group.clone(),
        });
    }
    let rule = security_group::inspect_rule(clients, &d, existing_sg.as_ref());
    let family = task_definition::family_state(clients, &d.names.family).await?;
    if family.foreign && !d.express {
        notes.push(PlanNote::NameTaken {
            resource: ResourceKind::TaskDefinition,
            name: d.names.family.clone(),
        });
    }
    let secrets_state = secrets::state(clients, config).await?;
    let (secret_items, foreign, missing) = secrets::inspect(clients, config, &secrets_state);
    for name in foreign {
        notes.push(PlanNote::NameTaken {
            resource: ResourceKind::Secret,
            name,
        });
    }
    for secrets::MissingValue(name) in missing {
        notes.push(PlanNote::SecretValueMissing { name });
    }
    let task_definition = task_definition::inspect(clients, &d, &family)?;
    let task_definition_id = task_definition.id.clone();
    let task_definition = (!d.express).then_some(task_definition);
    let target = Target {
        task_definition: task_definition_id.as_deref(),
        security_group: existing_sg.as_ref().map(|g| g.id.as_str()),
    };
    let mut service_exists = false;
    let run_item = match d.mode {
        LaunchMode::Service => {
            let service = if existing_cluster.is_some() {
                ecs::describe_service(clients, &d.names.cluster, &d.names.service).await?
            } else {
                None
            };
            if service.as_ref().is_some_and(service::is_draining) {
                notes.push(PlanNote::ServiceDraining {
                    name: d.names.service.clone(),
                });
            }
            let service = service.filter(|s| !service::is_draining(s));
            if service.as_ref().is_some_and(|s| !is_berths(&s.tags)) {
                notes.push(PlanNote::NameTaken {
                    resource: ResourceKind::Service,
                    name: d.names.service.clone(),
                });
            }
            service_exists = service.is_some();
            if let Some(s) = service.as_ref().filter(|s| s.express != d.express) {
                notes.push(PlanNote::AddressKindChanged {
                    name: s.name.clone(),
                    express: s.express,
                });
            }
            if d.express {
                let current = express::find(clients, service.as_ref()).await?;
                express::inspect(clients, &d, current.as_ref())?
            } else {
                service::inspect(clients, &d, service.as_ref(), &target)
            }
        }
        LaunchMode::Task => {
            let live = if existing_cluster.is_some() {
                tasks::live(clients, &d).await?
            } else {
                Vec::new()
            };
            let (item, same) = tasks::inspect(clients, &d, &live, &target);
            let others = live.len() - same.len();
            if others > 0 && item.action == PlanAction::Run {
                notes.push(PlanNote::TasksStillRunning {
                    count: others as u32,
                });
            }
            item
        }
    };

    // Express Mode scales its service itself (its scaling target goes in the service's call).
    let scaling_item = if d.mode == LaunchMode::Service && !d.express {
        let existing = scaling::look(clients, &d, service_exists).await?;
        scaling::inspect(clients, &d, &existing)
    } else {
        None
    };

    notes.sort_by_key(|n| !n.is_blocking());
    let cost = super::estimate(clients.region(), &config.choices);
    Ok(LaunchPlan {
        config: config.clone(),
        region: clients.region().to_owned(),
        practice: clients.is_practice(),
        vpc_id: d.network.vpc_id.clone(),
        subnet_ids: d.network.subnet_ids(),
        blocked: notes.iter().any(PlanNote::is_blocking),
        items: [Some(cluster), Some(log_group), security_group, rule]
            .into_iter()
            .flatten()
            .chain(secret_items)
            .chain(
                [task_definition, Some(run_item), scaling_item]
                    .into_iter()
                    .flatten(),
            )
            .collect(),
        notes,
        cost,
        names: d.names,
    })
}
