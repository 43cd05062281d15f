//! What a user can do to something that runs, from the Deployments view: scale a service, force a
//! new deployment, deploy another image tag, delete a service, stop a task (rolling back to an
//! earlier revision is in [`super::revisions`]). Each action is checked
//! before any AWS call and recorded in the activity log with its `aws` command.

use crate::aws::ecs;
use crate::aws::{catalogue, ecr, AwsClients};
use crate::dashboard::deployments::BERTH_STOP_REASON;
use crate::dashboard::revisions;
use crate::error::{BerthError, ErrorKind, Result};
use crate::image::tag::validate_tag;
use crate::wizard::launch::pinned;
use serde::Serialize;
use ts_rs::TS;

/// The most tasks Berth scales a service to. ECS allows more; a typo like 200 instead of 2 would
/// cost real money, so larger services are left to the console.
pub const MAX_DESIRED_COUNT: i32 = 100;

fn require_name(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(BerthError::invalid(field, "required"))
    } else {
        Ok(())
    }
}

/// Sets how many tasks `service` keeps running.
pub async fn scale_service(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    desired: i32,
) -> Result<()> {
    require_name("cluster", cluster)?;
    require_name("service", service)?;
    if !(0..=MAX_DESIRED_COUNT).contains(&desired) {
        return Err(BerthError::invalid("desiredCount", "range")
            .with("min", "0")
            .with("max", MAX_DESIRED_COUNT.to_string()));
    }
    ecs::scale_service(clients, cluster, service, desired).await
}

/// Replaces every task of `service` with a new one of the same definition: a restart. The new
/// tasks run the very image the definition names; Berth pins images by digest, so an image
/// pushed again under the same tag is not picked up this way (deploy the tag for that).
pub async fn force_new_deployment(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
) -> Result<()> {
    require_name("cluster", cluster)?;
    require_name("service", service)?;
    ecs::force_new_deployment(clients, cluster, service).await
}

/// The image reference with its tag (or digest) replaced by `tag`.
pub fn with_tag(image: &str, tag: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let repository = match without_digest[last_slash..].rfind(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    };
    format!("{repository}:{tag}")
}

/// What deploying another tag did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TagDeployment {
    /// `family:revision` of the new task definition.
    pub task_definition: String,
    /// The image the new revision runs: pinned by digest (`repo@sha256:…`) when the repository
    /// is in the account's ECR, as a launch pins it.
    pub image: String,
    /// `sha256:…` the tag pointed to when it was deployed.
    pub digest: Option<String>,
}

/// The image `tag` of the repository `image` (the service's current image) names, pinned by
/// digest when the repository is in this account's ECR in this region: a tag can move (pushed
/// again), a digest names exactly one image, and a revision that names a digest is a version to
/// go back to. A tag ECR does not hold is refused before anything is registered. Where Berth may
/// not look (no ecr:DescribeImages), or the image is not in the account's ECR, the tag is used.
async fn resolve_tag(
    clients: &AwsClients,
    image: &str,
    account: Option<&str>,
    tag: &str,
) -> Result<(String, Option<String>)> {
    let by_tag = with_tag(image, tag);
    let Some((repository, _)) =
        account.and_then(|a| revisions::ecr_image(image, a, clients.region()))
    else {
        return Ok((by_tag, None));
    };
    match ecr::find_image(clients, repository, tag).await {
        Ok(Some(found)) if found.digest.starts_with("sha256:") => {
            Ok((pinned(&by_tag, &found.digest), Some(found.digest)))
        }
        Ok(Some(_)) => Ok((by_tag, None)),
        Ok(None) => Err(BerthError::invalid("imageTag", "notInRepository")
            .with("repository", repository)
            .with("tag", tag)),
        Err(e) if ecr::is_repository_missing(&e) => {
            Err(BerthError::invalid("imageTag", "notInRepository")
                .with("repository", repository)
                .with("tag", tag))
        }
        Err(e) if e.kind == ErrorKind::AccessDenied => Ok((by_tag, None)),
        Err(e) => Err(e),
    }
}

/// Registers a new revision of the service's task definition whose main container runs `tag` of
/// the same repository (pinned by digest, see [`resolve_tag`]), and rolls the service out to it.
pub async fn deploy_image_tag(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    tag: &str,
) -> Result<TagDeployment> {
    require_name("cluster", cluster)?;
    require_name("service", service)?;
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(BerthError::invalid("imageTag", "required"));
    }
    validate_tag(tag).map_err(|_| BerthError::invalid("imageTag", "format"))?;
    let current = ecs::existing_service(clients, cluster, service).await?;
    let def = ecs::describe_task_definition(clients, &current.task_definition).await?;
    let main = def
        .registered
        .container_definitions()
        .iter()
        .find(|c| c.essential().unwrap_or(true))
        .or(def.registered.container_definitions().first())
        .ok_or_else(|| BerthError::internal("the task definition has no container"))?;
    let account = def.arn.split(':').nth(4);
    let (image, digest) =
        resolve_tag(clients, main.image().unwrap_or_default(), account, tag).await?;
    let (new_arn, revision) = ecs::register_copy(clients, &def, &image).await?;
    let label = format!("{}:{revision}", def.family);
    ecs::switch_revision(
        clients,
        &catalogue::ecs::DEPLOY_IMAGE_TAG,
        cluster,
        service,
        &new_arn,
        &label,
    )
    .await?;
    Ok(TagDeployment {
        task_definition: label,
        image,
        digest,
    })
}

/// Deletes `service` and stops its tasks (`--force`: no need to scale it to zero first).
pub async fn delete_service(clients: &AwsClients, cluster: &str, service: &str) -> Result<()> {
    require_name("cluster", cluster)?;
    require_name("service", service)?;
    ecs::delete_service(clients, cluster, service, true).await
}

/// Stops one task, with the reason that tells Berth's monitor the user did it.
pub async fn stop_task(clients: &AwsClients, cluster: &str, task: &str) -> Result<()> {
    require_name("cluster", cluster)?;
    require_name("task", task)?;
    ecs::stop_task(clients, cluster, task, BERTH_STOP_REASON).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_tag_replaces_the_old_tag_or_digest_but_keeps_the_registry_port() {
        let repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web";
        assert_eq!(with_tag(&format!("{repo}:v1"), "v2"), format!("{repo}:v2"));
        assert_eq!(with_tag(repo, "v2"), format!("{repo}:v2"));
        assert_eq!(
            with_tag(&format!("{repo}@sha256:abcd"), "v2"),
            format!("{repo}:v2")
        );
        assert_eq!(
            with_tag("127.0.0.1:5001/web", "v2"),
            "127.0.0.1:5001/web:v2"
        );
        assert_eq!(
            with_tag("127.0.0.1:5001/web:v1", "v2"),
            "127.0.0.1:5001/web:v2"
        );
    }
}
