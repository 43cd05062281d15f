//! The Launch step: apply, failures explained, teardown, and what a launch reports being true.

mod apply;
mod express;
mod failures;
mod scaling;
mod secrets;
mod teardown;
mod truth;
