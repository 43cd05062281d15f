//! IAM: roles, users and their access keys, managed policies and the policy simulator, as methods
//! of [`Iam`]. Each `…_call` method is the call (with its `aws iam …` equivalent) that the IAM step
//! shows before running it; the method of the same name without `_call` sends it.

mod policies;
mod role_policies;
mod roles;
mod users;

pub use roles::ECS_SERVICE_LINKED_ROLE;

use super::AwsClients;
use crate::activity::ActivityLog;
use crate::error::{BerthError, ErrorKind, Result};
use aws_sdk_iam::types::Tag;

/// A role as Berth needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub arn: String,
    /// The trust policy, as JSON text (IAM sends it URL-encoded; this is decoded).
    pub trust_policy: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// A user as Berth needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub tags: Vec<(String, String)>,
}

/// A customer managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub default_version: String,
    pub tags: Vec<(String, String)>,
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: String,
    pub is_default: bool,
}

/// A condition key value the simulator should assume (e.g. `iam:PassedToService`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextValue {
    pub key: String,
    pub value: String,
}

fn sdk_tags(tags: &[(String, String)]) -> Result<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(BerthError::internal)
        })
        .collect()
}

fn tag_pairs(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// IAM calls on behalf of one identity.
pub struct Iam<'a> {
    clients: &'a AwsClients,
    client: aws_sdk_iam::Client,
}

impl<'a> Iam<'a> {
    pub fn new(clients: &'a AwsClients) -> Self {
        Iam {
            clients,
            client: clients.iam(),
        }
    }

    /// The activity log the calls are recorded in.
    pub fn log(&self) -> &'a ActivityLog {
        self.clients.activity()
    }
}

/// Names the resource in an AlreadyExists error.
fn exists(err: BerthError, resource: &str, name: &str) -> BerthError {
    if err.kind == ErrorKind::AlreadyExists {
        err.with("resource", resource).with("name", name)
    } else {
        err
    }
}

/// IAM returns policy documents URL-encoded (RFC 3986); some emulators send them as they are.
pub fn decode_policy(document: &str) -> String {
    if document.trim_start().starts_with('{') {
        return document.to_owned();
    }
    percent_decode(document)
}

/// Decodes `%XX` escapes; an escape that is not one is kept as it is.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_policy_documents_are_decoded_and_plain_ones_kept() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_policy(encoded),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
        let plain = r#"{"Version":"2012-10-17"}"#;
        assert_eq!(decode_policy(plain), plain);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
    }
}
