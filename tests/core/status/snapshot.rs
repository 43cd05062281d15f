//! The Deployments view's snapshot and its notification events, against moto: what a user sees
//! and what the tray tells them.

use crate::support::status as status_support;

use berth_core::dashboard::costs::fargate_prices_for;
use berth_core::dashboard::deployments::{
    take_snapshot, DeploymentsSnapshot, StatusCache, StatusEvent, StatusWatch, BERTH_STOP_REASON,
};
use berth_core::dashboard::service_actions;
use status_support::*;

/// One refresh as the monitor makes it: followed tasks from the watch, then the watch's events.
async fn refresh(
    clients: &berth_core::aws::AwsClients,
    cache: &StatusCache,
    watch: &mut StatusWatch,
) -> (DeploymentsSnapshot, Vec<StatusEvent>) {
    let followed = watch.followed();
    let snapshot = take_snapshot(clients, cache, &followed).await.unwrap();
    let events = watch.observe(snapshot);
    (watch.latest().unwrap().clone(), events)
}

#[tokio::test]
async fn services_and_tasks_appear_with_their_counts_states_sizes_and_cost() {
    hold_tasks_running();
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(
        &clients,
        "shop",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v1",
        "/berth/shop",
    )
    .await;
    create_service(&clients, &cluster, "shop", &definition, 2, &net).await;
    run_tasks(&clients, &cluster, &definition, Some("shop"), 2, &net).await;
    run_tasks(&clients, &cluster, &definition, None, 1, &net).await;
    let other = create_cluster(&clients, "batch").await;

    let snapshot = take_snapshot(&clients, &StatusCache::default(), &[])
        .await
        .unwrap();

    assert_eq!(snapshot.region, "us-east-1");
    assert!(snapshot.practice);
    let names: Vec<&str> = snapshot.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["batch", "web"], "clusters are sorted by name");
    let batch = &snapshot.clusters[0];
    assert_eq!(batch.arn, other);
    assert!(batch.services.is_empty() && batch.tasks.is_empty());

    let web = &snapshot.clusters[1];
    assert_eq!(web.services.len(), 1);
    let shop = &web.services[0];
    assert_eq!(shop.name, "shop");
    assert_eq!(shop.cluster, "web");
    assert_eq!(shop.status, "ACTIVE");
    // moto's scheduler never starts tasks: the service says 2 wanted, 0 running, 2 pending.
    assert_eq!((shop.desired, shop.running, shop.pending), (2, 0, 2));
    assert_eq!(shop.launch_type.as_deref(), Some("FARGATE"));
    assert_eq!(shop.task_definition, "shop:1");
    assert_eq!(
        shop.image.as_deref(),
        Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v1")
    );
    assert_eq!((shop.cpu, shop.memory), (Some(256), Some(512)));
    assert!(shop.managed, "the berth:managed tag is recognised");
    assert_eq!(shop.app.as_deref(), Some("shop"));
    assert!(shop.has_logs);
    assert_eq!(shop.deployments.len(), 1);
    assert_eq!(shop.deployments[0].status, "PRIMARY");

    // The tasks started in the service's group are its tasks; the other one is a one-off task.
    assert_eq!(shop.tasks.len(), 2);
    for task in &shop.tasks {
        assert_eq!(task.last_status, "RUNNING");
        assert_eq!(task.desired_status, "RUNNING");
        assert_eq!(task.service.as_deref(), Some("shop"));
        assert_eq!((task.cpu, task.memory), (Some(256), Some(512)));
        assert_eq!(task.cpu_architecture, "X86_64");
        assert!(task.private_ip.is_some(), "the interface's private address");
        // (moto sets no createdAt/startedAt on tasks; the uptime shown comes from startedAt.)
        assert_eq!(task.containers[0].name, "app");
    }
    assert_eq!(web.tasks.len(), 1);
    assert_eq!(web.tasks[0].service, None);
    assert_eq!(web.running_tasks, 3);
    assert_eq!(snapshot.running_tasks, 3);

    // Three 0.25 vCPU / 0.5 GB Fargate tasks in us-east-1 (moto assigns no public address).
    let (vcpu, gb) = fargate_prices_for("us-east-1", "X86_64").unwrap();
    let hourly = 3.0 * (0.25 * vcpu + 0.5 * gb);
    assert!(
        (snapshot.cost.hourly_usd - hourly).abs() < 1e-9,
        "{:?}",
        snapshot.cost
    );
    assert!((snapshot.cost.monthly_usd - hourly * 730.0).abs() < 1e-6);
    assert!(snapshot.cost.complete);
    assert!((shop.cost.hourly_usd - hourly * 2.0 / 3.0).abs() < 1e-9);
}

#[tokio::test]
async fn a_task_stopped_elsewhere_is_announced_once_with_its_reason() {
    hold_tasks_running();
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "api", "api:v1", "/berth/api").await;
    create_service(&clients, &cluster, "api", &definition, 2, &net).await;
    let tasks = run_tasks(&clients, &cluster, &definition, Some("api"), 2, &net).await;

    let cache = StatusCache::default();
    let mut watch = StatusWatch::default();
    let (first, events) = refresh(&clients, &cache, &mut watch).await;
    assert!(
        events.is_empty(),
        "the first look is the baseline: {events:?}"
    );
    assert_eq!(first.running_tasks, 2);

    stop_elsewhere(
        &clients,
        &cluster,
        &tasks[0],
        "Essential container in task exited",
    )
    .await;
    let (second, events) = refresh(&clients, &cache, &mut watch).await;
    let task_id = tasks[0].rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        events,
        [StatusEvent::TaskStopped {
            cluster: "web".into(),
            service: Some("api".into()),
            task_id: task_id.clone(),
            reason: "Essential container in task exited".into(),
            exit_code: None,
        }]
    );
    assert_eq!(second.running_tasks, 1);
    assert_eq!(second.clusters[0].services[0].tasks.len(), 1);
    assert_eq!(second.recently_stopped.len(), 1);
    assert_eq!(second.recently_stopped[0].id, task_id);
    assert_eq!(second.recently_stopped[0].last_status, "STOPPED");
    assert_eq!(
        second.recently_stopped[0].stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );

    // Later refreshes see the same stop again and say nothing more, but keep showing it.
    for _ in 0..3 {
        let (later, events) = refresh(&clients, &cache, &mut watch).await;
        assert!(events.is_empty(), "announced twice: {events:?}");
        assert_eq!(later.recently_stopped.len(), 1);
    }
}

#[tokio::test]
async fn a_task_stopped_from_berth_is_recorded_but_not_announced() {
    hold_tasks_running();
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "jobs").await;
    let definition = register_definition(&clients, "job", "job:v1", "/berth/job").await;
    let tasks = run_tasks(&clients, &cluster, &definition, None, 2, &net).await;

    let cache = StatusCache::default();
    let mut watch = StatusWatch::default();
    refresh(&clients, &cache, &mut watch).await;

    service_actions::stop_task(&clients, "jobs", &tasks[1])
        .await
        .unwrap();
    let (snapshot, events) = refresh(&clients, &cache, &mut watch).await;
    assert!(
        events.is_empty(),
        "the user's own stop is no surprise: {events:?}"
    );
    let stopped = &snapshot.recently_stopped[0];
    assert!(stopped.stopped_by_berth);
    assert_eq!(stopped.stopped_reason.as_deref(), Some(BERTH_STOP_REASON));
    assert_eq!(snapshot.clusters[0].tasks.len(), 1);

    let entry = clients.activity().recent(1).pop().unwrap();
    assert_eq!(entry.action, "ecs.stopTask");
    let id = tasks[1].rsplit('/').next().unwrap();
    assert!(
        entry.command.starts_with(&format!(
            "aws ecs stop-task --cluster jobs --task {id} --reason 'Stopped from Berth'"
        )),
        "{}",
        entry.command
    );
}

#[tokio::test]
async fn a_service_losing_tasks_is_announced_once_and_its_recovery_too() {
    // moto's services never start tasks (runningCount stays 0, or a fixed number for the whole
    // server), so the service's running count in a real snapshot is set to what ECS would report
    // as tasks die and come back.
    use berth_core::dashboard::deployments::ServiceStatus;
    hold_tasks_running();
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "site", "site:v1", "/berth/site").await;
    create_service(&clients, &cluster, "site", &definition, 2, &net).await;
    let base = take_snapshot(&clients, &StatusCache::default(), &[])
        .await
        .unwrap();
    let with_running = |running: i32| {
        let mut s = base.clone();
        let service: &mut ServiceStatus = &mut s.clusters[0].services[0];
        service.running = running;
        s
    };

    let mut watch = StatusWatch::default();
    assert!(watch.observe(with_running(2)).is_empty());
    let dropped = watch.observe(with_running(1));
    assert_eq!(
        dropped,
        [StatusEvent::ServiceDegraded {
            cluster: "web".into(),
            service: "site".into(),
            running: 1,
            desired: 2
        }]
    );
    assert!(watch.observe(with_running(1)).is_empty());
    assert!(
        watch.observe(with_running(0)).is_empty(),
        "still the same outage"
    );
    assert_eq!(
        watch.observe(with_running(2)),
        [StatusEvent::ServiceRecovered {
            cluster: "web".into(),
            service: "site".into(),
            running: 2
        }]
    );
    assert!(watch.observe(with_running(2)).is_empty());
}
