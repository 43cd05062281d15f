//! Berth core's integration tests against the real local stack (Docker engine, registry, the AWS
//! emulator, the Secret Service keychain): one test binary, one module per area, helpers in
//! `support`.
//!
//! Tests in `serial` change state shared beyond the test itself — the process environment, or
//! settings of the emulator that apply to every request — so they must not run beside others.
//! `scripts/test.sh` runs this binary twice: `--skip serial::`, then `serial::` on one thread.

mod support;

mod aws;
mod dependency_audit;
mod docker;
mod ecr;
mod iam;
mod image;
mod keychain;
mod launch;
mod practice;
mod serial;
mod status;
