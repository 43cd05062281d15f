//! What Berth needs to be allowed to do, as data. One list feeds the IAM step's permission
//! checklist (simulated line by line), the least-privilege policy of the optional deploy user,
//! and the statement an administrator must add after an AccessDenied: the three can never drift.
//!
//! When a later step starts calling a new AWS action, add it here; the checklist and the deploy
//! user's policy follow.

use crate::error::{BerthError, ErrorKind};
use serde::Serialize;
use serde_json::{json, Value};
use ts_rs::TS;

/// One line of the permission checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PermissionGroup {
    /// Repositories and images in Amazon ECR (create, describe, lifecycle, push, delete).
    Ecr,
    /// Clusters, task definitions, services and tasks in Amazon ECS.
    Ecs,
    /// The default VPC, its subnets and a security group for the app's port.
    Network,
    /// The app's log group in CloudWatch Logs.
    Logs,
    /// CPU and memory charts from CloudWatch.
    Metrics,
    /// Handing the task execution role to ECS (`iam:PassRole`).
    PassRole,
    /// Checking and creating the task execution role (this step).
    RoleSetup,
    /// Creating the optional deploy user (this step).
    UserSetup,
}

impl PermissionGroup {
    /// In the order the checklist shows them.
    pub const ALL: [PermissionGroup; 8] = [
        PermissionGroup::Ecr,
        PermissionGroup::Ecs,
        PermissionGroup::Network,
        PermissionGroup::Logs,
        PermissionGroup::Metrics,
        PermissionGroup::PassRole,
        PermissionGroup::RoleSetup,
        PermissionGroup::UserSetup,
    ];
}

/// What a permission applies to. Each becomes one resource ARN, in the policy and in the
/// simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Actions that take no resource, or whose resources Berth cannot name in advance.
    Any,
    /// Every ECR repository of the account.
    EcrRepositories,
    /// Every CloudWatch Logs log group of the account.
    LogGroups,
    /// The task execution role.
    ExecutionRole,
    /// The service-linked role ECS creates on first use in an account.
    EcsServiceLinkedRole,
    /// The deploy user.
    DeployUser,
    /// The deploy user's managed policy.
    DeployPolicy,
}

/// A condition that narrows a grant: `StringEquals { key: value }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub key: &'static str,
    pub value: &'static str,
}

/// One AWS action Berth performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    pub action: &'static str,
    pub group: PermissionGroup,
    pub scope: Scope,
    pub condition: Option<Condition>,
    /// The policy statement it belongs to; statements group actions of one scope and condition.
    pub sid: &'static str,
    /// Whether the least-privilege deploy user gets it. Setting up IAM is not for the deploy
    /// user; reading its own role and permissions is, so this step still works once it is in use.
    pub deployer: bool,
}

const PASSED_TO_ECS_TASKS: Condition = Condition {
    key: "iam:PassedToService",
    value: "ecs-tasks.amazonaws.com",
};

const ECS_SERVICE: Condition = Condition {
    key: "iam:AWSServiceName",
    value: "ecs.amazonaws.com",
};

const fn allow(
    group: PermissionGroup,
    sid: &'static str,
    scope: Scope,
    action: &'static str,
) -> Permission {
    Permission {
        action,
        group,
        scope,
        condition: None,
        sid,
        deployer: true,
    }
}

const fn setup_only(mut p: Permission) -> Permission {
    p.deployer = false;
    p
}

const fn when(mut p: Permission, condition: Condition) -> Permission {
    p.condition = Some(condition);
    p
}

use PermissionGroup as G;
use Scope as S;

/// Every action Berth performs, by the step that performs it.
pub const PERMISSIONS: &[Permission] = &[
    // Repository step, Image step (push), Repositories view.
    allow(G::Ecr, "EcrLogin", S::Any, "ecr:GetAuthorizationToken"),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:CreateRepository",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:DescribeRepositories",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:DeleteRepository",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:TagResource",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:ListTagsForResource",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:PutLifecyclePolicy",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:GetLifecyclePolicy",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:DescribeImages",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:BatchDeleteImage",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:BatchCheckLayerAvailability",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:InitiateLayerUpload",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:UploadLayerPart",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:CompleteLayerUpload",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:PutImage",
    ),
    allow(
        G::Ecr,
        "EcrRepositories",
        S::EcrRepositories,
        "ecr:BatchGetImage",
    ),
    // Launch step and Deployments view. Most ECS actions cannot be narrowed to resources Berth
    // can name before they exist (RegisterTaskDefinition, ListClusters take none at all).
    allow(G::Ecs, "Ecs", S::Any, "ecs:CreateCluster"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:DescribeClusters"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:ListClusters"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:DeleteCluster"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:RegisterTaskDefinition"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:DescribeTaskDefinition"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:ListTaskDefinitions"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:DeregisterTaskDefinition"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:CreateService"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:UpdateService"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:DescribeServices"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:ListServices"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:DeleteService"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:RunTask"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:StopTask"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:DescribeTasks"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:ListTasks"),
    allow(G::Ecs, "Ecs", S::Any, "ecs:TagResource"),
    // The first cluster of an account makes ECS create its service-linked role, which needs
    // this permission of the caller; without it a brand-new account fails at CreateCluster.
    when(
        allow(
            G::Ecs,
            "EcsServiceLinkedRole",
            S::EcsServiceLinkedRole,
            "iam:CreateServiceLinkedRole",
        ),
        ECS_SERVICE,
    ),
    // Launch step: default VPC, public subnets, a security group for the port, the public IP.
    allow(G::Network, "Network", S::Any, "ec2:DescribeVpcs"),
    allow(G::Network, "Network", S::Any, "ec2:DescribeSubnets"),
    allow(G::Network, "Network", S::Any, "ec2:DescribeRouteTables"),
    allow(G::Network, "Network", S::Any, "ec2:DescribeSecurityGroups"),
    allow(G::Network, "Network", S::Any, "ec2:CreateSecurityGroup"),
    allow(
        G::Network,
        "Network",
        S::Any,
        "ec2:AuthorizeSecurityGroupIngress",
    ),
    allow(
        G::Network,
        "Network",
        S::Any,
        "ec2:RevokeSecurityGroupIngress",
    ),
    allow(G::Network, "Network", S::Any, "ec2:DeleteSecurityGroup"),
    allow(G::Network, "Network", S::Any, "ec2:CreateTags"),
    allow(
        G::Network,
        "Network",
        S::Any,
        "ec2:DescribeNetworkInterfaces",
    ),
    // Launch step (log group before the task starts) and the Deployments view's logs.
    allow(G::Logs, "Logs", S::LogGroups, "logs:CreateLogGroup"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:PutRetentionPolicy"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:DescribeLogGroups"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:DescribeLogStreams"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:GetLogEvents"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:FilterLogEvents"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:ListTagsForResource"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:TagResource"),
    allow(G::Logs, "Logs", S::LogGroups, "logs:DeleteLogGroup"),
    // Deployments view: CPU and memory charts.
    allow(G::Metrics, "Metrics", S::Any, "cloudwatch:GetMetricData"),
    // Launch step: the task definition names the execution role, which ECS may only use when
    // the caller may pass it, and only to ECS tasks.
    when(
        allow(
            G::PassRole,
            "PassExecutionRole",
            S::ExecutionRole,
            "iam:PassRole",
        ),
        PASSED_TO_ECS_TASKS,
    ),
    // This step: check the execution role, and create or fix it.
    allow(
        G::RoleSetup,
        "ReadExecutionRole",
        S::ExecutionRole,
        "iam:GetRole",
    ),
    allow(
        G::RoleSetup,
        "ReadExecutionRole",
        S::ExecutionRole,
        "iam:ListAttachedRolePolicies",
    ),
    setup_only(allow(
        G::RoleSetup,
        "SetUpExecutionRole",
        S::ExecutionRole,
        "iam:CreateRole",
    )),
    setup_only(allow(
        G::RoleSetup,
        "SetUpExecutionRole",
        S::ExecutionRole,
        "iam:TagRole",
    )),
    setup_only(allow(
        G::RoleSetup,
        "SetUpExecutionRole",
        S::ExecutionRole,
        "iam:UpdateAssumeRolePolicy",
    )),
    setup_only(allow(
        G::RoleSetup,
        "SetUpExecutionRole",
        S::ExecutionRole,
        "iam:AttachRolePolicy",
    )),
    // Removes a role Berth created moments before when attaching its policy failed.
    setup_only(allow(
        G::RoleSetup,
        "SetUpExecutionRole",
        S::ExecutionRole,
        "iam:DeleteRole",
    )),
    // This step: the deploy user reads itself and simulates its own permissions...
    allow(G::UserSetup, "ReadDeployUser", S::DeployUser, "iam:GetUser"),
    allow(
        G::UserSetup,
        "ReadDeployUser",
        S::DeployUser,
        "iam:SimulatePrincipalPolicy",
    ),
    // ...and only an administrator-like identity creates it (deletes undo a half-made setup).
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:CreateUser",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:TagUser",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:AttachUserPolicy",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:ListAttachedUserPolicies",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:DetachUserPolicy",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:ListAccessKeys",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:CreateAccessKey",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:DeleteAccessKey",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployUser",
        S::DeployUser,
        "iam:DeleteUser",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:CreatePolicy",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:TagPolicy",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:GetPolicy",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:GetPolicyVersion",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:ListPolicyVersions",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:CreatePolicyVersion",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:DeletePolicyVersion",
    )),
    setup_only(allow(
        G::UserSetup,
        "SetUpDeployPolicy",
        S::DeployPolicy,
        "iam:DeletePolicy",
    )),
];

/// The names that turn scopes into ARNs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: String,
    pub account: String,
    /// The region the checklist asks about; policies allow every region.
    pub region: String,
    pub role_name: String,
    pub user_name: String,
}

impl Resources {
    /// The ARN a scope stands for. `region` is `None` in policies (any region) and the chosen
    /// region in simulations (which need a concrete resource to evaluate).
    fn arn(&self, scope: Scope, region: Option<&str>) -> String {
        let (p, a) = (&self.partition, &self.account);
        let r = region.unwrap_or("*");
        match scope {
            Scope::Any => "*".to_owned(),
            Scope::EcrRepositories => format!("arn:{p}:ecr:{r}:{a}:repository/*"),
            Scope::LogGroups => format!("arn:{p}:logs:{r}:{a}:log-group:*"),
            Scope::ExecutionRole => format!("arn:{p}:iam::{a}:role/{}", self.role_name),
            Scope::EcsServiceLinkedRole => format!(
                "arn:{p}:iam::{a}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
            ),
            Scope::DeployUser => format!("arn:{p}:iam::{a}:user/{}", self.user_name),
            Scope::DeployPolicy => self.deploy_policy_arn(),
        }
    }

    /// The ARN of the resource `scope` stands for, as a simulation asks about it.
    pub fn simulated_arn(&self, scope: Scope) -> String {
        self.arn(scope, Some(&self.region))
    }

    pub fn execution_role_arn(&self) -> String {
        self.arn(Scope::ExecutionRole, None)
    }

    pub fn deploy_user_arn(&self) -> String {
        self.arn(Scope::DeployUser, None)
    }

    /// The deploy user's managed policy is named after the user, so two deploy users never share
    /// (and overwrite) one policy.
    pub fn deploy_policy_name(&self) -> String {
        deploy_policy_name(&self.user_name)
    }

    pub fn deploy_policy_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:policy/{}",
            self.partition,
            self.account,
            self.deploy_policy_name()
        )
    }
}

pub fn deploy_policy_name(user_name: &str) -> String {
    format!("{user_name}-policy")
}

/// An IAM policy document. A struct rather than a JSON map so its keys come out in the order
/// people know from the AWS documentation (`Version` first, `Sid` before `Effect`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Value>,
    /// A string or a list of strings.
    pub action: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
}

impl PolicyDocument {
    pub const VERSION: &'static str = "2012-10-17";

    /// On one line, as the AWS CLI and the API take it.
    pub fn compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Indented, to show.
    pub fn pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A policy document with one statement per `sid` of the given permissions, in catalog order.
fn policy<'a>(
    permissions: impl IntoIterator<Item = &'a Permission>,
    res: &Resources,
) -> PolicyDocument {
    let mut statements: Vec<(&str, Vec<&Permission>)> = Vec::new();
    for p in permissions {
        match statements.iter_mut().find(|(sid, _)| *sid == p.sid) {
            Some((_, list)) => list.push(p),
            None => statements.push((p.sid, vec![p])),
        }
    }
    let statement = statements
        .into_iter()
        .map(|(sid, list)| {
            let first = list[0];
            Statement {
                sid: Some(sid.to_owned()),
                effect: "Allow",
                principal: None,
                action: list.iter().map(|p| p.action).collect::<Vec<_>>().into(),
                resource: Some(res.arn(first.scope, None)),
                condition: first
                    .condition
                    .map(|c| json!({ "StringEquals": { c.key: c.value } })),
            }
        })
        .collect();
    PolicyDocument {
        version: PolicyDocument::VERSION,
        statement,
    }
}

/// The deploy user's least-privilege policy: exactly the actions of the later steps, plus reading
/// its own role and permissions. Never the IAM setup itself.
pub fn deploy_user_policy(res: &Resources) -> PolicyDocument {
    policy(PERMISSIONS.iter().filter(|p| p.deployer), res)
}

/// The policy an administrator must add so that `action` (and the rest of its checklist line,
/// so the next action does not fail the same way) is allowed. `None` for an action Berth does
/// not list.
pub fn statement_to_add(action: &str, res: &Resources) -> Option<PolicyDocument> {
    let group = PERMISSIONS
        .iter()
        .find(|p| p.action.eq_ignore_ascii_case(action))?
        .group;
    Some(policy(PERMISSIONS.iter().filter(|p| p.group == group), res))
}

/// Adds, to an AccessDenied error whose action Berth lists, the policy an administrator must
/// add (`statement`, pretty JSON) and the checklist line it belongs to (`group`).
pub fn explain_denied(err: BerthError, res: &Resources) -> BerthError {
    if err.kind != ErrorKind::AccessDenied {
        return err;
    }
    let Some(action) = err.param("action").map(str::to_owned) else {
        return err;
    };
    let Some(policy) = statement_to_add(&action, res) else {
        return err;
    };
    let group = PERMISSIONS
        .iter()
        .find(|p| p.action.eq_ignore_ascii_case(&action))
        .map(|p| p.group);
    let err = err.with("statement", policy.pretty());
    match group.and_then(|g| serde_json::to_value(g).ok()) {
        Some(Value::String(g)) => err.with("group", g),
        _ => err,
    }
}

/// `arn:aws:…` → `aws`.
pub fn partition_of_arn(arn: &str) -> Option<&str> {
    arn.split(':').nth(1).filter(|p| !p.is_empty())
}

/// The partition of a region: China and GovCloud regions live apart from the rest of AWS.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Size limit of a customer managed policy, counted without whitespace.
pub const MANAGED_POLICY_MAX_CHARS: usize = 6144;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    /// Every `"service:Action"` Berth's own code names as the action of an AWS call it makes:
    /// the action given to `from_sdk` (which maps each SDK error), to `too_slow`, and to errors
    /// built by hand with an `action` parameter. Test modules are left out.
    fn actions_named_in_code() -> BTreeMap<String, String> {
        fn visit(dir: &std::path::Path, found: &mut BTreeMap<String, String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, found);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("permissions.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap();
                for marker in ["from_sdk(", "too_slow(", "\"action\","] {
                    for (at, _) in code.match_indices(marker) {
                        let call = &code[at..];
                        let call = &call[..call.find(';').unwrap_or(call.len()).min(300)];
                        let action = call.split('"').skip(1).step_by(2).find(|s| {
                            s.split_once(':').is_some_and(|(svc, op)| {
                                !svc.is_empty()
                                    && svc
                                        .bytes()
                                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                                    && op.starts_with(|c: char| c.is_ascii_uppercase())
                                    && op.bytes().all(|b| b.is_ascii_alphanumeric())
                            })
                        });
                        if let Some(action) = action {
                            found.insert(action.to_owned(), path.display().to_string());
                        }
                    }
                }
            }
        }
        let mut found = BTreeMap::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found
    }

    /// A call Berth makes but the catalog lacks would pass the IAM step's checklist and the
    /// deploy user's policy, then fail with AccessDenied in the middle of a launch.
    #[test]
    fn every_aws_action_the_code_performs_is_in_the_catalog() {
        // Allowed for every identity; no policy can deny it.
        const NEEDS_NO_PERMISSION: &[&str] = &["sts:GetCallerIdentity"];
        let used = actions_named_in_code();
        assert!(used.len() > 50, "the scan found too few actions: {used:?}");
        let missing: Vec<_> = used
            .iter()
            .filter(|(action, _)| !NEEDS_NO_PERMISSION.contains(&action.as_str()))
            .filter(|(action, _)| !PERMISSIONS.iter().any(|p| p.action == action.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "used but not in PERMISSIONS: {missing:?}"
        );
    }

    fn resources() -> Resources {
        Resources {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "ap-northeast-2".into(),
            role_name: "ecsTaskExecutionRole".into(),
            user_name: "berth-deployer".into(),
        }
    }

    fn actions_of(policy: &impl Serialize) -> Vec<String> {
        serde_json::to_value(policy).unwrap()["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap().clone())
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_action_is_listed_once_and_every_group_has_actions() {
        let mut seen = HashSet::new();
        for p in PERMISSIONS {
            assert!(seen.insert(p.action), "{} listed twice", p.action);
            let (service, name) = p.action.split_once(':').expect("service:Action");
            assert!(!service.is_empty() && name.chars().next().unwrap().is_ascii_uppercase());
        }
        for group in PermissionGroup::ALL {
            assert!(
                PERMISSIONS.iter().any(|p| p.group == group),
                "{group:?} is empty"
            );
        }
    }

    #[test]
    fn a_statement_has_one_scope_and_one_condition() {
        let mut by_sid: BTreeMap<&str, (Scope, Option<Condition>)> = BTreeMap::new();
        for p in PERMISSIONS {
            let first = *by_sid.entry(p.sid).or_insert((p.scope, p.condition));
            assert_eq!(first, (p.scope, p.condition), "{} in {}", p.action, p.sid);
        }
    }

    #[test]
    fn the_deploy_policy_has_exactly_the_later_steps_and_no_iam_setup() {
        let policy = deploy_user_policy(&resources());
        let actions = actions_of(&policy);
        let expected: Vec<&str> = PERMISSIONS
            .iter()
            .filter(|p| p.deployer)
            .map(|p| p.action)
            .collect();
        assert_eq!(actions, expected);
        for setup in [
            "iam:CreateRole",
            "iam:AttachRolePolicy",
            "iam:CreateUser",
            "iam:CreateAccessKey",
            "iam:CreatePolicy",
        ] {
            assert!(!actions.iter().any(|a| a == setup), "{setup} granted");
        }
        for needed in [
            "ecr:CreateRepository",
            "ecr:PutImage",
            "ecs:RunTask",
            "ec2:CreateSecurityGroup",
            "logs:CreateLogGroup",
            "cloudwatch:GetMetricData",
            "iam:PassRole",
        ] {
            assert!(actions.iter().any(|a| a == needed), "{needed} missing");
        }
    }

    #[test]
    fn pass_role_is_limited_to_the_execution_role_and_to_ecs_tasks() {
        let policy = serde_json::to_value(deploy_user_policy(&resources())).unwrap();
        let pass = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Action"] == json!(["iam:PassRole"]))
            .expect("a PassRole statement of its own");
        assert_eq!(
            pass["Resource"],
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
        );
        assert_eq!(
            pass["Condition"],
            json!({ "StringEquals": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } })
        );
    }

    #[test]
    fn the_deploy_policy_fits_a_managed_policy() {
        let compact = deploy_user_policy(&Resources {
            user_name: "u".repeat(64),
            role_name: "r".repeat(64),
            ..resources()
        })
        .compact();
        let chars = compact.chars().filter(|c| !c.is_whitespace()).count();
        assert!(chars < MANAGED_POLICY_MAX_CHARS, "{chars} characters");
    }

    #[test]
    fn a_denied_action_names_its_whole_checklist_line_as_the_statement_to_add() {
        let denied = BerthError::new(ErrorKind::AccessDenied).with("action", "iam:CreateRole");
        let err = explain_denied(denied, &resources());
        assert_eq!(err.param("group"), Some("roleSetup"));
        let policy: Value = serde_json::from_str(err.param("statement").unwrap()).unwrap();
        let actions = actions_of(&policy);
        assert!(actions.contains(&"iam:CreateRole".to_owned()));
        assert!(actions.contains(&"iam:AttachRolePolicy".to_owned()));
        assert!(!actions.iter().any(|a| a.starts_with("ecr:")));
        for statement in policy["Statement"].as_array().unwrap() {
            assert_eq!(
                statement["Resource"],
                "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
            );
        }
    }

    #[test]
    fn other_errors_and_unlisted_actions_are_left_alone() {
        let other = BerthError::new(ErrorKind::Throttled).with("action", "iam:CreateRole");
        assert_eq!(explain_denied(other.clone(), &resources()), other);
        let unlisted = BerthError::new(ErrorKind::AccessDenied).with("action", "s3:GetObject");
        assert_eq!(explain_denied(unlisted.clone(), &resources()), unlisted);
    }

    #[test]
    fn simulated_resources_name_the_region_and_policies_allow_any() {
        let res = resources();
        assert_eq!(
            res.simulated_arn(Scope::EcrRepositories),
            "arn:aws:ecr:ap-northeast-2:123456789012:repository/*"
        );
        assert_eq!(
            res.arn(Scope::EcrRepositories, None),
            "arn:aws:ecr:*:123456789012:repository/*"
        );
        assert_eq!(
            res.deploy_policy_arn(),
            "arn:aws:iam::123456789012:policy/berth-deployer-policy"
        );
        assert_eq!(partition_of_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_of_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of_region("eu-west-1"), "aws");
        assert_eq!(partition_of_arn("arn:aws-cn:iam::1:user/x"), Some("aws-cn"));
    }
}
