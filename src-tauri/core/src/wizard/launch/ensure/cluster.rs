//! The shared cluster every Berth app runs in: created when missing; one made outside Berth is
//! used as it is (and never deleted).

use super::item;
use crate::aws::ecs::{self, Cluster};
use crate::aws::AwsClients;
use crate::error::Result;
use crate::wizard::launch::context::LaunchContext;
use crate::wizard::launch::desired::Desired;
use crate::wizard::launch::kinds::{Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;

pub async fn inspect(clients: &AwsClients, d: &Desired) -> Result<(PlanItem, Option<Cluster>)> {
    let existing = ecs::describe_cluster(clients, &d.names.cluster).await?;
    let item = match &existing {
        Some(c) => item(
            ResourceKind::Cluster,
            &d.names.cluster,
            PlanAction::Reuse,
            Some(c.arn.clone()),
            Vec::new(),
        ),
        None => item(
            ResourceKind::Cluster,
            &d.names.cluster,
            PlanAction::Create,
            None,
            vec![
                ecs::create_cluster_call(clients, &d.names.cluster, &d.cluster_tags)
                    .command()
                    .render(),
            ],
        ),
    };
    Ok((item, existing))
}

pub async fn ensure(ctx: &LaunchContext<'_>, d: &Desired, record: &mut LaunchRecord) -> Result<()> {
    let name = &d.names.cluster;
    if let Some(c) = ecs::describe_cluster(ctx.clients, name).await? {
        return ctx.done(
            record,
            ResourceKind::Cluster,
            name,
            Outcome::Reused,
            Some(c.arn),
            None,
        );
    }
    let call = ecs::create_cluster_call(ctx.clients, name, &d.cluster_tags);
    let role = &d.task_definition.execution_role_arn;
    let arn = ctx
        .patiently(role, || {
            ecs::create_cluster(ctx.clients, name, &d.cluster_tags)
        })
        .await?;
    ctx.done(
        record,
        ResourceKind::Cluster,
        name,
        Outcome::Created,
        Some(arn),
        Some(call.command()),
    )
}
