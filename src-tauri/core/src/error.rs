//! The one error model of Berth. The UI branches on [`ErrorKind`] and renders a localized message
//! with a fix from `params`; the raw Docker/AWS text goes into `details`, shown under "Details".
//! Expected outcomes (repository not empty, role missing) are values, not errors.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use ts_rs::TS;

/// What went wrong, as the UI needs to know it to explain it and offer the fix.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    TS,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum ErrorKind {
    /// No Docker engine found on this machine at all.
    DockerNotInstalled,
    /// Docker is installed (or `DOCKER_HOST` is set) but nothing answers at the address.
    DockerNotRunning,
    /// The socket exists but this user may not open it.
    DockerPermissionDenied,
    /// `DOCKER_HOST` holds something Berth cannot connect to.
    DockerHostInvalid,
    /// The engine speaks an API older than Berth needs.
    DockerTooOld,
    /// A docker context (`context`) cannot be used: missing, unreadable, without a Docker
    /// endpoint, or an address Berth cannot speak (`reason`); or `config.json` is unreadable.
    DockerContextInvalid,
    /// The engine's TLS failed: a certificate refused on either side, unusable TLS material,
    /// or TLS spoken to a plain port (and the other way round).
    DockerTlsFailed,
    /// `ssh … docker system dial-stdio` failed: ssh could not log in, or the remote side has
    /// no docker CLI or engine; details hold what ssh said.
    DockerSshFailed,
    /// `~/.aws/config` or `~/.aws/credentials` exists but cannot be read or parsed.
    AwsConfigUnreadable,
    /// No answer from AWS (or the practice endpoint): network, DNS, proxy.
    AwsEndpointUnreachable,
    /// AWS does not recognise the key id, or the secret does not match.
    InvalidCredentials,
    /// The identity is valid but may not perform an action.
    AccessDenied,
    /// The keychain exists but is locked (or access was refused).
    KeychainLocked,
    /// No keychain service answers (Linux without a Secret Service, for example).
    KeychainUnavailable,
    /// No saved identity of that name in the keychain.
    IdentityNotFound,
    /// No profile of that name in `~/.aws/config` or `~/.aws/credentials`.
    ProfileNotFound,
    /// An SSO profile whose login expired or never happened: `aws sso login` renews it.
    SsoLoginRequired,
    /// A session token that has expired.
    CredentialsExpired,
    /// No credentials could be found at all.
    NoCredentials,
    /// The keys belong to the account's root user, which Berth refuses to use (a browser sign-in
    /// as root is allowed: its credentials are short-lived).
    RootCredentials,
    /// A browser sign-in (`login_session` profile, `profile`) is over: its 12 hours ended, it was
    /// signed out, or its token cache is gone. Signing in again renews it.
    SignInExpired,
    /// The sign-in was cancelled on AWS's sign-in page.
    SignInDenied,
    /// No answer came back from the browser in time (`minutes`).
    SignInTimedOut,
    /// The loopback port for the browser's answer (`port`) is taken.
    SignInPortInUse,
    /// AWS Sign-In refused to issue credentials; `reason`: codeExpired, insufficientPermissions,
    /// credentialsChanged, refused.
    SignInFailed,
    /// IAM refused temporary credentials of a user (sts:GetSessionToken without MFA): IAM setup
    /// needs long-term keys, an MFA session or a role.
    IamNeedsLongTermCredentials,
    /// Something the user typed breaks a rule; `field` and `rule` say which.
    InvalidInput,
    /// A resource that is not there (any more); `resource` and `name` say which.
    NotFound,
    /// A resource of that name exists already; `resource` and `name` say which.
    AlreadyExists,
    /// AWS asked Berth to slow down (rate limit); retrying later works.
    Throttled,
    /// An AWS quota is reached (`quota` names it): more of that resource needs a deletion or a
    /// quota increase, not a retry.
    QuotaExceeded,
    /// The region (`region`) is an opt-in region the account has not enabled: AWS answers as if
    /// the credentials were wrong.
    RegionNotEnabled,
    /// AWS refused the request for a reason of its own; `code` and the message in details.
    AwsRejected,
    /// The task execution role is missing or ECS cannot assume it; the IAM step fixes it.
    ExecutionRoleMissing,
    /// The Docker engine refused a request for a reason of its own; details say why.
    DockerRejected,
    /// A Dockerfile instruction failed, or the Dockerfile could not be read (`message`).
    BuildFailed,
    /// The Dockerfile's `# syntax=` frontend image (`image`) could not be pulled.
    BuildFrontendUnavailable,
    /// The engine's Dockerfile frontend is too old for a feature the Dockerfile uses
    /// (`feature`, and `syntax`: the Dockerfile syntax that has it).
    BuildFeatureUnsupported,
    /// A FROM image (`image`) is not in the engine for the platform built for (`platform`), and
    /// its registry could not give it.
    BaseImageUnavailable,
    /// The registry refused the credentials (`registry`).
    RegistryUnauthorized,
    /// The registry's authorization token has expired (`registry`).
    RegistryTokenExpired,
    /// The registry could not be reached, or went away during the push (`registry`).
    RegistryUnreachable,
    /// The repository keeps tags immutable and already has this one (`tag`).
    TagImmutable,
    /// The push failed for another reason the engine gives in `message`.
    PushFailed,
    /// Practice mode cannot start: parts it runs are not installed (`parts`: comma-separated
    /// part names; `command`: the one command that installs them).
    PracticePartsMissing,
    /// Berth's practice backend is not running (turned off, still starting, or it stopped).
    PracticeNotRunning,
    /// A part of practice mode (`part`) failed to start or stopped; details hold its log's end.
    PracticeFailed,
    /// The user cancelled the operation.
    Cancelled,
    /// A bug or an answer Berth did not expect; details say what.
    Internal,
}

impl ErrorKind {
    /// The camelCase name the UI sees (the key of the localized message).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every kind, in declaration order.
    pub fn all() -> impl Iterator<Item = ErrorKind> {
        <ErrorKind as strum::IntoEnumIterator>::iter()
    }
}

/// An error that can cross IPC: a kind, named parameters for the localized message, and the raw
/// text of the underlying failure. It must never carry a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BerthError {
    pub kind: ErrorKind,
    pub params: BTreeMap<String, String>,
    pub details: Option<String>,
}

pub type Result<T> = std::result::Result<T, BerthError>;

impl BerthError {
    pub fn new(kind: ErrorKind) -> Self {
        BerthError {
            kind,
            params: BTreeMap::new(),
            details: None,
        }
    }

    /// Adds a parameter for the localized message (e.g. `host`, `action`).
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }

    /// Attaches the raw text of the underlying failure.
    pub fn details(mut self, details: impl fmt::Display) -> Self {
        self.details = Some(details.to_string());
        self
    }

    /// Input that breaks a rule, caught before any AWS call. `rule` names the rule for the
    /// localized message (e.g. `required`, `tooLong`, `characters`).
    pub fn invalid(field: &str, rule: &str) -> Self {
        BerthError::new(ErrorKind::InvalidInput)
            .with("field", field)
            .with("rule", rule)
    }

    pub fn internal(details: impl fmt::Display) -> Self {
        BerthError::new(ErrorKind::Internal).details(details)
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

impl fmt::Display for BerthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        for (i, (name, value)) in self.params.iter().enumerate() {
            let sep = if i == 0 { " (" } else { ", " };
            write!(f, "{sep}{name}={value}")?;
        }
        if !self.params.is_empty() {
            f.write_str(")")?;
        }
        if let Some(details) = &self.details {
            write!(f, ": {details}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BerthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_kind_params_and_details_for_the_ui() {
        let err = BerthError::new(ErrorKind::DockerNotRunning)
            .with("host", "unix:///nope.sock")
            .details("connection refused");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "dockerNotRunning");
        assert_eq!(json["params"]["host"], "unix:///nope.sock");
        assert_eq!(json["details"], "connection refused");
    }

    #[test]
    fn kind_names_match_their_serialized_form() {
        let kinds: Vec<ErrorKind> = ErrorKind::all().collect();
        assert!(kinds.len() > 30, "{kinds:?}");
        for kind in kinds {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn display_reads_as_one_line_for_logs() {
        let err = BerthError::new(ErrorKind::AccessDenied)
            .with("action", "ecr:CreateRepository")
            .details("403");
        assert_eq!(
            err.to_string(),
            "accessDenied (action=ecr:CreateRepository): 403"
        );
    }
}
