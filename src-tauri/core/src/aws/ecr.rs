//! ECR repositories, their images and lifecycle policies: thin calls over the SDK that return
//! Berth's types. Listing calls follow every page (the SDK's paginators), so a big account is
//! never cut off at the first page.

use super::{errors, AwsClients};
use crate::error::{BerthError, ErrorKind, Result};
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageIdentifier, ImageScanningConfiguration,
    ImageTagMutability, Tag,
};
use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The largest page DescribeRepositories and DescribeImages return.
pub const MAX_PAGE: i32 = 1000;
/// The most image ids one BatchDeleteImage call takes.
pub const MAX_BATCH_DELETE: usize = 100;

/// Whether a pushed tag may later point at another image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TagMutability {
    Mutable,
    Immutable,
    /// Mutable, except tags matching exclusion filters (set outside Berth).
    MutableWithExclusion,
    ImmutableWithExclusion,
}

impl TagMutability {
    fn to_sdk(self) -> ImageTagMutability {
        match self {
            TagMutability::Mutable => ImageTagMutability::Mutable,
            TagMutability::Immutable => ImageTagMutability::Immutable,
            TagMutability::MutableWithExclusion => ImageTagMutability::MutableWithExclusion,
            TagMutability::ImmutableWithExclusion => ImageTagMutability::ImmutableWithExclusion,
        }
    }

    fn from_sdk(value: Option<&ImageTagMutability>) -> Self {
        match value {
            Some(ImageTagMutability::Immutable) => TagMutability::Immutable,
            Some(ImageTagMutability::MutableWithExclusion) => TagMutability::MutableWithExclusion,
            Some(ImageTagMutability::ImmutableWithExclusion) => {
                TagMutability::ImmutableWithExclusion
            }
            _ => TagMutability::Mutable,
        }
    }

    /// The value of the CLI's `--image-tag-mutability`.
    pub fn as_cli(self) -> &'static str {
        match self {
            TagMutability::Mutable => "MUTABLE",
            TagMutability::Immutable => "IMMUTABLE",
            TagMutability::MutableWithExclusion => "MUTABLE_WITH_EXCLUSION",
            TagMutability::ImmutableWithExclusion => "IMMUTABLE_WITH_EXCLUSION",
        }
    }
}

/// How images are encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Encryption {
    /// Amazon S3-managed keys (AES-256), ECR's default; no extra cost.
    Aes256,
    /// A KMS key: `key` is its ARN, id or alias; `None` means ECR's AWS-managed key `aws/ecr`.
    Kms { key: Option<String> },
    /// Dual-layer KMS encryption (set outside Berth).
    KmsDsse { key: Option<String> },
}

impl Encryption {
    fn from_sdk(config: Option<&EncryptionConfiguration>) -> Self {
        match config {
            Some(c) => match c.encryption_type() {
                EncryptionType::Kms => Encryption::Kms {
                    key: c.kms_key().map(str::to_owned),
                },
                EncryptionType::KmsDsse => Encryption::KmsDsse {
                    key: c.kms_key().map(str::to_owned),
                },
                _ => Encryption::Aes256,
            },
            None => Encryption::Aes256,
        }
    }

    fn to_sdk(&self) -> Result<EncryptionConfiguration> {
        let (kind, key) = match self {
            Encryption::Aes256 => (EncryptionType::Aes256, None),
            Encryption::Kms { key } => (EncryptionType::Kms, key.clone()),
            Encryption::KmsDsse { key } => (EncryptionType::KmsDsse, key.clone()),
        };
        EncryptionConfiguration::builder()
            .encryption_type(kind)
            .set_kms_key(key)
            .build()
            .map_err(BerthError::internal)
    }

    /// The value of the CLI's `--encryption-configuration`.
    pub fn as_cli(&self) -> String {
        match self {
            Encryption::Aes256 => "encryptionType=AES256".to_owned(),
            Encryption::Kms { key: None } => "encryptionType=KMS".to_owned(),
            Encryption::Kms { key: Some(k) } => format!("encryptionType=KMS,kmsKey={k}"),
            Encryption::KmsDsse { key: None } => "encryptionType=KMS_DSSE".to_owned(),
            Encryption::KmsDsse { key: Some(k) } => format!("encryptionType=KMS_DSSE,kmsKey={k}"),
        }
    }
}

/// A repository as DescribeRepositories returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepositorySummary {
    pub name: String,
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: what `docker push` names.
    pub uri: String,
    pub arn: String,
    pub registry_id: String,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub created_at: Option<u64>,
    pub scan_on_push: bool,
    pub tag_mutability: TagMutability,
    pub encryption: Encryption,
}

impl RepositorySummary {
    fn from_sdk(r: &aws_sdk_ecr::types::Repository) -> Self {
        RepositorySummary {
            name: r.repository_name().unwrap_or_default().to_owned(),
            uri: r.repository_uri().unwrap_or_default().to_owned(),
            arn: r.repository_arn().unwrap_or_default().to_owned(),
            registry_id: r.registry_id().unwrap_or_default().to_owned(),
            created_at: r.created_at().and_then(millis),
            scan_on_push: r
                .image_scanning_configuration()
                .is_some_and(|c| c.scan_on_push()),
            tag_mutability: TagMutability::from_sdk(r.image_tag_mutability()),
            encryption: Encryption::from_sdk(r.encryption_configuration()),
        }
    }
}

/// An image in a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageSummary {
    /// `sha256:…` of the manifest; deleting by digest removes every tag of the image.
    pub digest: String,
    /// Empty for an untagged image.
    pub tags: Vec<String>,
    #[ts(type = "number | null")]
    pub pushed_at: Option<u64>,
    /// The compressed size ECR stores (and bills) for this image.
    #[ts(type = "number")]
    pub size_bytes: u64,
}

fn millis(t: &DateTime) -> Option<u64> {
    t.to_millis().ok().and_then(|m| u64::try_from(m).ok())
}

/// Adds which repository an error is about, for "not found" and "already exists" messages.
fn about(err: BerthError, name: &str) -> BerthError {
    err.with("resource", "repository").with("name", name)
}

/// Whether `err` is AWS's answer for a repository that does not exist.
pub fn is_repository_missing(err: &BerthError) -> bool {
    err.kind == ErrorKind::NotFound && err.param("code") == Some("RepositoryNotFoundException")
}

/// Whether `err` is the refusal to delete a repository that still holds images.
pub fn is_not_empty(err: &BerthError) -> bool {
    err.param("code") == Some("RepositoryNotEmptyException")
}

/// Every repository of the account in the client's region, all pages.
pub async fn describe_repositories(clients: &AwsClients) -> Result<Vec<RepositorySummary>> {
    let repos: Vec<_> = clients
        .ecr()
        .describe_repositories()
        .into_paginator()
        .page_size(MAX_PAGE)
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| errors::from_sdk(e, "ecr:DescribeRepositories"))?;
    Ok(repos.iter().map(RepositorySummary::from_sdk).collect())
}

/// One repository by name; `NotFound` when it does not exist.
pub async fn describe_repository(clients: &AwsClients, name: &str) -> Result<RepositorySummary> {
    let out = clients
        .ecr()
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .map_err(|e| about(errors::from_sdk(e, "ecr:DescribeRepositories"), name))?;
    out.repositories()
        .first()
        .map(RepositorySummary::from_sdk)
        .ok_or_else(|| about(BerthError::new(ErrorKind::NotFound), name))
}

/// What CreateRepository is asked for.
pub struct CreateParams<'a> {
    pub name: &'a str,
    pub scan_on_push: bool,
    pub tag_mutability: TagMutability,
    pub encryption: &'a Encryption,
    pub tags: &'a [(String, String)],
}

pub async fn create_repository(
    clients: &AwsClients,
    params: &CreateParams<'_>,
) -> Result<RepositorySummary> {
    let tags = params
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(BerthError::internal)?;
    let out = clients
        .ecr()
        .create_repository()
        .repository_name(params.name)
        .image_scanning_configuration(
            ImageScanningConfiguration::builder()
                .scan_on_push(params.scan_on_push)
                .build(),
        )
        .image_tag_mutability(params.tag_mutability.to_sdk())
        .encryption_configuration(params.encryption.to_sdk()?)
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(|e| about(errors::from_sdk(e, "ecr:CreateRepository"), params.name))?;
    out.repository()
        .map(RepositorySummary::from_sdk)
        .ok_or_else(|| BerthError::internal("CreateRepository returned no repository"))
}

/// Deletes a repository; with `force`, also every image in it.
pub async fn delete_repository(clients: &AwsClients, name: &str, force: bool) -> Result<()> {
    clients
        .ecr()
        .delete_repository()
        .repository_name(name)
        .force(force)
        .send()
        .await
        .map_err(|e| about(errors::from_sdk(e, "ecr:DeleteRepository"), name))?;
    Ok(())
}

/// Every image of a repository, all pages.
pub async fn describe_images(clients: &AwsClients, name: &str) -> Result<Vec<ImageSummary>> {
    let images: Vec<_> = clients
        .ecr()
        .describe_images()
        .repository_name(name)
        .into_paginator()
        .page_size(MAX_PAGE)
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| about(errors::from_sdk(e, "ecr:DescribeImages"), name))?;
    Ok(images
        .iter()
        .map(|i| ImageSummary {
            digest: i.image_digest().unwrap_or_default().to_owned(),
            tags: i.image_tags().to_vec(),
            pushed_at: i.image_pushed_at().and_then(millis),
            size_bytes: i
                .image_size_in_bytes()
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(0),
        })
        .collect())
}

/// The tags of a repository, as key/value pairs.
pub async fn list_tags(clients: &AwsClients, arn: &str) -> Result<Vec<(String, String)>> {
    let out = clients
        .ecr()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecr:ListTagsForResource"))?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect())
}

pub async fn put_lifecycle_policy(clients: &AwsClients, name: &str, text: &str) -> Result<()> {
    clients
        .ecr()
        .put_lifecycle_policy()
        .repository_name(name)
        .lifecycle_policy_text(text)
        .send()
        .await
        .map_err(|e| about(errors::from_sdk(e, "ecr:PutLifecyclePolicy"), name))?;
    Ok(())
}

/// The repository's lifecycle policy text, or `None` when it has none.
pub async fn get_lifecycle_policy(clients: &AwsClients, name: &str) -> Result<Option<String>> {
    match clients
        .ecr()
        .get_lifecycle_policy()
        .repository_name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.lifecycle_policy_text().map(str::to_owned)),
        Err(e) => {
            let err = errors::from_sdk(e, "ecr:GetLifecyclePolicy");
            if err.param("code") == Some("LifecyclePolicyNotFoundException") {
                Ok(None)
            } else {
                Err(about(err, name))
            }
        }
    }
}

/// An image BatchDeleteImage did not delete, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageFailure {
    pub digest: String,
    /// ECR's failure code, e.g. `ImageNotFound`.
    pub code: String,
    pub reason: String,
}

/// What one BatchDeleteImage call did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchDeleted {
    /// Digests of the images deleted (each once, whatever its number of tags).
    pub deleted: Vec<String>,
    pub failures: Vec<ImageFailure>,
}

/// Deletes up to [`MAX_BATCH_DELETE`] images by digest.
pub async fn batch_delete_images(
    clients: &AwsClients,
    name: &str,
    digests: &[String],
) -> Result<BatchDeleted> {
    let ids = digests
        .iter()
        .map(|d| ImageIdentifier::builder().image_digest(d).build())
        .collect();
    let out = clients
        .ecr()
        .batch_delete_image()
        .repository_name(name)
        .set_image_ids(Some(ids))
        .send()
        .await
        .map_err(|e| about(errors::from_sdk(e, "ecr:BatchDeleteImage"), name))?;
    let mut result = BatchDeleted::default();
    for id in out.image_ids() {
        if let Some(d) = id.image_digest() {
            if !result.deleted.iter().any(|x| x == d) {
                result.deleted.push(d.to_owned());
            }
        }
    }
    for f in out.failures() {
        result.failures.push(ImageFailure {
            digest: f
                .image_id()
                .and_then(|i| i.image_digest())
                .unwrap_or_default()
                .to_owned(),
            code: f
                .failure_code()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            reason: f.failure_reason().unwrap_or_default().to_owned(),
        });
    }
    Ok(result)
}
