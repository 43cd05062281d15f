//! The least-privilege deploy user against moto and the real Secret Service: created with its
//! policy and tag, its key in the keychain (checked with `secret-tool`) and nowhere on disk or
//! in what the UI receives, and switched to, verified through STS.

use crate::support;
use crate::support::iam as iam_support;
use crate::support::sdk;
use crate::support::status as status_support;
use secrecy::ExposeSecret;

use berth_core::activity::ActivityLog;
use berth_core::aws::autoscaling;
use berth_core::aws::AwsClients;
use berth_core::credentials::{AccessKeys, Keychain, SecretStore, KEYCHAIN_SERVICE};
use berth_core::permissions::{deploy_user_policy, Resources};
use berth_core::settings::{AccountSettings, IdentitySource, Settings, SettingsFile};
use berth_core::wizard::account::{self, NewIdentity, PrincipalKind};
use berth_core::wizard::iam::{
    self, DeployUserRequest, DeployUserState, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME,
};
use berth_core::ErrorKind;
use iam_support::{isolated_account, policy_json, REGION};
use std::path::Path;
use std::sync::Arc;

fn store() -> Arc<dyn SecretStore> {
    Arc::new(Keychain::default())
}

/// Settings as the app has them in practice mode: region and emulator chosen, an identity of
/// some other kind in use.
fn practice_settings() -> Settings {
    Settings {
        account: AccountSettings {
            source: Some(IdentitySource::Profile {
                name: "admin".into(),
            }),
            region: Some(REGION.into()),
            practice: iam_support::practice(),
        },
        ..Settings::default()
    }
}

fn request(identity_name: &str) -> DeployUserRequest {
    DeployUserRequest {
        user_name: DEFAULT_DEPLOY_USER.into(),
        identity_name: identity_name.into(),
        role_name: DEFAULT_ROLE_NAME.into(),
    }
}

fn keychain_item(name: &str) -> Option<AccessKeys> {
    let found = support::secret_tool(&["lookup", "service", KEYCHAIN_SERVICE, "username", name]);
    found
        .status
        .success()
        .then(|| serde_json::from_slice(&found.stdout).unwrap())
}

async fn user_keys_in_iam(clients: &AwsClients, user: &str) -> Vec<String> {
    sdk::iam(clients)
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .access_key_metadata
        .into_iter()
        .filter_map(|k| k.access_key_id)
        .collect()
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[tokio::test]
async fn the_deploy_user_gets_its_policy_and_tag_its_key_lives_only_in_the_keychain_and_it_is_switched_to(
) {
    let (admin, account) = isolated_account().await;
    let identity = support::unique_name("berth-deployer");
    let app_dir = tempfile::tempdir().unwrap();
    // The app's activity log, kept in its data folder.
    let admin = admin.with_activity(ActivityLog::open(app_dir.path()));
    let mut settings = practice_settings();

    // The policy is shown before anything is created.
    let plan = iam::plan_deploy_user(&admin, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME, None)
        .await
        .unwrap();
    assert_eq!(plan.state, DeployUserState::Missing);
    assert!(plan.policy.contains("\"iam:PassRole\""));
    assert!(!plan.policy.contains("iam:CreateUser"));
    assert!(plan.commands[0].starts_with(
        "aws iam create-user --user-name berth-deployer --tags Key=berth:managed,Value=true"
    ));
    // The long policy is named as the file of the JSON shown above it, as the AWS docs do.
    assert!(plan.commands[1].starts_with(
        "aws iam create-policy --policy-name berth-deployer-policy --policy-document file://berth-deployer-policy.json --tags Key=berth:managed,Value=true"
    ));
    assert!(plan.commands[3].starts_with("aws iam create-access-key --user-name berth-deployer"));

    let outcome = iam::create_deploy_user(&admin, store(), &mut settings, &request(&identity))
        .await
        .unwrap();

    // IAM has the user, tagged, with exactly the shown policy attached.
    let user_arn = format!("arn:aws:iam::{account}:user/berth-deployer");
    let user = sdk::iam(&admin)
        .get_user()
        .user_name(DEFAULT_DEPLOY_USER)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.arn, user_arn);
    assert!(user
        .tags()
        .iter()
        .any(|t| t.key() == "berth:managed" && t.value() == "true"));
    let attached: Vec<String> = sdk::iam(&admin)
        .list_attached_user_policies()
        .user_name(DEFAULT_DEPLOY_USER)
        .send()
        .await
        .unwrap()
        .attached_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_arn)
        .collect();
    let policy_arn = format!("arn:aws:iam::{account}:policy/berth-deployer-policy");
    assert_eq!(attached, std::slice::from_ref(&policy_arn));
    let policy = sdk::iam(&admin)
        .get_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert!(policy
        .tags()
        .iter()
        .any(|t| t.key() == "berth:managed" && t.value() == "true"));
    let document = sdk::iam(&admin)
        .get_policy_version()
        .policy_arn(&policy_arn)
        .version_id(policy.default_version_id().unwrap())
        .send()
        .await
        .unwrap()
        .policy_version
        .unwrap()
        .document
        .unwrap();
    let res = Resources {
        partition: "aws".into(),
        account: account.clone(),
        region: REGION.into(),
        role_name: DEFAULT_ROLE_NAME.into(),
        user_name: DEFAULT_DEPLOY_USER.into(),
        kms_encryption: false,
    };
    assert_eq!(
        policy_json(&document),
        serde_json::to_value(deploy_user_policy(&res)).unwrap()
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&plan.policy).unwrap(),
        policy_json(&document),
        "what was shown is what was created"
    );

    // Its one key is in the Secret Service (read with libsecret's own tool)...
    let stored = keychain_item(&identity).expect("the key is in the Secret Service");
    assert_eq!(
        user_keys_in_iam(&admin, DEFAULT_DEPLOY_USER).await,
        std::slice::from_ref(&stored.access_key_id)
    );
    assert!(!stored.secret_access_key.expose_secret().is_empty());
    assert!(stored.session_token.is_none());

    // ...and is the identity in use, verified through STS as the deploy user.
    assert_eq!(
        settings.account.source,
        Some(IdentitySource::Keychain {
            name: identity.clone()
        })
    );
    assert_eq!(outcome.verified.arn, user_arn);
    assert_eq!(outcome.verified.principal, PrincipalKind::User);
    assert!(outcome.key_created);
    assert_eq!(
        outcome.identity.masked_key_id,
        berth_core::credentials::mask_key_id(&stored.access_key_id)
    );
    let as_deployer = account::clients_for(&settings.account, store())
        .await
        .unwrap()
        .with_activity(admin.activity().clone());
    let who = account::verify(&as_deployer, settings.account.source.as_ref())
        .await
        .unwrap();
    assert_eq!(who.arn, user_arn);

    // The secret is in no file the app writes, and not in what the UI receives.
    SettingsFile::in_dir(app_dir.path())
        .save(&settings)
        .unwrap();
    let files = files_under(app_dir.path());
    assert!(files.iter().any(|f| f.ends_with("activity.jsonl")));
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !text.contains(stored.secret_access_key.expose_secret()),
            "secret in {}",
            file.display()
        );
    }
    let ipc = serde_json::to_string(&outcome).unwrap();
    assert!(!ipc.contains(stored.secret_access_key.expose_secret()));
    assert!(
        !ipc.contains(&stored.access_key_id),
        "full key id sent to the UI"
    );

    // Signed in as the deploy user, the step says so instead of offering to create it again.
    let plan = iam::plan_deploy_user(&as_deployer, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME, None)
        .await
        .unwrap();
    assert_eq!(plan.state, DeployUserState::InUse);

    Keychain::default().delete(&identity).unwrap();
}

/// In an account where no service ever scaled itself, the deploy user's first scaling launch makes
/// Application Auto Scaling's service-linked role, which needs iam:CreateServiceLinkedRole for
/// that role: the strict backend refuses the registration otherwise (AccessDeniedException), as
/// AWS does.
#[tokio::test]
async fn the_deploy_user_can_scale_the_first_service_of_an_account() {
    let (admin, account) = isolated_account().await;
    support::give_ecs_linked_role(&account);
    let identity = support::unique_name("berth-deployer");
    let mut settings = practice_settings();
    iam::create_deploy_user(&admin, store(), &mut settings, &request(&identity))
        .await
        .unwrap();
    let as_deployer = account::clients_for(&settings.account, store())
        .await
        .unwrap();
    status_support::create_cluster(&admin, "berth").await;
    let definition = status_support::register_definition(&admin, "scaled", "/berth/scaled").await;
    let net = status_support::network(&admin).await;
    status_support::create_service(&admin, "berth", "scaled", &definition, 0, &net).await;

    let registered = autoscaling::register_target(&as_deployer, "berth", "scaled", 1, 2).await;
    Keychain::default().delete(&identity).unwrap();
    registered.unwrap();
    let role = sdk::iam(&admin)
        .get_role()
        .role_name("AWSServiceRoleForApplicationAutoScaling_ECSService")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(
        role.path,
        "/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    );
}

#[tokio::test]
async fn running_it_again_reuses_the_key_in_the_keychain_and_changes_nothing() {
    let (admin, _) = isolated_account().await;
    let identity = support::unique_name("berth-deployer");
    let mut settings = practice_settings();
    iam::create_deploy_user(&admin, store(), &mut settings, &request(&identity))
        .await
        .unwrap();
    let key = keychain_item(&identity).unwrap().access_key_id;

    let plan = iam::plan_deploy_user(&admin, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME, None)
        .await
        .unwrap();
    assert_eq!(plan.state, DeployUserState::Exists);
    let again = iam::create_deploy_user(&admin, store(), &mut settings, &request(&identity))
        .await
        .unwrap();
    assert!(!again.key_created);
    assert!(again.ran.is_empty(), "{:?}", again.ran);
    assert_eq!(
        user_keys_in_iam(&admin, DEFAULT_DEPLOY_USER).await,
        std::slice::from_ref(&key)
    );
    assert_eq!(keychain_item(&identity).unwrap().access_key_id, key);
    Keychain::default().delete(&identity).unwrap();
}

#[tokio::test]
async fn a_keychain_name_holding_another_key_is_refused_before_anything_is_created() {
    let (admin, _) = isolated_account().await;
    let identity = support::unique_name("berth-work");
    let mut settings = practice_settings();
    account::save_identity(
        &Keychain::default(),
        &mut settings,
        &NewIdentity {
            name: identity.clone(),
            access_key_id: "TESTBERTHOTHERKEY001".into(),
            secret_access_key: "someone-elses-secret".into(),
            session_token: None,
        },
    )
    .unwrap();
    let err = iam::create_deploy_user(&admin, store(), &mut settings, &request(&identity))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert_eq!(
        (err.param("field"), err.param("rule")),
        (Some("identityName"), Some("taken"))
    );
    // The other key is untouched and no user was made.
    assert_eq!(
        keychain_item(&identity)
            .unwrap()
            .secret_access_key
            .expose_secret(),
        "someone-elses-secret"
    );
    let user = sdk::iam(&admin)
        .get_user()
        .user_name(DEFAULT_DEPLOY_USER)
        .send()
        .await;
    assert!(user.is_err(), "a user was created");
    Keychain::default().delete(&identity).unwrap();
}

#[tokio::test]
async fn a_user_of_that_name_that_berth_did_not_make_is_left_alone() {
    let (admin, _) = isolated_account().await;
    sdk::iam(&admin)
        .create_user()
        .user_name(DEFAULT_DEPLOY_USER)
        .send()
        .await
        .unwrap();
    let plan = iam::plan_deploy_user(&admin, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME, None)
        .await
        .unwrap();
    assert_eq!(plan.state, DeployUserState::NotBerths);

    let identity = support::unique_name("berth-deployer");
    let mut settings = practice_settings();
    let err = iam::create_deploy_user(&admin, store(), &mut settings, &request(&identity))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    assert_eq!(
        (err.param("resource"), err.param("name")),
        (Some("user"), Some("berth-deployer"))
    );
    assert!(user_keys_in_iam(&admin, DEFAULT_DEPLOY_USER)
        .await
        .is_empty());
    assert!(keychain_item(&identity).is_none());
    assert!(settings.identities.is_empty());
}
