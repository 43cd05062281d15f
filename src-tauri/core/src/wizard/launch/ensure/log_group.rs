//! The app's log group, which must exist before the task starts: the execution role's managed
//! policy lets the task write to a group but not create one (docs/aws-facts.md). Kept 7 days.

use super::item;
use crate::aws::logs::{self, LogGroup};
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::error::Result;
use crate::wizard::launch::context::{name_taken, LaunchContext};
use crate::wizard::launch::desired::{is_berths, Desired};
use crate::wizard::launch::kinds::{Change, Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;
use crate::wizard::launch::LOG_RETENTION_DAYS;

fn create_command(clients: &AwsClients, d: &Desired) -> CliCommand {
    logs::create_log_group_call(clients, &d.names.log_group, &d.tags).into_command()
}

fn retention_command(clients: &AwsClients, d: &Desired) -> CliCommand {
    logs::put_retention_call(clients, &d.names.log_group, LOG_RETENTION_DAYS).into_command()
}

pub async fn inspect(clients: &AwsClients, d: &Desired) -> Result<(PlanItem, Option<LogGroup>)> {
    let existing = logs::find_log_group(clients, &d.names.log_group).await?;
    let name = &d.names.log_group;
    let id = existing.as_ref().map(|g| g.arn.clone());
    let item = match &existing {
        None => item(
            ResourceKind::LogGroup,
            name,
            PlanAction::Create,
            id,
            vec![
                create_command(clients, d).render(),
                retention_command(clients, d).render(),
            ],
        ),
        Some(g) if g.retention_days != Some(LOG_RETENTION_DAYS) => PlanItem {
            changes: vec![Change {
                field: "retention".into(),
                from: g
                    .retention_days
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "never".into()),
                to: LOG_RETENTION_DAYS.to_string(),
            }],
            ..item(
                ResourceKind::LogGroup,
                name,
                PlanAction::Update,
                id,
                vec![retention_command(clients, d).render()],
            )
        },
        Some(_) => item(
            ResourceKind::LogGroup,
            name,
            PlanAction::Reuse,
            id,
            Vec::new(),
        ),
    };
    Ok((item, existing))
}

pub async fn ensure(ctx: &LaunchContext<'_>, d: &Desired, record: &mut LaunchRecord) -> Result<()> {
    let (item, existing) = inspect(ctx.clients, d).await?;
    let name = &d.names.log_group;
    if existing.as_ref().is_some_and(|g| !is_berths(&g.tags)) {
        return Err(name_taken("log group", name));
    }
    let mut shown = None;
    let outcome = match item.action {
        PlanAction::Create => {
            logs::create_log_group(ctx.clients, name, &d.tags).await?;
            shown = Some(create_command(ctx.clients, d));
            Outcome::Created
        }
        PlanAction::Update => Outcome::Updated,
        _ => Outcome::Reused,
    };
    if outcome != Outcome::Reused {
        logs::put_retention(ctx.clients, name, LOG_RETENTION_DAYS).await?;
        shown.get_or_insert(retention_command(ctx.clients, d));
    }
    ctx.done(
        record,
        ResourceKind::LogGroup,
        name,
        outcome,
        item.id,
        shown.as_ref(),
    )
}
