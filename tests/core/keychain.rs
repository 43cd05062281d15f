//! Identities in the real Secret Service (gnome-keyring in the stack's D-Bus session), checked
//! with `secret-tool`, and used to verify against moto.

use crate::support;
use secrecy::ExposeSecret;

use berth_core::activity::ActivityLog;
use berth_core::credentials::{AccessKeys, Keychain, SecretStore, KEYCHAIN_SERVICE};
use berth_core::settings::{PracticeMode, Settings, SettingsFile};
use berth_core::wizard::account::{self, NewIdentity, PrincipalKind};
use berth_core::ErrorKind;
use std::sync::Arc;

fn typed(name: &str, secret: &str) -> NewIdentity {
    NewIdentity {
        name: name.into(),
        access_key_id: "TESTBERTHKEYID000001".into(),
        secret_access_key: secret.into(),
        session_token: None,
    }
}

#[test]
fn saving_an_identity_puts_it_in_the_secret_service_and_removing_takes_it_out() {
    let name = support::unique_name("berth-test");
    let secret = support::unique_name("secret-value");
    let mut settings = Settings::default();
    let saved = account::save_identity(&Keychain::default(), &mut settings, &typed(&name, &secret))
        .unwrap();
    assert_eq!(saved.masked_key_id, "TEST…0001");

    let found = support::secret_tool(&["lookup", "service", KEYCHAIN_SERVICE, "username", &name]);
    assert!(found.status.success(), "not in the Secret Service");
    let stored: AccessKeys = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(stored.secret_access_key.expose_secret(), secret);
    assert_eq!(stored.access_key_id, "TESTBERTHKEYID000001");

    account::remove_identity(&Keychain::default(), &mut settings, &name).unwrap();
    let gone = support::secret_tool(&["lookup", "service", KEYCHAIN_SERVICE, "username", &name]);
    assert!(
        !gone.status.success() && gone.stdout.is_empty(),
        "still in the Secret Service"
    );
    assert!(settings.identities.is_empty());
    assert_eq!(settings.account.source, None);
}

#[test]
fn a_missing_identity_is_reported_by_name() {
    let name = support::unique_name("berth-never-saved");
    let err = Keychain::default().get(&name).unwrap_err();
    assert_eq!(err.kind, ErrorKind::IdentityNotFound);
    assert_eq!(err.param("name"), Some(name.as_str()));
}

#[tokio::test]
async fn keys_from_the_keychain_verify_against_moto_and_never_reach_disk_or_ipc() {
    let name = support::unique_name("berth-verify");
    let secret = support::unique_name("secret-never-on-disk");
    let data_dir = tempfile::tempdir().unwrap();
    let file = SettingsFile::in_dir(data_dir.path());

    // Save, as the Account step does.
    let mut settings = file.load();
    account::save_identity(&Keychain::default(), &mut settings, &typed(&name, &secret)).unwrap();
    settings.account.region = Some("us-east-1".into());
    settings.account.practice = PracticeMode {
        enabled: true,
        managed: false,
        endpoint_url: support::stack_var("BERTH_TEST_MOTO_URL"),
        registry: String::new(),
    };
    file.save(&settings).unwrap();

    // "Restart": everything comes back from the settings file and the keychain.
    let settings = SettingsFile::in_dir(data_dir.path()).load();
    let store: Arc<dyn SecretStore> = Arc::new(Keychain::default());
    let clients = account::clients_for(&settings.account, store)
        .await
        .unwrap()
        .with_activity(ActivityLog::open(data_dir.path()));
    let who = account::verify(&clients, settings.account.source.as_ref())
        .await
        .unwrap();
    // The activity log shows the equivalent command, pointed at the emulator (a read: tallied,
    // not an entry).
    let logged = support::read_of(clients.activity(), "sts.getCallerIdentity").last;
    assert!(
        logged
            .command
            .starts_with("aws sts get-caller-identity --region us-east-1 --endpoint-url http"),
        "{}",
        logged.command
    );
    assert_eq!(who.account, "123456789012");
    assert_eq!(who.principal, PrincipalKind::User);

    // What the UI receives, and what is on disk, never holds the secret.
    let overview = account::overview(&settings).await;
    let ipc = serde_json::to_string(&(overview, who)).unwrap();
    assert!(!ipc.contains(&secret));
    assert!(
        !ipc.contains("TESTBERTHKEYID000001"),
        "full key id sent to the UI"
    );
    for entry in walk(data_dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&secret),
            "secret found in {}",
            entry.display()
        );
    }
    Keychain::default().delete(&name).unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    assert!(!files.is_empty() || dir.read_dir().unwrap().next().is_none());
    files
}
