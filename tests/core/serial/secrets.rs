//! Where a secret could leak on its way through Berth: the Debug/Display of every type that holds
//! one, the error and the activity log of a call AWS rejects, and a keychain item Berth did not
//! write. One test switches moto's authentication on, which affects the
//! whole moto server.

use crate::support;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use berth_core::activity::ActivityLog;
use berth_core::aws::iam::Iam;
use berth_core::aws::{ecr_auth, CredentialSource};
use berth_core::credentials::{
    AccessKeys, Keychain, KeychainCredentials, SecretStore, KEYCHAIN_SERVICE,
};
use berth_core::image::push::RegistryCredentials;
use berth_core::settings::{PracticeMode, SettingsFile};
use berth_core::wizard::account::{self, NewIdentity};
use berth_core::wizard::iam;
use berth_core::ErrorKind;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Fails with where it was found when `text` contains any of `secrets`.
fn assert_hidden(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_in(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Held by the tests that call moto: one of them switches its authentication on for a moment.
static MOTO: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn debug_output_of_every_type_that_holds_a_secret_redacts_it() {
    let _moto = MOTO.lock().await;
    let secret = support::unique_name("debug-secret");
    let token = support::unique_name("debug-token");
    let key_id = "TESTBERTHDEBUGKEY001";

    let keys = AccessKeys {
        access_key_id: key_id.into(),
        secret_access_key: secret.clone().into(),
        session_token: Some(token.clone().into()),
    };
    assert_hidden(
        "AccessKeys",
        &format!("{keys:?}"),
        &[&secret, &token, key_id],
    );

    let typed = NewIdentity {
        name: "work".into(),
        access_key_id: key_id.into(),
        secret_access_key: secret.clone().into(),
        session_token: Some(token.clone().into()),
    };
    assert_hidden(
        "NewIdentity",
        &format!("{typed:?}"),
        &[&secret, &token, key_id],
    );

    let registry = RegistryCredentials {
        username: "AWS".into(),
        password: secret.clone(),
        server: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
    };
    assert_hidden("RegistryCredentials", &format!("{registry:?}"), &[&secret]);

    let store: Arc<dyn SecretStore> = Arc::new(Keychain::default());
    let provider = KeychainCredentials::new("work", store);
    assert_hidden("KeychainCredentials", &format!("{provider:?}"), &[&secret]);

    // The SDK config inside AwsClients holds the credentials provider; its Debug must not
    // print what the provider was built with.
    let source = CredentialSource::Provider(SharedCredentialsProvider::new(Credentials::new(
        key_id,
        secret.clone(),
        Some(token.clone()),
        None,
        "test",
    )));
    assert_hidden(
        "CredentialSource",
        &format!("{source:?}"),
        &[&secret, &token],
    );
    let clients = support::clients_at(&support::moto_url(), source).await;
    assert_hidden("AwsClients", &format!("{clients:?}"), &[&secret, &token]);

    // The ECR login moto hands out: its Debug (and so any log of it) hides the password.
    let login = ecr_auth::login(&clients, "berth-debug", None)
        .await
        .unwrap();
    assert!(!login.credentials.password.is_empty());
    assert_hidden(
        "EcrLogin",
        &format!("{login:?}"),
        &[&login.credentials.password],
    );
}

#[tokio::test]
async fn a_rejected_secret_and_token_appear_nowhere_in_the_error_the_ipc_answer_or_the_activity_log(
) {
    let _moto = MOTO.lock().await;
    let name = support::unique_name("berth-rejected");
    let secret = support::unique_name("rejected-secret");
    let token = support::unique_name("rejected-token");
    let data_dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(data_dir.path());

    // The whole path a typed key takes: keychain → Berth's provider → signed STS call.
    let mut settings = file.load();
    let typed = NewIdentity {
        name: name.clone(),
        access_key_id: "TESTBERTHUNKNOWN0002".into(),
        secret_access_key: secret.clone().into(),
        session_token: Some(token.clone().into()),
    };
    account::save_identity(&Keychain::default(), &mut settings, &typed).unwrap();
    settings.account.region = Some("us-east-1".into());
    settings.account.practice = PracticeMode {
        enabled: true,
        managed: false,
        endpoint_url: support::stack_var("BERTH_TEST_MOTO_URL"),
        registry: String::new(),
    };
    file.save(&settings).unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(Keychain::default());
    let clients = account::clients_for(&settings.account, store)
        .await
        .unwrap()
        .with_activity(ActivityLog::open(data_dir.path()));
    let log = clients.activity();

    support::set_moto_auth(0);
    let result = account::verify(&clients, settings.account.source.as_ref()).await;
    // A change with the same keys, so that a failed entry is written to the activity log on
    // disk too (reads are tallied in memory only).
    let role = support::unique_name("berth-rejected-role");
    let changed = Iam::new(&clients)
        .create_role(&role, &iam::trust_policy().compact(), &[])
        .await;
    // Switch auth back off before asserting, so a failure here does not break other tests.
    support::set_moto_auth(u64::from(u32::MAX));
    Keychain::default().delete(&name).unwrap();

    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidCredentials, "{err:?}");
    // What the UI gets (the IPC answer), what a log line would print, and the raw details.
    let secrets = [secret.as_str(), token.as_str()];
    assert_hidden(
        "the error (IPC)",
        &serde_json::to_string(&err).unwrap(),
        &secrets,
    );
    assert_hidden("the error (Display)", &err.to_string(), &secrets);
    assert_hidden("the error (Debug)", &format!("{err:?}"), &secrets);

    let refused = changed.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidCredentials, "{refused:?}");
    assert_hidden(
        "the refused change's error (IPC)",
        &serde_json::to_string(&refused).unwrap(),
        &secrets,
    );

    // The activity log records the failed calls, with their CLI equivalents, and nothing
    // secret: the verification among the reads, the refused change as an entry.
    let reads = log.reads();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0].last.action, "sts.getCallerIdentity");
    assert_eq!(reads[0].last.error, Some(ErrorKind::InvalidCredentials));
    assert_hidden(
        "the activity log's reads",
        &serde_json::to_string(&reads).unwrap(),
        &secrets,
    );
    let entries = log.recent(10);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].action, "iam.createRole");
    assert_eq!(entries[0].error, Some(ErrorKind::InvalidCredentials));
    assert_hidden(
        "the activity log",
        &serde_json::to_string(&entries).unwrap(),
        &secrets,
    );
    let written = files_in(data_dir.path());
    assert!(
        written.len() >= 2,
        "settings and activity log written: {written:?}"
    );
    for path in written {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        assert_hidden(&path.display().to_string(), &text, &secrets);
    }
}

#[test]
fn a_keychain_item_berth_did_not_write_is_refused_without_showing_its_content() {
    let name = support::unique_name("berth-foreign");
    let payload = support::unique_name("foreign-password-not-json");
    // Another program's item under Berth's service name, stored with libsecret's own tool.
    support::stack_var("DBUS_SESSION_BUS_ADDRESS");
    let mut child = std::process::Command::new("secret-tool")
        .args(["store", "--label", "not Berth's"])
        .args(["service", KEYCHAIN_SERVICE, "username", &name])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(payload.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());

    let result = Keychain::default().get(&name);
    Keychain::default().delete(&name).unwrap();

    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::IdentityNotFound, "{err:?}");
    assert_hidden(
        "the error (IPC)",
        &serde_json::to_string(&err).unwrap(),
        &[&payload],
    );
    assert_hidden("the error (Debug)", &format!("{err:?}"), &[&payload]);
}
