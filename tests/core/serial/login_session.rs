//! `login_session` profiles (`aws login`, or Berth's browser sign-in) resolve like any profile:
//! the SDK's login provider reads the token cache, and GetCallerIdentity against the strict
//! backend answers as whoever the cached credentials belong to. A cache written by hand exactly
//! as the AWS CLI writes it, and one written by Berth's own flow (against the sign-in stand-in),
//! both work; a profile whose cache is gone asks to sign in again. Sets HOME for the process.

use crate::support;
use crate::support::signin::{browse, Issue, StandIn};
use berth_core::activity::ActivityLog;
use berth_core::aws::profiles::AwsProfileKind;
use berth_core::aws::signin::{self, SignInRequest, SignInSetup};
use berth_core::credentials::{Keychain, SecretStore};
use berth_core::settings::{AccountSettings, IdentitySource, PracticeMode};
use berth_core::wizard::account::{self, PrincipalKind};
use berth_core::ErrorKind;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// Temporary credentials of an administrator of a fresh account (moto's AssumeRole into it).
async fn account_credentials() -> (String, String, String, String) {
    let account = support::random_account();
    let base = support::default_account().await;
    let out = aws_sdk_sts::Client::new(base.sdk_config())
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/berth-console-admin"))
        .role_session_name("console")
        .send()
        .await
        .expect("moto assumes a role in another account");
    let c = out.credentials.unwrap();
    (
        c.access_key_id,
        c.secret_access_key,
        c.session_token,
        account,
    )
}

fn settings(profile: &str) -> AccountSettings {
    AccountSettings {
        source: Some(IdentitySource::Profile {
            name: profile.into(),
        }),
        region: Some("us-east-1".into()),
        practice: PracticeMode {
            managed: false,
            enabled: true,
            endpoint_url: support::moto_url(),
            registry: String::new(),
        },
    }
}

/// The CLI's `JSONFileCache`: `json.dumps` with its default separators.
fn cli_cache_text(key: &str, secret: &str, token: &str, account: &str, expires: &str) -> String {
    format!(
        "{{\"accessToken\": {{\"accessKeyId\": \"{key}\", \"secretAccessKey\": \"{secret}\", \
         \"sessionToken\": \"{token}\", \"accountId\": \"{account}\", \"expiresAt\": \"{expires}\"}}, \
         \"tokenType\": \"aws_sigv4\", \"clientId\": \"arn:aws:signin:::devtools/same-device\", \
         \"refreshToken\": \"cli-refresh-token\", \"idToken\": \"e30.e30.c2ln\", \
         \"dpopKey\": \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIBMB/RwQERsVoqWRQG4zK8CnaAa5dfrpbm+9tFdBh3z4oAoGCCqGSM49\\nAwEHoUQDQgAEWb1VLi1EA2hJaTz4yYuxSELvY+1GAfL+8rUTCAdiFid87Bf6GY+s\\n2+1RpqDv0RpZiDIMCrZrsAh+RK9S3QCaGA==\\n-----END EC PRIVATE KEY-----\\n\"}}"
    )
}

#[tokio::test]
async fn login_session_profiles_resolve_through_the_token_cache_against_the_strict_backend() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("login/cache")).unwrap();
    let mut env = support::EnvVars::default();
    env.set("HOME", home.path());
    for var in [
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LOGIN_CACHE_DIRECTORY",
    ] {
        env.remove(var);
    }
    let store: Arc<dyn SecretStore> = Arc::new(Keychain::default());

    // 1. As the CLI leaves it: a profile and a cache file it wrote, valid for 10 more minutes.
    let (key, secret, token, account) = account_credentials().await;
    let session = format!("arn:aws:iam::{account}:user/console-admin");
    let expires = signin::cache::expiry_text(SystemTime::now() + Duration::from_secs(600));
    std::fs::write(
        signin::cache::cache_file(&aws.join("login/cache"), &session),
        cli_cache_text(&key, &secret, &token, &account, &expires),
    )
    .unwrap();
    std::fs::write(
        aws.join("config"),
        format!("[profile cli-login]\nlogin_session = {session}\nregion = us-east-1\n\n[profile gone]\nlogin_session = arn:aws:iam::{account}:user/nobody\nregion = us-east-1\n"),
    )
    .unwrap();

    let overview = account::overview(&Default::default()).await;
    let kind = overview
        .profiles
        .iter()
        .find(|p| p.name == "cli-login")
        .unwrap()
        .kind;
    assert_eq!(kind, AwsProfileKind::LoginSession);

    let clients = account::clients_for(&settings("cli-login"), store.clone())
        .await
        .unwrap();
    assert!(clients.is_browser_sign_in());
    let who = account::verify(&clients, settings("cli-login").source.as_ref())
        .await
        .unwrap();
    assert_eq!(
        who.account, account,
        "the cached credentials signed: {}",
        who.arn
    );
    assert_eq!(who.principal, PrincipalKind::Role, "{}", who.arn);

    // 2. A profile whose cache is gone (signed out, or another machine's) asks to sign in again.
    let clients = account::clients_for(&settings("gone"), store.clone())
        .await
        .unwrap();
    let source = settings("gone").source;
    let err = account::verify(&clients, source.as_ref())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SignInExpired, "{err}");
    assert_eq!(err.param("profile"), Some("gone"));

    // 3. Berth's own flow against the sign-in stand-in, issuing another account's credentials:
    // the profile and cache it writes resolve the same way.
    let (key, secret, token, account) = account_credentials().await;
    let mut issue = Issue::new(&format!("arn:aws:iam::{account}:root"), &key, &secret);
    issue.session_token = token;
    let standin = StandIn::start(issue).await;
    let setup = SignInSetup {
        endpoint_url: Some(standin.url.clone()),
        ..SignInSetup::from_env()
    };
    let signed_in = signin::sign_in(
        &SignInRequest {
            profile: "berth".into(),
            region: "us-east-1".into(),
        },
        &setup,
        CancellationToken::new(),
        |url| {
            let url = url.to_owned();
            tokio::spawn(async move { browse(&url).await });
            Ok(())
        },
        |_| {},
        &ActivityLog::in_memory(),
    )
    .await
    .unwrap();
    assert!(signed_in.root);
    let clients = account::clients_for(&settings("berth"), store)
        .await
        .unwrap();
    let who = account::verify(&clients, settings("berth").source.as_ref())
        .await
        .unwrap();
    assert_eq!(who.account, account, "{}", who.arn);
    // The user's earlier profiles are still there.
    let config = std::fs::read_to_string(aws.join("config")).unwrap();
    assert!(config.starts_with("[profile cli-login]\n"), "{config}");

    // 4. Fifteen minutes later: the access token Berth cached has expired, and the SDK's own login
    // provider renews it with the refresh token and the sign-in's key (the stand-in refuses any
    // other key), then writes the renewed token back to the cache.
    let cache = signin::cache::cache_file(&aws.join("login/cache"), &signed_in.session);
    let mut cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    let past = signin::cache::expiry_text(SystemTime::now() - Duration::from_secs(60));
    cached["accessToken"]["expiresAt"] = past.clone().into();
    std::fs::write(&cache, cached.to_string()).unwrap();
    env.set("AWS_ENDPOINT_URL_SIGNIN", &standin.url);
    assert_eq!(standin.seen().refresh_calls, 0);
    let clients = account::clients_for(&settings("berth"), Arc::new(Keychain::default()))
        .await
        .unwrap();
    let who = account::verify(&clients, settings("berth").source.as_ref())
        .await
        .unwrap();
    assert_eq!(who.account, account, "{}", who.arn);
    assert_eq!(standin.seen().refresh_calls, 1);
    let renewed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert_ne!(
        renewed["accessToken"]["expiresAt"],
        serde_json::Value::from(past)
    );
    assert_eq!(
        renewed["dpopKey"], cached["dpopKey"],
        "the sign-in's key is kept"
    );
}
