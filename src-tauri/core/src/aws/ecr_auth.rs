//! ECR GetAuthorizationToken → the credentials the Docker engine pushes with. The token is
//! base64 of `AWS:<password>`, valid 12 hours; it is passed to the engine per request and never
//! written anywhere (no `docker login`, no `~/.docker/config.json`).

use super::catalogue::ecr;
use super::AwsClients;
use crate::cli::CliCommand;
use crate::error::{BerthError, Result};
use crate::image::push::RegistryCredentials;
use base64::Engine as _;

/// The registry credentials and where ECR says the registry is.
#[derive(Debug, Clone)]
pub struct EcrLogin {
    pub credentials: RegistryCredentials,
    /// `<account>.dkr.ecr.<region>.amazonaws.com` (the proxy endpoint without its scheme).
    pub registry: String,
    /// Seconds since the epoch.
    pub expires_at: Option<i64>,
}

/// Calls GetAuthorizationToken and decodes the token. The activity log shows it as the shell
/// does it, `aws ecr get-login-password | docker login … <registry>`, where the registry is
/// `practice_registry` in practice mode and otherwise the one ECR answers with.
pub async fn login(
    clients: &AwsClients,
    target: &str,
    practice_registry: Option<&str>,
) -> Result<EcrLogin> {
    let call = clients.call(&ecr::GET_AUTHORIZATION_TOKEN, target);
    let answer = call
        .request(clients.ecr().get_authorization_token().send(), |out| {
            out.authorization_data
                .unwrap_or_default()
                .into_iter()
                .next()
                .ok_or_else(|| BerthError::internal("GetAuthorizationToken returned no token"))
        })
        .await;
    let registry = match (&answer, practice_registry) {
        (_, Some(practice)) => practice.to_owned(),
        (Ok(data), None) => registry_of(data.proxy_endpoint.as_deref().unwrap_or_default()),
        (Err(_), None) => format!("<account>.dkr.ecr.{}.amazonaws.com", clients.region()),
    };
    let docker_login =
        CliCommand::new(["docker", "login", "--username", "AWS", "--password-stdin"])
            .arg(&registry);
    let data = call.pipe(docker_login).recorded(answer)?;
    let token = data.authorization_token.unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        // Never put the token in the error: say only what was wrong with it.
        .ok_or_else(|| {
            BerthError::internal("GetAuthorizationToken returned a token that is not base64 text")
        })?;
    let (username, password) = decoded.split_once(':').ok_or_else(|| {
        BerthError::internal("GetAuthorizationToken returned a token without a user name")
    })?;
    let registry = registry_of(data.proxy_endpoint.as_deref().unwrap_or_default());
    Ok(EcrLogin {
        credentials: RegistryCredentials {
            username: username.to_owned(),
            password: password.to_owned(),
            server: registry.clone(),
        },
        registry,
        expires_at: data.expires_at.map(|t| t.secs()),
    })
}

/// `https://<account>.dkr.ecr.<region>.amazonaws.com` → the registry host Docker names.
fn registry_of(proxy_endpoint: &str) -> String {
    proxy_endpoint
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}
