//! AWS access. One factory builds the shared SDK configuration (region, credentials, and the
//! endpoint override of practice mode); each service gets a thin wrapper module of its own.

pub mod errors;
pub mod profiles;
pub mod sts;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration;

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
    /// A provider of Berth's own (keys read from the OS keychain).
    Provider(SharedCredentialsProvider),
}

/// The configured SDK, from which each service's client is made.
#[derive(Debug, Clone)]
pub struct AwsClients {
    config: SdkConfig,
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
        loader = match credentials {
            CredentialSource::DefaultChain => loader,
            CredentialSource::Profile(name) => loader.profile_name(name),
            CredentialSource::Provider(provider) => loader.credentials_provider(provider),
        };
        AwsClients {
            config: loader.load().await,
        }
    }

    pub fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    pub fn region(&self) -> &str {
        self.config.region().map(Region::as_ref).unwrap_or_default()
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.config)
    }
}
