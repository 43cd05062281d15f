//! Apply: runs the ensure-actions in order — cluster, log group, security group and its rule, task
//! definition, then the service or the one-off tasks — emitting one timeline event per action and
//! saving the launch record after each, then follows the tasks to RUNNING. Every action looks
//! before it acts, so a second launch is a no-op and an interrupted one resumes where it stopped.

use super::plan::{self, commands, is_berths, Desired, PlanAction, ServiceTarget};
use super::preflight::{self, Found};
use super::resume::{LaunchRecord, LaunchStatus, LaunchStore, RecordedResource};
use super::timeline::{
    self, FollowEnd, FollowOptions, LaunchEvent, Outcome, ResourceKind, Run, Watch,
};
use super::{LaunchConfig, LaunchMode, LOG_RETENTION_DAYS, STARTED_BY};
use crate::activity::{ActivityLog, CliCommand};
use crate::aws::ec2::{self, SecurityGroup};
use crate::aws::ecs::{self, RunSpec, ServiceSpec};
use crate::aws::{logs, AwsClients};
use crate::error::{BerthError, ErrorKind, Result};

/// What a launch works with.
pub struct LaunchContext<'a> {
    pub clients: &'a AwsClients,
    pub log: &'a ActivityLog,
    pub store: &'a LaunchStore,
    pub run: &'a Run,
    pub follow: FollowOptions,
}

impl LaunchContext<'_> {
    /// Notes a completed action: on the timeline and in the saved record.
    fn done(
        &self,
        record: &mut LaunchRecord,
        resource: ResourceKind,
        name: &str,
        outcome: Outcome,
        id: Option<String>,
        command: Option<&CliCommand>,
    ) -> Result<()> {
        record.note(RecordedResource {
            resource,
            name: name.to_owned(),
            id: id.clone(),
            outcome,
        });
        self.store.save(record)?;
        self.run.emit(LaunchEvent::Action {
            resource,
            name: name.to_owned(),
            outcome,
            id,
            command: command.map(CliCommand::render),
        });
        Ok(())
    }
}

/// A resource with Berth's name that Berth did not make: never touched.
fn name_taken(resource: &str, name: &str) -> BerthError {
    BerthError::new(ErrorKind::AlreadyExists)
        .with("resource", resource)
        .with("name", name)
}

/// ECS refuses a role it cannot assume with a generic InvalidParameterException; the user needs
/// to hear "go back to the IAM step".
fn role_error(err: BerthError, role: &str) -> BerthError {
    let text = err
        .details
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if text.contains("unable to assume the role")
        || (text.contains("role") && text.contains("not valid"))
    {
        BerthError::new(ErrorKind::ExecutionRoleMissing)
            .with("role", role)
            .details(err.details.unwrap_or_default())
    } else {
        err
    }
}

/// Launches (or resumes) `config`: creates or reuses every resource, starts the tasks and
/// follows them. Returns the final record; the record on disk is current after every action.
pub async fn launch(ctx: &LaunchContext<'_>, config: LaunchConfig) -> Result<LaunchRecord> {
    let mut record = match ctx.store.load(&config.choices.app)? {
        // Resuming the same launch keeps its start time and what it did so far.
        Some(r) if r.status.is_unfinished() && r.config == config => r,
        _ => LaunchRecord::new(
            config.clone(),
            ctx.clients.region(),
            ctx.clients.endpoint_url().map(str::to_owned),
        ),
    };
    record.status = LaunchStatus::InProgress;
    record.error = None;
    record.diagnosis = None;
    record.addresses.clear();
    ctx.store.save(&mut record)?;

    let result = ctx
        .run
        .guard(apply_and_follow(ctx, &config, &mut record))
        .await;
    match result {
        Ok(()) => {
            ctx.store.save(&mut record)?;
            ctx.run.emit(LaunchEvent::Finished {
                record: Box::new(record.clone()),
            });
            Ok(record)
        }
        Err(error) => {
            // Cancelled (the user left, or closed the app): the record stays unfinished as it
            // was saved after the last completed action, ready to resume.
            let mut saved = ctx.store.load(&record.app)?.unwrap_or(record);
            if error.kind != ErrorKind::Cancelled {
                saved.status = LaunchStatus::Failed;
                saved.error = Some(error.clone());
                ctx.store.save(&mut saved)?;
            }
            ctx.run.emit(LaunchEvent::Failed {
                error: error.clone(),
            });
            Err(error)
        }
    }
}

async fn apply_and_follow(
    ctx: &LaunchContext<'_>,
    config: &LaunchConfig,
    record: &mut LaunchRecord,
) -> Result<()> {
    let clients = ctx.clients;
    let d = Desired::of(clients, config).await?;
    if preflight::execution_role(clients, &config.execution_role_arn).await? == Found::No {
        return Err(BerthError::new(ErrorKind::ExecutionRoleMissing)
            .with("role", &config.execution_role_arn));
    }

    ensure_cluster(ctx, &d, record).await?;
    ensure_log_group(ctx, &d, record).await?;
    let group = ensure_security_group(ctx, &d, record).await?;
    ensure_rule(ctx, &d, &group, record).await?;
    let task_definition = ensure_task_definition(ctx, &d, record).await?;
    let target = ServiceTarget {
        task_definition: Some(&task_definition),
        security_group: Some(&group.id),
    };
    let watch = match d.mode {
        LaunchMode::Service => {
            ensure_service(ctx, &d, &target, record)
                .await
                .map_err(|e| role_error(e, &config.execution_role_arn))?;
            Watch::Service {
                since: (record.started_at / 1000) as i64,
                desired: d.count as usize,
            }
        }
        LaunchMode::Task => {
            let arns = ensure_tasks(ctx, &d, &target, record)
                .await
                .map_err(|e| role_error(e, &config.execution_role_arn))?;
            Watch::Tasks(arns)
        }
    };

    record.status = LaunchStatus::Starting;
    ctx.store.save(record)?;
    let end = timeline::follow(
        clients,
        &d.names,
        config.choices.port,
        &watch,
        ctx.run,
        ctx.follow,
    )
    .await?;
    match end {
        FollowEnd::Running(addresses) => {
            record.status = LaunchStatus::Running;
            record.addresses = addresses;
        }
        FollowEnd::Stopped(diagnosis) => {
            record.status = LaunchStatus::Stopped;
            record.diagnosis = Some(diagnosis);
        }
        // Not running yet: the record stays "starting", so the next open offers to resume.
        FollowEnd::Waiting => {}
    }
    Ok(())
}

async fn ensure_cluster(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    record: &mut LaunchRecord,
) -> Result<()> {
    let (item, existing) = plan::inspect_cluster(ctx.clients, d).await?;
    if let Some(c) = existing {
        // A cluster of that name made outside Berth is used as it is (and never deleted).
        return ctx.done(
            record,
            ResourceKind::Cluster,
            &item.name,
            Outcome::Reused,
            Some(c.arn),
            None,
        );
    }
    let cmd = commands::create_cluster(ctx.clients, d);
    let arn = ctx.log.track(
        "ecs.createCluster",
        &d.names.cluster,
        &cmd,
        ecs::create_cluster(ctx.clients, &d.names.cluster, &d.cluster_tags).await,
    )?;
    ctx.done(
        record,
        ResourceKind::Cluster,
        &item.name,
        Outcome::Created,
        Some(arn),
        Some(&cmd),
    )
}

async fn ensure_log_group(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    record: &mut LaunchRecord,
) -> Result<()> {
    let (item, existing) = plan::inspect_log_group(ctx.clients, d).await?;
    let name = &d.names.log_group;
    if existing.as_ref().is_some_and(|g| !is_berths(&g.tags)) {
        return Err(name_taken("log group", name));
    }
    let mut last = None;
    let outcome = match item.action {
        PlanAction::Create => {
            let cmd = commands::create_log_group(ctx.clients, d);
            ctx.log.track(
                "logs.createLogGroup",
                name,
                &cmd,
                logs::create_log_group(ctx.clients, name, &d.tags).await,
            )?;
            last = Some(cmd);
            Outcome::Created
        }
        PlanAction::Update => Outcome::Updated,
        _ => Outcome::Reused,
    };
    if outcome != Outcome::Reused {
        let cmd = commands::put_retention(ctx.clients, d);
        ctx.log.track(
            "logs.putRetentionPolicy",
            name,
            &cmd,
            logs::put_retention(ctx.clients, name, LOG_RETENTION_DAYS).await,
        )?;
        last.get_or_insert(cmd);
    }
    ctx.done(
        record,
        ResourceKind::LogGroup,
        name,
        outcome,
        item.id,
        last.as_ref(),
    )
}

async fn ensure_security_group(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    record: &mut LaunchRecord,
) -> Result<SecurityGroup> {
    let (item, existing) = plan::inspect_security_group(ctx.clients, d).await?;
    let name = &d.names.security_group;
    if let Some(group) = existing {
        if !is_berths(&group.tags) {
            return Err(name_taken("security group", name));
        }
        ctx.done(
            record,
            ResourceKind::SecurityGroup,
            &item.name,
            Outcome::Reused,
            Some(group.id.clone()),
            None,
        )?;
        return Ok(group);
    }
    let cmd = commands::create_security_group(ctx.clients, d);
    let id = ctx.log.track(
        "ec2.createSecurityGroup",
        name,
        &cmd,
        ec2::create_security_group(
            ctx.clients,
            &d.network.vpc_id,
            name,
            &plan::security_group_description(&d.names),
            &d.tags,
        )
        .await,
    )?;
    ctx.done(
        record,
        ResourceKind::SecurityGroup,
        name,
        Outcome::Created,
        Some(id.clone()),
        Some(&cmd),
    )?;
    Ok(SecurityGroup {
        id,
        name: name.clone(),
        vpc_id: d.network.vpc_id.clone(),
        tags: d.tags.clone(),
        ingress: Vec::new(),
    })
}

async fn ensure_rule(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    group: &SecurityGroup,
    record: &mut LaunchRecord,
) -> Result<()> {
    let item = plan::inspect_rule(ctx.clients, d, Some(group));
    let changes = plan::rule_changes(Some(group), &d.rule);
    let mut last = None;
    for old in &changes.remove {
        let cmd = commands::revoke(ctx.clients, &group.id, old);
        ctx.log.track(
            "ec2.revokeSecurityGroupIngress",
            &group.id,
            &cmd,
            ec2::revoke_ingress(ctx.clients, &group.id, old).await,
        )?;
        last = Some(cmd);
    }
    if let Some(rule) = &changes.add {
        let cmd = commands::authorize(ctx.clients, &group.id, rule);
        let description = format!("Berth: {}", d.names.app);
        ctx.log.track(
            "ec2.authorizeSecurityGroupIngress",
            &group.id,
            &cmd,
            ec2::authorize_ingress(ctx.clients, &group.id, rule, &description).await,
        )?;
        last = Some(cmd);
    }
    let outcome = match item.action {
        PlanAction::Create => Outcome::Created,
        PlanAction::Update => Outcome::Updated,
        _ => Outcome::Reused,
    };
    ctx.done(
        record,
        ResourceKind::IngressRule,
        &item.name,
        outcome,
        Some(group.id.clone()),
        last.as_ref(),
    )
}

async fn ensure_task_definition(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    record: &mut LaunchRecord,
) -> Result<String> {
    let family = plan::family_state(ctx.clients, &d.names.family).await?;
    if family.foreign {
        return Err(name_taken("task definition family", &d.names.family));
    }
    let item = plan::inspect_task_definition(ctx.clients, d, &family);
    if let Some(arn) = item.id {
        ctx.done(
            record,
            ResourceKind::TaskDefinition,
            &item.name,
            Outcome::Reused,
            Some(arn.clone()),
            None,
        )?;
        return Ok(arn);
    }
    let cmd = commands::register_task_definition(ctx.clients, d);
    let arn = ctx.log.track(
        "ecs.registerTaskDefinition",
        &d.names.family,
        &cmd,
        ecs::register_task_definition(ctx.clients, &d.task_definition, &d.tags).await,
    )?;
    let name = format!("{}:{}", d.names.family, ecs::revision_of(&arn));
    ctx.done(
        record,
        ResourceKind::TaskDefinition,
        &name,
        Outcome::Created,
        Some(arn.clone()),
        Some(&cmd),
    )?;
    Ok(arn)
}

async fn ensure_service(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    target: &ServiceTarget<'_>,
    record: &mut LaunchRecord,
) -> Result<()> {
    let existing = plan::find_service(ctx.clients, d).await?;
    if existing.as_ref().is_some_and(|s| !is_berths(&s.tags)) {
        return Err(name_taken("service", &d.names.service));
    }
    let item = plan::inspect_service(ctx.clients, d, existing.as_ref(), target);
    let (Some(td), Some(group)) = (target.task_definition, target.security_group) else {
        return Err(BerthError::internal(
            "service target without task definition or group",
        ));
    };
    let spec = ServiceSpec {
        cluster: d.names.cluster.clone(),
        name: d.names.service.clone(),
        task_definition: td.to_owned(),
        desired: d.count,
        network: d.task_network(group),
    };
    let name = &d.names.service;
    match item.action {
        PlanAction::Create => {
            let cmd = commands::create_service(ctx.clients, d, group, td);
            let arn = ctx.log.track(
                "ecs.createService",
                name,
                &cmd,
                ecs::create_service(ctx.clients, &spec, &d.tags).await,
            )?;
            ctx.done(
                record,
                ResourceKind::Service,
                name,
                Outcome::Created,
                Some(arn),
                Some(&cmd),
            )
        }
        PlanAction::Update => {
            let cmd = commands::update_service(ctx.clients, d, group, td);
            ctx.log.track(
                "ecs.updateService",
                name,
                &cmd,
                ecs::update_service(ctx.clients, &spec).await,
            )?;
            ctx.done(
                record,
                ResourceKind::Service,
                name,
                Outcome::Updated,
                item.id,
                Some(&cmd),
            )
        }
        _ => ctx.done(
            record,
            ResourceKind::Service,
            name,
            Outcome::Reused,
            item.id,
            None,
        ),
    }
}

/// Starts the one-off tasks still missing; returns every task of this launch.
async fn ensure_tasks(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    target: &ServiceTarget<'_>,
    record: &mut LaunchRecord,
) -> Result<Vec<String>> {
    let live = plan::live_tasks(ctx.clients, d).await?;
    let (item, mut arns) = plan::inspect_tasks(ctx.clients, d, &live, target);
    let (Some(td), Some(group)) = (target.task_definition, target.security_group) else {
        return Err(BerthError::internal(
            "task target without task definition or group",
        ));
    };
    let name = &d.names.family;
    if item.action == PlanAction::Reuse {
        record.tasks = arns.clone();
        ctx.done(
            record,
            ResourceKind::Task,
            name,
            Outcome::Reused,
            arns.first().cloned(),
            None,
        )?;
        return Ok(arns);
    }
    let missing = d.count - arns.len() as i32;
    let spec = RunSpec {
        cluster: d.names.cluster.clone(),
        task_definition: td.to_owned(),
        count: missing,
        network: d.task_network(group),
        started_by: STARTED_BY.to_owned(),
    };
    let cmd = commands::run_task(ctx.clients, d, group, td, missing);
    let started = ctx.log.track(
        "ecs.runTask",
        name,
        &cmd,
        ecs::run_task(ctx.clients, &spec, &d.tags).await,
    )?;
    arns.extend(started);
    record.tasks = arns.clone();
    ctx.done(
        record,
        ResourceKind::Task,
        name,
        Outcome::Started,
        arns.last().cloned(),
        Some(&cmd),
    )?;
    Ok(arns)
}
