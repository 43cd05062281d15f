//! The task execution role: what lets Fargate pull the image from ECR and write the app's logs.
//! Trusted by `ecs-tasks.amazonaws.com`, with the AWS managed policy
//! AmazonECSTaskExecutionRolePolicy attached (docs/aws-facts.md#iam). Ensuring it creates what is
//! missing and, on request, fixes a role that exists but is wrong; when it is right, nothing is
//! written.

use super::{explain, validate_iam_name, DEFAULT_DEPLOY_USER};
use crate::aws::iam::{Iam, Role, ECS_SERVICE_LINKED_ROLE};
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::error::{BerthError, Result};
use crate::permissions::{partition_of_arn, partition_of_region, PolicyDocument, Statement};
use crate::tags;
use serde::Serialize;
use serde_json::{json, Value};
use ts_rs::TS;

/// The name ECS's own documentation and console use.
pub const DEFAULT_ROLE_NAME: &str = "ecsTaskExecutionRole";

const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";

/// Who may assume the role: ECS tasks, nobody else.
pub fn trust_policy() -> PolicyDocument {
    PolicyDocument {
        version: PolicyDocument::VERSION,
        statement: vec![Statement {
            sid: None,
            effect: "Allow",
            principal: Some(json!({ "Service": ECS_TASKS })),
            action: "sts:AssumeRole".into(),
            resource: None,
            condition: None,
        }],
    }
}

/// The AWS managed policy with exactly what a task needs to start: pull from ECR, write logs.
pub fn execution_policy_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RoleState {
    Missing,
    Ready,
    /// The role exists but Fargate could not use it as it is.
    NeedsFix,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RoleProblem {
    /// The trust policy does not let ECS tasks assume the role.
    TrustPolicy,
    /// AmazonECSTaskExecutionRolePolicy is not attached.
    PolicyNotAttached,
}

/// The execution role as the IAM step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoleStatus {
    pub name: String,
    pub state: RoleState,
    pub arn: Option<String>,
    pub problems: Vec<RoleProblem>,
    /// Whether it carries Berth's tag (Berth made it).
    pub created_by_berth: bool,
    /// The role's trust policy as it is now, indented.
    pub trust_policy: Option<String>,
    /// The trust policy Berth creates, or sets when fixing, indented.
    pub expected_trust_policy: String,
    pub managed_policy_arn: String,
    /// The `aws iam …` commands Berth runs to create or fix the role; empty when it is ready.
    pub plan: Vec<String>,
    /// A command to look at the role yourself.
    pub check_command: String,
}

/// What ensuring the role did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoleChange {
    pub status: RoleStatus,
    /// The commands of the changes made, in order; empty when nothing had to change.
    pub ran: Vec<String>,
}

/// Whether a trust policy lets ECS tasks assume the role: an Allow of `sts:AssumeRole` to the
/// service principal and no Deny of it. Conditions (such as the `aws:SourceAccount` AWS
/// recommends against the confused-deputy problem) and other statements are the owner's
/// business and are left as they are.
pub fn trust_allows_ecs_tasks(document: &str) -> bool {
    trust_allows(document, ECS_TASKS)
}

/// Whether a trust policy lets the AWS service `service` (e.g. `ecs.amazonaws.com`) assume the
/// role, as [`trust_allows_ecs_tasks`] judges it.
pub fn trust_allows(document: &str, service: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<Value>(document) else {
        return false;
    };
    let statements = match &policy["Statement"] {
        Value::Array(list) => list.iter().collect::<Vec<_>>(),
        single @ Value::Object(_) => vec![single],
        _ => return false,
    };
    let about_ecs_tasks = |s: &Value| {
        words(&s["Principal"]["Service"])
            .iter()
            .any(|p| p.eq_ignore_ascii_case(service))
            && words(&s["Action"]).iter().any(|a| {
                ["sts:AssumeRole", "sts:*", "*"]
                    .iter()
                    .any(|ok| a.eq_ignore_ascii_case(ok))
            })
    };
    let effect = |s: &Value, e: &str| s["Effect"].as_str() == Some(e);
    statements
        .iter()
        .any(|s| effect(s, "Allow") && about_ecs_tasks(s))
        && !statements
            .iter()
            .any(|s| effect(s, "Deny") && about_ecs_tasks(s))
}

/// A JSON string or list of strings, as policies write one or many values.
fn words(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn pretty(document: &str) -> String {
    serde_json::from_str::<Value>(document)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| document.to_owned())
}

pub(super) fn partition_for(clients: &AwsClients, role: Option<&Role>) -> String {
    role.and_then(|r| partition_of_arn(&r.arn))
        .unwrap_or_else(|| partition_of_region(clients.region()))
        .to_owned()
}

/// Reads the role and says whether it is missing, ready or needs fixing, with the commands that
/// would create or fix it. Writes nothing.
pub async fn execution_role_status(clients: &AwsClients, name: &str) -> Result<RoleStatus> {
    validate_iam_name("roleName", name)?;
    let iam = Iam::new(clients);
    match read(&iam, clients, name).await {
        Ok(status) => Ok(status),
        Err(e) => Err(explain(e, clients, name, DEFAULT_DEPLOY_USER).await),
    }
}

async fn read(iam: &Iam<'_>, clients: &AwsClients, name: &str) -> Result<RoleStatus> {
    let role = iam.get_role(name).await?;
    let attached = match &role {
        Some(_) => iam.attached_role_policies(name).await?,
        None => Vec::new(),
    };
    // Creating the role also makes ECS's service-linked role when the account has none yet (a
    // new account), so the plan shown must say so.
    let linked_role_missing =
        role.is_none() && iam.get_role(ECS_SERVICE_LINKED_ROLE).await?.is_none();
    Ok(status_of(
        iam,
        clients,
        name,
        role.as_ref(),
        &attached,
        linked_role_missing,
    ))
}

fn status_of(
    iam: &Iam<'_>,
    clients: &AwsClients,
    name: &str,
    role: Option<&Role>,
    attached: &[String],
    linked_role_missing: bool,
) -> RoleStatus {
    let policy_arn = execution_policy_arn(&partition_for(clients, role));
    let trust = trust_policy();
    let mut problems = Vec::new();
    if let Some(role) = role {
        if !role
            .trust_policy
            .as_deref()
            .is_some_and(trust_allows_ecs_tasks)
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
    let tags = berth_tags();
    let plan = match state {
        RoleState::Ready => Vec::new(),
        RoleState::Missing => {
            let mut plan = vec![
                iam.create_role_call(name, &trust.compact(), &tags)
                    .into_command(),
                iam.attach_role_policy_call(name, &policy_arn)
                    .into_command(),
            ];
            if linked_role_missing {
                plan.push(iam.ecs_service_linked_role_call().into_command());
            }
            plan
        }
        RoleState::NeedsFix => problems
            .iter()
            .map(|p| match p {
                RoleProblem::TrustPolicy => iam
                    .update_trust_policy_call(name, &trust.compact())
                    .into_command(),
                RoleProblem::PolicyNotAttached => iam
                    .attach_role_policy_call(name, &policy_arn)
                    .into_command(),
            })
            .collect(),
    };
    RoleStatus {
        name: name.to_owned(),
        state,
        arn: role.map(|r| r.arn.clone()),
        problems,
        created_by_berth: role.is_some_and(|r| {
            tags::is_managed(r.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        }),
        trust_policy: role.and_then(|r| r.trust_policy.as_deref()).map(pretty),
        expected_trust_policy: trust.pretty(),
        managed_policy_arn: policy_arn,
        plan: plan.iter().map(|c| c.render()).collect(),
        check_command: iam.get_role_call(name).into_command().render(),
    }
}

/// Berth's tags for the role. It serves every app of the account, so it names no app.
fn berth_tags() -> Vec<(String, String)> {
    tags::berth_tags(None)
}

/// Makes the role ready: creates it when missing; when it exists but is wrong, fixes it only if
/// `fix` is set (otherwise reports it as it is). When it is ready, writes nothing.
///
/// If attaching the policy to a role created moments before fails, the role is deleted again so
/// no half-made role is left behind; the error says whether that worked (`cleanup` = `removed`
/// or `leftBehind`).
pub async fn ensure_execution_role(
    clients: &AwsClients,
    name: &str,
    fix: bool,
) -> Result<RoleChange> {
    validate_iam_name("roleName", name)?;
    let iam = Iam::new(clients);
    match apply(&iam, clients, name, fix).await {
        Ok(change) => Ok(change),
        Err(e) => Err(explain(e, clients, name, DEFAULT_DEPLOY_USER).await),
    }
}

async fn apply(iam: &Iam<'_>, clients: &AwsClients, name: &str, fix: bool) -> Result<RoleChange> {
    let status = read(iam, clients, name).await?;
    let trust = trust_policy().compact();
    let policy_arn = status.managed_policy_arn.clone();
    let mut ran: Vec<CliCommand> = Vec::new();
    let unchanged = |status| RoleChange {
        status,
        ran: Vec::new(),
    };
    match status.state {
        RoleState::Ready => return Ok(unchanged(status)),
        RoleState::NeedsFix if !fix => return Ok(unchanged(status)),
        RoleState::Missing => {
            let tags = berth_tags();
            iam.create_role(name, &trust, &tags).await?;
            ran.push(iam.create_role_call(name, &trust, &tags).into_command());
            if let Err(e) = iam.attach_role_policy(name, &policy_arn).await {
                return Err(undo_create(iam, name, e).await);
            }
            ran.push(
                iam.attach_role_policy_call(name, &policy_arn)
                    .into_command(),
            );
            if iam.ensure_ecs_service_linked_role().await? {
                ran.push(iam.ecs_service_linked_role_call().into_command());
            }
        }
        RoleState::NeedsFix => {
            if status.problems.contains(&RoleProblem::TrustPolicy) {
                iam.update_trust_policy(name, &trust).await?;
                ran.push(iam.update_trust_policy_call(name, &trust).into_command());
            }
            if status.problems.contains(&RoleProblem::PolicyNotAttached) {
                iam.attach_role_policy(name, &policy_arn).await?;
                ran.push(
                    iam.attach_role_policy_call(name, &policy_arn)
                        .into_command(),
                );
            }
        }
    }
    Ok(RoleChange {
        status: read(iam, clients, name).await?,
        ran: ran.iter().map(|c| c.render()).collect(),
    })
}

/// Deletes the role created moments before, and says in the error whether that worked.
async fn undo_create(iam: &Iam<'_>, name: &str, err: BerthError) -> BerthError {
    match iam.delete_role(name).await {
        Ok(()) => err.with("cleanup", "removed").with("role", name),
        Err(cleanup) => err
            .with("cleanup", "leftBehind")
            .with("role", name)
            .with("cleanupError", cleanup.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trust_policy_is_exactly_the_documented_one() {
        assert_eq!(
            trust_policy().compact(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        );
        assert_eq!(
            execution_policy_arn("aws"),
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        );
    }

    #[test]
    fn trust_policies_that_let_ecs_tasks_in_are_accepted() {
        assert!(trust_allows_ecs_tasks(&trust_policy().compact()));
        // With the confused-deputy condition AWS recommends, a list of services, and a single
        // statement object.
        assert!(trust_allows_ecs_tasks(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                "Principal":{"Service":["ecs.amazonaws.com","ecs-tasks.amazonaws.com"]},
                "Action":["sts:AssumeRole"],
                "Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#
        ));
        assert!(trust_allows_ecs_tasks(
            r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:*"}}"#
        ));
    }

    #[test]
    fn trust_policies_that_keep_ecs_tasks_out_are_wrong() {
        for wrong in [
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:TagSession"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Statement":[
                {"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Statement":[]}"#,
            "not json",
        ] {
            assert!(!trust_allows_ecs_tasks(wrong), "{wrong}");
        }
    }
}
