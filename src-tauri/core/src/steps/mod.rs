//! The wizard's steps, one module each: plain async functions over small traits.

pub mod account;
pub mod iam;
pub mod image;
pub mod launch;
pub mod repositories;
pub mod repository;
pub mod service_actions;
pub mod status;
pub mod status_cost;
