//! Wizard step 2, IAM: what the identity may do (a checklist simulated against IAM), the task
//! execution role Fargate needs to pull the image and write logs, and an optional least-privilege
//! deploy user whose keys go straight into the keychain.

mod checklist;
mod deploy_user;
mod infrastructure_role;
mod role;

pub use checklist::{
    check_permissions, decisions_from_simulation, ActionCheck, Decision, GroupCheck,
    PermissionReport, UnknownReason,
};
pub use deploy_user::{
    create_deploy_user, plan_deploy_user, DeployUserOutcome, DeployUserPlan, DeployUserRequest,
    DeployUserState, DEFAULT_DEPLOY_USER,
};
pub use infrastructure_role::{
    ensure_infrastructure_role, infrastructure_policy_arn, infrastructure_role_status,
    infrastructure_trust_policy, InfrastructureRoleChange, InfrastructureRoleStatus,
    INFRASTRUCTURE_ROLE_NAME,
};
pub use role::{
    ensure_execution_role, execution_policy_arn, execution_role_status, trust_allows,
    trust_allows_ecs_tasks, trust_policy, RoleChange, RoleProblem, RoleState, RoleStatus,
    DEFAULT_ROLE_NAME,
};

use crate::aws::AwsClients;
use crate::error::{BerthError, ErrorKind, Result};
use crate::permissions::{self, partition_of_arn, partition_of_region, Resources};
use crate::wizard::account::{self, PrincipalKind, VerifiedIdentity};

/// Longest IAM user or role name.
const MAX_IAM_NAME_LEN: usize = 64;

/// Checks a role or user name against IAM's rules (1–64 of letters, digits and `+=,.@_-`)
/// before anything is sent; errors name `field`.
pub fn validate_iam_name(field: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(BerthError::invalid(field, "required"));
    }
    if name.chars().count() > MAX_IAM_NAME_LEN {
        return Err(BerthError::invalid(field, "tooLong").with("max", MAX_IAM_NAME_LEN.to_string()));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(BerthError::invalid(field, "characters"));
    }
    Ok(())
}

/// Who is asking: the verified identity and the AWS partition it lives in.
#[derive(Debug, Clone)]
pub struct Caller {
    pub identity: VerifiedIdentity,
    pub partition: String,
}

/// Asks STS who the credentials belong to (and refuses root keys, like the Account step).
pub async fn caller(clients: &AwsClients) -> Result<Caller> {
    let identity = account::verify(clients, None).await?;
    let partition = partition_of_arn(&identity.arn)
        .unwrap_or_else(|| partition_of_region(clients.region()))
        .to_owned();
    Ok(Caller {
        identity,
        partition,
    })
}

impl Caller {
    /// The ARNs of the role and user names, in the caller's account (without the KMS grant
    /// permissions; see [`Resources::kms_encryption`]).
    pub fn resources(&self, region: &str, role_name: &str, user_name: &str) -> Resources {
        Resources {
            partition: self.partition.clone(),
            account: self.identity.account.clone(),
            region: region.to_owned(),
            role_name: role_name.to_owned(),
            user_name: user_name.to_owned(),
            kms_encryption: false,
        }
    }
}

/// Whether the wizard's repository is encrypted with KMS: then its creator (and whoever deletes
/// it) needs the KMS grant permissions. A repository that cannot be read counts as not.
pub async fn repository_uses_kms(clients: &AwsClients, repository: Option<&str>) -> bool {
    let Some(name) = repository.filter(|n| !n.is_empty()) else {
        return false;
    };
    matches!(
        crate::aws::ecr::describe_repository(clients, name).await,
        Ok(r) if r.encryption.is_kms()
    )
}

/// Whether the credentials in use carry a session token (temporary credentials).
pub async fn uses_session_token(clients: &AwsClients) -> bool {
    use aws_credential_types::provider::ProvideCredentials;
    let Some(provider) = clients.sdk_config().credentials_provider() else {
        return false;
    };
    match provider.provide_credentials().await {
        Ok(credentials) => credentials.session_token().is_some(),
        Err(_) => false,
    }
}

/// Whether these credentials are of the kind IAM refuses: temporary credentials of an IAM user
/// (sts:GetSessionToken without MFA) or of a federated user (sts:GetFederationToken). Assumed
/// roles (SSO included) also carry a session token but may call IAM.
pub async fn is_iam_refused_session(clients: &AwsClients, identity: &VerifiedIdentity) -> bool {
    // A browser sign-in carries the console session's rights, IAM included.
    !clients.is_browser_sign_in()
        && matches!(
            identity.principal,
            PrincipalKind::User | PrincipalKind::FederatedUser
        )
        && uses_session_token(clients).await
}

/// Turns an IAM failure into what the user must do about it:
/// - AccessDenied gets the policy an administrator must add (`statement`) and its checklist line;
/// - a rejected key on an IAM call made with a session token becomes
///   [`ErrorKind::IamNeedsLongTermCredentials`] (IAM refuses GetSessionToken credentials).
pub(crate) async fn explain(
    err: BerthError,
    clients: &AwsClients,
    role_name: &str,
    user_name: &str,
) -> BerthError {
    match err.kind {
        ErrorKind::AccessDenied => match caller(clients).await {
            Ok(who) => permissions::explain_denied(
                err,
                &who.resources(clients.region(), role_name, user_name),
            ),
            Err(_) => err,
        },
        ErrorKind::InvalidCredentials
            if err.param("action").is_some_and(|a| a.starts_with("iam:"))
                && uses_session_token(clients).await =>
        {
            BerthError {
                kind: ErrorKind::IamNeedsLongTermCredentials,
                ..err
            }
        }
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_names_follow_iams_rules() {
        assert!(validate_iam_name("roleName", "ecsTaskExecutionRole").is_ok());
        assert!(validate_iam_name("userName", "berth-deployer+ci=1,a.b@c_d").is_ok());
        let rule = |name: &str| {
            validate_iam_name("roleName", name)
                .unwrap_err()
                .param("rule")
                .unwrap()
                .to_owned()
        };
        assert_eq!(rule(""), "required");
        assert_eq!(rule(&"r".repeat(65)), "tooLong");
        assert_eq!(rule("my role"), "characters");
        assert_eq!(rule("role/path"), "characters");
        assert_eq!(rule("역할"), "characters");
    }
}
