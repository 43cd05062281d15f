//! "Sign in with your browser" against a stand-in for AWS Sign-In (support::signin): a real HTTP
//! server plays the authorization page and the token endpoint, a small client plays the
//! browser. What Berth writes is read back as the CLI and the SDK read it.

use crate::support::signin::{browse, Issue, StandIn};
use aws_types::os_shim_internal::{Env, Fs};
use berth_core::activity::{ActivityLog, ActivityStatus};
use berth_core::aws::signin::{self, SignInRequest, SignInSetup, SignInWaiting};
use berth_core::ErrorKind;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const SESSION: &str = "arn:aws:iam::123456789012:user/console-admin";

fn setup(home: &Path, standin: &str) -> SignInSetup {
    let home = home.to_str().unwrap().to_owned();
    SignInSetup {
        env: Env::from_slice(&[("HOME", Box::leak(home.into_boxed_str()))]),
        fs: Fs::real(),
        endpoint_url: Some(standin.to_owned()),
        port: 0,
        timeout: Duration::from_secs(60),
    }
}

fn request(profile: &str) -> SignInRequest {
    SignInRequest {
        profile: profile.into(),
        region: "us-east-1".into(),
    }
}

type Page = Arc<Mutex<Option<(String, String)>>>;

/// An opener that plays the browser: it opens the page and follows it back to Berth.
fn browser(page: &Page) -> impl FnOnce(&str) -> berth_core::Result<()> {
    let page = page.clone();
    move |url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move {
            let shown = browse(&url).await;
            *page.lock().unwrap() = Some(shown);
        });
        Ok(())
    }
}

#[tokio::test]
async fn the_browser_flow_writes_the_clis_token_cache_and_profile() {
    let standin = StandIn::start(Issue::new(
        SESSION,
        "ASIASTANDIN000000001",
        "stand-in-secret",
    ))
    .await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    let mine = "[default]\nregion = eu-west-1\n\n[profile work]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n";
    std::fs::write(home.path().join(".aws/config"), mine).unwrap();
    let log = ActivityLog::in_memory();
    let page: Page = Arc::default();
    let waited: Arc<Mutex<Option<SignInWaiting>>> = Arc::default();
    let w = waited.clone();

    let signed_in = signin::sign_in(
        &request("berth"),
        &setup(home.path(), &standin.url),
        CancellationToken::new(),
        browser(&page),
        move |waiting| *w.lock().unwrap() = Some(waiting),
        &log,
    )
    .await
    .unwrap();

    assert_eq!(signed_in.account, "123456789012");
    assert_eq!(signed_in.session, SESSION);
    assert!(!signed_in.root);
    assert_eq!(
        signed_in.command,
        "aws login --profile berth --region us-east-1"
    );

    // The authorization request carried the CLI's parameters, and the page the user saw says so.
    let seen = standin.seen();
    let authorize = seen.authorize.unwrap();
    assert_eq!(authorize["response_type"], "code");
    assert_eq!(
        authorize["client_id"],
        "arn:aws:signin:::devtools/same-device"
    );
    assert_eq!(authorize["code_challenge_method"], "SHA-256");
    assert_eq!(authorize["scope"], "openid");
    let redirect = &authorize["redirect_uri"];
    assert!(
        redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/oauth/callback"),
        "{redirect}"
    );
    let waiting = waited.lock().unwrap().clone().unwrap();
    assert!(waiting
        .url
        .starts_with(&format!("{}/v1/authorize?", standin.url)));
    assert!(waiting.opened);
    let (status, body) = page.lock().unwrap().clone().unwrap();
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("Signed in"));
    // The token call proved the verifier and the key (the stand-in refuses otherwise).
    assert!(seen.dpop_checked);
    assert_eq!(seen.token_calls, 1);

    // The token cache, named and shaped as the CLI writes it.
    let files: Vec<_> = std::fs::read_dir(home.path().join(".aws/login/cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let cache = &files[0];
    let expected_name = {
        use sha2::Digest;
        let h = sha2::Sha256::digest(SESSION.as_bytes());
        format!(
            "{}.json",
            h.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )
    };
    assert_eq!(cache.file_name().unwrap().to_str().unwrap(), expected_name);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(cache).unwrap()).unwrap();
    assert_eq!(json["accessToken"]["accessKeyId"], "ASIASTANDIN000000001");
    assert_eq!(json["accessToken"]["secretAccessKey"], "stand-in-secret");
    assert_eq!(json["accessToken"]["accountId"], "123456789012");
    assert_eq!(json["refreshToken"], "stand-in-refresh-token");
    assert_eq!(json["clientId"], "arn:aws:signin:::devtools/same-device");
    assert!(json["dpopKey"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN EC PRIVATE KEY-----"));

    // The profile, added after the user's own, which are untouched.
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    assert_eq!(
        config,
        format!("{mine}\n[profile berth]\nlogin_session = {SESSION}\nregion = us-east-1\n")
    );

    // The activity log has the CLI equivalent, and no secret anywhere it or the answer shows.
    let entries = log.view(100).entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "signin.login");
    assert_eq!(entries[0].status, ActivityStatus::Succeeded);
    assert_eq!(
        entries[0].command,
        "aws login --profile berth --region us-east-1"
    );
    let shown = format!("{signed_in:?} {:?} {waiting:?}", entries);
    for secret in [
        "stand-in-secret",
        "stand-in-refresh-token",
        "stand-in-session-token",
        "stand-in-code",
        "PRIVATE KEY",
    ] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
}

#[tokio::test]
async fn cancelling_on_the_sign_in_page_is_said_and_nothing_is_written() {
    let mut issue = Issue::new(SESSION, "ASIASTANDIN000000002", "s");
    issue.deny = true;
    let standin = StandIn::start(issue).await;
    let home = tempfile::tempdir().unwrap();
    let log = ActivityLog::in_memory();
    let page: Page = Arc::default();
    let err = signin::sign_in(
        &request("berth"),
        &setup(home.path(), &standin.url),
        CancellationToken::new(),
        browser(&page),
        |_| {},
        &log,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SignInDenied, "{err}");
    assert_eq!(standin.seen().token_calls, 0);
    assert!(!home.path().join(".aws").exists());
    let entries = log.view(100).entries;
    assert_eq!(entries[0].status, ActivityStatus::Failed);
    assert_eq!(entries[0].error, Some(ErrorKind::SignInDenied));
}

#[tokio::test]
async fn an_expired_code_is_a_sign_in_failure_with_its_reason() {
    let mut issue = Issue::new(SESSION, "ASIASTANDIN000000003", "s");
    issue.code_expired = true;
    let standin = StandIn::start(issue).await;
    let home = tempfile::tempdir().unwrap();
    let page: Page = Arc::default();
    let err = signin::sign_in(
        &request("berth"),
        &setup(home.path(), &standin.url),
        CancellationToken::new(),
        browser(&page),
        |_| {},
        &ActivityLog::in_memory(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SignInFailed, "{err}");
    assert_eq!(err.param("reason"), Some("codeExpired"));
    assert!(!format!("{err:?}").contains("stand-in-code"), "{err:?}");
    assert!(!home.path().join(".aws/login").exists());
}

#[tokio::test]
async fn cancel_and_timeout_stop_the_wait_for_a_browser_that_never_comes_back() {
    let standin = StandIn::start(Issue::new(SESSION, "ASIASTANDIN000000004", "s")).await;
    let home = tempfile::tempdir().unwrap();
    let log = ActivityLog::in_memory();

    // The user closed the browser, then pressed Cancel in Berth.
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    let started = std::time::Instant::now();
    let err = signin::sign_in(
        &request("berth"),
        &setup(home.path(), &standin.url),
        cancel,
        |_| Ok(()),
        move |_| {
            let c = c.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                c.cancel();
            });
        },
        &log,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        log.view(100).entries.is_empty(),
        "a cancel is not an activity"
    );

    // Nobody answers at all.
    let mut short = setup(home.path(), &standin.url);
    short.timeout = Duration::from_secs(1);
    let err = signin::sign_in(
        &request("berth"),
        &short,
        CancellationToken::new(),
        |_| Err(berth_core::BerthError::internal("no opener")),
        |waiting| assert!(!waiting.opened),
        &log,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SignInTimedOut);
    assert_eq!(err.param("minutes"), Some("1"));
    assert!(!home.path().join(".aws").exists());
}

#[tokio::test]
async fn a_profile_with_other_credentials_or_a_taken_port_is_refused_before_the_browser_opens() {
    let standin = StandIn::start(Issue::new(SESSION, "ASIASTANDIN000000005", "s")).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/credentials"),
        "[berth]\naws_access_key_id = TESTBERTHKEYID000009\naws_secret_access_key = x\n",
    )
    .unwrap();
    let opened = Arc::new(Mutex::new(false));
    let o = opened.clone();
    let err = signin::sign_in(
        &request("berth"),
        &setup(home.path(), &standin.url),
        CancellationToken::new(),
        move |_| {
            *o.lock().unwrap() = true;
            Ok(())
        },
        |_| {},
        &ActivityLog::in_memory(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert_eq!(err.param("field"), Some("signInProfile"));
    assert_eq!(err.param("rule"), Some("otherCredentials"));
    assert_eq!(err.param("kind"), Some("staticKeys"));
    assert!(!*opened.lock().unwrap());

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut fixed = setup(home.path(), &standin.url);
    fixed.port = taken.local_addr().unwrap().port();
    let err = signin::sign_in(
        &request("other"),
        &fixed,
        CancellationToken::new(),
        |_| Ok(()),
        |_| {},
        &ActivityLog::in_memory(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SignInPortInUse);
}
