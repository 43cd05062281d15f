//! The AWS client factory against moto (practice mode's endpoint override).

use crate::support;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use berth_core::aws::{sts, AwsClients, AwsTarget, CredentialSource};
use berth_core::ErrorKind;

fn fake_keys() -> CredentialSource {
    // moto accepts any key; these are obviously not real.
    CredentialSource::Provider(SharedCredentialsProvider::new(Credentials::new(
        "testing-key-id",
        "testing-secret",
        None,
        None,
        "berth-tests",
    )))
}

#[tokio::test]
async fn endpoint_override_reaches_moto_and_returns_its_account() {
    let target = AwsTarget {
        region: "us-east-1".into(),
        endpoint_url: Some(support::stack_var("BERTH_TEST_MOTO_URL")),
    };
    let clients = AwsClients::new(&target, fake_keys()).await;
    assert_eq!(clients.region(), "us-east-1");
    let who = sts::caller_identity(&clients).await.unwrap();
    // moto's default account.
    assert_eq!(who.account, "123456789012");
    assert!(who.arn.starts_with("arn:aws:"), "{}", who.arn);
}

#[tokio::test]
async fn an_endpoint_where_nothing_listens_is_unreachable_not_a_hang() {
    // Bind then drop a listener: the port is free and refuses connections.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = AwsTarget {
        region: "us-east-1".into(),
        endpoint_url: Some(format!("http://127.0.0.1:{port}")),
    };
    let clients = AwsClients::new(&target, fake_keys()).await;
    let started = std::time::Instant::now();
    let err = sts::caller_identity(&clients).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AwsEndpointUnreachable, "{err}");
    assert_eq!(err.param("action"), Some("sts:GetCallerIdentity"));
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
}
