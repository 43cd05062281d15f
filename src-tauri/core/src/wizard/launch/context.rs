//! What a launch works with while it applies: the clients, the launch record on disk, and the
//! running timeline. Each resource's `ensure` notes what it did through [`LaunchContext::done`],
//! and tries again through [`LaunchContext::patiently`] what AWS refuses only for a while.

use super::kinds::ResourceKind;
use super::record::{LaunchRecord, LaunchStore, RecordedResource};
use super::timeline::{FollowOptions, LaunchEvent, Outcome, RetryReason, Run};
use crate::aws::iam::Iam;
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::error::{BerthError, ErrorKind, Result};
use std::future::Future;
use std::time::Duration;

/// What a launch works with.
pub struct LaunchContext<'a> {
    pub clients: &'a AwsClients,
    pub store: &'a LaunchStore,
    pub run: &'a Run,
    pub follow: FollowOptions,
}

impl LaunchContext<'_> {
    /// Notes a completed action: on the timeline and in the saved record.
    pub fn done(
        &self,
        record: &mut LaunchRecord,
        resource: ResourceKind,
        name: &str,
        outcome: Outcome,
        id: Option<String>,
        command: Option<&CliCommand>,
    ) -> Result<()> {
        record.note(RecordedResource {
            resource,
            name: name.to_owned(),
            id: id.clone(),
            outcome,
        });
        self.store.save(record)?;
        self.run.emit(LaunchEvent::Action {
            resource,
            name: name.to_owned(),
            outcome,
            id,
            command: command.map(CliCommand::render),
        });
        Ok(())
    }
}

/// A resource with Berth's name that Berth did not make: never touched.
pub fn name_taken(resource: &str, name: &str) -> BerthError {
    BerthError::new(ErrorKind::AlreadyExists)
        .with("resource", resource)
        .with("name", name)
}

/// The pauses before each new attempt of an action IAM's eventual consistency refuses: about a
/// minute in all, which covers the "few seconds" AWS documents with room to spare.
const PATIENCE: [u32; 5] = [2, 4, 8, 16, 30];

/// Why AWS refused an action for a while, when it did: a role just created that ECS cannot
/// assume yet ("ECS was unable to assume the role", "Role is not valid"), or ECS's service-linked
/// role that a new account does not have yet ("Unable to assume the service linked role").
fn passing_refusal(err: &BerthError, role: &str) -> Option<RetryReason> {
    if err.kind != ErrorKind::AwsRejected && err.kind != ErrorKind::AccessDenied {
        return None;
    }
    let text = err
        .details
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if text.contains("service linked role") || text.contains("service-linked role") {
        Some(RetryReason::ServiceLinkedRole)
    } else if text.contains("unable to assume the role")
        || (text.contains("role") && text.contains("not valid"))
        || text.contains("iam:passrole")
    {
        Some(RetryReason::RolePropagating {
            role: role.to_owned(),
        })
    } else {
        None
    }
}

impl LaunchContext<'_> {
    /// Runs `attempt`, and again after a pause while AWS refuses it for a reason that passes by
    /// itself (see [`passing_refusal`]); the timeline says what it waits for. The first time
    /// ECS's service-linked role is missing, Berth makes it. After the last pause the refusal is
    /// the answer.
    pub async fn patiently<T, F, Fut>(&self, role: &str, mut attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut made_linked_role = false;
        for pause in PATIENCE {
            let err = match attempt().await {
                Ok(done) => return Ok(done),
                Err(err) => err,
            };
            let Some(reason) = passing_refusal(&err, role) else {
                return Err(err);
            };
            if reason == RetryReason::ServiceLinkedRole && !made_linked_role {
                made_linked_role = true;
                Iam::new(self.clients)
                    .ensure_ecs_service_linked_role()
                    .await?;
            }
            self.run.emit(LaunchEvent::Retrying {
                reason,
                after_secs: pause,
            });
            self.run.sleep(Duration::from_secs(pause.into())).await?;
        }
        attempt().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_refusals_that_pass_by_themselves_are_tried_again() {
        let rejected = |text: &str| {
            BerthError::new(ErrorKind::AwsRejected)
                .with("code", "InvalidParameterException")
                .details(text)
        };
        let role = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
        assert_eq!(
            passing_refusal(
                &rejected("Unable to assume the service linked role. Please verify that the ECS service linked role exists."),
                role
            ),
            Some(RetryReason::ServiceLinkedRole)
        );
        assert!(matches!(
            passing_refusal(
                &rejected(
                    "ECS was unable to assume the role 'arn:…' that was provided for this task."
                ),
                role
            ),
            Some(RetryReason::RolePropagating { .. })
        ));
        assert_eq!(
            passing_refusal(&rejected("Invalid 'cpu' setting for task."), role),
            None
        );
        assert_eq!(
            passing_refusal(&BerthError::new(ErrorKind::Throttled).details("role"), role),
            None
        );
    }
}
