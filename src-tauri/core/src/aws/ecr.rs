//! ECR repositories, their images and lifecycle policies: thin calls over the SDK that return
//! Berth's types. Listing calls follow every page (the SDK's paginators), so a big account is
//! never cut off at the first page. Each `…_call` function is the call a screen shows before the
//! user clicks; the function of the same name without `_call` sends it.
//!
//! One file (about 530 lines) because each call is a few lines beside its `_call` twin; split by
//! resource (repository, image, lifecycle) the pairs would stay the same size, only scattered.

use super::call::Call;
use super::catalogue::ecr;
use super::AwsClients;
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
    /// Whether KMS holds the key (and ECR makes grants on it).
    pub fn is_kms(&self) -> bool {
        !matches!(self, Encryption::Aes256)
    }

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

impl ImageSummary {
    fn from_sdk(i: &aws_sdk_ecr::types::ImageDetail) -> Self {
        ImageSummary {
            digest: i.image_digest().unwrap_or_default().to_owned(),
            tags: i.image_tags().to_vec(),
            pushed_at: i.image_pushed_at().and_then(millis),
            size_bytes: i
                .image_size_in_bytes()
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(0),
        }
    }
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

/// `aws ecr describe-repositories`: every repository of the region.
pub fn describe_repositories_call(clients: &AwsClients) -> Call<'_> {
    clients.call(&ecr::DESCRIBE_REPOSITORIES, "")
}

/// Every repository of the account in the client's region, all pages.
pub async fn describe_repositories(clients: &AwsClients) -> Result<Vec<RepositorySummary>> {
    let request = clients
        .ecr()
        .describe_repositories()
        .into_paginator()
        .page_size(MAX_PAGE)
        .items()
        .send()
        .try_collect();
    describe_repositories_call(clients)
        .send(request, |repos| {
            Ok(repos.iter().map(RepositorySummary::from_sdk).collect())
        })
        .await
}

/// `aws ecr describe-repositories --repository-names …`: how a pick is checked.
pub fn describe_repository_call<'a>(clients: &'a AwsClients, name: &str) -> Call<'a> {
    clients
        .call(&ecr::DESCRIBE_REPOSITORIES, name)
        .opt("--repository-names", name)
}

/// One repository by name; `NotFound` when it does not exist.
pub async fn describe_repository(clients: &AwsClients, name: &str) -> Result<RepositorySummary> {
    let request = clients
        .ecr()
        .describe_repositories()
        .repository_names(name)
        .send();
    describe_repository_call(clients, name)
        .send(request, |out| {
            out.repositories()
                .first()
                .map(RepositorySummary::from_sdk)
                .ok_or_else(|| BerthError::new(ErrorKind::NotFound))
        })
        .await
        .map_err(|e| about(e, name))
}

/// What CreateRepository is asked for.
pub struct CreateParams<'a> {
    pub name: &'a str,
    pub scan_on_push: bool,
    pub tag_mutability: TagMutability,
    pub encryption: &'a Encryption,
    pub tags: &'a [(String, String)],
}

pub fn create_repository_call<'a>(clients: &'a AwsClients, params: &CreateParams<'_>) -> Call<'a> {
    clients
        .call(&ecr::CREATE_REPOSITORY, params.name)
        .opt("--repository-name", params.name)
        .opt(
            "--image-scanning-configuration",
            format!("scanOnPush={}", params.scan_on_push),
        )
        .opt("--image-tag-mutability", params.tag_mutability.as_cli())
        .opt("--encryption-configuration", params.encryption.as_cli())
        .tags(params.tags)
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
    let request = clients
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
        .send();
    create_repository_call(clients, params)
        .send(request, |out| {
            out.repository()
                .map(RepositorySummary::from_sdk)
                .ok_or_else(|| BerthError::internal("CreateRepository returned no repository"))
        })
        .await
        .map_err(|e| about(e, params.name))
}

pub fn delete_repository_call<'a>(clients: &'a AwsClients, name: &str, force: bool) -> Call<'a> {
    let call = clients
        .call(&ecr::DELETE_REPOSITORY, name)
        .opt("--repository-name", name);
    if force {
        call.arg("--force")
    } else {
        call
    }
}

/// Deletes a repository; with `force`, also every image in it.
pub async fn delete_repository(clients: &AwsClients, name: &str, force: bool) -> Result<()> {
    let request = clients
        .ecr()
        .delete_repository()
        .repository_name(name)
        .force(force)
        .send();
    delete_repository_call(clients, name, force)
        .send(request, |_| Ok(()))
        .await
        .map_err(|e| about(e, name))
}

/// Every image of a repository, all pages.
pub async fn describe_images(clients: &AwsClients, name: &str) -> Result<Vec<ImageSummary>> {
    let request = clients
        .ecr()
        .describe_images()
        .repository_name(name)
        .into_paginator()
        .page_size(MAX_PAGE)
        .items()
        .send()
        .try_collect();
    clients
        .call(&ecr::DESCRIBE_IMAGES, name)
        .opt("--repository-name", name)
        .send(request, |images| {
            Ok(images.iter().map(ImageSummary::from_sdk).collect())
        })
        .await
        .map_err(|e| about(e, name))
}

/// The image a tag or a digest (`sha256:…`) names in a repository, if there is one.
pub async fn find_image(
    clients: &AwsClients,
    repository: &str,
    reference: &str,
) -> Result<Option<ImageSummary>> {
    let (id, arg) = if reference.starts_with("sha256:") {
        (
            ImageIdentifier::builder().image_digest(reference).build(),
            format!("imageDigest={reference}"),
        )
    } else {
        (
            ImageIdentifier::builder().image_tag(reference).build(),
            format!("imageTag={reference}"),
        )
    };
    let request = clients
        .ecr()
        .describe_images()
        .repository_name(repository)
        .image_ids(id)
        .send();
    let found = clients
        .call(&ecr::DESCRIBE_IMAGES, repository)
        .opt("--repository-name", repository)
        .opt("--image-ids", arg)
        .send(request, |out| {
            Ok(out.image_details().first().map(ImageSummary::from_sdk))
        })
        .await;
    match found {
        // ECR answers an image it does not hold with ImageNotFoundException.
        Err(e) if e.param("code") == Some("ImageNotFoundException") => Ok(None),
        other => other.map_err(|e| about(e, repository)),
    }
}

/// The tags of a repository, as key/value pairs.
pub async fn list_tags(clients: &AwsClients, arn: &str) -> Result<Vec<(String, String)>> {
    let request = clients
        .ecr()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send();
    clients
        .call(&ecr::LIST_TAGS_FOR_RESOURCE, arn)
        .opt("--resource-arn", arn)
        .send(request, |out| {
            Ok(out
                .tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect())
        })
        .await
}

pub fn put_lifecycle_policy_call<'a>(clients: &'a AwsClients, name: &str, text: &str) -> Call<'a> {
    clients
        .call(&ecr::PUT_LIFECYCLE_POLICY, name)
        .opt("--repository-name", name)
        .opt("--lifecycle-policy-text", text)
}

pub async fn put_lifecycle_policy(clients: &AwsClients, name: &str, text: &str) -> Result<()> {
    let request = clients
        .ecr()
        .put_lifecycle_policy()
        .repository_name(name)
        .lifecycle_policy_text(text)
        .send();
    put_lifecycle_policy_call(clients, name, text)
        .send(request, |_| Ok(()))
        .await
        .map_err(|e| about(e, name))
}

/// The repository's lifecycle policy text, or `None` when it has none.
pub async fn get_lifecycle_policy(clients: &AwsClients, name: &str) -> Result<Option<String>> {
    let request = clients
        .ecr()
        .get_lifecycle_policy()
        .repository_name(name)
        .send();
    let found = clients
        .call(&ecr::GET_LIFECYCLE_POLICY, name)
        .opt("--repository-name", name)
        .send(request, |out| {
            Ok(out.lifecycle_policy_text().map(str::to_owned))
        })
        .await;
    match found {
        Err(err) if err.param("code") == Some("LifecyclePolicyNotFoundException") => Ok(None),
        other => other.map_err(|e| about(e, name)),
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

pub fn batch_delete_image_call<'a>(
    clients: &'a AwsClients,
    repository: &str,
    digests: &[String],
) -> Call<'a> {
    clients
        .call(&ecr::BATCH_DELETE_IMAGE, repository)
        .opt("--repository-name", repository)
        .list(
            "--image-ids",
            digests.iter().map(|d| format!("imageDigest={d}")),
        )
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
    let request = clients
        .ecr()
        .batch_delete_image()
        .repository_name(name)
        .set_image_ids(Some(ids))
        .send();
    batch_delete_image_call(clients, name, digests)
        .send(request, |out| {
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
        })
        .await
        .map_err(|e| about(e, name))
}
