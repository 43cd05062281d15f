//! The Repositories view: every repository of the region with its images, size and storage cost;
//! deleting images and repositories safely.
//!
//! Listing is one paginated DescribeRepositories; sizes, image counts and Berth's tags need two
//! more calls per repository, so they are measured separately ([`repository_usage`]), a few at a
//! time, for the rows the user looks at first: a big account shows its list at once instead of
//! after hundreds of sequential calls.

use crate::aws::ecr::{self, ImageFailure, ImageSummary, RepositorySummary};
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::ecr_lifecycle::LifecycleRule;
use crate::ecr_names;
use crate::error::{BerthError, Result};
use crate::pricing::{self, PriceSource};
use crate::tags;
use crate::wizard::repository::{self, NewRepository};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use ts_rs::TS;

/// How many repositories are measured at once: enough to fill a screen quickly, few enough to
/// stay clear of ECR's request rate limits.
pub const USAGE_CONCURRENCY: usize = 4;

/// ECR's storage price, with where and when it was read.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EcrPricing {
    pub per_gb_month_usd: f64,
    pub source: PriceSource,
}

/// The view's list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryList {
    pub region: String,
    /// Sorted by name.
    pub repositories: Vec<RepositorySummary>,
    pub pricing: EcrPricing,
    /// The equivalent command.
    pub command: String,
}

/// Every repository in the region, all pages, sorted by name.
pub async fn list_repositories(clients: &AwsClients) -> Result<RepositoryList> {
    let mut repositories = ecr::describe_repositories(clients).await?;
    repositories.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(RepositoryList {
        region: clients.region().to_owned(),
        repositories,
        pricing: EcrPricing {
            per_gb_month_usd: pricing::ECR_STORAGE_PER_GB_MONTH,
            source: pricing::ECR_PRICES,
        },
        command: ecr::describe_repositories_call(clients).command().render(),
    })
}

/// A repository to measure (the ARN is needed for its tags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryRef {
    pub name: String,
    pub arn: String,
}

/// How much one repository holds, or why that is not known.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum RepositoryUsage {
    #[serde(rename_all = "camelCase")]
    Measured {
        name: String,
        #[ts(type = "number")]
        image_count: u64,
        #[ts(type = "number")]
        total_bytes: u64,
        /// Estimated storage cost per month, USD.
        monthly_cost_usd: f64,
        /// Whether Berth's tags say Berth made it; `None` when the tags could not be read.
        managed: Option<bool>,
        /// The `berth:app` tag.
        app: Option<String>,
    },
    /// The repository was deleted since the list was read.
    Gone {
        name: String,
    },
    Failed {
        name: String,
        error: BerthError,
    },
}

/// Measures `repos` a few at a time; the answers come back in the order asked, one per repository.
pub async fn repository_usage(
    clients: &AwsClients,
    repos: Vec<RepositoryRef>,
) -> Vec<RepositoryUsage> {
    let permits = Arc::new(Semaphore::new(USAGE_CONCURRENCY));
    let names: Vec<String> = repos.iter().map(|r| r.name.clone()).collect();
    let mut tasks = JoinSet::new();
    for (index, repo) in repos.into_iter().enumerate() {
        let clients = clients.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, measure(&clients, repo).await)
        });
    }
    let mut answers: Vec<Option<RepositoryUsage>> = vec![None; names.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((index, usage)) = joined {
            answers[index] = Some(usage);
        }
    }
    // A measurement that panicked has no answer: say so for that repository, keeping the order.
    answers
        .into_iter()
        .zip(names)
        .map(|(answer, name)| {
            answer.unwrap_or_else(|| RepositoryUsage::Failed {
                name,
                error: BerthError::internal("measuring the repository stopped unexpectedly"),
            })
        })
        .collect()
}

async fn measure(clients: &AwsClients, repo: RepositoryRef) -> RepositoryUsage {
    let name = repo.name;
    let images = match ecr::describe_images(clients, &name).await {
        Ok(images) => images,
        Err(e) if ecr::is_repository_missing(&e) => return RepositoryUsage::Gone { name },
        Err(error) => return RepositoryUsage::Failed { name, error },
    };
    let tags = match ecr::list_tags(clients, &repo.arn).await {
        Ok(tags) => Some(tags),
        Err(e) if ecr::is_repository_missing(&e) => return RepositoryUsage::Gone { name },
        // The sizes are what matters here; an unreadable tag only hides the "made by Berth" badge.
        Err(_) => None,
    };
    let total_bytes: u64 = images.iter().map(|i| i.size_bytes).sum();
    RepositoryUsage::Measured {
        image_count: images.len() as u64,
        total_bytes,
        monthly_cost_usd: pricing::ecr_storage_monthly_usd(total_bytes),
        managed: tags
            .as_ref()
            .map(|t| tags::is_managed(t.iter().map(|(k, v)| (k.as_str(), v.as_str())))),
        app: tags.and_then(|t| {
            t.into_iter()
                .find(|(k, _)| k == tags::APP_KEY)
                .map(|(_, v)| v)
        }),
        name,
    }
}

/// The images of a repository, newest first.
pub async fn list_images(clients: &AwsClients, name: &str) -> Result<Vec<ImageSummary>> {
    ecr_names::validate(name)?;
    let mut images = ecr::describe_images(clients, name).await?;
    images.sort_by(|a, b| b.pushed_at.cmp(&a.pushed_at).then(a.digest.cmp(&b.digest)));
    Ok(images)
}

/// How a delete request ended. Only `Deleted` removed anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum RepositoryDeletion {
    /// The repository is gone; `forced` when its images went with it.
    Deleted { name: String, forced: bool },
    /// It was deleted elsewhere already; nothing to do.
    AlreadyGone { name: String },
    /// It holds images, and the user has not typed its name: nothing was deleted.
    #[serde(rename_all = "camelCase")]
    NeedsConfirmation {
        name: String,
        #[ts(type = "number")]
        image_count: u64,
        #[ts(type = "number")]
        total_bytes: u64,
    },
}

/// Deletes a repository. Without `confirmation` only an empty repository is deleted (ECR itself
/// refuses a non-empty one); a repository with images goes only when `confirmation` is its
/// exact name, as the user typed it in the confirmation dialog.
pub async fn delete_repository(
    clients: &AwsClients,
    name: &str,
    confirmation: Option<&str>,
) -> Result<RepositoryDeletion> {
    ecr_names::validate(name)?;
    let force = match confirmation.map(str::trim) {
        None => false,
        Some(typed) if typed == name => true,
        Some(_) => return Err(BerthError::invalid("confirmation", "mismatch").with("name", name)),
    };
    let result = ecr::delete_repository(clients, name, force).await;
    match result {
        Err(e) if ecr::is_repository_missing(&e) => {
            // Not an action that did anything: nothing to record.
            Ok(RepositoryDeletion::AlreadyGone {
                name: name.to_owned(),
            })
        }
        Err(e) if !force && ecr::is_not_empty(&e) => {
            let images = ecr::describe_images(clients, name).await?;
            Ok(RepositoryDeletion::NeedsConfirmation {
                name: name.to_owned(),
                image_count: images.len() as u64,
                total_bytes: images.iter().map(|i| i.size_bytes).sum(),
            })
        }
        result => {
            result?;
            Ok(RepositoryDeletion::Deleted {
                name: name.to_owned(),
                forced: force,
            })
        }
    }
}

/// What deleting images did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageDeletion {
    pub deleted: Vec<String>,
    /// Digests that were not there any more (deleted elsewhere): gone either way.
    pub already_gone: Vec<String>,
    /// Images ECR refused to delete, with its reason.
    pub failures: Vec<ImageFailure>,
}

/// An OCI digest: `algorithm:hex` (`sha256:…`).
fn is_digest(s: &str) -> bool {
    s.split_once(':').is_some_and(|(alg, hex)| {
        !alg.is_empty()
            && alg
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c))
            && hex.len() >= 32
            && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// Deletes the images with these digests (every tag of each), in batches ECR accepts. A
/// repository that is gone fails with `NotFound`.
pub async fn delete_images(
    clients: &AwsClients,
    repository: &str,
    digests: &[String],
) -> Result<ImageDeletion> {
    ecr_names::validate(repository)?;
    if digests.is_empty() {
        return Err(BerthError::invalid("images", "required"));
    }
    if let Some(bad) = digests.iter().find(|d| !is_digest(d)) {
        return Err(BerthError::invalid("imageDigest", "format").with("digest", bad));
    }
    let mut outcome = ImageDeletion::default();
    for batch in digests.chunks(ecr::MAX_BATCH_DELETE) {
        let done = ecr::batch_delete_images(clients, repository, batch).await?;
        outcome.deleted.extend(done.deleted);
        for failure in done.failures {
            if failure.code == "ImageNotFound" {
                outcome.already_gone.push(failure.digest);
            } else {
                outcome.failures.push(failure);
            }
        }
    }
    Ok(outcome)
}

/// An action a screen is about to offer, for showing its command before the user clicks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum PlannedAction {
    CreateRepository {
        repository: NewRepository,
    },
    ChooseRepository {
        name: String,
    },
    PutLifecycleRule {
        name: String,
        rule: LifecycleRule,
    },
    DeleteRepository {
        name: String,
        force: bool,
    },
    DeleteImages {
        repository: String,
        digests: Vec<String>,
    },
}

/// The commands `action` would run, in order, exactly as Berth will record them.
pub fn planned_commands(clients: &AwsClients, action: &PlannedAction) -> Vec<String> {
    let commands = match action {
        PlannedAction::CreateRepository { repository } => {
            repository::create_commands(clients, repository)
        }
        PlannedAction::ChooseRepository { name } => {
            vec![ecr::describe_repository_call(clients, name).into_command()]
        }
        PlannedAction::PutLifecycleRule { name, rule } => {
            repository::lifecycle_command(clients, name, rule)
                .into_iter()
                .collect()
        }
        PlannedAction::DeleteRepository { name, force } => {
            vec![ecr::delete_repository_call(clients, name, *force).into_command()]
        }
        PlannedAction::DeleteImages {
            repository,
            digests,
        } => digests
            .chunks(ecr::MAX_BATCH_DELETE)
            .map(|batch| ecr::batch_delete_image_call(clients, repository, batch).into_command())
            .collect(),
    };
    commands.iter().map(CliCommand::render).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_checked_before_a_batch_delete() {
        assert!(is_digest(&format!("sha256:{}", "a".repeat(64))));
        assert!(!is_digest("sha256:xyz"));
        assert!(!is_digest("latest"));
        assert!(!is_digest(&format!(":{}", "a".repeat(64))));
    }
}
