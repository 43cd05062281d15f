//! Every AWS action Berth performs or needs the permission of, declared once, in the order the
//! permission checklist and the deploy user's policy list them. The service wrappers call AWS
//! only through these declarations (see `super::call`), so nothing Berth does can be missing from
//! the IAM step's checklist or the deploy user's policy.

use super::action::{Action, Condition, Performer, PermissionGroup as G, Scope as S, Service::*};

const PASSED_TO_ECS_TASKS: Condition = Condition {
    key: "iam:PassedToService",
    value: "ecs-tasks.amazonaws.com",
};

/// The infrastructure role is handed to ECS itself (Express Mode), not to its tasks.
const PASSED_TO_ECS: Condition = Condition {
    key: "iam:PassedToService",
    value: "ecs.amazonaws.com",
};

const ECS_SERVICE: Condition = Condition {
    key: "iam:AWSServiceName",
    value: "ecs.amazonaws.com",
};

/// Application Auto Scaling's role for ECS services (docs/aws-facts.md#autoscaling).
const ECS_AUTOSCALING_SERVICE: Condition = Condition {
    key: "iam:AWSServiceName",
    value: "ecs.application-autoscaling.amazonaws.com",
};

/// ECR makes KMS calls on the caller's behalf only through itself; `*` is the region.
const VIA_ECR: Condition = Condition {
    key: "kms:ViaService",
    value: "ecr.*.amazonaws.com",
};

const ENGINE: Performer = Performer::DockerEngine;
const IMPLIED: Performer = Performer::Implied;

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $module:ident { $( $(#[$adoc:meta])* $name:ident = $value:expr; )* } )*) => {
        $(
            $(#[$doc])*
            pub mod $module {
                use super::*;
                $( $(#[$adoc])* pub const $name: Action = $value; )*
            }
        )*
        /// Every declared action, in declaration order.
        pub const ALL: &[Action] = &[ $( $( $module::$name, )* )* ];
    };
}

catalogue! {
    /// Repository step, Image step (push) and the Repositories view.
    ecr {
        GET_AUTHORIZATION_TOKEN = Action::read(Ecr, "GetAuthorizationToken")
            .cli("get-login-password")
            .allowed(G::Ecr, "EcrLogin", S::Any);
        CREATE_REPOSITORY = Action::change(Ecr, "CreateRepository")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        DESCRIBE_REPOSITORIES = Action::read(Ecr, "DescribeRepositories")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        DELETE_REPOSITORY = Action::change(Ecr, "DeleteRepository")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        /// Creating a repository with tags.
        TAG_RESOURCE = Action::change(Ecr, "TagResource")
            .performed_by(IMPLIED)
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        LIST_TAGS_FOR_RESOURCE = Action::read(Ecr, "ListTagsForResource")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        PUT_LIFECYCLE_POLICY = Action::change(Ecr, "PutLifecyclePolicy")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        GET_LIFECYCLE_POLICY = Action::read(Ecr, "GetLifecyclePolicy")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        DESCRIBE_IMAGES = Action::read(Ecr, "DescribeImages")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        BATCH_DELETE_IMAGE = Action::change(Ecr, "BatchDeleteImage")
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        // A push, as the Docker engine performs it with Berth's ECR token.
        BATCH_CHECK_LAYER_AVAILABILITY = Action::read(Ecr, "BatchCheckLayerAvailability")
            .performed_by(ENGINE)
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        INITIATE_LAYER_UPLOAD = Action::change(Ecr, "InitiateLayerUpload")
            .performed_by(ENGINE)
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        UPLOAD_LAYER_PART = Action::change(Ecr, "UploadLayerPart")
            .performed_by(ENGINE)
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        COMPLETE_LAYER_UPLOAD = Action::change(Ecr, "CompleteLayerUpload")
            .performed_by(ENGINE)
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        PUT_IMAGE = Action::change(Ecr, "PutImage")
            .performed_by(ENGINE)
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
        BATCH_GET_IMAGE = Action::read(Ecr, "BatchGetImage")
            .performed_by(ENGINE)
            .allowed(G::Ecr, "EcrRepositories", S::EcrRepositories);
    }

    /// A repository encrypted with KMS: on CreateRepository ECR calls DescribeKey and creates two
    /// grants on the key on the caller's behalf, and DeleteRepository retires them
    /// (docs/aws-facts.md#kms-encrypted-repositories). Nobody sends these: ECR does, as the caller.
    kms {
        DESCRIBE_KEY = Action::read(Kms, "DescribeKey")
            .performed_by(IMPLIED)
            .allowed(G::KmsEncryption, "EcrKmsEncryption", S::KmsKeys)
            .when(VIA_ECR)
            .only_with_kms();
        CREATE_GRANT = Action::change(Kms, "CreateGrant")
            .performed_by(IMPLIED)
            .allowed(G::KmsEncryption, "EcrKmsEncryption", S::KmsKeys)
            .when(VIA_ECR)
            .only_with_kms();
        RETIRE_GRANT = Action::change(Kms, "RetireGrant")
            .performed_by(IMPLIED)
            .allowed(G::KmsEncryption, "EcrKmsEncryption", S::KmsKeys)
            .when(VIA_ECR)
            .only_with_kms();
    }

    /// Launch step and the Deployments view. Most ECS actions cannot be narrowed to resources
    /// Berth can name before they exist (RegisterTaskDefinition, ListClusters take none at all).
    ecs {
        CREATE_CLUSTER = Action::change(Ecs, "CreateCluster").allowed(G::Ecs, "Ecs", S::Any);
        DESCRIBE_CLUSTERS = Action::read(Ecs, "DescribeClusters").allowed(G::Ecs, "Ecs", S::Any);
        LIST_CLUSTERS = Action::read(Ecs, "ListClusters").allowed(G::Ecs, "Ecs", S::Any);
        DELETE_CLUSTER = Action::change(Ecs, "DeleteCluster").allowed(G::Ecs, "Ecs", S::Any);
        REGISTER_TASK_DEFINITION = Action::change(Ecs, "RegisterTaskDefinition")
            .allowed(G::Ecs, "Ecs", S::Any);
        DESCRIBE_TASK_DEFINITION = Action::read(Ecs, "DescribeTaskDefinition")
            .allowed(G::Ecs, "Ecs", S::Any);
        LIST_TASK_DEFINITIONS = Action::read(Ecs, "ListTaskDefinitions")
            .allowed(G::Ecs, "Ecs", S::Any);
        DEREGISTER_TASK_DEFINITION = Action::change(Ecs, "DeregisterTaskDefinition")
            .allowed(G::Ecs, "Ecs", S::Any);
        DELETE_TASK_DEFINITIONS = Action::change(Ecs, "DeleteTaskDefinitions")
            .allowed(G::Ecs, "Ecs", S::Any);
        CREATE_SERVICE = Action::change(Ecs, "CreateService").allowed(G::Ecs, "Ecs", S::Any);
        UPDATE_SERVICE = Action::change(Ecs, "UpdateService").allowed(G::Ecs, "Ecs", S::Any);
        /// UpdateService that only changes the desired count.
        SCALE_SERVICE = Action::change(Ecs, "UpdateService")
            .purpose("scaleService")
            .allowed(G::Ecs, "Ecs", S::Any);
        /// UpdateService that replaces every task with a new one of the same definition.
        FORCE_NEW_DEPLOYMENT = Action::change(Ecs, "UpdateService")
            .purpose("forceNewDeployment")
            .allowed(G::Ecs, "Ecs", S::Any);
        /// UpdateService to a new revision that runs another tag of the image.
        DEPLOY_IMAGE_TAG = Action::change(Ecs, "UpdateService")
            .purpose("deployImageTag")
            .allowed(G::Ecs, "Ecs", S::Any);
        /// UpdateService back to an earlier ACTIVE revision of the service's family.
        ROLL_BACK = Action::change(Ecs, "UpdateService")
            .purpose("rollBack")
            .allowed(G::Ecs, "Ecs", S::Any);
        DESCRIBE_SERVICES = Action::read(Ecs, "DescribeServices").allowed(G::Ecs, "Ecs", S::Any);
        LIST_SERVICES = Action::read(Ecs, "ListServices").allowed(G::Ecs, "Ecs", S::Any);
        DELETE_SERVICE = Action::change(Ecs, "DeleteService").allowed(G::Ecs, "Ecs", S::Any);
        RUN_TASK = Action::change(Ecs, "RunTask").allowed(G::Ecs, "Ecs", S::Any);
        STOP_TASK = Action::change(Ecs, "StopTask").allowed(G::Ecs, "Ecs", S::Any);
        DESCRIBE_TASKS = Action::read(Ecs, "DescribeTasks").allowed(G::Ecs, "Ecs", S::Any);
        LIST_TASKS = Action::read(Ecs, "ListTasks").allowed(G::Ecs, "Ecs", S::Any);
        /// Creating clusters, services and task definitions with tags.
        TAG_RESOURCE = Action::change(Ecs, "TagResource")
            .performed_by(IMPLIED)
            .allowed(G::Ecs, "Ecs", S::Any);
    }

    /// ECS's service-linked role, which an account needs before its first cluster or service.
    /// AWS usually makes it on first use, but a brand-new account can fail its first
    /// CreateCluster or CreateService with "Unable to assume the service linked role": Berth
    /// makes it itself (docs/aws-facts.md#service-linked-role).
    ecs_setup {
        CREATE_SERVICE_LINKED_ROLE = Action::change(Iam, "CreateServiceLinkedRole")
            .allowed(G::Ecs, "EcsServiceLinkedRole", S::EcsServiceLinkedRole)
            .when(ECS_SERVICE);
    }

    /// Launch step (a service that scales itself) and the Deployments view: the service's desired
    /// count registered as a scalable target with a target-tracking policy on its average CPU.
    /// Deregistering the target deletes its policies (docs/aws-facts.md#autoscaling).
    autoscaling {
        REGISTER_SCALABLE_TARGET = Action::change(ApplicationAutoScaling, "RegisterScalableTarget")
            .allowed(G::Ecs, "EcsAutoScaling", S::Any);
        DESCRIBE_SCALABLE_TARGETS = Action::read(ApplicationAutoScaling, "DescribeScalableTargets")
            .allowed(G::Ecs, "EcsAutoScaling", S::Any);
        PUT_SCALING_POLICY = Action::change(ApplicationAutoScaling, "PutScalingPolicy")
            .allowed(G::Ecs, "EcsAutoScaling", S::Any);
        DESCRIBE_SCALING_POLICIES = Action::read(ApplicationAutoScaling, "DescribeScalingPolicies")
            .allowed(G::Ecs, "EcsAutoScaling", S::Any);
        DEREGISTER_SCALABLE_TARGET = Action::change(ApplicationAutoScaling, "DeregisterScalableTarget")
            .allowed(G::Ecs, "EcsAutoScaling", S::Any);
        /// The first RegisterScalableTarget of an ECS service in an account makes Application
        /// Auto Scaling's service-linked role for ECS: "If this role doesn't exist, you must have
        /// permissions to create it or a permission error occurs" (docs/aws-facts.md#autoscaling).
        CREATE_SERVICE_LINKED_ROLE = Action::change(Iam, "CreateServiceLinkedRole")
            .purpose("createAutoScalingServiceLinkedRole")
            .performed_by(IMPLIED)
            .allowed(G::Ecs, "EcsAutoScalingServiceLinkedRole", S::EcsAutoScalingServiceLinkedRole)
            .when(ECS_AUTOSCALING_SERVICE);
    }

    /// Launch step: the default VPC, its public subnets, a security group for the port, and the
    /// task's public IP.
    ec2 {
        DESCRIBE_VPCS = Action::read(Ec2, "DescribeVpcs").allowed(G::Network, "Network", S::Any);
        DESCRIBE_SUBNETS = Action::read(Ec2, "DescribeSubnets")
            .allowed(G::Network, "Network", S::Any);
        DESCRIBE_ROUTE_TABLES = Action::read(Ec2, "DescribeRouteTables")
            .allowed(G::Network, "Network", S::Any);
        DESCRIBE_SECURITY_GROUPS = Action::read(Ec2, "DescribeSecurityGroups")
            .allowed(G::Network, "Network", S::Any);
        CREATE_SECURITY_GROUP = Action::change(Ec2, "CreateSecurityGroup")
            .allowed(G::Network, "Network", S::Any);
        AUTHORIZE_SECURITY_GROUP_INGRESS = Action::change(Ec2, "AuthorizeSecurityGroupIngress")
            .allowed(G::Network, "Network", S::Any);
        REVOKE_SECURITY_GROUP_INGRESS = Action::change(Ec2, "RevokeSecurityGroupIngress")
            .allowed(G::Network, "Network", S::Any);
        DELETE_SECURITY_GROUP = Action::change(Ec2, "DeleteSecurityGroup")
            .allowed(G::Network, "Network", S::Any);
        /// Creating a security group with tags.
        CREATE_TAGS = Action::change(Ec2, "CreateTags")
            .performed_by(IMPLIED)
            .allowed(G::Network, "Network", S::Any);
        DESCRIBE_NETWORK_INTERFACES = Action::read(Ec2, "DescribeNetworkInterfaces")
            .allowed(G::Network, "Network", S::Any);
    }

    /// Launch step (the log group exists before the task starts) and the Deployments view's logs.
    logs {
        CREATE_LOG_GROUP = Action::change(Logs, "CreateLogGroup")
            .allowed(G::Logs, "Logs", S::LogGroups);
        PUT_RETENTION_POLICY = Action::change(Logs, "PutRetentionPolicy")
            .allowed(G::Logs, "Logs", S::LogGroups);
        DESCRIBE_LOG_GROUPS = Action::read(Logs, "DescribeLogGroups")
            .allowed(G::Logs, "Logs", S::LogGroups);
        GET_LOG_EVENTS = Action::read(Logs, "GetLogEvents").allowed(G::Logs, "Logs", S::LogGroups);
        FILTER_LOG_EVENTS = Action::read(Logs, "FilterLogEvents")
            .allowed(G::Logs, "Logs", S::LogGroups);
        LIST_TAGS_FOR_RESOURCE = Action::read(Logs, "ListTagsForResource")
            .allowed(G::Logs, "Logs", S::LogGroups);
        /// Creating a log group with tags.
        TAG_RESOURCE = Action::change(Logs, "TagResource")
            .performed_by(IMPLIED)
            .allowed(G::Logs, "Logs", S::LogGroups);
        DELETE_LOG_GROUP = Action::change(Logs, "DeleteLogGroup")
            .allowed(G::Logs, "Logs", S::LogGroups);
    }

    /// Deployments view: CPU and memory charts.
    cloudwatch {
        GET_METRIC_DATA = Action::read(CloudWatch, "GetMetricData")
            .allowed(G::Metrics, "Metrics", S::Any);
    }

    /// Launch step, Deployments and teardown: environment values marked secret are kept as
    /// SecureString parameters `/berth/<app>/<NAME>` (encrypted with the account's default
    /// `aws/ssm` key, so no KMS permission is needed), never in the task definition.
    ssm {
        /// Sent with the value; its activity entry and CLI equivalent show a placeholder.
        PUT_PARAMETER = Action::change(Ssm, "PutParameter")
            .allowed(G::Secrets, "SecretParameters", S::BerthParameters);
        LIST_TAGS_FOR_RESOURCE = Action::read(Ssm, "ListTagsForResource")
            .allowed(G::Secrets, "SecretParameters", S::BerthParameters);
        /// Creating a parameter with tags.
        ADD_TAGS_TO_RESOURCE = Action::change(Ssm, "AddTagsToResource")
            .performed_by(IMPLIED)
            .allowed(G::Secrets, "SecretParameters", S::BerthParameters);
        DELETE_PARAMETERS = Action::change(Ssm, "DeleteParameters")
            .allowed(G::Secrets, "SecretParameters", S::BerthParameters);
        /// Metadata only (never a value): which of an app's parameters exist.
        DESCRIBE_PARAMETERS = Action::read(Ssm, "DescribeParameters")
            .allowed(G::Secrets, "ListParameters", S::Any);
    }

    /// The execution role's inline policy `berth-secrets-<app>`, which allows exactly
    /// `ssm:GetParameters` on the app's parameters (ECS reads them with the execution role when a
    /// task starts).
    secrets_policy {
        PUT_ROLE_POLICY = Action::change(Iam, "PutRolePolicy")
            .allowed(G::Secrets, "SecretsPolicy", S::ExecutionRole);
        GET_ROLE_POLICY = Action::read(Iam, "GetRolePolicy")
            .allowed(G::Secrets, "SecretsPolicy", S::ExecutionRole);
        DELETE_ROLE_POLICY = Action::change(Iam, "DeleteRolePolicy")
            .allowed(G::Secrets, "SecretsPolicy", S::ExecutionRole);
    }

    /// Live prices for the cost estimate (`crate::pricing::live`): optional, the bundled price
    /// list is used without it. The Price List API takes no resource (`*`).
    pricing {
        GET_PRODUCTS = Action::read(Pricing, "GetProducts").allowed(G::Prices, "Prices", S::Any);
    }

    /// Account step.
    sts {
        /// Allowed for every identity; no policy can deny it.
        GET_CALLER_IDENTITY = Action::read(Sts, "GetCallerIdentity");
    }

    /// IAM step: the execution role, handed to ECS by the Launch step, and the deploy user.
    iam {
        /// A task definition names the execution role, which ECS may use only when the caller may
        /// pass it, and only to ECS tasks.
        PASS_ROLE = Action::change(Iam, "PassRole")
            .performed_by(IMPLIED)
            .allowed(G::PassRole, "PassExecutionRole", S::ExecutionRole)
            .when(PASSED_TO_ECS_TASKS);
        GET_ROLE = Action::read(Iam, "GetRole")
            .allowed(G::RoleSetup, "ReadExecutionRole", S::ExecutionRole);
        LIST_ATTACHED_ROLE_POLICIES = Action::read(Iam, "ListAttachedRolePolicies")
            .allowed(G::RoleSetup, "ReadExecutionRole", S::ExecutionRole);
        CREATE_ROLE = Action::change(Iam, "CreateRole")
            .allowed(G::RoleSetup, "SetUpExecutionRole", S::ExecutionRole)
            .setup_only();
        /// Creating the role with tags.
        TAG_ROLE = Action::change(Iam, "TagRole")
            .performed_by(IMPLIED)
            .allowed(G::RoleSetup, "SetUpExecutionRole", S::ExecutionRole)
            .setup_only();
        UPDATE_ASSUME_ROLE_POLICY = Action::change(Iam, "UpdateAssumeRolePolicy")
            .allowed(G::RoleSetup, "SetUpExecutionRole", S::ExecutionRole)
            .setup_only();
        ATTACH_ROLE_POLICY = Action::change(Iam, "AttachRolePolicy")
            .allowed(G::RoleSetup, "SetUpExecutionRole", S::ExecutionRole)
            .setup_only();
        /// Teardown's opt-in removal of the role: IAM refuses DeleteRole while policies are attached.
        DETACH_ROLE_POLICY = Action::change(Iam, "DetachRolePolicy")
            .allowed(G::RoleSetup, "SetUpExecutionRole", S::ExecutionRole)
            .setup_only();
        /// Removes a role Berth created moments before when attaching its policy failed, or the
        /// role at teardown when asked to.
        DELETE_ROLE = Action::change(Iam, "DeleteRole")
            .allowed(G::RoleSetup, "SetUpExecutionRole", S::ExecutionRole)
            .setup_only();
        /// The deploy user reads itself and simulates its own permissions…
        GET_USER = Action::read(Iam, "GetUser")
            .allowed(G::UserSetup, "ReadDeployUser", S::DeployUser);
        SIMULATE_PRINCIPAL_POLICY = Action::read(Iam, "SimulatePrincipalPolicy")
            .allowed(G::UserSetup, "ReadDeployUser", S::DeployUser);
        /// …and only an administrator-like identity creates it (deletes undo a half-made setup).
        CREATE_USER = Action::change(Iam, "CreateUser")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        TAG_USER = Action::change(Iam, "TagUser")
            .performed_by(IMPLIED)
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        ATTACH_USER_POLICY = Action::change(Iam, "AttachUserPolicy")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        LIST_ATTACHED_USER_POLICIES = Action::read(Iam, "ListAttachedUserPolicies")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        DETACH_USER_POLICY = Action::change(Iam, "DetachUserPolicy")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        LIST_ACCESS_KEYS = Action::read(Iam, "ListAccessKeys")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        CREATE_ACCESS_KEY = Action::change(Iam, "CreateAccessKey")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        DELETE_ACCESS_KEY = Action::change(Iam, "DeleteAccessKey")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        DELETE_USER = Action::change(Iam, "DeleteUser")
            .allowed(G::UserSetup, "SetUpDeployUser", S::DeployUser)
            .setup_only();
        CREATE_POLICY = Action::change(Iam, "CreatePolicy")
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
        TAG_POLICY = Action::change(Iam, "TagPolicy")
            .performed_by(IMPLIED)
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
        GET_POLICY = Action::read(Iam, "GetPolicy")
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
        GET_POLICY_VERSION = Action::read(Iam, "GetPolicyVersion")
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
        LIST_POLICY_VERSIONS = Action::read(Iam, "ListPolicyVersions")
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
        CREATE_POLICY_VERSION = Action::change(Iam, "CreatePolicyVersion")
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
        DELETE_POLICY_VERSION = Action::change(Iam, "DeletePolicyVersion")
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
        DELETE_POLICY = Action::change(Iam, "DeletePolicy")
            .allowed(G::UserSetup, "SetUpDeployPolicy", S::DeployPolicy)
            .setup_only();
    }

    /// Launch step (a stable HTTPS address), Deployments and teardown: ECS Express Mode services
    /// (docs/aws-facts.md#express-mode). Optional: a service without it gets a public IP.
    express {
        CREATE_EXPRESS_GATEWAY_SERVICE = Action::change(Ecs, "CreateExpressGatewayService")
            .allowed(G::Express, "EcsExpress", S::Any);
        DESCRIBE_EXPRESS_GATEWAY_SERVICE = Action::read(Ecs, "DescribeExpressGatewayService")
            .allowed(G::Express, "EcsExpress", S::Any);
        UPDATE_EXPRESS_GATEWAY_SERVICE = Action::change(Ecs, "UpdateExpressGatewayService")
            .allowed(G::Express, "EcsExpress", S::Any);
        DELETE_EXPRESS_GATEWAY_SERVICE = Action::change(Ecs, "DeleteExpressGatewayService")
            .allowed(G::Express, "EcsExpress", S::Any);
        /// CreateExpressGatewayService names the infrastructure role, which ECS may use only when
        /// the caller may pass it to ECS.
        PASS_INFRASTRUCTURE_ROLE = Action::change(Iam, "PassRole")
            .purpose("passInfrastructureRole")
            .performed_by(IMPLIED)
            .allowed(G::Express, "PassInfrastructureRole", S::InfrastructureRole)
            .when(PASSED_TO_ECS);
        GET_INFRASTRUCTURE_ROLE = Action::read(Iam, "GetRole")
            .purpose("getInfrastructureRole")
            .allowed(G::Express, "ReadInfrastructureRole", S::InfrastructureRole);
        LIST_INFRASTRUCTURE_ROLE_POLICIES = Action::read(Iam, "ListAttachedRolePolicies")
            .purpose("listInfrastructureRolePolicies")
            .allowed(G::Express, "ReadInfrastructureRole", S::InfrastructureRole);
        CREATE_INFRASTRUCTURE_ROLE = Action::change(Iam, "CreateRole")
            .purpose("createInfrastructureRole")
            .allowed(G::Express, "SetUpInfrastructureRole", S::InfrastructureRole)
            .setup_only();
        /// Creating the role with tags.
        TAG_INFRASTRUCTURE_ROLE = Action::change(Iam, "TagRole")
            .purpose("tagInfrastructureRole")
            .performed_by(IMPLIED)
            .allowed(G::Express, "SetUpInfrastructureRole", S::InfrastructureRole)
            .setup_only();
        ATTACH_INFRASTRUCTURE_ROLE_POLICY = Action::change(Iam, "AttachRolePolicy")
            .purpose("attachInfrastructureRolePolicy")
            .allowed(G::Express, "SetUpInfrastructureRole", S::InfrastructureRole)
            .setup_only();
    }
}

/// The declared action with this IAM name (any of its purposes), e.g. `ecs:UpdateService`.
pub fn by_iam_name(name: &str) -> Option<&'static Action> {
    ALL.iter().find(|a| a.iam_name().eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    #[test]
    fn every_action_is_declared_once_under_one_activity_key() {
        let mut keys = HashSet::new();
        for a in ALL {
            assert!(keys.insert(a.key()), "{} declared twice", a.key());
        }
    }

    /// One IAM action in one policy statement is one permission, whatever purposes share it.
    /// (The same action may be granted in two statements on two resources: `iam:CreateRole` on
    /// the execution role and on the infrastructure role.)
    #[test]
    fn actions_of_one_iam_name_and_statement_need_the_same_permission() {
        let mut by_name = BTreeMap::new();
        for a in ALL {
            let sid = a.permission.map(|p| p.sid);
            let first = *by_name.entry((a.iam_name(), sid)).or_insert(a.permission);
            assert_eq!(first, a.permission, "{}", a.key());
        }
    }

    /// Only GetCallerIdentity needs no permission: anything else without one would pass the
    /// checklist and the deploy user's policy, then fail with AccessDenied mid-launch.
    #[test]
    fn every_action_but_get_caller_identity_has_a_permission() {
        for a in ALL {
            if *a != sts::GET_CALLER_IDENTITY {
                assert!(a.permission.is_some(), "{} has no permission", a.key());
            }
        }
    }

    /// The strict test backend's per-operation table (docs/aws-emulator.md) lists what Berth
    /// sends; it reads the list from this file, written here from the catalogue, so it cannot
    /// drift. `BERTH_UPDATE_BINDINGS=1 cargo test` rewrites it.
    #[test]
    fn the_test_backends_operation_list_is_written_from_the_catalogue() {
        let mut by_service: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for a in ALL.iter().filter(|a| a.performer == Performer::Berth) {
            let names = by_service.entry(a.service.prefix()).or_default();
            if !names.contains(&a.operation) {
                names.push(a.operation);
            }
        }
        let written = serde_json::to_string_pretty(&by_service).unwrap() + "\n";
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../practice/berth_moto/berth_operations.json"
        );
        if std::env::var_os("BERTH_UPDATE_BINDINGS").is_some() {
            std::fs::write(path, &written).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == written,
            "{path} is out of date: run BERTH_UPDATE_BINDINGS=1 cargo test -p berth-core --lib catalogue"
        );
    }

    /// The activity log shows each action Berth sends by its label in the chosen language.
    #[test]
    fn every_action_berth_sends_has_an_activity_label_in_both_languages() {
        for (language, text) in [
            ("en", include_str!("../../../../ui/src/lib/i18n/en.json")),
            ("ko", include_str!("../../../../ui/src/lib/i18n/ko.json")),
        ] {
            let catalog: serde_json::Value = serde_json::from_str(text).unwrap();
            for a in ALL.iter().filter(|a| a.performer == Performer::Berth) {
                let path = format!("/activity/actions/{}", a.key().replace('.', "/"));
                assert!(
                    catalog.pointer(&path).and_then(|v| v.as_str()).is_some(),
                    "{language}.json has no label at {path}"
                );
            }
        }
    }
}
