//! The app's task definition: a new revision unless the newest one is exactly what is wanted.

use super::item;
use crate::aws::ecs::{self, TaskDefinition};
use crate::aws::AwsClients;
use crate::error::Result;
use crate::wizard::launch::context::{name_taken, LaunchContext};
use crate::wizard::launch::desired::{is_berths, Desired};
use crate::wizard::launch::kinds::{Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;

/// The newest ACTIVE revision of the family, and whether its tags are Berth's.
pub struct FamilyState {
    pub latest: Option<TaskDefinition>,
    /// Some revision of the family is not Berth's.
    pub foreign: bool,
}

pub async fn family_state(clients: &AwsClients, family: &str) -> Result<FamilyState> {
    let arns =
        ecs::list_task_definitions(clients, family, ecs::TaskDefinitionStatus::Active).await?;
    let Some(newest) = arns.first() else {
        return Ok(FamilyState {
            latest: None,
            foreign: false,
        });
    };
    let latest = ecs::describe_task_definition(clients, newest).await?;
    Ok(FamilyState {
        foreign: !is_berths(&latest.tags),
        latest: Some(latest),
    })
}

pub fn inspect(clients: &AwsClients, d: &Desired, family: &FamilyState) -> Result<PlanItem> {
    let reuse = family
        .latest
        .as_ref()
        .filter(|td| td.spec.as_ref() == Some(&d.task_definition));
    let name = match (&reuse, &family.latest) {
        (Some(td), _) => format!("{}:{}", d.names.family, td.revision),
        (None, Some(td)) => format!("{}:{}", d.names.family, td.revision + 1),
        (None, None) => format!("{}:1", d.names.family),
    };
    Ok(match reuse {
        Some(td) => item(
            ResourceKind::TaskDefinition,
            &name,
            PlanAction::Reuse,
            Some(td.arn.clone()),
            Vec::new(),
        ),
        None => item(
            ResourceKind::TaskDefinition,
            &name,
            PlanAction::Create,
            None,
            vec![
                ecs::register_task_definition_call(clients, &d.task_definition, &d.tags)?
                    .command()
                    .render(),
            ],
        ),
    })
}

/// The ARN of the revision to run.
pub async fn ensure(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    record: &mut LaunchRecord,
) -> Result<String> {
    let family = family_state(ctx.clients, &d.names.family).await?;
    if family.foreign {
        return Err(name_taken("task definition family", &d.names.family));
    }
    let item = inspect(ctx.clients, d, &family)?;
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
    let call = ecs::register_task_definition_call(ctx.clients, &d.task_definition, &d.tags)?;
    let role = &d.task_definition.execution_role_arn;
    let arn = ctx
        .patiently(role, || {
            ecs::register_task_definition(ctx.clients, &d.task_definition, &d.tags)
        })
        .await?;
    let name = format!("{}:{}", d.names.family, ecs::revision_of(&arn));
    ctx.done(
        record,
        ResourceKind::TaskDefinition,
        &name,
        Outcome::Created,
        Some(arn.clone()),
        Some(call.command()),
    )?;
    Ok(arn)
}
