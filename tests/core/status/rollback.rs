//! Going back to an earlier revision against the strict backend: the revisions listed newest first
//! with their image, date and who registered them; a roll back checked before anything changes,
//! then rolled out and followed as a launch is, until the deployment completes with its tasks
//! running.

use crate::support::launch::{
    fast_follow, push_to_registry, push_web_image, web_image_v2, Timeline,
};
use crate::support::status::*;
use crate::support::{ecr::unique_repository, sdk};
use berth_core::aws::ecs::TaskDefinitionCache;
use berth_core::aws::AwsClients;
use berth_core::dashboard::revisions::{self, RollbackEnd, SHOWN_REVISIONS};
use berth_core::wizard::launch::kinds::{Outcome, ResourceKind};
use berth_core::wizard::launch::timeline::LaunchEvent;

/// An account with the cluster `web`, a repository with two versions of the app pushed as v1 and
/// v2 (two digests), the revisions
/// `shop:1` (v1) and `shop:2` (v2) pinned by digest as a launch pins them, and the service `shop`
/// running `shop:2`. Answers the clients, the repository URI and the two digests.
async fn service_with_two_revisions() -> (AwsClients, String, String, String) {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let account = sdk::sts(&clients)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_owned();
    let name = unique_repository("shop");
    sdk::ecr(&clients)
        .create_repository()
        .repository_name(&name)
        .send()
        .await
        .unwrap();
    let v1 = push_web_image(&name, "v1");
    let v2 = push_to_registry(web_image_v2(), &name, "v2");
    assert_ne!(v1, v2, "two versions, two digests");
    let repo = format!("{account}.dkr.ecr.us-east-1.amazonaws.com/{name}");
    let command = ["httpd", "-f", "-p", "80", "-h", "/www"];
    register_definition_of(
        &clients,
        "shop",
        &format!("{repo}@{v1}"),
        &command,
        "/berth/shop",
    )
    .await;
    let second = register_definition_of(
        &clients,
        "shop",
        &format!("{repo}@{v2}"),
        &command,
        "/berth/shop",
    )
    .await;
    create_service(&clients, &cluster, "shop", &second, 1, &net).await;
    (clients, repo, v1, v2)
}

#[tokio::test]
async fn revisions_are_listed_newest_first_with_image_date_and_who_registered_them() {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (clients, repo, v1, v2) = service_with_two_revisions().await;

    let list = revisions::list_revisions(&clients, &TaskDefinitionCache::default(), "web", "shop")
        .await
        .unwrap();
    assert_eq!(list.family, "shop");
    assert_eq!(list.current, "shop:2");
    assert!(!list.more);
    let labels: Vec<&str> = list
        .revisions
        .iter()
        .map(|r| r.task_definition.as_str())
        .collect();
    assert_eq!(labels, ["shop:2", "shop:1"]);
    let (now, before) = (&list.revisions[0], &list.revisions[1]);
    assert!(now.current && !before.current);
    assert_eq!(
        before.image.as_deref(),
        Some(format!("{repo}@{v1}").as_str())
    );
    assert_eq!(before.digest.as_deref(), Some(v1.as_str()));
    assert_eq!(now.digest.as_deref(), Some(v2.as_str()));
    assert_eq!(
        before.tags,
        ["v1"],
        "the tag ECR holds for the pinned digest"
    );
    assert_eq!(now.tags, ["v2"]);
    assert_eq!(before.image_in_repository, Some(true));
    assert_eq!(
        (before.cpu.as_deref(), before.memory.as_deref()),
        (Some("256"), Some("512"))
    );
    // Who registered it: the test's session of an assumed role (support::isolated_credentials).
    assert!(
        before
            .registered_by
            .as_deref()
            .is_some_and(|arn| arn.ends_with(":assumed-role/berth-test-admin/berth-test")),
        "{:?}",
        before.registered_by
    );
    assert_eq!(
        before.registered_by_name.as_deref(),
        Some("berth-test-admin (berth-test)")
    );
    let at = before.registered_at.expect("registeredAt");
    assert!(
        at + 5_000 >= started,
        "registered at {at}, test started {started}"
    );

    // A deregistered revision is not one to go back to: it leaves the list.
    sdk::ecs(&clients)
        .deregister_task_definition()
        .task_definition("shop:1")
        .send()
        .await
        .unwrap();
    let list = revisions::list_revisions(&clients, &TaskDefinitionCache::default(), "web", "shop")
        .await
        .unwrap();
    let labels: Vec<&str> = list
        .revisions
        .iter()
        .map(|r| r.task_definition.as_str())
        .collect();
    assert_eq!(labels, ["shop:2"]);
}

#[tokio::test]
async fn only_the_newest_revisions_are_listed_and_the_list_says_there_are_more() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let mut last = String::new();
    for _ in 0..SHOWN_REVISIONS + 2 {
        last = register_definition(&clients, "many", "/berth/many").await;
    }
    create_service(&clients, &cluster, "many", &last, 0, &net).await;
    let list = revisions::list_revisions(&clients, &TaskDefinitionCache::default(), "web", "many")
        .await
        .unwrap();
    assert!(list.more);
    assert_eq!(list.revisions.len(), SHOWN_REVISIONS);
    let newest = SHOWN_REVISIONS as i32 + 2;
    assert_eq!(list.revisions[0].revision, newest);
    assert!(list.revisions[0].current);
    assert_eq!(list.revisions.last().unwrap().revision, 3);
}

#[tokio::test]
async fn rolling_back_deploys_the_earlier_revision_and_follows_it_until_it_runs() {
    let (clients, repo, v1, _) = service_with_two_revisions().await;
    let log = clients.activity();

    let target = revisions::check_rollback(&clients, "web", "shop", "shop:1")
        .await
        .unwrap();
    assert_eq!(
        (target.from.as_str(), target.to.as_str()),
        ("shop:2", "shop:1")
    );
    let timeline = Timeline::new();
    let done = revisions::roll_back(&clients, &target, &timeline.run(), fast_follow())
        .await
        .unwrap();
    assert_eq!((done.from.as_str(), done.to.as_str()), ("shop:2", "shop:1"));
    let RollbackEnd::Running { addresses } = &done.end else {
        panic!("the roll back did not end running: {done:?}");
    };
    assert_eq!(addresses.len(), 1);

    // Followed like a launch: the action, the deployment's progress to COMPLETED, its task.
    let events = timeline.events();
    assert!(
        matches!(
            &events[0],
            LaunchEvent::Action { resource: ResourceKind::Service, outcome: Outcome::Updated, id: Some(id), command: Some(command), .. }
                if id == "shop:1" && command.starts_with("aws ecs update-service --cluster web --service shop --task-definition shop:1")
        ),
        "{events:?}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        LaunchEvent::Service { rollout: Some(r), .. } if r == "COMPLETED"
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        LaunchEvent::Task { last_status, .. } if last_status == "RUNNING"
    )));

    let shop = sdk::ecs(&clients)
        .describe_services()
        .cluster("web")
        .services("shop")
        .send()
        .await
        .unwrap()
        .services()[0]
        .clone();
    assert!(shop
        .task_definition()
        .unwrap()
        .ends_with("task-definition/shop:1"));
    let entry = log.recent(1).pop().unwrap();
    assert_eq!(entry.action, "ecs.rollBack");
    assert_eq!(entry.target, "shop");
    let list = revisions::list_revisions(&clients, &TaskDefinitionCache::default(), "web", "shop")
        .await
        .unwrap();
    assert_eq!(list.current, "shop:1");
    assert_eq!(
        list.revisions[1].image.as_deref(),
        Some(format!("{repo}@{v1}").as_str())
    );
    assert!(list.revisions[1].current);
}

#[tokio::test]
async fn a_roll_back_that_cannot_be_done_is_refused_before_anything_changes() {
    let (clients, ..) = service_with_two_revisions().await;
    let log = clients.activity();
    // A revision that is deregistered since (the third, never run).
    let image = stack_var("BERTH_TEST_IMAGE");
    register_definition_of(&clients, "shop", &image, &["sleep", "3600"], "/berth/shop").await;
    sdk::ecs(&clients)
        .deregister_task_definition()
        .task_definition("shop:3")
        .send()
        .await
        .unwrap();

    for (reference, rule) in [
        ("shop:2", "current"),
        ("shop:3", "inactive"),
        ("other:1", "otherFamily"),
        ("shop", "format"),
        ("shop:0", "format"),
        ("", "required"),
    ] {
        let err = revisions::check_rollback(&clients, "web", "shop", reference)
            .await
            .unwrap_err();
        assert_eq!(
            err.param("field"),
            Some("taskDefinition"),
            "{reference}: {err}"
        );
        assert_eq!(err.param("rule"), Some(rule), "{reference}: {err}");
    }
    let err = revisions::check_rollback(&clients, "web", "gone", "shop:1")
        .await
        .unwrap_err();
    assert_eq!(err.kind, berth_core::ErrorKind::NotFound);
    assert!(
        log.recent(10).is_empty(),
        "nothing was changed: {:?}",
        log.recent(10)
    );
}
