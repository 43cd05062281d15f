//! The wizard's five steps, one module each, in the order the user walks them: plain async
//! functions over AWS and Docker that are idempotent ("ensure"), so a step can be re-run.

pub mod account;
pub mod iam;
pub mod image;
pub mod launch;
pub mod repository;
