//! The Launch step: apply, failures explained, teardown.

mod apply;
mod failures;
mod teardown;
