//! The AWS client factory against moto (practice mode's endpoint override).

use crate::support;

use berth_core::aws::{sts, AwsClients, AwsTarget};
use berth_core::ErrorKind;

#[tokio::test]
async fn endpoint_override_reaches_moto_and_returns_its_account() {
    let target = AwsTarget {
        region: "us-east-1".into(),
        endpoint_url: Some(support::moto_url()),
    };
    // moto accepts any key; these are obviously not real.
    let keys = support::keys("testing-key-id", "testing-secret", None);
    let clients = AwsClients::new(&target, keys).await;
    assert_eq!(clients.region(), "us-east-1");
    let who = sts::caller_identity(&clients).await.unwrap();
    // moto's default account.
    assert_eq!(who.account, "123456789012");
    assert!(who.arn.starts_with("arn:aws:"), "{}", who.arn);
}

#[tokio::test]
async fn an_endpoint_where_nothing_listens_is_unreachable_not_a_hang() {
    let clients = support::unreachable().await;
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
