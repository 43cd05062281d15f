//! The infrastructure role of ECS Express Mode: what lets ECS make a service's load balancer,
//! target group, certificate, security groups and scaling policies. Trusted by
//! `ecs.amazonaws.com`, with the AWS managed policy
//! AmazonECSInfrastructureRoleforExpressGatewayServices attached, under the name ECS's own
//! documentation uses (docs/aws-facts.md#express-mode). Needed only for "a stable HTTPS address";
//! ensuring it creates what is missing and never rewrites a role Berth did not make.

use super::role::{partition_for, pretty, trust_allows, RoleProblem, RoleState};
use super::{explain, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME};
use crate::aws::catalogue::express as actions;
use crate::aws::iam::{Iam, Role};
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::error::Result;
pub use crate::permissions::INFRASTRUCTURE_ROLE_NAME;
use crate::permissions::{PolicyDocument, Statement};
use crate::tags;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

const ECS: &str = "ecs.amazonaws.com";

/// Who may assume the role: ECS itself (not its tasks).
pub fn infrastructure_trust_policy() -> PolicyDocument {
    PolicyDocument {
        version: PolicyDocument::VERSION,
        statement: vec![Statement {
            sid: None,
            effect: "Allow",
            principal: Some(json!({ "Service": ECS })),
            action: "sts:AssumeRole".into(),
            resource: None,
            condition: None,
        }],
    }
}

/// The AWS managed policy for Express Mode's infrastructure.
pub fn infrastructure_policy_arn(partition: &str) -> String {
    format!(
        "arn:{partition}:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"
    )
}

/// The infrastructure role as the IAM step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InfrastructureRoleStatus {
    pub name: String,
    pub state: RoleState,
    pub arn: Option<String>,
    pub problems: Vec<RoleProblem>,
    /// Whether it carries Berth's tag (Berth made it).
    pub created_by_berth: bool,
    /// The trust policy Berth creates, indented.
    pub expected_trust_policy: String,
    pub managed_policy_arn: String,
    /// The `aws iam …` commands Berth runs to create or complete the role; empty when it is
    /// ready, or when it is someone else's role that Berth does not change.
    pub plan: Vec<String>,
}

/// What ensuring the role did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InfrastructureRoleChange {
    pub status: InfrastructureRoleStatus,
    /// The commands of the changes made, in order; empty when nothing had to change.
    pub ran: Vec<String>,
}

/// Reads the role and says whether it is missing, ready or wrong, with the commands that would
/// create it. Writes nothing.
pub async fn infrastructure_role_status(clients: &AwsClients) -> Result<InfrastructureRoleStatus> {
    let iam = Iam::new(clients);
    match read(&iam, clients).await {
        Ok(status) => Ok(status),
        Err(e) => Err(explain(e, clients, DEFAULT_ROLE_NAME, DEFAULT_DEPLOY_USER).await),
    }
}

async fn read(iam: &Iam<'_>, clients: &AwsClients) -> Result<InfrastructureRoleStatus> {
    let name = INFRASTRUCTURE_ROLE_NAME;
    let role = iam
        .get_role_as(&actions::GET_INFRASTRUCTURE_ROLE, name)
        .await?;
    let attached = match &role {
        Some(_) => {
            iam.attached_role_policies_as(&actions::LIST_INFRASTRUCTURE_ROLE_POLICIES, name)
                .await?
        }
        None => Vec::new(),
    };
    Ok(status_of(iam, clients, role.as_ref(), &attached))
}

fn status_of(
    iam: &Iam<'_>,
    clients: &AwsClients,
    role: Option<&Role>,
    attached: &[String],
) -> InfrastructureRoleStatus {
    let name = INFRASTRUCTURE_ROLE_NAME;
    let policy_arn = infrastructure_policy_arn(&partition_for(clients, role));
    let trust = infrastructure_trust_policy();
    let created_by_berth = role
        .is_some_and(|r| tags::is_managed(r.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
    let mut problems = Vec::new();
    if let Some(role) = role {
        if !role
            .trust_policy
            .as_deref()
            .is_some_and(|t| trust_allows(t, ECS))
        {
            problems.push(RoleProblem::TrustPolicy);
        }
        if !attached.iter().any(|a| a == &policy_arn) {
            problems.push(RoleProblem::PolicyNotAttached);
        }
    }
    let state = match (role, problems.is_empty()) {
        (None, _) => RoleState::Missing,
        (Some(_), true) => RoleState::Ready,
        (Some(_), false) => RoleState::NeedsFix,
    };
    let plan: Vec<CliCommand> = match state {
        RoleState::Ready => Vec::new(),
        RoleState::Missing => vec![
            iam.create_role_call_as(
                &actions::CREATE_INFRASTRUCTURE_ROLE,
                name,
                &trust.compact(),
                &tags::berth_tags(None),
            )
            .into_command(),
            iam.attach_role_policy_call_as(
                &actions::ATTACH_INFRASTRUCTURE_ROLE_POLICY,
                name,
                &policy_arn,
            )
            .into_command(),
        ],
        // Only a missing policy on Berth's own role is completed; anything else is the owner's.
        RoleState::NeedsFix if created_by_berth && problems == [RoleProblem::PolicyNotAttached] => {
            vec![iam
                .attach_role_policy_call_as(
                    &actions::ATTACH_INFRASTRUCTURE_ROLE_POLICY,
                    name,
                    &policy_arn,
                )
                .into_command()]
        }
        RoleState::NeedsFix => Vec::new(),
    };
    InfrastructureRoleStatus {
        name: name.to_owned(),
        state,
        arn: role.map(|r| r.arn.clone()),
        problems,
        created_by_berth,
        expected_trust_policy: pretty(&trust.compact()),
        managed_policy_arn: policy_arn,
        plan: plan.iter().map(CliCommand::render).collect(),
    }
}

/// Makes the role ready: creates it (tagged as Berth's) and attaches the managed policy when it is
/// missing. Idempotent: a ready role is left as it is, and so is a role someone else made.
pub async fn ensure_infrastructure_role(clients: &AwsClients) -> Result<InfrastructureRoleChange> {
    let iam = Iam::new(clients);
    match apply(&iam, clients).await {
        Ok(change) => Ok(change),
        Err(e) => Err(explain(e, clients, DEFAULT_ROLE_NAME, DEFAULT_DEPLOY_USER).await),
    }
}

async fn apply(iam: &Iam<'_>, clients: &AwsClients) -> Result<InfrastructureRoleChange> {
    let name = INFRASTRUCTURE_ROLE_NAME;
    let status = read(iam, clients).await?;
    let policy_arn = status.managed_policy_arn.clone();
    let mut ran: Vec<CliCommand> = Vec::new();
    if status.plan.is_empty() {
        return Ok(InfrastructureRoleChange {
            status,
            ran: Vec::new(),
        });
    }
    if status.state == RoleState::Missing {
        let trust = infrastructure_trust_policy().compact();
        let tags = tags::berth_tags(None);
        let action = &actions::CREATE_INFRASTRUCTURE_ROLE;
        iam.create_role_as(action, name, &trust, &tags).await?;
        ran.push(
            iam.create_role_call_as(action, name, &trust, &tags)
                .into_command(),
        );
    }
    let action = &actions::ATTACH_INFRASTRUCTURE_ROLE_POLICY;
    iam.attach_role_policy_as(action, name, &policy_arn).await?;
    ran.push(
        iam.attach_role_policy_call_as(action, name, &policy_arn)
            .into_command(),
    );
    Ok(InfrastructureRoleChange {
        status: read(iam, clients).await?,
        ran: ran.iter().map(CliCommand::render).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_trusts_ecs_itself_with_the_express_policy() {
        assert_eq!(
            infrastructure_trust_policy().compact(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        );
        assert!(trust_allows(
            &infrastructure_trust_policy().compact(),
            "ecs.amazonaws.com"
        ));
        // An execution role's trust is not an infrastructure role's.
        assert!(!trust_allows(
            &super::super::trust_policy().compact(),
            "ecs.amazonaws.com"
        ));
        assert_eq!(
            infrastructure_policy_arn("aws"),
            "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"
        );
    }
}
