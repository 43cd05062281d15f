//! A service's earlier versions and the way back to one: the ACTIVE revisions of its task
//! definition family (newest first, with the image each runs, when and by whom it was
//! registered), and a roll back to one of them, followed like a launch — the same timeline
//! events and the same verdict ([`crate::wizard::launch::verdict`]) until the new deployment is
//! COMPLETED with its tasks running, or a task of it stops (and the circuit breaker may roll the
//! service back again).

use crate::aws::ecs::{self, family_of, name_from_arn, TaskDefinitionFacts};
use crate::aws::{catalogue, ecr, AwsClients};
use crate::error::{BerthError, ErrorKind, Result};
use crate::wizard::launch::kinds::{AfterStop, Outcome, ResourceKind, TaskAddress};
use crate::wizard::launch::timeline::{self, FollowEnd, FollowOptions, LaunchEvent, Run, Watch};
use crate::wizard::launch::{explain::Diagnosis, Names};
use aws_sdk_ecs::types::TaskDefinitionStatus;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// How many revisions the list shows: the newest. A family deployed from CI can have hundreds;
/// going back further than this is a job for the console (the list says there are more).
pub const SHOWN_REVISIONS: usize = 20;

/// One ACTIVE revision of the service's family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    /// `family:revision`.
    pub task_definition: String,
    pub arn: String,
    pub revision: i32,
    /// The main container's image, as the revision names it.
    pub image: Option<String>,
    /// `sha256:…`: the one the image is pinned to, else the one ECR has for its tag now.
    pub digest: Option<String>,
    /// The tag the image names, else the tags ECR has for its digest now.
    pub tags: Vec<String>,
    /// Whether the image is still in its ECR repository (`null`: not an image of this account's
    /// ECR, or Berth may not look). A revision whose image is gone cannot start tasks.
    pub image_in_repository: Option<bool>,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub registered_at: Option<u64>,
    /// The principal that registered it ("who deployed"): an IAM user's or role's ARN.
    pub registered_by: Option<String>,
    /// The user or role name from `registered_by`.
    pub registered_by_name: Option<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    /// The service runs this revision now.
    pub current: bool,
}

/// The revisions a service can go back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevisionList {
    pub cluster: String,
    pub service: String,
    pub family: String,
    /// `family:revision` the service runs now.
    pub current: String,
    /// The newest ACTIVE revisions, newest first (at most [`SHOWN_REVISIONS`]).
    pub revisions: Vec<Revision>,
    /// More ACTIVE revisions exist than are listed.
    pub more: bool,
    /// How many revisions are listed at most.
    pub limit: u32,
}

fn require(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(BerthError::invalid(field, "required"))
    } else {
        Ok(())
    }
}

/// The user or role name an IAM principal ARN names: `user/path/ana` → `ana`,
/// `assumed-role/Deploy/ana@example.com` → `Deploy (ana@example.com)`, `…:root` → `root`.
pub fn principal_name(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    if resource == "root" {
        return Some("root".to_owned());
    }
    let (kind, rest) = resource.split_once('/')?;
    let name = match kind {
        "assumed-role" => {
            let (role, session) = rest.split_once('/')?;
            format!("{role} ({session})")
        }
        _ => rest.rsplit('/').next()?.to_owned(),
    };
    (!name.is_empty()).then_some(name)
}

/// The repository of an image of the ECR of `account` in `region`
/// (`<account>.dkr.ecr.<region>.amazonaws.com/team/web:v1` → `team/web`), and what names the
/// image in it: a digest (`sha256:…`) or a tag.
pub fn ecr_image<'a>(
    image: &'a str,
    account: &str,
    region: &str,
) -> Option<(&'a str, ImageRef<'a>)> {
    let (host, path) = image.split_once('/')?;
    if host != format!("{account}.dkr.ecr.{region}.amazonaws.com") {
        return None;
    }
    if let Some((repository, digest)) = path.split_once('@') {
        return Some((repository, ImageRef::Digest(digest)));
    }
    match path.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => Some((repository, ImageRef::Tag(tag))),
        _ => Some((path, ImageRef::Tag("latest"))),
    }
}

/// What names an image in its repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageRef<'a> {
    Tag(&'a str),
    Digest(&'a str),
}

/// `arn:aws:ecs:us-east-1:123456789012:…` → `123456789012`.
fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// The images of each repository, read once: digest → tags. `None` for a repository Berth could
/// not read (gone, or not allowed): its images are then "unknown", never a failure of the list.
async fn repository_images(
    clients: &AwsClients,
    repositories: impl IntoIterator<Item = String>,
) -> Result<HashMap<String, Option<Vec<ecr::ImageSummary>>>> {
    let mut found = HashMap::new();
    for repository in repositories {
        if found.contains_key(&repository) {
            continue;
        }
        let images = match ecr::describe_images(clients, &repository).await {
            Ok(images) => Some(images),
            Err(e) if ecr::is_repository_missing(&e) => Some(Vec::new()),
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::AccessDenied | ErrorKind::NotFound | ErrorKind::AwsRejected
                ) =>
            {
                None
            }
            Err(e) => return Err(e),
        };
        found.insert(repository, images);
    }
    Ok(found)
}

fn revision_of_facts(
    facts: &TaskDefinitionFacts,
    current: &str,
    region: &str,
    images: &HashMap<String, Option<Vec<ecr::ImageSummary>>>,
) -> Revision {
    let image = facts.main_container().map(|c| c.image.clone());
    let label = format!("{}:{}", facts.family, facts.revision);
    let mut digest = None;
    let mut tags = Vec::new();
    let mut image_in_repository = None;
    let ecr_ref = image
        .as_deref()
        .zip(account_of(&facts.arn))
        .and_then(|(image, account)| ecr_image(image, account, region));
    match ecr_ref {
        Some((repository, reference)) => {
            let known = images.get(repository).and_then(Option::as_ref);
            let found = known.and_then(|list| {
                list.iter().find(|i| match reference {
                    ImageRef::Digest(d) => i.digest == d,
                    ImageRef::Tag(t) => i.tags.iter().any(|have| have == t),
                })
            });
            image_in_repository = known.map(|_| found.is_some());
            match reference {
                ImageRef::Digest(d) => {
                    digest = Some(d.to_owned());
                    tags = found.map(|i| i.tags.clone()).unwrap_or_default();
                }
                ImageRef::Tag(t) => {
                    digest = found.map(|i| i.digest.clone());
                    tags = vec![t.to_owned()];
                }
            }
        }
        // Not this account's ECR: what the reference itself says.
        None => {
            if let Some(image) = image.as_deref() {
                if let Some((_, d)) = image.split_once('@') {
                    digest = Some(d.to_owned());
                } else if let Some(tag) = crate::wizard::launch::preflight::reference_of(image) {
                    tags = vec![tag.to_owned()];
                }
            }
        }
    }
    Revision {
        current: label == current,
        task_definition: label,
        arn: facts.arn.clone(),
        revision: facts.revision,
        image,
        digest,
        tags,
        image_in_repository,
        registered_at: facts.registered_at,
        registered_by_name: facts.registered_by.as_deref().and_then(principal_name),
        registered_by: facts.registered_by.clone(),
        cpu: facts.cpu.clone(),
        memory: facts.memory.clone(),
    }
}

/// The newest ACTIVE revisions of the family of `service`'s task definition (at most
/// [`SHOWN_REVISIONS`]), each described once (`cache` keeps what was read: a revision never
/// changes), with its image's digest and tags from ECR where the image is in the account's ECR.
pub async fn list_revisions(
    clients: &AwsClients,
    cache: &ecs::TaskDefinitionCache,
    cluster: &str,
    service: &str,
) -> Result<RevisionList> {
    require("cluster", cluster)?;
    require("service", service)?;
    let found = ecs::existing_service(clients, cluster, service).await?;
    let current = name_from_arn(&found.task_definition).to_owned();
    let family = family_of(&found.task_definition)
        .ok_or_else(|| BerthError::internal("the service names no task definition"))?
        .to_owned();
    let (arns, more) = ecs::newest_task_definitions(clients, &family, SHOWN_REVISIONS).await?;
    let facts = ecs::task_definitions(clients, cache, arns.iter().map(String::as_str)).await?;
    let listed: Vec<&TaskDefinitionFacts> = arns.iter().filter_map(|a| facts.get(a)).collect();
    let region = clients.region().to_owned();
    let repositories = listed.iter().filter_map(|f| {
        let image = &f.main_container()?.image;
        ecr_image(image, account_of(&f.arn)?, &region).map(|(repo, _)| repo.to_owned())
    });
    let images = repository_images(clients, repositories.collect::<Vec<_>>()).await?;
    let mut revisions: Vec<Revision> = listed
        .into_iter()
        .map(|f| revision_of_facts(f, &current, &region, &images))
        .collect();
    revisions.sort_by_key(|r| std::cmp::Reverse(r.revision));
    Ok(RevisionList {
        cluster: cluster.to_owned(),
        service: service.to_owned(),
        family,
        current,
        revisions,
        more,
        limit: SHOWN_REVISIONS as u32,
    })
}

/// A roll back that has been checked: the service, the revision it runs and the one it goes
/// back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackTarget {
    pub cluster: String,
    pub service: String,
    /// `family:revision` the service runs now.
    pub from: String,
    /// `family:revision` it goes back to.
    pub to: String,
    pub to_arn: String,
    /// How many tasks the service keeps running.
    pub desired: i32,
    /// The names the timeline reads logs under.
    names: Names,
    port: u16,
}

/// `family:revision` of `reference` (a `family:revision` or a task definition ARN), when it
/// names a revision.
fn revision_label(reference: &str) -> Option<&str> {
    let label = name_from_arn(reference.trim());
    let (family, revision) = label.split_once(':')?;
    let ok = !family.is_empty()
        && family
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && revision.parse::<u32>().is_ok_and(|r| r > 0);
    ok.then_some(label)
}

/// Checks a roll back of `service` to `task_definition` before anything changes: a revision of
/// the family the service runs, not the one it runs now, and still ACTIVE ("you can't update an
/// existing service to reference an INACTIVE task definition", ECS API reference,
/// DeregisterTaskDefinition). A malformed revision is refused before any AWS call.
pub async fn check_rollback(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    task_definition: &str,
) -> Result<RollbackTarget> {
    require("cluster", cluster)?;
    require("service", service)?;
    require("taskDefinition", task_definition)?;
    let to = revision_label(task_definition)
        .ok_or_else(|| BerthError::invalid("taskDefinition", "format"))?
        .to_owned();
    let found = ecs::existing_service(clients, cluster, service).await?;
    if found.status != "ACTIVE" {
        return Err(BerthError::invalid("service", "notActive").with("service", service));
    }
    let from = name_from_arn(&found.task_definition).to_owned();
    let family = family_of(&found.task_definition).unwrap_or_default();
    if family_of(&to) != Some(family) {
        return Err(BerthError::invalid("taskDefinition", "otherFamily")
            .with("family", family)
            .with("taskDefinition", &to));
    }
    if to == from {
        return Err(BerthError::invalid("taskDefinition", "current").with("taskDefinition", &to));
    }
    let def = ecs::describe_task_definition(clients, &to).await?;
    if def.registered.status() != Some(&TaskDefinitionStatus::Active) {
        return Err(BerthError::invalid("taskDefinition", "inactive").with("taskDefinition", &to));
    }
    let facts = TaskDefinitionFacts::from_sdk(&def.registered);
    let main = def
        .registered
        .container_definitions()
        .iter()
        .find(|c| c.essential().unwrap_or(true))
        .or(def.registered.container_definitions().first());
    let port = main
        .and_then(|c| c.port_mappings().first())
        .and_then(|p| p.container_port())
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(80);
    let container = facts.main_container();
    let log = container.and_then(|c| c.log.as_ref());
    let names = Names {
        app: service.to_owned(),
        cluster: cluster.to_owned(),
        log_group: log.map_or_else(|| format!("/berth/{service}"), |l| l.group.clone()),
        security_group: format!("berth-{service}"),
        family: family.to_owned(),
        service: service.to_owned(),
        container: container.map_or_else(|| service.to_owned(), |c| c.name.clone()),
    };
    Ok(RollbackTarget {
        cluster: cluster.to_owned(),
        service: service.to_owned(),
        from,
        to_arn: def.arn.clone(),
        to,
        desired: found.desired,
        names,
        port,
    })
}

/// How a roll back ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RollbackEnd {
    /// The new deployment COMPLETED with its tasks running.
    Running { addresses: Vec<TaskAddress> },
    /// A task of it stopped; `then` is what ECS does next (its circuit breaker may have gone
    /// back to the revision before).
    Stopped {
        diagnosis: Diagnosis,
        then: Option<AfterStop>,
    },
    /// Berth stopped watching before the deployment completed (ECS goes on).
    Waiting,
    /// The service is scaled to zero: it runs the revision from now on, but no task starts.
    Idle,
}

/// What a roll back did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Rollback {
    pub cluster: String,
    pub service: String,
    /// `family:revision` it ran before.
    pub from: String,
    /// `family:revision` it runs now.
    pub to: String,
    pub end: RollbackEnd,
}

/// Rolls the checked `target` out: one UpdateService (an entry of the activity log with its
/// `aws` command, and the timeline's action), then the deployment followed as a launch's is.
pub async fn roll_back(
    clients: &AwsClients,
    target: &RollbackTarget,
    run: &Run,
    options: FollowOptions,
) -> Result<Rollback> {
    let call = ecs::switch_revision_call(
        clients,
        &catalogue::ecs::ROLL_BACK,
        &target.cluster,
        &target.service,
        &target.to,
    );
    run.guard(ecs::switch_revision(
        clients,
        &catalogue::ecs::ROLL_BACK,
        &target.cluster,
        &target.service,
        &target.to_arn,
        &target.to,
    ))
    .await?;
    run.emit(LaunchEvent::Action {
        resource: ResourceKind::Service,
        name: target.service.clone(),
        outcome: Outcome::Updated,
        id: Some(target.to.clone()),
        command: Some(call.command().render()),
    });
    let end = if target.desired == 0 {
        RollbackEnd::Idle
    } else {
        let watch = Watch::Service {
            task_definition: target.to_arn.clone(),
            desired: usize::try_from(target.desired).unwrap_or(1),
        };
        match timeline::follow(clients, &target.names, target.port, &watch, run, options).await? {
            FollowEnd::Running(addresses) => RollbackEnd::Running { addresses },
            FollowEnd::Stopped(diagnosis, then) => RollbackEnd::Stopped { diagnosis, then },
            FollowEnd::Waiting => RollbackEnd::Waiting,
        }
    };
    Ok(Rollback {
        cluster: target.cluster.clone(),
        service: target.service.clone(),
        from: target.from.clone(),
        to: target.to.clone(),
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_deployed_is_the_user_or_role_of_the_principal() {
        let name = |arn: &str| principal_name(arn);
        assert_eq!(
            name("arn:aws:iam::123456789012:user/ana").as_deref(),
            Some("ana")
        );
        assert_eq!(
            name("arn:aws:iam::123456789012:user/team/ana").as_deref(),
            Some("ana")
        );
        assert_eq!(
            name("arn:aws:sts::123456789012:assumed-role/Deploy/ana@example.com").as_deref(),
            Some("Deploy (ana@example.com)")
        );
        assert_eq!(
            name("arn:aws:iam::123456789012:role/ci/GitHubActions").as_deref(),
            Some("GitHubActions")
        );
        assert_eq!(
            name("arn:aws:iam::123456789012:root").as_deref(),
            Some("root")
        );
        assert_eq!(name("not an arn"), None);
    }

    #[test]
    fn images_of_the_accounts_ecr_are_found_by_repository_and_reference() {
        let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
        assert_eq!(
            ecr_image(&format!("{host}/team/web:v1"), "123456789012", "us-east-1"),
            Some(("team/web", ImageRef::Tag("v1")))
        );
        assert_eq!(
            ecr_image(
                &format!("{host}/web@sha256:abc"),
                "123456789012",
                "us-east-1"
            ),
            Some(("web", ImageRef::Digest("sha256:abc")))
        );
        assert_eq!(
            ecr_image(&format!("{host}/web"), "123456789012", "us-east-1"),
            Some(("web", ImageRef::Tag("latest")))
        );
        // Another account's or region's registry, or Docker Hub: not looked up.
        assert_eq!(
            ecr_image(&format!("{host}/web:v1"), "999999999999", "us-east-1"),
            None
        );
        assert_eq!(
            ecr_image(&format!("{host}/web:v1"), "123456789012", "eu-west-1"),
            None
        );
        assert_eq!(ecr_image("nginx:1.27", "123456789012", "us-east-1"), None);
    }

    #[test]
    fn a_roll_back_names_a_revision_of_a_family() {
        assert_eq!(revision_label("shop:3"), Some("shop:3"));
        assert_eq!(
            revision_label("arn:aws:ecs:us-east-1:123456789012:task-definition/shop:12"),
            Some("shop:12")
        );
        for bad in [
            "shop", "shop:", "shop:0", "shop:-1", "shop:x", ":3", "sh op:3",
        ] {
            assert_eq!(revision_label(bad), None, "{bad}");
        }
    }
}
