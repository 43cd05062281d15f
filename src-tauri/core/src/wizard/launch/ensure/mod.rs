//! One module per resource a launch needs, in the order it makes them. Each has `inspect`
//! (read-only: what exists and the plan's line for it, with the commands that would run) and
//! `ensure` (look, then create, update or reuse — so a second launch is a no-op and an
//! interrupted one resumes where it stopped). The plan calls the inspections; the apply calls
//! the ensures, which inspect again right before acting.

pub mod cluster;
pub mod express;
pub mod log_group;
pub mod scaling;
pub mod security_group;
pub mod service;
pub mod task_definition;
pub mod tasks;

use super::kinds::{PlanAction, PlanItem, ResourceKind};

/// A plan line with no changes listed.
fn item(
    resource: ResourceKind,
    name: &str,
    action: PlanAction,
    id: Option<String>,
    commands: Vec<String>,
) -> PlanItem {
    PlanItem {
        resource,
        name: name.to_owned(),
        action,
        id,
        changes: Vec::new(),
        commands,
    }
}
