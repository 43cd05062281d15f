//! The Image step's push: `docker tag`, an ECR token, `docker push` with that token's
//! credentials given to the engine for the one request, and in practice mode the image registered
//! in the emulator's ECR.

use super::{require_repository, PushRequest};
use crate::activity::{ActivityLog, CliCommand};
use crate::aws::{ecr_auth, ecr_practice, AwsClients};
use crate::docker::Engine;
use crate::error::{BerthError, ErrorKind, Result};
use crate::image::{local, push, registry, tag};
use crate::progress::{Operation, Progress};
use crate::settings::{AccountSettings, PushedImage};

/// Tags the image for the registry, gets an ECR token, pushes it with the token, and (practice
/// mode) registers it in the emulator's ECR. Returns what the Launch step needs.
pub async fn push(
    engine: &Engine,
    clients: &AwsClients,
    account: &AccountSettings,
    repository: Option<&str>,
    req: &PushRequest,
    log: &ActivityLog,
    op: &Operation,
) -> Result<PushedImage> {
    let repository = require_repository(repository)?.to_owned();
    let tag = req.tag.trim().to_owned();
    tag::validate_tag(&tag)?;
    let practice_registry = account.practice.registry.trim().to_owned();
    if clients.is_practice() && practice_registry.is_empty() {
        return Err(BerthError::invalid("registry", "required"));
    }
    let source = local::inspect(engine, &req.image).await?;

    let work = async {
        // 1. The ECR token (what `aws ecr get-login-password` prints).
        let practice = clients.is_practice().then_some(practice_registry.as_str());
        let ecr = ecr_auth::login(clients, &repository, practice).await?;
        op.emit(Progress::StepDone {
            step: "login".to_owned(),
        });
        let host = if clients.is_practice() {
            practice_registry.clone()
        } else {
            ecr.registry.clone()
        };
        let mut credentials = ecr.credentials.clone();
        credentials.server = host.clone();
        let name = format!("{host}/{repository}");
        let target = format!("{name}:{tag}");

        // 2. docker tag
        let tagged = engine
            .docker
            .tag_image(
                &req.image,
                Some(
                    bollard::query_parameters::TagImageOptionsBuilder::default()
                        .repo(&name)
                        .tag(&tag)
                        .build(),
                ),
            )
            .await
            .map_err(|e| BerthError::new(ErrorKind::DockerRejected).details(e));
        log.track(
            "docker.tag",
            &target,
            &CliCommand::new(["docker", "tag", &source.reference, &target]),
            tagged,
        )?;
        op.emit(Progress::StepDone {
            step: "tag".to_owned(),
        });

        // 3. docker push, with the token's credentials given to the engine for this request.
        let pushed = log.track(
            "docker.push",
            &target,
            &CliCommand::new(["docker", "push", &target]),
            push::push(engine, &name, &tag, &credentials, op).await,
        )?;

        // 4. Practice: the emulator's ECR does not see the local registry; tell it.
        if clients.is_practice() {
            let manifest =
                registry::fetch_manifest(&host, &repository, &pushed.digest, &credentials).await?;
            ecr_practice::register_image(
                clients,
                &repository,
                &tag,
                &manifest.body,
                &manifest.media_type,
                &pushed.digest,
            )
            .await?;
        }
        op.emit(Progress::StepDone {
            step: "push".to_owned(),
        });
        Ok(PushedImage {
            uri: format!("{}/{repository}:{tag}", ecr.registry),
            repository: repository.clone(),
            tag: tag.clone(),
            digest: pushed.digest,
            platform: source.platform.clone(),
            exposed_port: source.exposed_port,
        })
    };
    op.run("push", work).await
}
