//! The Image step: build, push and local runs against the real engine and registry.

mod build;
mod buildkit;
mod docker_init;
mod push;
mod run;
