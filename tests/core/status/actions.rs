//! The Deployments view's actions against the AWS backend: scale, force a new deployment, deploy another
//! image tag (pinned by digest), delete a service — each checked first and recorded with its `aws` command.

use crate::support::status as status_support;

use crate::support::sdk;
use berth_core::dashboard::deployments::{take_snapshot, StatusCache};
use berth_core::dashboard::service_actions::{self, MAX_DESIRED_COUNT};
use berth_core::ErrorKind;
use status_support::*;

async fn service_named(
    clients: &berth_core::aws::AwsClients,
    name: &str,
) -> Option<berth_core::dashboard::deployments::ServiceStatus> {
    take_snapshot(clients, &StatusCache::default(), &[])
        .await
        .unwrap()
        .services()
        .find(|s| s.name == name)
        .cloned()
}

#[tokio::test]
async fn scaling_changes_the_desired_count_and_is_logged_with_its_command() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "shop", "/berth/shop").await;
    create_service(&clients, &cluster, "shop", &definition, 1, &net).await;
    let log = clients.activity();

    service_actions::scale_service(&clients, "web", "shop", 3)
        .await
        .unwrap();
    assert_eq!(service_named(&clients, "shop").await.unwrap().desired, 3);
    let entry = log.recent(1).pop().unwrap();
    assert_eq!(entry.action, "ecs.scaleService");
    assert_eq!(entry.target, "shop");
    assert!(entry.command.starts_with(
        "aws ecs update-service --cluster web --service shop --desired-count 3 --region us-east-1"
    ));

    // Out-of-range counts are refused before AWS is asked.
    for bad in [-1, MAX_DESIRED_COUNT + 1] {
        let err = service_actions::scale_service(&clients, "web", "shop", bad)
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert_eq!(err.param("field"), Some("desiredCount"));
        assert_eq!(err.param("rule"), Some("range"));
    }
    assert_eq!(
        log.recent(10).len(),
        1,
        "refused input never reaches AWS or the log"
    );
    assert_eq!(service_named(&clients, "shop").await.unwrap().desired, 3);

    // A service that is not there is named in the error.
    let err = service_actions::scale_service(&clients, "web", "gone", 1)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(err.param("name"), Some("gone"));
}

#[tokio::test]
async fn deploying_another_tag_registers_a_new_revision_and_rolls_the_service_to_it() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    // The image in the account's ECR, tags v1 and v2 pushed, so the tasks of both revisions run.
    let account = sdk::sts(&clients)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_owned();
    let name = crate::support::ecr::unique_repository("shop");
    sdk::ecr(&clients)
        .create_repository()
        .repository_name(&name)
        .send()
        .await
        .unwrap();
    crate::support::launch::push_web_image(&name, "v1");
    let v2 = crate::support::launch::push_web_image(&name, "v2");
    let repo = format!("{account}.dkr.ecr.us-east-1.amazonaws.com/{name}");
    let definition = register_definition_of(
        &clients,
        "shop",
        &format!("{repo}:v1"),
        &["httpd", "-f", "-p", "80", "-h", "/www"],
        "/berth/shop",
    )
    .await;
    create_service(&clients, &cluster, "shop", &definition, 1, &net).await;
    let log = clients.activity();

    // A tag the repository does not hold is refused before anything is registered.
    let err = service_actions::deploy_image_tag(&clients, "web", "shop", "v9")
        .await
        .unwrap_err();
    assert_eq!(err.param("field"), Some("imageTag"));
    assert_eq!(err.param("rule"), Some("notInRepository"));
    assert!(log.recent(10).is_empty());

    let deployed = service_actions::deploy_image_tag(&clients, "web", "shop", "v2")
        .await
        .unwrap();
    assert_eq!(deployed.task_definition, "shop:2");
    // Pinned by digest, as a launch pins it: the revision keeps naming this very image even if
    // v2 is pushed again, so it is a version to roll back to.
    assert_eq!(deployed.image, format!("{repo}@{v2}"));
    assert_eq!(deployed.digest.as_deref(), Some(v2.as_str()));
    let shop = service_named(&clients, "shop").await.unwrap();
    assert_eq!(shop.task_definition, "shop:2");
    assert_eq!(shop.image.as_deref(), Some(format!("{repo}@{v2}").as_str()));
    assert_eq!(
        (shop.cpu, shop.memory),
        (Some(256), Some(512)),
        "the size is copied"
    );
    assert!(shop.has_logs, "the log configuration is copied");
    let actions: Vec<String> = log.recent(10).into_iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        ["ecs.registerTaskDefinition", "ecs.deployImageTag"]
    );

    let err = service_actions::deploy_image_tag(&clients, "web", "shop", "bad tag")
        .await
        .unwrap_err();
    assert_eq!(err.param("field"), Some("imageTag"));
    assert_eq!(err.param("rule"), Some("format"));
}

#[tokio::test]
async fn forcing_a_new_deployment_and_deleting_a_service_are_logged() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "shop", "/berth/shop").await;
    create_service(&clients, &cluster, "shop", &definition, 1, &net).await;
    let log = clients.activity();

    service_actions::force_new_deployment(&clients, "web", "shop")
        .await
        .unwrap();
    service_actions::delete_service(&clients, "web", "shop")
        .await
        .unwrap();
    let left = service_named(&clients, "shop").await;
    assert!(
        left.as_ref().is_none_or(|s| s.status != "ACTIVE"),
        "the service is still active: {left:?}"
    );
    let commands: Vec<String> = log.recent(10).into_iter().map(|e| e.command).collect();
    assert!(commands[0]
        .starts_with("aws ecs update-service --cluster web --service shop --force-new-deployment"));
    assert!(commands[1].starts_with("aws ecs delete-service --cluster web --service shop --force"));
}
