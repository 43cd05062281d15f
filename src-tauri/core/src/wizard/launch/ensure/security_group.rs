//! The app's security group and its one inbound rule: exactly the container port from the chosen
//! range, nothing else (the group is Berth's, made for this app).

use super::item;
use crate::aws::ec2::{self, IngressRule, SecurityGroup};
use crate::aws::AwsClients;
use crate::error::Result;
use crate::wizard::launch::context::{name_taken, LaunchContext};
use crate::wizard::launch::desired::{is_berths, Desired};
use crate::wizard::launch::kinds::{Change, Outcome, PlanAction, PlanItem, ResourceKind};
use crate::wizard::launch::record::LaunchRecord;

pub async fn inspect(
    clients: &AwsClients,
    d: &Desired,
) -> Result<(PlanItem, Option<SecurityGroup>)> {
    let name = &d.names.security_group;
    let existing = ec2::find_security_group(clients, &d.network.vpc_id, name).await?;
    let item = match &existing {
        Some(g) => item(
            ResourceKind::SecurityGroup,
            name,
            PlanAction::Reuse,
            Some(g.id.clone()),
            Vec::new(),
        ),
        None => item(
            ResourceKind::SecurityGroup,
            name,
            PlanAction::Create,
            None,
            vec![ec2::create_security_group_call(
                clients,
                &d.network.vpc_id,
                name,
                &d.security_group_description(),
                &d.tags,
            )
            .command()
            .render()],
        ),
    };
    Ok((item, existing))
}

pub async fn ensure(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    record: &mut LaunchRecord,
) -> Result<SecurityGroup> {
    let name = &d.names.security_group;
    let existing = ec2::find_security_group(ctx.clients, &d.network.vpc_id, name).await?;
    if let Some(group) = existing {
        if !is_berths(&group.tags) {
            return Err(name_taken("security group", name));
        }
        ctx.done(
            record,
            ResourceKind::SecurityGroup,
            name,
            Outcome::Reused,
            Some(group.id.clone()),
            None,
        )?;
        return Ok(group);
    }
    let description = d.security_group_description();
    let call = ec2::create_security_group_call(
        ctx.clients,
        &d.network.vpc_id,
        name,
        &description,
        &d.tags,
    );
    let id =
        ec2::create_security_group(ctx.clients, &d.network.vpc_id, name, &description, &d.tags)
            .await?;
    ctx.done(
        record,
        ResourceKind::SecurityGroup,
        name,
        Outcome::Created,
        Some(id.clone()),
        Some(call.command()),
    )?;
    Ok(SecurityGroup {
        id,
        name: name.clone(),
        vpc_id: d.network.vpc_id.clone(),
        tags: d.tags.clone(),
        ingress: Vec::new(),
    })
}

/// How the group's inbound rules must change.
pub struct RuleChanges {
    pub add: Option<IngressRule>,
    pub remove: Vec<IngressRule>,
}

pub fn rule_changes(existing: Option<&SecurityGroup>, wanted: &IngressRule) -> RuleChanges {
    let current = existing.map(|g| g.ingress.as_slice()).unwrap_or_default();
    RuleChanges {
        add: (!current.contains(wanted)).then(|| wanted.clone()),
        remove: current.iter().filter(|r| *r != wanted).cloned().collect(),
    }
}

fn rule_label(rule: &IngressRule) -> String {
    format!("tcp {} ← {}", rule.port, rule.cidr)
}

/// The plan's line for the inbound rule of `group` (none yet: the group is to be created).
pub fn inspect_rule(clients: &AwsClients, d: &Desired, group: Option<&SecurityGroup>) -> PlanItem {
    let changes = rule_changes(group, &d.rule);
    let group_ref = group
        .map(|g| g.id.clone())
        .unwrap_or_else(|| format!("<{}>", d.names.security_group));
    let mut commands: Vec<String> = changes
        .remove
        .iter()
        .map(|r| {
            ec2::revoke_ingress_call(clients, &group_ref, r)
                .command()
                .render()
        })
        .collect();
    if let Some(add) = &changes.add {
        commands.push(
            ec2::authorize_ingress_call(clients, &group_ref, add)
                .command()
                .render(),
        );
    }
    let action = match (&changes.add, changes.remove.is_empty()) {
        (None, true) => PlanAction::Reuse,
        (Some(_), true) => PlanAction::Create,
        _ => PlanAction::Update,
    };
    PlanItem {
        changes: changes
            .remove
            .iter()
            .map(|r| Change {
                field: "ingress".into(),
                from: rule_label(r),
                to: rule_label(&d.rule),
            })
            .collect(),
        ..item(
            ResourceKind::IngressRule,
            &rule_label(&d.rule),
            action,
            None,
            commands,
        )
    }
}

pub async fn ensure_rule(
    ctx: &LaunchContext<'_>,
    d: &Desired,
    group: &SecurityGroup,
    record: &mut LaunchRecord,
) -> Result<()> {
    let item = inspect_rule(ctx.clients, d, Some(group));
    let changes = rule_changes(Some(group), &d.rule);
    let mut shown = None;
    for old in &changes.remove {
        ec2::revoke_ingress(ctx.clients, &group.id, old).await?;
        shown = Some(ec2::revoke_ingress_call(ctx.clients, &group.id, old).into_command());
    }
    if let Some(rule) = &changes.add {
        let description = format!("Berth: {}", d.names.app);
        ec2::authorize_ingress(ctx.clients, &group.id, rule, &description).await?;
        shown = Some(ec2::authorize_ingress_call(ctx.clients, &group.id, rule).into_command());
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
        shown.as_ref(),
    )
}
