//! What a user can do to something that runs, from the Deployments view: scale a service, force a
//! new deployment, deploy another image tag, delete a service, stop a task. Each action is checked
//! before any AWS call and recorded in the activity log with its `aws` command.

use crate::activity::ActivityLog;
use crate::aws::ecs_status::{describe_task_definition, name_from_arn};
use crate::aws::{errors, AwsClients};
use crate::error::{BerthError, Result};
use crate::steps::status::BERTH_STOP_REASON;
use aws_sdk_ecs::types::{ServiceField, TaskDefinition, TaskDefinitionField};
use serde::Serialize;
use ts_rs::TS;

/// The most tasks Berth scales a service to. ECS allows more; a typo like 200 instead of 2 would
/// cost real money, so larger services are left to the console.
pub const MAX_DESIRED_COUNT: i32 = 100;

/// Docker's rule for an image tag (what the push accepted): up to 128 characters.
pub fn valid_image_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

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
    log: &ActivityLog,
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
    let command = clients
        .cli("ecs", "update-service")
        .opt("--cluster", cluster)
        .opt("--service", service)
        .opt("--desired-count", desired.to_string());
    let result = clients
        .ecs()
        .update_service()
        .cluster(cluster)
        .service(service)
        .desired_count(desired)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| not_found_service(errors::from_sdk(e, "ecs:UpdateService"), service));
    log.track("ecs.scaleService", service, &command, result)
}

/// Replaces every task of `service` with a new one of the same definition (to pick up a new
/// image pushed under the same tag, or to restart it).
pub async fn force_new_deployment(
    clients: &AwsClients,
    log: &ActivityLog,
    cluster: &str,
    service: &str,
) -> Result<()> {
    require_name("cluster", cluster)?;
    require_name("service", service)?;
    let command = clients
        .cli("ecs", "update-service")
        .opt("--cluster", cluster)
        .opt("--service", service)
        .arg("--force-new-deployment");
    let result = clients
        .ecs()
        .update_service()
        .cluster(cluster)
        .service(service)
        .force_new_deployment(true)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| not_found_service(errors::from_sdk(e, "ecs:UpdateService"), service));
    log.track("ecs.forceNewDeployment", service, &command, result)
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
    pub image: String,
}

/// Registers a new revision of the service's task definition whose main container runs `tag` of
/// the same repository, and rolls the service out to it.
pub async fn deploy_image_tag(
    clients: &AwsClients,
    log: &ActivityLog,
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
    if !valid_image_tag(tag) {
        return Err(BerthError::invalid("imageTag", "format"));
    }
    let current = clients
        .ecs()
        .describe_services()
        .cluster(cluster)
        .services(service)
        .include(ServiceField::Tags)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DescribeServices"))?
        .services
        .unwrap_or_default()
        .into_iter()
        .next()
        .ok_or_else(|| {
            BerthError::new(crate::ErrorKind::NotFound)
                .with("resource", "service")
                .with("name", service)
        })?;
    let def_arn = current.task_definition().unwrap_or_default().to_owned();
    let def = describe_task_definition(clients, &def_arn).await?;
    let tags = clients
        .ecs()
        .describe_task_definition()
        .task_definition(&def_arn)
        .include(TaskDefinitionField::Tags)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:DescribeTaskDefinition"))?
        .tags;
    let (request, image) = new_revision(&def, tag)?;
    let family = def.family().unwrap_or_default().to_owned();

    let register = clients
        .cli("ecs", "register-task-definition")
        .opt("--family", &family)
        .opt(
            "--cli-input-json",
            format!("<{} with image {image}>", name_from_arn(&def_arn)),
        );
    let registered = request
        .set_tags(tags.filter(|t| !t.is_empty()))
        .send_with(&clients.ecs())
        .await
        .map_err(|e| errors::from_sdk(e, "ecs:RegisterTaskDefinition"))
        .and_then(|out| {
            out.task_definition
                .ok_or_else(|| BerthError::internal("RegisterTaskDefinition answered without one"))
        });
    let registered = log.track("ecs.registerTaskDefinition", &family, &register, registered)?;
    let new_arn = registered
        .task_definition_arn()
        .unwrap_or_default()
        .to_owned();
    let label = format!("{}:{}", family, registered.revision());

    let update = clients
        .cli("ecs", "update-service")
        .opt("--cluster", cluster)
        .opt("--service", service)
        .opt("--task-definition", &label);
    let result = clients
        .ecs()
        .update_service()
        .cluster(cluster)
        .service(service)
        .task_definition(&new_arn)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| not_found_service(errors::from_sdk(e, "ecs:UpdateService"), service));
    log.track("ecs.deployImageTag", service, &update, result)?;
    Ok(TagDeployment {
        task_definition: label,
        image,
    })
}

/// A RegisterTaskDefinition request that copies `def` with the main container's image tag
/// replaced, and the new image.
fn new_revision(
    def: &TaskDefinition,
    tag: &str,
) -> Result<(
    aws_sdk_ecs::operation::register_task_definition::builders::RegisterTaskDefinitionInputBuilder,
    String,
)> {
    let mut containers = def.container_definitions.clone().unwrap_or_default();
    let main = containers
        .iter()
        .position(|c| c.essential.unwrap_or(true))
        .or(if containers.is_empty() { None } else { Some(0) })
        .ok_or_else(|| BerthError::internal("the task definition has no container"))?;
    let image = with_tag(containers[main].image().unwrap_or_default(), tag);
    containers[main].image = Some(image.clone());
    let builder =
        aws_sdk_ecs::operation::register_task_definition::RegisterTaskDefinitionInput::builder()
            .set_family(def.family.clone())
            .set_task_role_arn(def.task_role_arn.clone())
            .set_execution_role_arn(def.execution_role_arn.clone())
            .set_network_mode(def.network_mode.clone())
            .set_container_definitions(Some(containers))
            .set_volumes(def.volumes.clone())
            .set_placement_constraints(def.placement_constraints.clone())
            .set_requires_compatibilities(def.requires_compatibilities.clone())
            .set_cpu(def.cpu.clone())
            .set_memory(def.memory.clone())
            .set_pid_mode(def.pid_mode.clone())
            .set_ipc_mode(def.ipc_mode.clone())
            .set_proxy_configuration(def.proxy_configuration.clone())
            .set_ephemeral_storage(def.ephemeral_storage.clone())
            .set_runtime_platform(def.runtime_platform.clone());
    Ok((builder, image))
}

/// Deletes `service` and stops its tasks (`--force`: no need to scale it to zero first).
pub async fn delete_service(
    clients: &AwsClients,
    log: &ActivityLog,
    cluster: &str,
    service: &str,
) -> Result<()> {
    require_name("cluster", cluster)?;
    require_name("service", service)?;
    let command = clients
        .cli("ecs", "delete-service")
        .opt("--cluster", cluster)
        .opt("--service", service)
        .arg("--force");
    let result = clients
        .ecs()
        .delete_service()
        .cluster(cluster)
        .service(service)
        .force(true)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| not_found_service(errors::from_sdk(e, "ecs:DeleteService"), service));
    log.track("ecs.deleteService", service, &command, result)
}

/// Stops one task, with the reason that tells Berth's monitor the user did it.
pub async fn stop_task(
    clients: &AwsClients,
    log: &ActivityLog,
    cluster: &str,
    task: &str,
) -> Result<()> {
    require_name("cluster", cluster)?;
    require_name("task", task)?;
    let command = clients
        .cli("ecs", "stop-task")
        .opt("--cluster", cluster)
        .opt("--task", name_from_arn(task))
        .opt("--reason", BERTH_STOP_REASON);
    let result = clients
        .ecs()
        .stop_task()
        .cluster(cluster)
        .task(task)
        .reason(BERTH_STOP_REASON)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| errors::from_sdk(e, "ecs:StopTask"));
    log.track("ecs.stopTask", name_from_arn(task), &command, result)
}

/// ECS names a missing service with its own exception; the UI says which service.
fn not_found_service(err: BerthError, service: &str) -> BerthError {
    if err.kind == crate::ErrorKind::NotFound {
        err.with("resource", "service").with("name", service)
    } else {
        err
    }
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

    #[test]
    fn tags_follow_dockers_rule() {
        assert!(valid_image_tag("v1.2.3"));
        assert!(valid_image_tag("_latest-2"));
        assert!(!valid_image_tag(".hidden"));
        assert!(!valid_image_tag("with space"));
        assert!(!valid_image_tag("a:b"));
        assert!(!valid_image_tag(&"x".repeat(129)));
    }
}
