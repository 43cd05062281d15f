//! Berth's domain logic. Everything the app does lives here, behind plain async functions, so it
//! can be tested against a real Docker engine and a real AWS emulator without a window. This crate
//! must never depend on `tauri`.

pub mod activity;
pub mod app_info;
pub mod aws;
pub mod cli;
pub mod credentials;
pub mod dashboard;
pub mod desktop_support;
pub mod desktop_text;
pub mod docker;
pub mod ecr_lifecycle;
pub mod ecr_names;
pub mod error;
pub mod fargate;
pub mod image;
pub mod jobs;
pub mod opener;
pub mod permissions;
pub mod practice;
pub mod pricing;
pub mod progress;
pub mod settings;
pub mod tags;
pub mod tray_badge;
pub mod wizard;

pub use error::{BerthError, ErrorKind, Result};
