//! What an AWS action is, as Berth declares it: the service and operation, whether it changes
//! anything, who performs it, and the IAM permission it needs. Each action Berth performs is
//! declared once in [`super::catalogue`]; its activity entry, its `aws` CLI equivalent, its IAM
//! action name (for the permission checklist and the deploy user's policy) and the `action` of
//! its errors all come from that declaration.

use serde::Serialize;
use std::borrow::Cow;
use ts_rs::TS;

/// An AWS service Berth talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Sts,
    Iam,
    Ecr,
    Ecs,
    Ec2,
    Logs,
    CloudWatch,
    Kms,
    /// Application Auto Scaling: a service's desired count, scaled on its CPU.
    ApplicationAutoScaling,
    Ssm,
    /// The Price List API (live prices; optional).
    Pricing,
}

impl Service {
    /// The prefix of its IAM actions, which is also its `aws` CLI command (`aws logs …`).
    pub const fn prefix(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Iam => "iam",
            Service::Ecr => "ecr",
            Service::Ecs => "ecs",
            Service::Ec2 => "ec2",
            Service::Logs => "logs",
            Service::CloudWatch => "cloudwatch",
            Service::Kms => "kms",
            Service::ApplicationAutoScaling => "application-autoscaling",
            Service::Ssm => "ssm",
            Service::Pricing => "pricing",
        }
    }
}

/// Whether an action changes something. Changes are the activity log's entries; reads are
/// only tallied there (a dashboard reads every few seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Read,
    Change,
}

/// Who sends the request that needs the permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Performer {
    /// Berth, through the AWS SDK.
    Berth,
    /// The Docker engine, with the ECR token Berth hands it (the layer uploads of a push).
    DockerEngine,
    /// Nobody sends it: AWS checks it as part of another action (`iam:PassRole` when a task
    /// definition names a role, `iam:TagRole` when a role is created with tags).
    Implied,
}

/// One line of the IAM step's permission checklist.
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
    /// Checking and creating the task execution role (the IAM step).
    RoleSetup,
    /// Creating the optional deploy user (the IAM step).
    UserSetup,
    /// The KMS grants ECR makes on the caller's behalf for a KMS-encrypted repository; listed
    /// only when such a repository is used or chosen.
    KmsEncryption,
    /// Environment values kept secret: SSM parameters under `/berth/`, and the execution role's
    /// inline policy that lets ECS read them.
    Secrets,
    /// Reading today's prices from AWS's Price List API. Optional: without it the cost estimate
    /// uses the price list Berth ships with, and says so.
    Prices,
    /// A stable HTTPS address through ECS Express Mode: the Express operations, and setting up
    /// and passing the infrastructure role ECS makes the load balancer with. Optional: without it
    /// a service gets a public IP, as before.
    Express,
}

impl PermissionGroup {
    /// In the order the checklist shows them.
    pub const ALL: [PermissionGroup; 12] = [
        PermissionGroup::Ecr,
        PermissionGroup::Ecs,
        PermissionGroup::Network,
        PermissionGroup::Logs,
        PermissionGroup::Metrics,
        PermissionGroup::PassRole,
        PermissionGroup::RoleSetup,
        PermissionGroup::UserSetup,
        PermissionGroup::Secrets,
        PermissionGroup::Prices,
        PermissionGroup::Express,
        // Last: listed only when a KMS-encrypted repository is used or chosen.
        PermissionGroup::KmsEncryption,
    ];

    /// Whether Berth works without it (the checklist does not ask for it as it does for the
    /// others).
    pub const fn is_optional(self) -> bool {
        matches!(self, PermissionGroup::Prices | PermissionGroup::Express)
    }
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
    /// The infrastructure role of ECS Express Mode (`ecsInfrastructureRoleForExpressServices`).
    InfrastructureRole,
    /// The service-linked role ECS needs in an account.
    EcsServiceLinkedRole,
    /// The service-linked role Application Auto Scaling makes to scale ECS services.
    EcsAutoScalingServiceLinkedRole,
    /// The deploy user.
    DeployUser,
    /// The deploy user's managed policy.
    DeployPolicy,
    /// KMS keys (of any account: a repository may use another account's key).
    KmsKeys,
    /// The SSM parameters Berth keeps secret environment values in (`/berth/*`).
    BerthParameters,
}

/// A condition that narrows a grant: `StringEquals { key: value }`, or `StringLike` when `value`
/// has a `*` (which stands for the region in a simulation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Condition {
    pub key: &'static str,
    pub value: &'static str,
}

impl Condition {
    /// The IAM condition operator.
    pub fn operator(&self) -> &'static str {
        if self.value.contains('*') {
            "StringLike"
        } else {
            "StringEquals"
        }
    }

    /// The value a request in `region` carries, as the policy simulator is told.
    pub fn value_in(&self, region: &str) -> String {
        self.value.replace('*', region)
    }
}

/// The IAM permission an action needs, and where it goes in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permission {
    pub group: PermissionGroup,
    /// The policy statement it belongs to; statements group actions of one scope and condition.
    pub sid: &'static str,
    pub scope: Scope,
    pub condition: Option<Condition>,
    /// Whether the least-privilege deploy user gets it. Setting up IAM is not for the deploy
    /// user; reading its own role and permissions is, so the IAM step still works for it.
    pub deployer: bool,
    /// Needed only when a repository is encrypted with KMS: listed only then.
    pub kms_only: bool,
}

/// One AWS action Berth performs (or needs the permission of).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Action {
    pub service: Service,
    /// The API operation, e.g. `CreateRole`.
    pub operation: &'static str,
    /// What the activity log calls it, when it is not the operation in lower camel case: one
    /// operation can serve several purposes (`UpdateService` scales, restarts or deploys a tag).
    purpose: Option<&'static str>,
    /// The `aws` CLI command, when it is not the operation in kebab case.
    cli: Option<&'static str>,
    pub effect: Effect,
    pub performer: Performer,
    /// `None` for the few actions no policy can deny (`sts:GetCallerIdentity`).
    pub permission: Option<Permission>,
}

impl Action {
    const fn new(service: Service, operation: &'static str, effect: Effect) -> Action {
        Action {
            service,
            operation,
            purpose: None,
            cli: None,
            effect,
            performer: Performer::Berth,
            permission: None,
        }
    }

    /// An action that only reads.
    pub const fn read(service: Service, operation: &'static str) -> Action {
        Action::new(service, operation, Effect::Read)
    }

    /// An action that creates, changes or deletes something.
    pub const fn change(service: Service, operation: &'static str) -> Action {
        Action::new(service, operation, Effect::Change)
    }

    /// Needs this permission, for the deploy user too.
    pub const fn allowed(
        mut self,
        group: PermissionGroup,
        sid: &'static str,
        scope: Scope,
    ) -> Action {
        self.permission = Some(Permission {
            group,
            sid,
            scope,
            condition: None,
            deployer: true,
            kms_only: false,
        });
        self
    }

    /// Needed only for a KMS-encrypted repository.
    pub const fn only_with_kms(mut self) -> Action {
        if let Some(p) = &mut self.permission {
            p.kms_only = true;
        }
        self
    }

    /// Only for setting up IAM: not in the deploy user's policy.
    pub const fn setup_only(mut self) -> Action {
        if let Some(p) = &mut self.permission {
            p.deployer = false;
        }
        self
    }

    /// Allowed only under `condition`.
    pub const fn when(mut self, condition: Condition) -> Action {
        if let Some(p) = &mut self.permission {
            p.condition = Some(condition);
        }
        self
    }

    pub const fn performed_by(mut self, performer: Performer) -> Action {
        self.performer = performer;
        self
    }

    /// Logged under this name (lower camel case) instead of the operation's.
    pub const fn purpose(mut self, purpose: &'static str) -> Action {
        self.purpose = Some(purpose);
        self
    }

    /// Shown as this `aws` CLI command instead of the operation's.
    pub const fn cli(mut self, command: &'static str) -> Action {
        self.cli = Some(command);
        self
    }

    /// The IAM action, e.g. `iam:CreateRole`.
    pub fn iam_name(&self) -> String {
        format!("{}:{}", self.service.prefix(), self.operation)
    }

    /// The activity log's key, which the UI translates, e.g. `iam.createRole`.
    pub fn key(&self) -> String {
        let name: Cow<str> = match self.purpose {
            Some(p) => p.into(),
            None => lower_camel(self.operation).into(),
        };
        format!("{}.{name}", self.service.prefix())
    }

    /// The `aws` CLI's command for the operation, e.g. `create-role`.
    pub fn cli_operation(&self) -> Cow<'static, str> {
        match self.cli {
            Some(c) => c.into(),
            None => kebab(self.operation).into(),
        }
    }
}

fn lower_camel(operation: &str) -> String {
    let mut chars = operation.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `DescribeVpcs` → `describe-vpcs`; a run of capitals stays one word (`GetIPAddress` would be
/// `get-ip-address`), as botocore names CLI commands.
fn kebab(operation: &str) -> String {
    let chars: Vec<char> = operation.chars().collect();
    let mut out = String::with_capacity(operation.len() + 4);
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev_lower = chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev_lower || (chars[i - 1].is_ascii_uppercase() && next_lower) {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_operation() {
        let a = Action::change(Service::Iam, "CreateRole");
        assert_eq!(a.iam_name(), "iam:CreateRole");
        assert_eq!(a.key(), "iam.createRole");
        assert_eq!(a.cli_operation(), "create-role");
        let scale = Action::change(Service::Ecs, "UpdateService").purpose("scaleService");
        assert_eq!(scale.key(), "ecs.scaleService");
        assert_eq!(scale.iam_name(), "ecs:UpdateService");
        assert_eq!(scale.cli_operation(), "update-service");
        let login = Action::read(Service::Ecr, "GetAuthorizationToken").cli("get-login-password");
        assert_eq!(login.cli_operation(), "get-login-password");
    }

    #[test]
    fn kebab_case_matches_the_aws_cli() {
        for (op, cli) in [
            ("DescribeVpcs", "describe-vpcs"),
            ("GetMetricData", "get-metric-data"),
            ("ListTagsForResource", "list-tags-for-resource"),
            (
                "AuthorizeSecurityGroupIngress",
                "authorize-security-group-ingress",
            ),
            ("SimulatePrincipalPolicy", "simulate-principal-policy"),
            ("GetIPAddress", "get-ip-address"),
        ] {
            assert_eq!(kebab(op), cli);
        }
    }
}
