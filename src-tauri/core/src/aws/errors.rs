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
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
];

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
    let kind = match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            ErrorKind::AwsEndpointUnreachable
        }
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            if INVALID_CREDENTIAL_CODES.contains(&code) {
                ErrorKind::InvalidCredentials
            } else if ACCESS_DENIED_CODES.contains(&code)
                // moto answers some JSON-protocol services with XML, so a denial can arrive as a
                // bare 403 without a code; AWS itself only sends 403 for denials and bad keys.
                || (code.is_empty() && service.raw().status().as_u16() == 403)
            {
                ErrorKind::AccessDenied
            } else {
                ErrorKind::Internal
            }
        }
        _ => ErrorKind::Internal,
    };
    BerthError::new(kind)
        .with("action", action)
        .details(details)
}
