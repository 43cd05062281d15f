//! What a launch works with while it applies: the clients, the launch record on disk, and the
//! running timeline. Each resource's `ensure` notes what it did through [`LaunchContext::done`].

use super::kinds::ResourceKind;
use super::record::{LaunchRecord, LaunchStore, RecordedResource};
use super::timeline::{FollowOptions, LaunchEvent, Outcome, Run};
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::error::{BerthError, ErrorKind, Result};

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
