//! The AWS Sign-In service's side of the flow: where its pages and token endpoint are for a
//! region, the authorization URL the browser opens, and the token call that trades the code
//! (with the PKCE verifier and a DPoP proof) for short-lived credentials and a refresh token.

use super::dpop::DpopKey;
use crate::aws::errors;
use crate::error::{BerthError, ErrorKind, Result};
use aws_sdk_signin::config::endpoint::{Params, ResolveEndpoint};
use aws_sdk_signin::config::{BehaviorVersion, Intercept, Region};
use aws_sdk_signin::operation::create_o_auth2_token::CreateOAuth2TokenError;
use aws_sdk_signin::types::{CreateOAuth2TokenRequestBody, OAuth2ErrorCode};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::timeout::TimeoutConfig;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The client id of the CLI's same-device flow (a loopback redirect); the SDK's provider refreshes
/// with the client id recorded in the cache, so Berth's sign-ins refresh like the CLI's.
pub const CLIENT_ID: &str = "arn:aws:signin:::devtools/same-device";

/// Where the Sign-In service is: the region, and an endpoint that replaces AWS's (the
/// `AWS_ENDPOINT_URL_SIGNIN` variable the CLI also honours; the tests' stand-in uses it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInEndpoint {
    pub region: String,
    pub endpoint_url: Option<String>,
}

impl SignInEndpoint {
    /// The service's base URL, as the SDK resolves it for the token call
    /// (`https://REGION.signin.aws.amazon.com`), without a trailing slash.
    pub async fn base_url(&self) -> Result<String> {
        let params = Params::builder()
            .region(self.region.clone())
            .set_endpoint(self.endpoint_url.clone())
            .set_is_control_plane(Some(false))
            .build()
            .map_err(BerthError::internal)?;
        let endpoint = aws_sdk_signin::config::endpoint::DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .map_err(|e| BerthError::invalid("region", "format").details(e))?;
        Ok(endpoint.url().trim_end_matches('/').to_owned())
    }

    /// The page the browser opens: `/v1/authorize` with the CLI's parameters.
    pub async fn authorize_url(
        &self,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
    ) -> Result<String> {
        let query = [
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("state", state),
            ("code_challenge_method", "SHA-256"),
            ("scope", "openid"),
            ("redirect_uri", redirect_uri),
            ("code_challenge", code_challenge),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)))
        .collect::<Vec<_>>()
        .join("&");
        Ok(format!("{}/v1/authorize?{query}", self.base_url().await?))
    }
}

/// Everything but unreserved characters is escaped (as botocore's `percent_encode_sequence`).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What the token call answered. The secrets stay wrapped until they are written to the cache.
pub struct IssuedToken {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub session_token: SecretString,
    pub token_type: String,
    pub expires_in: Duration,
    pub refresh_token: SecretString,
    pub id_token: SecretString,
    /// The console session the credentials belong to (the ID token's `sub`), e.g.
    /// `arn:aws:iam::123456789012:user/admin` or `arn:aws:iam::123456789012:root`.
    pub login_session: String,
    pub account_id: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("login_session", &self.login_session)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// Trades the authorization code for credentials: `POST /v1/token` with the code, the PKCE
/// verifier and the redirect URI, and a DPoP proof made with `key`.
pub async fn exchange_code(
    endpoint: &SignInEndpoint,
    key: Arc<DpopKey>,
    code: &SecretString,
    verifier: &SecretString,
    redirect_uri: &str,
) -> Result<IssuedToken> {
    let mut config = aws_sdk_signin::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(endpoint.region.clone()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        )
        .interceptor(DpopHeader(key));
    if let Some(url) = &endpoint.endpoint_url {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_signin::Client::from_conf(config.build());
    let body = CreateOAuth2TokenRequestBody::builder()
        .client_id(CLIENT_ID)
        .grant_type("authorization_code")
        .code(code.expose_secret())
        .code_verifier(verifier.expose_secret())
        .redirect_uri(redirect_uri)
        .build()
        .map_err(BerthError::internal)?;
    let out = client
        .create_o_auth2_token()
        .token_input(body)
        .send()
        .await
        .map_err(token_error)?;
    let body = out.token_output.ok_or_else(|| {
        BerthError::new(ErrorKind::SignInFailed).details("no token in the answer")
    })?;
    let access = body.access_token.ok_or_else(|| {
        BerthError::new(ErrorKind::SignInFailed).details("no credentials in the answer")
    })?;
    let id_token = body.id_token.ok_or_else(|| {
        BerthError::new(ErrorKind::SignInFailed).details("no ID token in the answer")
    })?;
    let login_session = session_of_id_token(&id_token)?;
    let account_id = account_of(&login_session)?;
    Ok(IssuedToken {
        access_key_id: access.access_key_id,
        secret_access_key: SecretString::from(access.secret_access_key),
        session_token: SecretString::from(access.session_token),
        token_type: body.token_type,
        expires_in: Duration::from_secs(body.expires_in.max(0) as u64),
        refresh_token: SecretString::from(body.refresh_token),
        id_token: SecretString::from(id_token),
        login_session,
        account_id,
    })
}

/// The session ARN in an ID token's `sub`. The token came straight from the token endpoint over
/// TLS, so (as the CLI) its signature is not checked here.
pub fn session_of_id_token(id_token: &str) -> Result<String> {
    let bad =
        |why: &str| BerthError::new(ErrorKind::SignInFailed).details(format!("ID token: {why}"));
    let mut parts = id_token.split('.');
    let payload = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(p), Some(_), None) => p,
        _ => return Err(bad("not a JWT")),
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| bad("payload is not base64url"))?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| bad("payload is not JSON"))?;
    claims["sub"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| bad("no sub"))
}

/// `arn:aws:iam::123456789012:user/x` → `123456789012`.
pub fn account_of(login_session: &str) -> Result<String> {
    let account = login_session.split(':').nth(4).unwrap_or_default();
    if account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()) {
        Ok(account.to_owned())
    } else {
        Err(BerthError::new(ErrorKind::SignInFailed)
            .details(format!("the session {login_session} names no account")))
    }
}

fn token_error(
    err: aws_smithy_runtime_api::client::result::SdkError<
        CreateOAuth2TokenError,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> BerthError {
    if let Some(CreateOAuth2TokenError::AccessDeniedException(denied)) = err.as_service_error() {
        let reason = match denied.error() {
            OAuth2ErrorCode::AuthcodeExpired => "codeExpired",
            OAuth2ErrorCode::InsufficientPermissions => "insufficientPermissions",
            OAuth2ErrorCode::UserCredentialsChanged => "credentialsChanged",
            _ => "refused",
        };
        return BerthError::new(ErrorKind::SignInFailed)
            .with("reason", reason)
            .details(denied.message());
    }
    let mapped = errors::from_sdk(err, "signin:CreateOAuth2Token");
    if mapped.kind == ErrorKind::AwsEndpointUnreachable {
        return mapped;
    }
    let mut failed = mapped.clone();
    failed.kind = ErrorKind::SignInFailed;
    failed.with("reason", "refused")
}

/// Adds the DPoP proof for the request's final URL, once the endpoint is resolved.
#[derive(Debug)]
struct DpopHeader(Arc<DpopKey>);

impl Intercept for DpopHeader {
    fn name(&self) -> &'static str {
        "BerthDpopHeader"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> std::result::Result<(), BoxError> {
        let iat = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|e| -> BoxError { e.into() })?
            .as_secs();
        let request = context.request_mut();
        let proof = self.0.proof(request.uri(), iat);
        request.headers_mut().insert("DPoP", proof);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_authorize_url_is_the_regional_sign_in_page_with_the_clis_parameters() {
        let endpoint = SignInEndpoint {
            region: "ap-northeast-2".into(),
            endpoint_url: None,
        };
        assert_eq!(
            endpoint.base_url().await.unwrap(),
            "https://ap-northeast-2.signin.aws.amazon.com"
        );
        let url = endpoint
            .authorize_url("http://127.0.0.1:4321/oauth/callback", "st-1", "abc_-")
            .await
            .unwrap();
        assert_eq!(
            url,
            "https://ap-northeast-2.signin.aws.amazon.com/v1/authorize?response_type=code\
             &client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state=st-1\
             &code_challenge_method=SHA-256&scope=openid\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A4321%2Foauth%2Fcallback&code_challenge=abc_-"
        );
        let local = SignInEndpoint {
            region: "us-east-1".into(),
            endpoint_url: Some("http://127.0.0.1:9/".into()),
        };
        assert_eq!(local.base_url().await.unwrap(), "http://127.0.0.1:9");
    }

    fn jwt(claims: &str) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn the_session_and_account_come_from_the_id_tokens_subject() {
        let s = session_of_id_token(&jwt(r#"{"sub":"arn:aws:iam::123456789012:root"}"#)).unwrap();
        assert_eq!(s, "arn:aws:iam::123456789012:root");
        assert_eq!(account_of(&s).unwrap(), "123456789012");
        for bad in ["x.y", &jwt(r#"{"aud":"x"}"#), "a.!!!.c"] {
            assert_eq!(
                session_of_id_token(bad).unwrap_err().kind,
                ErrorKind::SignInFailed
            );
        }
        assert!(account_of("arn:aws:iam::12:user/x").is_err());
    }
}
