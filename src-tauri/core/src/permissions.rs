//! What Berth needs to be allowed to do: the permissions of the AWS action catalogue
//! (`aws::catalogue`). That one list feeds the IAM step's permission checklist (simulated line by
//! line), the least-privilege policy of the optional deploy user, and the statement an
//! administrator must add after an AccessDenied: the three can never drift, and an action Berth
//! calls cannot be missing from them, because calls go only through declared actions.

use crate::aws::action::Performer;
pub use crate::aws::action::{Condition, PermissionGroup, Scope};
use crate::aws::catalogue;
use crate::error::{BerthError, ErrorKind};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::LazyLock;

/// One IAM permission Berth needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// The IAM action, e.g. `ecr:CreateRepository`.
    pub action: String,
    pub group: PermissionGroup,
    pub scope: Scope,
    pub condition: Option<Condition>,
    /// The policy statement it belongs to; statements group actions of one scope and condition.
    pub sid: &'static str,
    /// Whether the least-privilege deploy user gets it.
    pub deployer: bool,
    /// Needed only when a repository is encrypted with KMS.
    pub kms_only: bool,
    /// Who sends the request that needs it: Berth, the Docker engine, or nobody (implied by
    /// another action).
    pub performer: Performer,
}

/// Every permission of the action catalogue, once per IAM action and policy statement (one action
/// may be granted on two resources, e.g. `iam:CreateRole` on the execution and the infrastructure
/// role), in catalogue order.
pub static PERMISSIONS: LazyLock<Vec<Permission>> = LazyLock::new(|| {
    let mut list: Vec<Permission> = Vec::new();
    for action in catalogue::ALL {
        let Some(p) = action.permission else { continue };
        let name = action.iam_name();
        if list
            .iter()
            .any(|known| known.action == name && known.sid == p.sid)
        {
            continue;
        }
        list.push(Permission {
            action: name,
            group: p.group,
            scope: p.scope,
            condition: p.condition,
            sid: p.sid,
            deployer: p.deployer,
            kms_only: p.kms_only,
            performer: action.performer,
        });
    }
    list
});

/// The role ECS Express Mode makes a service's load balancer with: the name its documentation and
/// console use (docs/aws-facts.md#express-mode).
pub const INFRASTRUCTURE_ROLE_NAME: &str = "ecsInfrastructureRoleForExpressServices";

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
    /// Whether a repository encrypted with KMS is used or chosen: only then do the checklist and
    /// the deploy user's policy list the KMS grant permissions.
    pub kms_encryption: bool,
}

impl Resources {
    /// Whether `p` is needed with these resources.
    pub fn needs(&self, p: &Permission) -> bool {
        !p.kms_only || self.kms_encryption
    }

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
            Scope::InfrastructureRole => {
                format!("arn:{p}:iam::{a}:role/{INFRASTRUCTURE_ROLE_NAME}")
            }
            Scope::EcsServiceLinkedRole => format!(
                "arn:{p}:iam::{a}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
            ),
            Scope::EcsAutoScalingServiceLinkedRole => format!(
                "arn:{p}:iam::{a}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/\
                 AWSServiceRoleForApplicationAutoScaling_ECSService"
            ),
            Scope::DeployUser => format!("arn:{p}:iam::{a}:user/{}", self.user_name),
            Scope::DeployPolicy => self.deploy_policy_arn(),
            // ECR may use a key of another account; the ViaService condition does the narrowing.
            Scope::KmsKeys => match region {
                Some(r) => format!("arn:{p}:kms:{r}:{a}:key/*"),
                None => format!("arn:{p}:kms:*:*:key/*"),
            },
            Scope::BerthParameters => format!("arn:{p}:ssm:{r}:{a}:parameter/berth/*"),
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
                action: list
                    .iter()
                    .map(|p| p.action.as_str())
                    .collect::<Vec<_>>()
                    .into(),
                resource: Some(res.arn(first.scope, None)),
                condition: first
                    .condition
                    .map(|c| json!({ c.operator(): { c.key: c.value } })),
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
    policy(
        PERMISSIONS.iter().filter(|p| p.deployer && res.needs(p)),
        res,
    )
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

    fn resources() -> Resources {
        Resources {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "ap-northeast-2".into(),
            role_name: "ecsTaskExecutionRole".into(),
            user_name: "berth-deployer".into(),
            kms_encryption: false,
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
        for p in PERMISSIONS.iter() {
            assert!(seen.insert((&p.action, p.sid)), "{} listed twice", p.action);
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
        for p in PERMISSIONS.iter() {
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
            .filter(|p| p.deployer && !p.kms_only)
            .map(|p| p.action.as_str())
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
            .find(|s| s["Sid"] == "PassExecutionRole")
            .expect("a PassRole statement of its own");
        assert_eq!(pass["Action"], json!(["iam:PassRole"]));
        assert_eq!(
            pass["Resource"],
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
        );
        assert_eq!(
            pass["Condition"],
            json!({ "StringEquals": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } })
        );
    }

    /// Express Mode: the infrastructure role is passed to ECS itself, and only that role.
    #[test]
    fn the_infrastructure_role_is_passed_only_to_ecs() {
        let policy = serde_json::to_value(deploy_user_policy(&resources())).unwrap();
        let pass = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "PassInfrastructureRole")
            .expect("a statement for the infrastructure role");
        assert_eq!(pass["Action"], json!(["iam:PassRole"]));
        assert_eq!(
            pass["Resource"],
            "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForExpressServices"
        );
        assert_eq!(
            pass["Condition"],
            json!({ "StringEquals": { "iam:PassedToService": "ecs.amazonaws.com" } })
        );
    }

    /// A new account's first scaling launch: Application Auto Scaling makes its role for ECS
    /// then, and only with the caller's iam:CreateServiceLinkedRole for that role and service.
    #[test]
    fn the_deploy_user_may_make_the_two_service_linked_roles_and_no_other() {
        let policy = serde_json::to_value(deploy_user_policy(&resources())).unwrap();
        let linked: Vec<(&Value, &Value)> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["Action"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("iam:CreateServiceLinkedRole"))
            })
            .map(|s| (&s["Resource"], &s["Condition"]))
            .collect();
        assert_eq!(
            linked,
            [
                (
                    &json!("arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"),
                    &json!({ "StringEquals": { "iam:AWSServiceName": "ecs.amazonaws.com" } })
                ),
                (
                    &json!("arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"),
                    &json!({ "StringEquals": { "iam:AWSServiceName": "ecs.application-autoscaling.amazonaws.com" } })
                ),
            ]
        );
    }

    const KMS_ACTIONS: [&str; 3] = ["kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant"];

    #[test]
    fn kms_grants_are_in_the_deploy_policy_only_with_a_kms_repository_and_only_through_ecr() {
        let without = actions_of(&deploy_user_policy(&resources()));
        assert!(
            !without.iter().any(|a| a.starts_with("kms:")),
            "{without:?}"
        );
        let with = deploy_user_policy(&Resources {
            kms_encryption: true,
            ..resources()
        });
        let kms: Vec<String> = actions_of(&with)
            .into_iter()
            .filter(|a| a.starts_with("kms:"))
            .collect();
        assert_eq!(kms, KMS_ACTIONS);
        let policy = serde_json::to_value(&with).unwrap();
        let statement = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "EcrKmsEncryption")
            .unwrap();
        assert_eq!(statement["Resource"], "arn:aws:kms:*:*:key/*");
        assert_eq!(
            statement["Condition"],
            json!({ "StringLike": { "kms:ViaService": "ecr.*.amazonaws.com" } })
        );
    }

    #[test]
    fn the_deploy_policy_fits_a_managed_policy() {
        let compact = deploy_user_policy(&Resources {
            user_name: "u".repeat(64),
            role_name: "r".repeat(64),
            kms_encryption: true,
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
