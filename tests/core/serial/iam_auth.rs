//! The IAM step for identities without enough rights, against moto with its IAM authorization
//! switched on. Each test creates, with authorization still off, a user whose policy lacks
//! something, turns authorization on, and runs the step with that user's keys. (moto's 403s reach
//! the SDK without an error code; Berth still reads them as access denied.)
//!
//! Switching authorization on affects the whole moto server. The tests here take turns.

use crate::support;
use crate::support::iam as iam_support;
use crate::support::sdk;

use berth_core::activity::ActivityStatus;
use berth_core::aws::AwsClients;
use berth_core::settings::{AccountSettings, Settings};
use berth_core::wizard::iam::{self, DeployUserRequest, RoleProblem, RoleState};
use berth_core::ErrorKind;
use iam_support::{clients_with, default_account, REGION};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

static MOTO_AUTH: Mutex<()> = Mutex::const_new(());

/// Each test holds its turn from setup to its last assertion, so that no other test switches
/// authorization on while it reads moto's state with unauthenticated keys.
async fn my_turn() -> MutexGuard<'static, ()> {
    MOTO_AUTH.lock().await
}

/// Authorization on while it lives; off again when dropped, even if the test fails.
struct AuthOn;

impl AuthOn {
    fn start() -> AuthOn {
        support::set_moto_auth(0);
        AuthOn
    }
}

impl Drop for AuthOn {
    fn drop(&mut self) {
        support::set_moto_auth(u64::from(u32::MAX));
    }
}

/// With authorization off: a user of the default account allowed exactly `actions` (on any
/// resource: moto checks IAM calls against `*`), and clients signing with its new key.
async fn user_allowed(actions: &[&str]) -> (String, AwsClients) {
    let admin = default_account().await;
    let name = support::unique_name("berth-limited");
    sdk::iam(&admin)
        .create_user()
        .user_name(&name)
        .send()
        .await
        .unwrap();
    let policy = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":actions,"Resource":"*"}]});
    sdk::iam(&admin)
        .put_user_policy()
        .user_name(&name)
        .policy_name("limited")
        .policy_document(policy.to_string())
        .send()
        .await
        .unwrap();
    let key = sdk::new_access_key(&admin, &name).await;
    let clients = clients_with(&key.access_key_id, &key.secret_access_key, None).await;
    support::wait_until_usable(&clients).await;
    (name, clients)
}

async fn role_exists(name: &str) -> bool {
    sdk::iam(&default_account().await)
        .get_role()
        .role_name(name)
        .send()
        .await
        .is_ok()
}

fn statement_actions(err: &berth_core::BerthError) -> Vec<String> {
    let policy: Value = serde_json::from_str(err.param("statement").expect("a statement")).unwrap();
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().clone())
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

const READ_ROLE: &[&str] = &["iam:GetRole", "iam:ListAttachedRolePolicies"];

#[tokio::test]
async fn a_user_without_iam_create_role_sees_the_denied_action_and_the_statement_to_add() {
    let _turn = my_turn().await;
    let (_, limited) = user_allowed(READ_ROLE).await;
    let role = support::unique_name("exec-role");

    let auth = AuthOn::start();
    let result = iam::ensure_execution_role(&limited, &role, false).await;
    drop(auth);

    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    assert_eq!(err.param("action"), Some("iam:CreateRole"));
    assert_eq!(err.param("group"), Some("roleSetup"));
    let actions = statement_actions(&err);
    for needed in ["iam:CreateRole", "iam:AttachRolePolicy", "iam:GetRole"] {
        assert!(
            actions.iter().any(|a| a == needed),
            "{needed} not in {actions:?}"
        );
    }
    assert!(err.param("statement").unwrap().contains(&format!(
        "\"Resource\": \"arn:aws:iam::123456789012:role/{role}\""
    )));
    // Nothing was made, so there is nothing to clean up or report.
    assert_eq!(err.param("cleanup"), None);
    assert!(!role_exists(&role).await);
    let failed = limited
        .activity()
        .recent(usize::MAX)
        .into_iter()
        .find(|e| e.status == ActivityStatus::Failed)
        .expect("the denied call is in the log");
    assert_eq!(failed.action, "iam.createRole");
    assert_eq!(failed.error, Some(ErrorKind::AccessDenied));
}

#[tokio::test]
async fn a_role_whose_policy_cannot_be_attached_is_removed_again_and_the_user_is_told() {
    let _turn = my_turn().await;
    let (_, limited) =
        user_allowed(&[READ_ROLE, &["iam:CreateRole", "iam:DeleteRole"]].concat()).await;
    let role = support::unique_name("exec-role");

    let auth = AuthOn::start();
    let result = iam::ensure_execution_role(&limited, &role, false).await;
    drop(auth);

    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    assert_eq!(err.param("action"), Some("iam:AttachRolePolicy"));
    assert_eq!(err.param("cleanup"), Some("removed"));
    assert_eq!(err.param("role"), Some(role.as_str()));
    assert!(
        !role_exists(&role).await,
        "a half-made role was left behind"
    );
}

#[tokio::test]
async fn a_half_made_role_that_cannot_be_removed_is_reported_and_offered_for_fixing() {
    let _turn = my_turn().await;
    let (_, limited) = user_allowed(&[READ_ROLE, &["iam:CreateRole"]].concat()).await;
    let role = support::unique_name("exec-role");

    let auth = AuthOn::start();
    let result = iam::ensure_execution_role(&limited, &role, false).await;
    drop(auth);

    let err = result.unwrap_err();
    assert_eq!(err.param("action"), Some("iam:AttachRolePolicy"));
    assert_eq!(err.param("cleanup"), Some("leftBehind"));
    assert_eq!(err.param("role"), Some(role.as_str()));
    // The next look at the role shows what is missing and offers the fix.
    let status = iam::execution_role_status(&default_account().await, &role)
        .await
        .unwrap();
    assert_eq!(status.state, RoleState::NeedsFix);
    assert_eq!(status.problems, [RoleProblem::PolicyNotAttached]);
}

#[tokio::test]
async fn a_deploy_user_whose_key_cannot_be_made_is_removed_again_with_its_policy() {
    let _turn = my_turn().await;
    let (_, limited) = user_allowed(&[
        "iam:GetUser",
        "iam:CreateUser",
        "iam:DeleteUser",
        "iam:GetPolicy",
        "iam:CreatePolicy",
        "iam:DeletePolicy",
        "iam:ListAttachedUserPolicies",
        "iam:AttachUserPolicy",
        "iam:DetachUserPolicy",
    ])
    .await;
    let user = support::unique_name("deployer");
    let identity = support::unique_name("berth-deployer");
    let mut settings = Settings {
        account: AccountSettings {
            region: Some(REGION.into()),
            practice: iam_support::practice(),
            ..AccountSettings::default()
        },
        ..Settings::default()
    };
    let before = settings.clone();
    let store: Arc<dyn berth_core::credentials::SecretStore> =
        Arc::new(berth_core::credentials::Keychain::default());

    let auth = AuthOn::start();
    let result = iam::create_deploy_user(
        &limited,
        store,
        &mut settings,
        &DeployUserRequest {
            user_name: user.clone(),
            identity_name: identity.clone(),
            role_name: iam::DEFAULT_ROLE_NAME.into(),
        },
    )
    .await;
    drop(auth);

    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    assert_eq!(err.param("action"), Some("iam:CreateAccessKey"));
    assert_eq!(err.param("group"), Some("userSetup"));
    assert_eq!(err.param("cleanup"), Some("removed"));
    let admin = default_account().await;
    assert!(sdk::iam(&admin)
        .get_user()
        .user_name(&user)
        .send()
        .await
        .is_err());
    let policy_arn = format!("arn:aws:iam::123456789012:policy/{user}-policy");
    assert!(sdk::iam(&admin)
        .get_policy()
        .policy_arn(policy_arn)
        .send()
        .await
        .is_err());
    assert_eq!(settings, before, "nothing was switched or saved");
    let keychain = support::secret_tool(&["lookup", "service", "berth", "username", &identity]);
    assert!(!keychain.status.success());
}

#[tokio::test]
async fn temporary_credentials_iam_refuses_are_explained_as_such() {
    let _turn = my_turn().await;
    let (_, limited) = user_allowed(&[READ_ROLE, &["sts:GetSessionToken"]].concat()).await;

    let auth = AuthOn::start();
    let session = sdk::sts(&limited)
        .get_session_token()
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let temporary = clients_with(
        &session.access_key_id,
        &session.secret_access_key,
        Some(&session.session_token),
    )
    .await;
    let result = iam::execution_role_status(&temporary, iam::DEFAULT_ROLE_NAME).await;
    drop(auth);

    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::IamNeedsLongTermCredentials, "{err}");
    assert_eq!(err.param("action"), Some("iam:GetRole"));
    assert!(!err.to_string().contains(&session.secret_access_key));
}
