//! What keeps watching after the wizard: the Deployments view (what runs, its cost, events,
//! logs and charts), the actions it offers on a running service, the earlier revisions it can go
//! back to, the background monitor behind the tray and notifications, and the Repositories view
//! (every repository, its images and cost).

pub mod costs;
pub mod deployments;
pub mod monitor;
pub mod repository_list;
pub mod revisions;
pub mod secrets;
pub mod service_actions;
