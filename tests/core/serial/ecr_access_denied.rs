//! An identity that may read ECR but not change it, against moto with IAM authentication on.
//! Switching auth on affects the whole moto server.

use crate::support;
use crate::support::ecr as ecr_support;
use crate::support::sdk;

use berth_core::activity::ActivityStatus;
use berth_core::dashboard::repository_list as repositories;
use berth_core::wizard::repository;
use berth_core::ErrorKind;

const READ_ONLY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Action":["ecr:DescribeRepositories","ecr:DescribeImages","ecr:ListTagsForResource",
            "ecr:GetLifecyclePolicy","sts:GetCallerIdentity"],"Resource":"*"}]}"#;

#[tokio::test]
async fn a_denied_delete_or_create_names_the_action_and_leaves_the_repository_in_place() {
    let admin = ecr_support::default_account().await;
    let name = support::unique_name("denied");
    let user = support::unique_name("berth-readonly");
    sdk::iam(&admin)
        .create_user()
        .user_name(&user)
        .send()
        .await
        .unwrap();
    sdk::iam(&admin)
        .put_user_policy()
        .user_name(&user)
        .policy_name("ecr-read-only")
        .policy_document(READ_ONLY_POLICY)
        .send()
        .await
        .unwrap();
    let key = sdk::new_access_key(&admin, &user).await;
    ecr_support::create_plain(&admin, &name).await;
    ecr_support::push_image(&name, "v1", 1);

    let reader = support::clients_with(key.access_key_id(), key.secret_access_key(), None).await;
    support::wait_until_usable(&reader).await;

    support::set_moto_auth(0);
    let listed = repositories::list_repositories(&reader).await;
    let deleted = repositories::delete_repository(&reader, &name, Some(&name)).await;
    let input = repository::NewRepository {
        name: support::unique_name("new"),
        scan_on_push: true,
        tag_mutability: berth_core::aws::ecr::TagMutability::Mutable,
        encryption: berth_core::aws::ecr::Encryption::Aes256,
        lifecycle: Default::default(),
    };
    let created = repository::create_repository(&reader, &input).await;
    // Switch auth back off before asserting, so a failure here does not break other tests.
    support::set_moto_auth(u64::from(u32::MAX));

    let listed = listed.expect("reading is allowed");
    assert!(listed.repositories.iter().any(|r| r.name == name));
    let err = deleted.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    assert_eq!(err.param("action"), Some("ecr:DeleteRepository"));
    let err = created.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    assert_eq!(err.param("action"), Some("ecr:CreateRepository"));
    // The refused delete changed nothing, and the log says it failed and why.
    assert!(ecr_support::exists(&admin, &name).await);
    let delete = reader
        .activity()
        .recent(10)
        .into_iter()
        .find(|e| e.action == "ecr.deleteRepository")
        .unwrap();
    assert_eq!(delete.status, ActivityStatus::Failed);
    assert_eq!(delete.error, Some(ErrorKind::AccessDenied));

    repositories::delete_repository(&admin, &name, Some(&name))
        .await
        .unwrap();
}
