//! Wrong keys against moto with its IAM authentication switched on. Switching
//! auth on affects the whole moto server, so nothing else may run meanwhile.

use crate::support;

use berth_core::wizard::account;
use berth_core::ErrorKind;

#[tokio::test]
async fn keys_aws_does_not_know_give_the_wrong_credentials_kind() {
    support::set_moto_auth(0);
    let clients =
        support::clients_with("TESTBERTHUNKNOWN0001", "not-a-secret-moto-knows", None).await;
    let result = account::verify(&clients, None).await;
    // Switch auth back off before asserting, so a failure here does not break other tests.
    support::set_moto_auth(u64::from(u32::MAX));
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidCredentials, "{err}");
    assert!(!err.to_string().contains("not-a-secret-moto-knows"));
}
