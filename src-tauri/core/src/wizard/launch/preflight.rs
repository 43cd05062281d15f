//! Checks before a launch that need IAM and ECR: does the execution role exist, and is the image
//! tag in the repository. Read-only calls; an answer Berth may not read is "unknown", never a
//! blocker.

use crate::aws::iam::Iam;
use crate::aws::{ecr, AwsClients};
use crate::error::{ErrorKind, Result};

/// What Berth could find out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Yes,
    No,
    /// Berth may not look (access denied) or the service did not answer usefully.
    Unknown,
}

/// The role name of an IAM role ARN (`arn:aws:iam::1:role/path/name` → `name`).
pub fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Whether the execution role exists.
pub async fn execution_role(clients: &AwsClients, arn: &str) -> Result<Found> {
    Ok(match Iam::new(clients).get_role(role_name(arn)).await {
        Ok(Some(_)) => Found::Yes,
        Ok(None) => Found::No,
        Err(_) => Found::Unknown,
    })
}

/// Whether the Express Mode infrastructure role exists (a stable HTTPS address).
pub async fn infrastructure_role(clients: &AwsClients, arn: &str) -> Result<Found> {
    let action = &crate::aws::catalogue::express::GET_INFRASTRUCTURE_ROLE;
    Ok(
        match Iam::new(clients).get_role_as(action, role_name(arn)).await {
            Ok(Some(_)) => Found::Yes,
            Ok(None) => Found::No,
            Err(_) => Found::Unknown,
        },
    )
}

/// Whether `repository` holds the image `reference` names: a tag, or a digest (`sha256:…`).
pub async fn image_in(clients: &AwsClients, repository: &str, reference: &str) -> Result<Found> {
    Ok(
        match ecr::find_image(clients, repository, reference).await {
            Ok(Some(_)) => Found::Yes,
            Ok(None) => Found::No,
            Err(e) if e.kind == ErrorKind::NotFound => Found::No,
            Err(_) => Found::Unknown,
        },
    )
}

/// The tag or digest an image URI names (`host/repo:tag` → `tag`, `host/repo@sha256:…` →
/// `sha256:…`).
pub fn reference_of(uri: &str) -> Option<&str> {
    if let Some((_, digest)) = uri.split_once('@') {
        return Some(digest);
    }
    let last = uri.rsplit('/').next()?;
    last.split_once(':').map(|(_, tag)| tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_arns_and_uris() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/service-role/ecsTaskExecutionRole"),
            "ecsTaskExecutionRole"
        );
        assert_eq!(
            reference_of("1.dkr.ecr.us-east-1.amazonaws.com/team/web:v1.2"),
            Some("v1.2")
        );
        assert_eq!(reference_of("localhost:5000/web"), None);
        assert_eq!(
            reference_of("1.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abc"),
            Some("sha256:abc")
        );
    }
}
