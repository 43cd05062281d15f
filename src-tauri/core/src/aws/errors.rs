//! Turns SDK errors into Berth's error kinds. Raw AWS text goes into `details`.

use crate::error::{BerthError, ErrorKind};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Error codes AWS uses for a key id it does not know or a secret that does not match.
const INVALID_CREDENTIAL_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "AuthFailure",
];

const EXPIRED_CODES: &[&str] = &["ExpiredToken", "ExpiredTokenException", "RequestExpired"];

/// Codes of a rate limit (try again later). EC2's `RequestLimitExceeded` is its rate limit.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
];

/// Codes of a reached quota (ECR's and CloudWatch Logs' `LimitExceededException`, IAM's
/// `LimitExceeded`, EC2's `…LimitExceeded`): waiting does not help.
fn is_quota(code: &str) -> bool {
    code == "LimitExceededException"
        || code == "LimitExceeded"
        || code == "ServiceQuotaExceededException"
        || (code.ends_with("LimitExceeded") && code != "RequestLimitExceeded")
}

/// Codes (or their suffix, e.g. `RepositoryNotFoundException`) of a resource that is not there.
fn is_not_found(code: &str) -> bool {
    code == "NoSuchEntity"
        || code.ends_with("NotFoundException")
        || code.ends_with(".NotFound")
        || code == "NotFound"
}

fn is_already_exists(code: &str) -> bool {
    code == "EntityAlreadyExists"
        || code.ends_with("AlreadyExistsException")
        || code.ends_with(".Duplicate")
}

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
];

/// Maps a failed call of `action` (e.g. `sts:GetCallerIdentity`) to a Berth error.
pub fn from_sdk<E>(err: SdkError<E, HttpResponse>, action: &str) -> BerthError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let details = DisplayErrorContext(&err).to_string();
    let mut code = None;
    let kind = match &err {
        SdkError::TimeoutError(_) => ErrorKind::AwsEndpointUnreachable,
        SdkError::ServiceError(service) => {
            let from_body = code_from_body(service.raw());
            let found = service.err().code().or(from_body.as_deref());
            code = found.map(str::to_owned);
            let code = found.unwrap_or_default();
            if INVALID_CREDENTIAL_CODES.contains(&code) {
                ErrorKind::InvalidCredentials
            } else if EXPIRED_CODES.contains(&code) {
                ErrorKind::CredentialsExpired
            } else if ACCESS_DENIED_CODES.contains(&code)
                // moto answers some JSON-protocol services with XML, so a denial can arrive as a
                // bare 403 without a code; AWS itself only sends 403 for denials and bad keys.
                || (code.is_empty() && service.raw().status().as_u16() == 403)
            {
                ErrorKind::AccessDenied
            } else if THROTTLING_CODES.contains(&code) {
                ErrorKind::Throttled
            } else if is_quota(code) {
                ErrorKind::QuotaExceeded
            } else if is_not_found(code) {
                ErrorKind::NotFound
            } else if is_already_exists(code) {
                ErrorKind::AlreadyExists
            } else if !code.is_empty() {
                ErrorKind::AwsRejected
            } else {
                ErrorKind::Internal
            }
        }
        // Credentials are resolved before the request is sent: a missing profile or an expired
        // SSO login surfaces as a construction or dispatch failure.
        SdkError::DispatchFailure(_) => {
            credential_failure_kind(&details).unwrap_or(ErrorKind::AwsEndpointUnreachable)
        }
        _ => credential_failure_kind(&details).unwrap_or(ErrorKind::Internal),
    };
    let mut err = BerthError::new(kind)
        .with("action", action)
        .details(&details);
    if kind == ErrorKind::QuotaExceeded {
        err = err.with(
            "quota",
            quota_named(&details).unwrap_or_else(|| action.to_owned()),
        );
    }
    match code {
        // The AWS error code, for messages and for callers that branch on a specific one.
        Some(code) if !code.is_empty() => err.with("code", code),
        _ => err,
    }
}

/// The quota a refusal names: IAM writes "Cannot exceed quota for AccessKeysPerUser: 2"; other
/// services only describe it, so the action stands for it.
fn quota_named(details: &str) -> Option<String> {
    let rest = details.split("quota for ").nth(1)?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (!name.is_empty()).then_some(name)
}

/// What a failure to resolve credentials means for the user, from the SDK's message (the SDK
/// exposes no structured kind for these).
fn credential_failure_kind(details: &str) -> Option<ErrorKind> {
    let text = details.to_ascii_lowercase();
    if !text.contains("credential") && !text.contains("identity") {
        return None;
    }
    Some(if text.contains("sso") {
        ErrorKind::SsoLoginRequired
    } else if text.contains("profile")
        && (text.contains("not found") || text.contains("no profile"))
    {
        ErrorKind::ProfileNotFound
    } else {
        ErrorKind::NoCredentials
    })
}

/// The error code inside a response body the SDK could not parse (moto answers some services in
/// another protocol's error format): `<Code>X</Code>` or JSON `"__type": "X"`.
fn code_from_body(raw: &HttpResponse) -> Option<String> {
    let body = std::str::from_utf8(raw.body().bytes()?).ok()?;
    if let Some(start) = body.find("<Code>") {
        let rest = &body[start + "<Code>".len()..];
        return rest
            .find("</Code>")
            .map(|end| rest[..end].trim().to_owned());
    }
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = json.get("__type").or_else(|| json.get("code"))?.as_str()?;
    // "com.amazon.coral.service#AccessDeniedException" → "AccessDeniedException"
    Some(code.rsplit('#').next().unwrap_or(code).to_owned())
}
