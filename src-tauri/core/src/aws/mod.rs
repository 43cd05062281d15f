//! AWS access. One factory builds the shared SDK configuration (region, credentials, and the
//! endpoint override of practice mode); each service gets a thin wrapper module of its own, which
//! calls AWS only through a declared action (`catalogue`) and a [`call::Call`], so every call is
//! logged with its CLI equivalent and its errors name the IAM action. Nothing outside this module
//! touches an SDK client.

pub mod action;
pub mod autoscaling;
pub mod call;
pub mod catalogue;
pub mod cloudwatch;
pub mod ec2;
pub mod ecr;
pub mod ecr_auth;
pub mod ecr_practice;
pub mod ecs;
pub mod errors;
pub mod iam;
pub mod logs;
pub mod pricing;
pub mod profiles;
pub mod regions;
pub mod signin;
pub mod ssm;
pub mod sts;

use crate::activity::ActivityLog;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration;

/// A service's client. In practice mode every one is sent to the emulator, set on the service's
/// own configuration last: otherwise a service-specific override (`AWS_ENDPOINT_URL_ECS`, or a
/// profile's `services` section) would win over the shared endpoint and reach real AWS.
macro_rules! service_client {
    ($clients:expr, $sdk:ident) => {{
        let mut conf = $sdk::config::Builder::from(&$clients.config);
        if let Some(url) = &$clients.endpoint_url {
            conf = conf.endpoint_url(url.clone());
        }
        $sdk::Client::from_conf(conf.build())
    }};
}

/// Where Berth talks to AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsTarget {
    pub region: String,
    /// Practice mode: every service is sent to this URL (a local AWS emulator) instead of AWS.
    pub endpoint_url: Option<String>,
}

/// Where the credentials come from.
#[derive(Debug, Clone)]
pub enum CredentialSource {
    /// The SDK's default chain: environment, `[default]` profile, SSO, container, instance.
    DefaultChain,
    /// A named profile of `~/.aws/config` / `~/.aws/credentials` (static, SSO, assume-role,
    /// credential_process all resolve through aws-config).
    Profile(String),
    /// A `login_session` profile (a browser sign-in). Its credentials are refreshed through the
    /// Sign-In service of the region the sign-in was made in, which may not be the region Berth
    /// works in.
    LoginSession {
        profile: String,
        signin_region: Option<String>,
    },
    /// A provider of Berth's own (keys read from the OS keychain).
    Provider(SharedCredentialsProvider),
    /// Berth's own practice backend: its fixed practice keys, never the user's profiles,
    /// environment or keychain (see [`crate::practice`]).
    Practice,
}

/// The configured SDK, from which each service's client is made.
#[derive(Debug, Clone)]
pub struct AwsClients {
    config: SdkConfig,
    /// `--profile`, when the credentials come from a named profile (for CLI equivalents).
    profile: Option<String>,
    endpoint_url: Option<String>,
    /// Berth's own practice backend (whose port changes from run to run).
    managed_practice: bool,
    /// Where calls are recorded.
    activity: ActivityLog,
    /// The credentials come from a browser sign-in (short-lived, refreshed by the SDK).
    browser_sign_in: bool,
}

impl AwsClients {
    pub async fn new(target: &AwsTarget, credentials: CredentialSource) -> Self {
        // Fail fast when there is no network instead of hanging the wizard for minutes.
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(30))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(target.region.clone()))
            .timeout_config(timeouts);
        if let Some(url) = &target.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        let browser_sign_in = matches!(credentials, CredentialSource::LoginSession { .. });
        let managed_practice = matches!(credentials, CredentialSource::Practice);
        // A named profile, and the region its credentials provider talks to.
        let named = match credentials {
            CredentialSource::DefaultChain => None,
            CredentialSource::Provider(provider) => {
                loader = loader.credentials_provider(provider);
                None
            }
            CredentialSource::Practice => {
                loader = loader.credentials_provider(crate::practice::credentials::provider());
                None
            }
            CredentialSource::Profile(name) => Some((name, target.region.clone())),
            CredentialSource::LoginSession {
                profile,
                signin_region,
            } => Some((
                profile,
                signin_region.unwrap_or_else(|| target.region.clone()),
            )),
        };
        let mut profile = None;
        if let Some((name, provider_region)) = named {
            profile = Some(name.clone());
            // The profile the user picked, not whatever AWS_ACCESS_KEY_ID the environment
            // holds: the SDK's default chain would try the environment first.
            let conf = ProviderConfig::default().with_region(Some(Region::new(provider_region)));
            let provider = ProfileFileCredentialsProvider::builder()
                .configure(&conf)
                .profile_name(&name)
                .build();
            loader = loader.profile_name(name).credentials_provider(provider);
        }
        AwsClients {
            config: loader.load().await,
            profile,
            endpoint_url: target.endpoint_url.clone(),
            managed_practice,
            activity: ActivityLog::in_memory(),
            browser_sign_in,
        }
    }

    /// The same clients, recording their calls in `log` (the app's activity log).
    pub fn with_activity(mut self, log: ActivityLog) -> Self {
        self.activity = log;
        self
    }

    /// The log calls are recorded in.
    pub fn activity(&self) -> &ActivityLog {
        &self.activity
    }

    /// The profile the credentials come from, if a named one (for `--profile`).
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Whether the credentials come from a browser sign-in (`login_session` profile).
    pub fn is_browser_sign_in(&self) -> bool {
        self.browser_sign_in
    }

    /// Whether requests go to a local emulator instead of AWS.
    pub fn is_practice(&self) -> bool {
        self.endpoint_url.is_some()
    }

    /// The practice emulator's URL, when requests go to one.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// Whether requests go to Berth's own practice backend.
    pub fn is_managed_practice(&self) -> bool {
        self.managed_practice && self.endpoint_url.is_some()
    }

    /// Where launches made with these clients went, as launch records remember it: `None` for
    /// AWS, the emulator's URL, or [`crate::practice::PRACTICE_TARGET`] for Berth's own practice
    /// backend, whose address changes from run to run.
    pub fn target_id(&self) -> Option<&str> {
        if self.is_managed_practice() {
            Some(crate::practice::PRACTICE_TARGET)
        } else {
            self.endpoint_url()
        }
    }

    /// The SDK configuration, for tests that set up resources as another tool would.
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    pub fn region(&self) -> &str {
        self.config.region().map(Region::as_ref).unwrap_or_default()
    }

    pub(in crate::aws) fn sts(&self) -> aws_sdk_sts::Client {
        service_client!(self, aws_sdk_sts)
    }

    pub(in crate::aws) fn iam(&self) -> aws_sdk_iam::Client {
        service_client!(self, aws_sdk_iam)
    }

    pub(in crate::aws) fn ecr(&self) -> aws_sdk_ecr::Client {
        service_client!(self, aws_sdk_ecr)
    }

    pub(in crate::aws) fn ecs(&self) -> aws_sdk_ecs::Client {
        service_client!(self, aws_sdk_ecs)
    }

    pub(in crate::aws) fn ec2(&self) -> aws_sdk_ec2::Client {
        service_client!(self, aws_sdk_ec2)
    }

    pub(in crate::aws) fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        service_client!(self, aws_sdk_cloudwatchlogs)
    }

    pub(in crate::aws) fn cloudwatch(&self) -> aws_sdk_cloudwatch::Client {
        service_client!(self, aws_sdk_cloudwatch)
    }

    pub(in crate::aws) fn autoscaling(&self) -> aws_sdk_applicationautoscaling::Client {
        service_client!(self, aws_sdk_applicationautoscaling)
    }

    pub(in crate::aws) fn ssm(&self) -> aws_sdk_ssm::Client {
        service_client!(self, aws_sdk_ssm)
    }

    pub(in crate::aws) fn pricing(&self) -> aws_sdk_pricing::Client {
        service_client!(self, aws_sdk_pricing)
    }

    /// Clients made from an SDK configuration built elsewhere (its region, credentials and HTTP
    /// client), sending to AWS.
    pub fn from_sdk_config(config: SdkConfig) -> Self {
        AwsClients {
            config,
            profile: None,
            endpoint_url: None,
            managed_practice: false,
            activity: ActivityLog::in_memory(),
            browser_sign_in: false,
        }
    }

    /// The same identity, talking to the Price List API endpoint nearest to `region` (the API
    /// is served from a few Regions only; see [`pricing::endpoint_region_for`]).
    pub fn for_price_list(&self, region: &str) -> Self {
        self.in_region(pricing::endpoint_region_for(region))
    }

    /// The same identity (and activity log), sending to `region`.
    pub fn in_region(&self, region: &str) -> Self {
        AwsClients {
            config: self
                .config
                .to_builder()
                .region(Region::new(region.to_owned()))
                .build(),
            ..self.clone()
        }
    }
}
