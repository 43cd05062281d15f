//! Apply: runs the ensure-actions in order — cluster, log group, security group and its rule, task
//! definition, then the service or the one-off tasks (`ensure::*`) — each emitting one timeline
//! event and saving the launch record, then follows the tasks to RUNNING. Every action looks
//! before it acts, so a second launch is a no-op and an interrupted one resumes where it stopped.

pub use super::context::LaunchContext;
use super::desired::{Desired, Target};
use super::ensure::{
    cluster, express, log_group, scaling, security_group, service, task_definition, tasks,
};
use super::preflight::{self, Found};
use super::record::{LaunchRecord, LaunchStatus};
use super::timeline::{self, FollowEnd, LaunchEvent, Watch};
use super::{secrets, LaunchConfig, LaunchMode};
use crate::error::{BerthError, ErrorKind, Result};

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
            ctx.clients.target_id().map(str::to_owned),
        ),
    };
    record.status = LaunchStatus::InProgress;
    record.error = None;
    record.diagnosis = None;
    record.after_stop = None;
    record.addresses.clear();
    record.url = None;
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

    if d.express {
        return express_and_follow(ctx, config, &d, record).await;
    }
    cluster::ensure(ctx, &d, record).await?;
    log_group::ensure(ctx, &d, record).await?;
    let group = security_group::ensure(ctx, &d, record).await?;
    security_group::ensure_rule(ctx, &d, &group, record).await?;
    let secrets_changed = secrets::ensure(ctx, config, record).await?;
    let task_definition = task_definition::ensure(ctx, &d, record).await?;
    let target = Target {
        task_definition: Some(&task_definition),
        security_group: Some(&group.id),
    };
    let watch = match d.mode {
        LaunchMode::Service => {
            service::ensure(ctx, &d, &target, record)
                .await
                .map_err(|e| role_error(e, &config.execution_role_arn))?;
            if secrets_changed {
                secrets::redeploy_if_unchanged(ctx, &d, record).await?;
            }
            scaling::ensure(ctx, &d, record).await?;
            Watch::Service {
                task_definition: task_definition.clone(),
                desired: d.count as usize,
            }
        }
        LaunchMode::Task => {
            let arns = tasks::ensure(ctx, &d, &target, record)
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
    finish(record, end);
    Ok(())
}

/// A service with a stable HTTPS address: the cluster, the log group and the secrets as for any
/// service; then ECS Express Mode makes the rest (task definition, load balancer share, security
/// groups), and the timeline follows its deployment as any service's, then gives its URL.
async fn express_and_follow(
    ctx: &LaunchContext<'_>,
    config: &LaunchConfig,
    d: &Desired,
    record: &mut LaunchRecord,
) -> Result<()> {
    let clients = ctx.clients;
    if let Some(role) = d.infrastructure_role_arn.as_deref() {
        if preflight::infrastructure_role(clients, role).await? == Found::No {
            return Err(BerthError::invalid("infrastructureRole", "missing").with("role", role));
        }
    }
    cluster::ensure(ctx, d, record).await?;
    log_group::ensure(ctx, d, record).await?;
    let secrets_changed = secrets::ensure(ctx, config, record).await?;
    let made = express::ensure(ctx, d, record, secrets_changed)
        .await
        .map_err(|e| role_error(e, &config.execution_role_arn))?;
    let task_definition = made
        .task_definition
        .clone()
        .ok_or_else(|| BerthError::internal("the Express service names no task definition"))?;
    record.url = made.url.clone();
    if let Some(url) = &made.url {
        ctx.run.emit(LaunchEvent::HttpsAddress { url: url.clone() });
    }
    record.status = LaunchStatus::Starting;
    ctx.store.save(record)?;
    let watch = Watch::Service {
        task_definition,
        desired: d.scaling.map_or(d.count, |s| s.min as i32) as usize,
    };
    let end = timeline::follow(
        clients,
        &d.names,
        config.choices.port,
        &watch,
        ctx.run,
        ctx.follow,
    )
    .await?;
    finish(record, end);
    Ok(())
}

/// Records how following the launch ended.
fn finish(record: &mut LaunchRecord, end: FollowEnd) {
    match end {
        FollowEnd::Running(addresses) => {
            record.status = LaunchStatus::Running;
            record.addresses = addresses;
        }
        FollowEnd::Stopped(diagnosis, after_stop) => {
            record.status = LaunchStatus::Stopped;
            record.diagnosis = Some(diagnosis);
            record.after_stop = after_stop;
        }
        // Not running yet: the record stays "starting", so the next open offers to resume.
        FollowEnd::Waiting => {}
    }
}
