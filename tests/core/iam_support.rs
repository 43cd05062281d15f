// Each IAM test binary uses only some of these helpers.
#![allow(dead_code)]

//! Clients for the IAM tests against the stack's moto. IAM names are global to an account and
//! moto's state is shared by every test, so most tests work in an account of their own: moto
//! answers an AssumeRole into any account with credentials that see only that account.

use super::support;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use berth_core::activity::ActivityLog;
use berth_core::aws::{AwsClients, AwsTarget, CredentialSource};
use berth_core::settings::PracticeMode;

pub const REGION: &str = "us-east-1";

pub fn moto_url() -> String {
    support::stack_var("BERTH_TEST_MOTO_URL")
}

pub fn practice() -> PracticeMode {
    PracticeMode {
        enabled: true,
        endpoint_url: moto_url(),
        registry: String::new(),
    }
}

fn target() -> AwsTarget {
    AwsTarget {
        region: REGION.into(),
        endpoint_url: Some(moto_url()),
    }
}

/// Clients signing with exactly these keys.
pub async fn clients_with(key_id: &str, secret: &str, token: Option<&str>) -> AwsClients {
    let keys = Credentials::new(
        key_id,
        secret,
        token.map(str::to_owned),
        None,
        "berth-iam-tests",
    );
    AwsClients::new(
        &target(),
        CredentialSource::Provider(SharedCredentialsProvider::new(keys)),
    )
    .await
}

/// Clients of moto's default account (any key works there while IAM auth is off).
pub async fn default_account() -> AwsClients {
    clients_with("TESTIAMADMIN00000001", "not-a-secret", None).await
}

/// A 12-digit account id no other test uses.
pub fn random_account() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let n = (nanos ^ (u128::from(std::process::id()) << 40)) % 900_000_000_000;
    format!("{}", 100_000_000_000 + n)
}

/// An administrator of a fresh, empty account of its own: (clients, account id).
pub async fn isolated_account() -> (AwsClients, String) {
    let account = random_account();
    let out = default_account()
        .await
        .sts()
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/berth-test-admin"))
        .role_session_name("berth-iam-test")
        .send()
        .await
        .expect("moto assumes a role in another account");
    let c = out.credentials.expect("credentials");
    let clients = clients_with(
        &c.access_key_id,
        &c.secret_access_key,
        Some(&c.session_token),
    )
    .await;
    (clients, account)
}

/// The actions of the log's entries, in order (e.g. `iam.createRole`).
pub fn actions(log: &ActivityLog) -> Vec<String> {
    log.recent(usize::MAX)
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// A URL-encoded or plain policy document as JSON.
pub fn policy_json(document: &str) -> serde_json::Value {
    serde_json::from_str(&berth_core::aws::iam::decode_policy(document)).unwrap()
}
