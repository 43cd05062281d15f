//! A locked keychain. Runs its own D-Bus session and gnome-keyring (it points the
//! process at that session), locks the login collection, and expects the
//! "keychain locked" kind, not a prompt or a hang.
//!
//! libdbus reads the session bus address once per process and keeps it: a process that has
//! talked to this private session never reaches the stack's again (and one that has talked to
//! the stack's never reaches this one). So the test runs in a process of its own — this test
//! binary again, with only this test selected — and the keychain tests after it still find the
//! stack's keyring.

use crate::support;

use berth_core::credentials::{AccessKeys, Keychain, SecretStore};
use berth_core::ErrorKind;
use std::io::Write;
use std::process::{Command, Stdio};

struct Session {
    bus: std::process::Child,
    keyring: Option<std::process::Child>,
    _env: support::EnvVars,
    _dir: tempfile::TempDir,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(k) = &mut self.keyring {
            let _ = k.kill();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn private_session() -> Session {
    let dir = tempfile::tempdir().unwrap();
    let address = format!("unix:path={}/bus", dir.path().display());
    let bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", &format!("--address={address}")])
        .spawn()
        .expect("dbus-daemon runs (apt dbus)");
    for _ in 0..50 {
        if dir.path().join("bus").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // D-Bus auto-start and gnome-keyring write under HOME: keep them in the temp dir.
    let mut env = support::EnvVars::default();
    env.set("HOME", dir.path());
    env.set("XDG_RUNTIME_DIR", dir.path());
    env.set("DBUS_SESSION_BUS_ADDRESS", &address);
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets", "--foreground"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon runs");
    keyring
        .stdin
        .take()
        .unwrap()
        .write_all(b"test-keyring-password")
        .unwrap();
    // Until this daemon owns the Secret Service name, any keychain call makes D-Bus auto-start a
    // second, locked gnome-keyring from its service file, and the two race for the name.
    let owned = (0..100).any(|_| {
        let answer = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .expect("dbus-send runs (apt dbus)");
        let yes = String::from_utf8_lossy(&answer.stdout).contains("boolean true");
        if !yes {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        yes
    });
    assert!(owned, "gnome-keyring did not take the Secret Service name");
    Session {
        bus,
        keyring: Some(keyring),
        _env: env,
        _dir: dir,
    }
}

/// Set in the process that runs the test itself.
const OWN_PROCESS: &str = "BERTH_TEST_KEYCHAIN_LOCKED_PROCESS";

/// Runs the test named `name` of this module in a new process of this test binary; true in
/// that process, where the caller goes on with the test.
fn in_own_process(name: &str) -> bool {
    if std::env::var_os(OWN_PROCESS).is_some() {
        return true;
    }
    let module = module_path!().split_once("::").unwrap().1;
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &format!("{module}::{name}"), "--test-threads=1"])
        .env(OWN_PROCESS, "1")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

#[test]
fn a_locked_keyring_gives_the_locked_kind() {
    if !in_own_process("a_locked_keyring_gives_the_locked_kind") {
        return;
    }
    let _session = private_session();
    let keys = AccessKeys {
        access_key_id: "TESTBERTHKEYID000001".into(),
        secret_access_key: "locked-test-secret".into(),
        session_token: None,
    };
    // The daemon takes a moment to own its bus name; the first save proves it is unlocked.
    let keychain = Keychain::with_timeout(std::time::Duration::from_secs(3));
    let mut saved = keychain.put("berth-locked-test", &keys);
    for _ in 0..40 {
        if saved.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        saved = keychain.put("berth-locked-test", &keys);
    }
    saved.expect("the fresh keyring accepts a secret");

    // Lock every collection through the Secret Service's own D-Bus API (`secret-tool lock` of
    // libsecret 0.20 crashes on a collection path): the secret may have been saved to the session
    // collection rather than login (once in CI, the login keyring locked and the secret still read).
    // Bounded, so a keyring that wants to prompt cannot hang the run.
    let secrets_call = |method: &str, args: &[&str]| {
        let out = Command::new("timeout")
            .args([
                "10",
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                method,
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{method}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = secrets_call(
        "org.freedesktop.DBus.Properties.Get",
        &[
            "string:org.freedesktop.Secret.Service",
            "string:Collections",
        ],
    );
    let collections: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.trim().strip_prefix("object path \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert!(!collections.is_empty(), "{listed}");
    let locked = secrets_call(
        "org.freedesktop.Secret.Service.Lock",
        &[&format!("array:objpath:{}", collections.join(","))],
    );
    for c in &collections {
        assert!(locked.contains(c), "{c} was not locked: {locked}");
    }

    let err = keychain.get("berth-locked-test").unwrap_err();
    assert_eq!(err.kind, ErrorKind::KeychainLocked, "{err}");
    assert!(!err.to_string().contains("locked-test-secret"));
}
