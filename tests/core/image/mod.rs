//! The Image step: build, push and local runs against the real engine and registry.

mod build;
mod push;
mod run;
