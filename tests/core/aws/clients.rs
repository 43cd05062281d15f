//! The AWS client factory against moto (practice mode's endpoint override).

use crate::support;

use berth_core::aws::{ecr, sts, AwsClients, AwsTarget};
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

#[tokio::test]
async fn an_opt_in_region_the_account_has_not_enabled_is_named_not_blamed_on_the_keys() {
    // A fresh account: like every account, it has not enabled af-south-1 (an opt-in Region).
    let (source, _) = support::isolated_credentials("us-east-1").await;
    let clients = support::clients_in("af-south-1", &support::moto_url(), source).await;
    let err = ecr::describe_repositories(&clients).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RegionNotEnabled, "{err:?}");
    assert_eq!(err.param("region"), Some("af-south-1"));
    assert_eq!(err.param("action"), Some("ecr:DescribeRepositories"));
    // The keys were checked with STS where every account may call: that read is in the log.
    assert_eq!(
        support::reads(clients.activity()),
        ["sts.getCallerIdentity", "ecr.describeRepositories"]
    );
}

#[tokio::test]
async fn wrong_keys_in_an_opt_in_region_are_still_wrong_keys() {
    // Keys AWS no longer knows: an IAM user's access key, deleted.
    let admin = support::default_account().await;
    let user = support::unique_name("berth-gone-key");
    let iam = support::sdk::iam(&admin);
    iam.create_user().user_name(&user).send().await.unwrap();
    let key = support::sdk::new_access_key(&admin, &user).await;
    iam.delete_access_key()
        .user_name(&user)
        .access_key_id(&key.access_key_id)
        .send()
        .await
        .unwrap();
    let source = support::keys(&key.access_key_id, &key.secret_access_key, None);
    let clients = support::clients_in("af-south-1", &support::moto_url(), source).await;
    let err = sts::caller_identity(&clients).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidCredentials, "{err:?}");
    assert_eq!(err.param("region"), None);
}
