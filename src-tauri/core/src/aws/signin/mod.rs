//! "Sign in with your browser": the AWS CLI's `aws login`, run by Berth. Berth opens AWS's
//! sign-in page in the system browser (the user signs in as in the console), receives the
//! authorization code on a loopback address (PKCE, and a `state` only Berth knows), trades it for
//! 15-minute credentials and a refresh token bound to a key made for this sign-in (DPoP), and
//! writes them where the CLI does: the token cache and a `login_session` profile in
//! `~/.aws/config`. From then on the profile is like any other: the SDK's login provider reads the
//! cache and refreshes the credentials for up to 12 hours. Berth keeps nothing of it in its own
//! settings but the profile's name.

pub mod cache;
pub mod config_file;
pub mod dpop;
pub mod pkce;
pub mod redirect;
pub mod token;

use crate::activity::ActivityLog;
use crate::aws::profiles::{read_config_summary_with, AwsProfileKind};
use crate::aws::regions::looks_like_region;
use crate::cli::CliCommand;
use crate::error::{BerthError, ErrorKind, Result};
use aws_types::os_shim_internal::{Env, Fs};
use dpop::DpopKey;
use pkce::Pkce;
use redirect::RedirectListener;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use token::SignInEndpoint;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// As long as the CLI waits for the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// The profile Berth proposes: its own, so no profile of the user's is changed unasked.
pub const DEFAULT_PROFILE: &str = "berth";
/// The activity log's key for a sign-in.
pub const ACTIVITY_KEY: &str = "signin.login";

/// What the user chose: the profile to record the sign-in in, and the sign-in region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    pub profile: String,
    pub region: String,
}

/// The sign-in waits for the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInWaiting {
    /// The sign-in page (no secret in it: the PKCE challenge and the state only), to open again.
    pub url: String,
    /// Whether the desktop's opener took the page; when not, the user opens it.
    pub opened: bool,
    #[ts(type = "number")]
    pub timeout_secs: u64,
}

/// A finished sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub profile: String,
    pub region: String,
    pub account: String,
    /// The console session, e.g. `arn:aws:iam::123456789012:user/admin`.
    pub session: String,
    /// Signed in as the account's root user.
    pub root: bool,
    pub config_file: String,
    /// `aws login --profile … --region …`.
    pub command: String,
}

/// Where the sign-in goes and what it writes; from the environment in the app, made up in tests.
#[derive(Debug, Clone)]
pub struct SignInSetup {
    pub env: Env,
    pub fs: Fs,
    /// `AWS_ENDPOINT_URL_SIGNIN`: the Sign-In service somewhere else than AWS (a test stand-in).
    pub endpoint_url: Option<String>,
    /// The loopback port of the redirect (0: any free one).
    pub port: u16,
    pub timeout: Duration,
}

impl SignInSetup {
    pub fn from_env() -> Self {
        let env = Env::real();
        let endpoint_url = env
            .get("AWS_ENDPOINT_URL_SIGNIN")
            .ok()
            .filter(|u| !u.trim().is_empty());
        SignInSetup {
            env,
            fs: Fs::real(),
            endpoint_url,
            port: 0,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    fn var(&self, name: &str) -> Option<String> {
        self.env.get(name).ok()
    }
}

/// The CLI command that does the same.
pub fn cli_equivalent(request: &SignInRequest) -> CliCommand {
    CliCommand::new(["aws", "login"])
        .opt("--profile", request.profile.trim())
        .opt("--region", request.region.trim())
}

/// Checks what can be checked before the browser opens: the name, the region, and that the
/// profile does not already hold credentials of another kind (they would win over the sign-in,
/// as the CLI warns too).
pub async fn check_request(request: &SignInRequest, setup: &SignInSetup) -> Result<()> {
    config_file::validate_profile_name(request.profile.trim())?;
    if !looks_like_region(request.region.trim()) {
        return Err(BerthError::invalid("signInRegion", "format"));
    }
    let summary = read_config_summary_with(&setup.env, &setup.fs).await;
    if let Some(problem) = summary.problem {
        return Err(problem);
    }
    if let Some(existing) = summary
        .profiles
        .iter()
        .find(|p| p.name == request.profile.trim())
    {
        if !matches!(
            existing.kind,
            AwsProfileKind::LoginSession | AwsProfileKind::Other
        ) {
            let kind: &str = match existing.kind {
                AwsProfileKind::StaticKeys => "staticKeys",
                AwsProfileKind::Sso => "sso",
                AwsProfileKind::AssumeRole => "assumeRole",
                AwsProfileKind::CredentialProcess => "credentialProcess",
                _ => "other",
            };
            return Err(BerthError::invalid("signInProfile", "otherCredentials")
                .with("profile", request.profile.trim())
                .with("kind", kind));
        }
    }
    Ok(())
}

/// Runs the whole sign-in. `waiting` hears of the page once the loopback address listens (and
/// after `open` was asked to show it); `cancel` stops the wait. The outcome is recorded in
/// `activity` with its CLI equivalent, a cancel excepted.
pub async fn sign_in(
    request: &SignInRequest,
    setup: &SignInSetup,
    cancel: CancellationToken,
    open: impl FnOnce(&str) -> Result<()>,
    waiting: impl FnOnce(SignInWaiting),
    activity: &ActivityLog,
) -> Result<SignedIn> {
    let request = SignInRequest {
        profile: request.profile.trim().to_owned(),
        region: request.region.trim().to_owned(),
    };
    let command = cli_equivalent(&request);
    let outcome = run(&request, setup, cancel, open, waiting, &command).await;
    match &outcome {
        Err(e) if e.kind == ErrorKind::Cancelled => {}
        _ => {
            activity.record(
                ACTIVITY_KEY,
                &request.profile,
                &command,
                outcome.as_ref().map(|_| ()),
            );
        }
    }
    outcome
}

async fn run(
    request: &SignInRequest,
    setup: &SignInSetup,
    cancel: CancellationToken,
    open: impl FnOnce(&str) -> Result<()>,
    waiting: impl FnOnce(SignInWaiting),
    command: &CliCommand,
) -> Result<SignedIn> {
    check_request(request, setup).await?;
    let endpoint = SignInEndpoint {
        region: request.region.clone(),
        endpoint_url: setup.endpoint_url.clone(),
    };
    let listener = RedirectListener::bind(setup.port).await?;
    let redirect_uri = listener.redirect_uri();
    let pkce = Pkce::new();
    let state = pkce::new_state();
    let url = endpoint
        .authorize_url(&redirect_uri, &state, &pkce.challenge)
        .await?;
    let opened = open(&url).is_ok();
    waiting(SignInWaiting {
        url,
        opened,
        timeout_secs: setup.timeout.as_secs(),
    });

    let code = tokio::select! {
        code = listener.wait_for_code(&state) => code?,
        _ = cancel.cancelled() => return Err(BerthError::new(ErrorKind::Cancelled)),
        _ = tokio::time::sleep(setup.timeout) => {
            return Err(BerthError::new(ErrorKind::SignInTimedOut)
                .with("minutes", (setup.timeout.as_secs() / 60).max(1).to_string()))
        }
    };
    drop(listener);

    let key = Arc::new(DpopKey::generate());
    let token = tokio::select! {
        token = token::exchange_code(&endpoint, key.clone(), &code, &pkce.verifier, &redirect_uri) => token?,
        _ = cancel.cancelled() => return Err(BerthError::new(ErrorKind::Cancelled)),
    };

    let cache_dir = cache::cache_dir(|name| setup.var(name))?;
    cache::save(&cache_dir, &token, &key, SystemTime::now())?;
    let config_file = config_path(setup)?;
    record_profile(&config_file, request, &token.login_session)?;

    let root = token.login_session.rsplit(':').next() == Some("root");
    Ok(SignedIn {
        profile: request.profile.clone(),
        region: request.region.clone(),
        account: token.account_id.clone(),
        session: token.login_session.clone(),
        root,
        config_file: config_file.display().to_string(),
        command: command.render(),
    })
}

/// `AWS_CONFIG_FILE`, else `~/.aws/config` (as the SDK reads it).
fn config_path(setup: &SignInSetup) -> Result<PathBuf> {
    if let Some(path) = setup
        .var("AWS_CONFIG_FILE")
        .filter(|p| !p.trim().is_empty())
    {
        return Ok(PathBuf::from(path));
    }
    let home = setup
        .var("HOME")
        .or_else(|| setup.var("USERPROFILE"))
        .ok_or_else(|| BerthError::internal("no home folder for ~/.aws/config"))?;
    Ok(PathBuf::from(home).join(".aws").join("config"))
}

/// Writes the profile into the config file, keeping the file's mode, and writing through a
/// symbolic link to the file it points at (dotfile managers link it).
fn record_profile(path: &PathBuf, request: &SignInRequest, session: &str) -> Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
    let failed = |e: std::io::Error| {
        BerthError::new(ErrorKind::AwsConfigUnreadable)
            .with("path", target.display().to_string())
            .details(format!("writing {}: {e}", target.display()))
    };
    let text = match std::fs::read_to_string(&target) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(failed(e)),
    };
    let updated =
        config_file::with_login_session(&text, &request.profile, session, &request.region);
    let dir = target
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let mode = std::fs::metadata(&target).ok().map(|m| m.permissions());
    cache::write_private(&dir, &target, updated.as_bytes()).map_err(failed)?;
    if let Some(mode) = mode {
        std::fs::set_permissions(&target, mode).map_err(failed)?;
    }
    Ok(())
}
