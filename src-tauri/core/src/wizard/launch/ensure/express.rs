//! The app's Express service (a service with a stable HTTPS address): created, rolled out to a
//! new image, size or environment, or reused as it is. ECS makes its task definition, load
//! balancer and security groups itself, so the launch makes none of those for it.

use super::item;
use crate::aws::ecs::{self, ExpressService, ExpressSpec, Service};
use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use crate::wizard::launch::context::{name_taken, LaunchContext};
use crate::wizard::launch::desired::{is_berths, Desired};
use crate::wizard::launch::kinds::{Change, Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;

/// The Express service the launch wants.
pub fn spec(d: &Desired) -> Result<ExpressSpec> {
    let td = &d.task_definition;
    let c = &td.container;
    let infrastructure_role_arn = d
        .infrastructure_role_arn
        .clone()
        .ok_or_else(|| BerthError::invalid("infrastructureRole", "required"))?;
    let scaling = match d.scaling {
        Some(s) => (s.min, s.max, s.cpu_target),
        // A fixed count: as many tasks at least as at most (the target is then never used).
        None => (d.count as u32, d.count as u32, 60),
    };
    Ok(ExpressSpec {
        cluster: d.names.cluster.clone(),
        name: d.names.service.clone(),
        image: c.image.clone(),
        port: c.port,
        cpu: td.cpu,
        memory: td.memory,
        architecture: td.architecture,
        execution_role_arn: td.execution_role_arn.clone(),
        infrastructure_role_arn,
        environment: c.environment.clone(),
        secrets: c.secrets.clone(),
        command: c.command.clone(),
        log_group: c.log_group.clone(),
        log_stream_prefix: c.log_stream_prefix.clone(),
        scaling,
    })
}

/// The app's Express service as ECS describes it, when the service of the app's name is one.
pub async fn find(
    clients: &AwsClients,
    service: Option<&Service>,
) -> Result<Option<ExpressService>> {
    match service.filter(|s| s.express) {
        Some(s) => ecs::describe_express_service(clients, &s.arn).await,
        None => Ok(None),
    }
}

/// What differs between the running Express service and the wanted one.
fn changes(current: &ExpressService, spec: &ExpressSpec) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut differs = |field: &str, from: Option<String>, to: String| {
        if from.as_deref() != Some(to.as_str()) {
            changes.push(Change {
                field: field.into(),
                from: from.unwrap_or_else(|| "—".into()),
                to,
            });
        }
    };
    differs("image", current.image.clone(), spec.image.clone());
    differs("cpu", current.cpu.clone(), spec.cpu.to_string());
    differs("memory", current.memory.clone(), spec.memory.to_string());
    differs(
        "port",
        current.port.map(|p| p.to_string()),
        spec.port.to_string(),
    );
    let pairs = |list: &[(String, String)]| {
        list.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    differs(
        "environment",
        Some(pairs(&current.environment)),
        pairs(&spec.environment),
    );
    differs(
        "secrets",
        Some(pairs(&current.secrets)),
        pairs(&spec.secrets),
    );
    differs(
        "command",
        Some(current.command.join(" ")),
        spec.command.join(" "),
    );
    changes
}

pub fn inspect(
    clients: &AwsClients,
    d: &Desired,
    current: Option<&ExpressService>,
) -> Result<PlanItem> {
    let spec = spec(d)?;
    let name = &d.names.service;
    let Some(current) = current else {
        return Ok(item(
            ResourceKind::ExpressService,
            name,
            PlanAction::Create,
            None,
            vec![ecs::create_express_service_call(clients, &spec, &d.tags)
                .command()
                .render()],
        ));
    };
    let changes = changes(current, &spec);
    Ok(PlanItem {
        resource: ResourceKind::ExpressService,
        name: name.clone(),
        action: if changes.is_empty() {
            PlanAction::Reuse
        } else {
            PlanAction::Update
        },
        id: Some(current.arn.clone()),
        commands: if changes.is_empty() {
            Vec::new()
        } else {
            vec![
                ecs::update_express_service_call(clients, &current.arn, &spec)
                    .command()
                    .render(),
            ]
        },
        changes,
    })
}

/// Creates, updates or reuses the Express service; answers it as ECS describes it afterwards
/// (with its URL and the task definition its newest revision runs). When a secret's value has
/// just changed, an otherwise unchanged service is updated all the same: tasks read secrets when
/// they start, and UpdateExpressGatewayService always rolls a new revision.
pub async fn ensure(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    record: &mut LaunchRecord,
    secrets_changed: bool,
) -> Result<ExpressService> {
    let clients = ctx.clients;
    let name = &d.names.service;
    let service = super::service::find(clients, d).await?;
    if let Some(s) = &service {
        if !is_berths(&s.tags) {
            return Err(name_taken("service", name));
        }
        if !s.express {
            // A public-IP service of the app's name: Express cannot take it over.
            return Err(name_taken("service", name).with("rule", "notExpress"));
        }
    }
    let current = find(clients, service.as_ref()).await?;
    let plan = inspect(clients, d, current.as_ref())?;
    let spec = spec(d)?;
    let role = &d.task_definition.execution_role_arn;
    let action = match plan.action {
        PlanAction::Reuse if secrets_changed => PlanAction::Update,
        action => action,
    };
    let arn = match action {
        PlanAction::Create => {
            let call = ecs::create_express_service_call(clients, &spec, &d.tags);
            let made = ctx
                .patiently(role, || {
                    ecs::create_express_service(clients, &spec, &d.tags)
                })
                .await?;
            ctx.done(
                record,
                ResourceKind::ExpressService,
                name,
                Outcome::Created,
                Some(made.arn.clone()),
                Some(call.command()),
            )?;
            made.arn
        }
        PlanAction::Update => {
            let arn = plan.id.clone().unwrap_or_default();
            let call = ecs::update_express_service_call(clients, &arn, &spec);
            ctx.patiently(role, || ecs::update_express_service(clients, &arn, &spec))
                .await?;
            ctx.done(
                record,
                ResourceKind::ExpressService,
                name,
                Outcome::Updated,
                Some(arn.clone()),
                Some(call.command()),
            )?;
            arn
        }
        _ => {
            let arn = plan.id.clone().unwrap_or_default();
            ctx.done(
                record,
                ResourceKind::ExpressService,
                name,
                Outcome::Reused,
                Some(arn.clone()),
                None,
            )?;
            arn
        }
    };
    ecs::describe_express_service(clients, &arn)
        .await?
        .ok_or_else(|| BerthError::internal("the Express service is gone right after the launch"))
}
