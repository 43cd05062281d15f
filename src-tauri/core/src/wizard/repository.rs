//! Wizard step 3, Repository: create an ECR repository with Berth's options (scan on push, tag
//! mutability, encryption, a lifecycle rule that is on by default), or pick an existing one.

use crate::aws::ecr::{self, CreateParams, Encryption, RepositorySummary, TagMutability};
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::ecr_lifecycle::{self, LifecycleRule, LifecycleSummary};
use crate::ecr_names;
use crate::error::{BerthError, Result};
use crate::tags;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the user asked for in the create form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewRepository {
    pub name: String,
    pub scan_on_push: bool,
    pub tag_mutability: TagMutability,
    pub encryption: Encryption,
    pub lifecycle: LifecycleRule,
}

/// A repository as the step (and the Repositories view) shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryDetails {
    pub repository: RepositorySummary,
    /// `None` when the repository has no lifecycle policy: images are kept forever.
    pub lifecycle: Option<LifecycleSummary>,
    /// Whether Berth's tags say Berth made it; `None` when the tags could not be read.
    pub managed: Option<bool>,
}

/// The answer of a create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreatedRepository {
    pub details: RepositoryDetails,
    /// Set when the repository was made but its lifecycle policy was not; the step offers to
    /// set it again (the repository itself is there and remembered).
    pub lifecycle_error: Option<BerthError>,
}

const MAX_KMS_KEY_LEN: usize = 2048;

/// Checks everything the form holds before any AWS call.
pub fn validate_new_repository(input: &NewRepository) -> Result<()> {
    ecr_names::validate(&input.name)?;
    if !matches!(
        input.tag_mutability,
        TagMutability::Mutable | TagMutability::Immutable
    ) {
        return Err(BerthError::invalid("tagMutability", "unsupported"));
    }
    match &input.encryption {
        Encryption::Aes256 | Encryption::Kms { key: None } => {}
        Encryption::Kms { key: Some(key) } => validate_kms_key(key)?,
        Encryption::KmsDsse { .. } => return Err(BerthError::invalid("encryption", "unsupported")),
    }
    ecr_lifecycle::validate(&input.lifecycle)
}

/// A KMS key as ECR takes it: a key ARN, an alias (`alias/…` or its ARN) or a key id.
fn validate_kms_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= MAX_KMS_KEY_LEN
        && !key.chars().any(char::is_whitespace)
        && (key.starts_with("alias/")
            || (key.starts_with("arn:") && key.contains(":kms:"))
            || key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if ok {
        Ok(())
    } else {
        Err(BerthError::invalid("kmsKey", "format"))
    }
}

/// The tags a new repository gets: Berth's, with the repository name as the app.
fn new_repository_tags(name: &str) -> Vec<(String, String)> {
    tags::berth_tags(Some(name))
}

/// What CreateRepository is asked for `input`, with Berth's tags.
fn create_params<'a>(input: &'a NewRepository, tags: &'a [(String, String)]) -> CreateParams<'a> {
    CreateParams {
        name: &input.name,
        scan_on_push: input.scan_on_push,
        tag_mutability: input.tag_mutability,
        encryption: &input.encryption,
        tags,
    }
}

/// `aws ecr put-lifecycle-policy …`, or `None` when the rule is off.
pub fn lifecycle_command(
    clients: &AwsClients,
    name: &str,
    rule: &LifecycleRule,
) -> Option<CliCommand> {
    ecr_lifecycle::policy_text(rule)
        .map(|text| ecr::put_lifecycle_policy_call(clients, name, &text).into_command())
}

/// The commands a create runs, in order (what the step shows before the user clicks).
pub fn create_commands(clients: &AwsClients, input: &NewRepository) -> Vec<CliCommand> {
    let tags = new_repository_tags(&input.name);
    let mut commands =
        vec![ecr::create_repository_call(clients, &create_params(input, &tags)).into_command()];
    commands.extend(lifecycle_command(clients, &input.name, &input.lifecycle));
    commands
}

/// Creates the repository with Berth's tags, then its lifecycle policy. A name that is taken
/// fails with `AlreadyExists` (the step then offers to use that repository instead). A failed
/// lifecycle policy does not undo the repository: it comes back in `lifecycle_error`.
pub async fn create_repository(
    clients: &AwsClients,
    input: &NewRepository,
) -> Result<CreatedRepository> {
    validate_new_repository(input)?;
    let tags = new_repository_tags(&input.name);
    let repository = ecr::create_repository(clients, &create_params(input, &tags)).await?;
    let mut lifecycle = None;
    let mut lifecycle_error = None;
    if let Some(text) = ecr_lifecycle::policy_text(&input.lifecycle) {
        match ecr::put_lifecycle_policy(clients, &input.name, &text).await {
            Ok(()) => lifecycle = Some(ecr_lifecycle::summarize(&text)),
            Err(e) => lifecycle_error = Some(e),
        }
    }
    Ok(CreatedRepository {
        details: RepositoryDetails {
            repository,
            lifecycle,
            managed: Some(true),
        },
        lifecycle_error,
    })
}

/// Sets Berth's lifecycle rule on an existing repository (replacing any policy it had).
pub async fn put_lifecycle_rule(
    clients: &AwsClients,
    name: &str,
    rule: &LifecycleRule,
) -> Result<LifecycleSummary> {
    ecr_names::validate(name)?;
    ecr_lifecycle::validate(rule)?;
    let text = ecr_lifecycle::policy_text(rule)
        .ok_or_else(|| BerthError::invalid("lifecycle", "empty"))?;
    ecr::put_lifecycle_policy(clients, name, &text).await?;
    Ok(ecr_lifecycle::summarize(&text))
}

/// One repository with its lifecycle policy and whether Berth made it; `NotFound` when it is
/// not there. The lookup is recorded; the two reads that complete it are not.
pub async fn repository_details(clients: &AwsClients, name: &str) -> Result<RepositoryDetails> {
    ecr_names::validate(name)?;
    let repository = ecr::describe_repository(clients, name).await?;
    let (lifecycle, tags) = tokio::join!(
        ecr::get_lifecycle_policy(clients, name),
        ecr::list_tags(clients, &repository.arn)
    );
    let managed = tags
        .ok()
        .map(|tags| tags::is_managed(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
    Ok(RepositoryDetails {
        repository,
        lifecycle: lifecycle?.as_deref().map(ecr_lifecycle::summarize),
        managed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> NewRepository {
        NewRepository {
            name: name.into(),
            scan_on_push: true,
            tag_mutability: TagMutability::Mutable,
            encryption: Encryption::Aes256,
            lifecycle: LifecycleRule {
                keep_last: Some(10),
                untagged_days: None,
            },
        }
    }

    fn field_rule(input: &NewRepository) -> (String, String) {
        let err = validate_new_repository(input).unwrap_err();
        (
            err.param("field").unwrap().to_owned(),
            err.param("rule").unwrap().to_owned(),
        )
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        assert!(validate_new_repository(&input("web")).is_ok());
        assert_eq!(
            field_rule(&input("Web")),
            ("repositoryName".into(), "uppercase".into())
        );
        let mut kms = input("web");
        for ok in [
            "alias/my-key",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            kms.encryption = Encryption::Kms {
                key: Some(ok.into()),
            };
            assert!(validate_new_repository(&kms).is_ok(), "{ok}");
        }
        kms.encryption = Encryption::Kms {
            key: Some("my key".into()),
        };
        assert_eq!(field_rule(&kms), ("kmsKey".into(), "format".into()));
        let mut excluded = input("web");
        excluded.tag_mutability = TagMutability::MutableWithExclusion;
        assert_eq!(field_rule(&excluded).0, "tagMutability");
        let mut lifecycle = input("web");
        lifecycle.lifecycle.keep_last = Some(0);
        assert_eq!(field_rule(&lifecycle), ("keepLast".into(), "range".into()));
    }
}
