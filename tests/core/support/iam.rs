//! What the IAM tests share. IAM names are global to an account and moto's state is shared by
//! every test, so most IAM tests work in an account of their own (`support::isolated_account`).

pub use super::{clients_with, default_account, isolated_account, moto_url, REGION};
use berth_core::settings::PracticeMode;

pub fn practice() -> PracticeMode {
    PracticeMode {
        enabled: true,
        managed: false,
        endpoint_url: moto_url(),
        registry: String::new(),
    }
}

/// A URL-encoded or plain policy document as JSON.
pub fn policy_json(document: &str) -> serde_json::Value {
    serde_json::from_str(&berth_core::aws::iam::decode_policy(document)).unwrap()
}
