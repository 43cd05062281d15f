//! The Deployments view: snapshot, actions, logs, metrics and the monitor.

mod actions;
mod logs;
mod metrics;
mod monitor;
mod snapshot;
