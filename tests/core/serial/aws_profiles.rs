//! Profiles from a hand-written ~/.aws in a temp HOME: a missing profile and an SSO profile that
//! was never logged in each get their own kind, before or instead of a confusing AWS error; and a
//! chosen profile's keys win over keys in the environment. It sets HOME
//! for the process.

use crate::support;
use crate::support::sdk;

use berth_core::credentials::{Keychain, SecretStore};
use berth_core::settings::{AccountSettings, IdentitySource, PracticeMode};
use berth_core::wizard::account;
use berth_core::ErrorKind;
use std::sync::Arc;

#[tokio::test]
async fn profile_problems_say_which_profile_and_how_to_fix_it() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile static]\nregion = us-east-1\n\n\
         [profile work-sso]\nsso_session = corp\nsso_account_id = 123456789012\n\
         sso_role_name = Dev\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.invalid/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[static]\naws_access_key_id = TESTBERTHKEYID000002\naws_secret_access_key = profile-secret\n",
    )
    .unwrap();
    let mut env = support::EnvVars::default();
    env.set("HOME", home.path());
    for var in [
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        env.remove(var);
    }
    let store: Arc<dyn SecretStore> = Arc::new(Keychain::default());
    let practice = PracticeMode {
        enabled: true,
        managed: false,
        endpoint_url: support::stack_var("BERTH_TEST_MOTO_URL"),
        registry: String::new(),
    };
    let settings = |profile: &str| AccountSettings {
        source: Some(IdentitySource::Profile {
            name: profile.into(),
        }),
        region: Some("us-east-1".into()),
        practice: practice.clone(),
    };

    // A static profile verifies against moto.
    let clients = account::clients_for(&settings("static"), store.clone())
        .await
        .unwrap();
    let who = account::verify(&clients, None).await.unwrap();
    assert_eq!(who.account, "123456789012");

    // A profile that is not there is caught before any call.
    let err = account::clients_for(&settings("nope"), store.clone())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ProfileNotFound);
    assert_eq!(err.param("profile"), Some("nope"));

    // An SSO profile without a cached login asks for `aws sso login --profile work-sso`.
    let source = IdentitySource::Profile {
        name: "work-sso".into(),
    };
    let clients = account::clients_for(&settings("work-sso"), store.clone())
        .await
        .unwrap();
    let err = account::verify(&clients, Some(&source)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::SsoLoginRequired, "{err}");
    assert_eq!(err.param("profile"), Some("work-sso"));

    // The chosen profile's keys sign, even when the environment holds other keys (the SDK's
    // default chain would try the environment first). The profile's keys are those of a user
    // of their own, so the identity says which keys signed.
    let admin = support::clients_with("TESTBERTHADMIN000001", "not-a-secret", None).await;
    let user = support::unique_name("profile-user");
    sdk::iam(&admin)
        .create_user()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    let key = sdk::new_access_key(&admin, &user).await;
    // IAM makes a new key usable after a while (eventual consistency).
    support::wait_until_usable(
        &support::clients_with(&key.access_key_id, &key.secret_access_key, None).await,
    )
    .await;
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!("{config}\n[profile mine]\nregion = us-east-1\n"),
    )
    .unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        format!(
            "[mine]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            key.access_key_id, key.secret_access_key
        ),
    )
    .unwrap();
    env.set("AWS_ACCESS_KEY_ID", "TESTBERTHENVKEY00001");
    env.set("AWS_SECRET_ACCESS_KEY", "environment-secret");
    let clients = account::clients_for(&settings("mine"), store)
        .await
        .unwrap();
    let who = account::verify(&clients, None).await.unwrap();
    assert!(who.arn.ends_with(&format!(":user/{user}")), "{}", who.arn);
}
