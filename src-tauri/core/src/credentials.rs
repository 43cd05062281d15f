//! Access keys kept only in the OS keychain (macOS Keychain, Windows Credential Manager, Secret
//! Service on Linux), and the AWS credentials provider that reads them there. Like aws-vault and
//! Granted: nothing else ever holds the secret, and it never goes back to the UI.

use crate::error::{BerthError, ErrorKind, Result};
use aws_credential_types::provider::{self, future, ProvideCredentials};
use aws_credential_types::Credentials;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The keychain service name under which every identity is stored (user = identity name).
pub const KEYCHAIN_SERVICE: &str = "berth";

/// An access key pair. The secret and the token are wiped from memory when dropped, and `Debug`
/// never shows them.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeys {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub session_token: Option<SecretString>,
}

impl AccessKeys {
    /// The JSON kept in the keychain item (wiped when dropped).
    fn to_payload(&self) -> Result<zeroize::Zeroizing<String>> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Stored<'a> {
            access_key_id: &'a str,
            secret_access_key: &'a str,
            session_token: Option<&'a str>,
        }
        serde_json::to_string(&Stored {
            access_key_id: &self.access_key_id,
            secret_access_key: self.secret_access_key.expose_secret(),
            session_token: self.session_token.as_ref().map(|t| t.expose_secret()),
        })
        .map(zeroize::Zeroizing::new)
        .map_err(BerthError::internal)
    }
}

/// For tests that read back what was stored.
impl PartialEq for AccessKeys {
    fn eq(&self, other: &Self) -> bool {
        self.access_key_id == other.access_key_id
            && self.secret_access_key.expose_secret() == other.secret_access_key.expose_secret()
            && self.session_token.as_ref().map(|t| t.expose_secret())
                == other.session_token.as_ref().map(|t| t.expose_secret())
    }
}

impl fmt::Debug for AccessKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKeys")
            .field("access_key_id", &mask_key_id(&self.access_key_id))
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`: enough to recognise a key, not to use it.
pub fn mask_key_id(key_id: &str) -> String {
    let chars: Vec<char> = key_id.chars().collect();
    if chars.len() <= 8 {
        return "…".repeat(usize::from(!chars.is_empty()));
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Where secrets are kept. The real one is [`Keychain`]; the trait keeps the account step
/// testable against other stores of the same behaviour.
pub trait SecretStore: Send + Sync {
    fn put(&self, name: &str, keys: &AccessKeys) -> Result<()>;
    fn get(&self, name: &str) -> Result<AccessKeys>;
    /// Removes the secret; removing one that is not there is not an error.
    fn delete(&self, name: &str) -> Result<()>;
}

/// The OS keychain, through the keyring crate.
#[derive(Debug, Clone, Copy)]
pub struct Keychain {
    timeout: Duration,
}

impl Default for Keychain {
    /// Long enough for the user to answer the system's "unlock your keyring" prompt.
    fn default() -> Self {
        Keychain::with_timeout(Duration::from_secs(60))
    }
}

impl Keychain {
    /// A locked keychain asks the desktop to prompt for its password; where nobody can answer
    /// (no prompter, a headless session) the call would wait forever. After `timeout` Berth
    /// gives up and reports the keychain as locked.
    pub fn with_timeout(timeout: Duration) -> Self {
        Keychain { timeout }
    }

    fn entry(name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYCHAIN_SERVICE, name).map_err(|e| keychain_error(e, name))
    }

    /// Runs a keychain call on its own thread, bounded by the timeout.
    fn call<T: Send + 'static>(
        &self,
        name: &str,
        op: impl FnOnce(keyring::Entry) -> std::result::Result<T, keyring::Error> + Send + 'static,
    ) -> Result<T> {
        let entry = Self::entry(name)?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(op(entry));
        });
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result.map_err(|e| keychain_error(e, name)),
            Err(_) => Err(BerthError::new(ErrorKind::KeychainLocked)
                .with("name", name)
                .details("the keychain did not answer; it may be waiting to be unlocked")),
        }
    }
}

impl SecretStore for Keychain {
    fn put(&self, name: &str, keys: &AccessKeys) -> Result<()> {
        let payload = keys.to_payload()?;
        self.call(name, move |entry| entry.set_password(&payload))
    }

    fn get(&self, name: &str) -> Result<AccessKeys> {
        let payload = zeroize::Zeroizing::new(self.call(name, |entry| entry.get_password())?);
        // Never put the payload into the error: it is the secret.
        serde_json::from_str(payload.as_str()).map_err(|_| {
            BerthError::new(ErrorKind::IdentityNotFound)
                .with("name", name)
                .details("the keychain item is not one Berth wrote")
        })
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.call(name, |entry| entry.delete_credential()) {
            Err(e) if e.kind == ErrorKind::IdentityNotFound => Ok(()),
            other => other,
        }
    }
}

fn keychain_error(err: keyring::Error, name: &str) -> BerthError {
    let kind = match &err {
        keyring::Error::NoStorageAccess(_) => ErrorKind::KeychainLocked,
        keyring::Error::NoEntry => ErrorKind::IdentityNotFound,
        keyring::Error::PlatformFailure(_) => ErrorKind::KeychainUnavailable,
        _ => ErrorKind::Internal,
    };
    // keyring's messages name the service and user, never the password.
    BerthError::new(kind).with("name", name).details(err)
}

/// An AWS credentials provider that reads an identity's keys from the keychain each time the SDK
/// asks (the SDK caches them for the life of the client).
#[derive(Clone)]
pub struct KeychainCredentials {
    name: String,
    store: Arc<dyn SecretStore>,
}

impl KeychainCredentials {
    pub fn new(name: &str, store: Arc<dyn SecretStore>) -> Self {
        KeychainCredentials {
            name: name.to_owned(),
            store,
        }
    }

    async fn load(&self) -> provider::Result {
        let store = self.store.clone();
        let name = self.name.clone();
        // Keychain access is blocking D-Bus/OS calls.
        let keys = tokio::task::spawn_blocking(move || store.get(&name))
            .await
            .map_err(provider::error::CredentialsError::unhandled)?
            .map_err(provider::error::CredentialsError::provider_error)?;
        // The SDK's Credentials wipe their own copy when dropped.
        Ok(Credentials::new(
            keys.access_key_id.clone(),
            keys.secret_access_key.expose_secret(),
            keys.session_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            None,
            "berth-keychain",
        ))
    }
}

impl fmt::Debug for KeychainCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeychainCredentials")
            .field("name", &self.name)
            .finish()
    }
}

impl ProvideCredentials for KeychainCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_ends_of_a_key_id() {
        assert_eq!(mask_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask_key_id("short"), "…");
        assert_eq!(mask_key_id(""), "");
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let keys = AccessKeys {
            access_key_id: "AKIATESTTESTTEST1234".into(),
            secret_access_key: "very-secret-value".into(),
            session_token: Some("token-value".into()),
        };
        let shown = format!("{keys:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(!shown.contains("token-value"), "{shown}");
        assert!(!shown.contains("AKIATESTTESTTEST1234"), "{shown}");
    }
}
