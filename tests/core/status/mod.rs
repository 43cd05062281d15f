//! The Deployments view: snapshot, actions, roll back, logs, metrics and the monitor.

mod actions;
mod logs;
mod metrics;
mod monitor;
mod rollback;
mod snapshot;
