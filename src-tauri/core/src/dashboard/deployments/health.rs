//! How a service is doing, in one word, for the tray: running as asked, rolling out, or failing.

use super::ServiceStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceHealth {
    /// All its tasks run and no deployment is under way.
    Running,
    /// A deployment is rolling out (or tasks are starting).
    Deploying,
    /// A deployment failed (perhaps rolling back), or fewer tasks run than asked with no
    /// deployment under way to explain it.
    Failing,
}

pub fn health(service: &ServiceStatus) -> ServiceHealth {
    if service
        .deployments
        .iter()
        .any(|d| d.rollout_state.as_deref() == Some("FAILED"))
    {
        return ServiceHealth::Failing;
    }
    let rolling = service.deployments.len() > 1
        || service
            .deployments
            .iter()
            .any(|d| d.rollout_state.as_deref() == Some("IN_PROGRESS"));
    if rolling || service.pending > 0 {
        ServiceHealth::Deploying
    } else if service.running < service.desired {
        ServiceHealth::Failing
    } else {
        ServiceHealth::Running
    }
}
