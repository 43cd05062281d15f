//! The Deployments view's snapshot and its notification events, against the AWS backend (its
//! scheduler starts the services' tasks, which really run): what a user sees and what the tray
//! tells them.

use crate::support::status as status_support;

use crate::support::sdk;
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
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "shop", "/berth/shop").await;
    create_service(&clients, &cluster, "shop", &definition, 2, &net).await;
    run_tasks(&clients, &cluster, &definition, None, 1, &net).await;
    let other = create_cluster(&clients, "batch").await;

    // The service's scheduler starts its two tasks; the one-off task starts too.
    let snapshot = snapshot_when(&clients, "three tasks running", |s| {
        s.running_tasks == 3
            && s.services()
                .all(|svc| svc.running == 2 && svc.tasks.len() == 2)
            && s.clusters.iter().flat_map(|c| &c.tasks).count() == 1
    })
    .await;

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
    assert_eq!((shop.desired, shop.running, shop.pending), (2, 2, 0));
    assert_eq!(shop.launch_type.as_deref(), Some("FARGATE"));
    assert_eq!(shop.task_definition, "shop:1");
    assert_eq!(
        shop.image.as_deref(),
        Some(stack_var("BERTH_TEST_IMAGE").as_str())
    );
    assert_eq!((shop.cpu, shop.memory), (Some(256), Some(512)));
    assert!(shop.managed, "the berth:managed tag is recognised");
    assert_eq!(shop.app.as_deref(), Some("shop"));
    assert!(shop.has_logs);
    assert_eq!(shop.deployments.len(), 1);
    assert_eq!(shop.deployments[0].status, "PRIMARY");

    // The tasks the service's scheduler started are its tasks; the other one is a one-off task.
    assert_eq!(shop.tasks.len(), 2);
    for task in shop.tasks.iter().chain(&web.tasks) {
        assert_eq!(task.last_status, "RUNNING");
        assert_eq!(task.desired_status, "RUNNING");
        assert_eq!((task.cpu, task.memory), (Some(256), Some(512)));
        assert_eq!(task.cpu_architecture, "X86_64");
        assert!(task.private_ip.is_some(), "the interface's private address");
        assert!(task.public_ip.is_some(), "assignPublicIp=ENABLED");
        assert_eq!(task.containers[0].name, "app");
    }
    assert!(shop
        .tasks
        .iter()
        .all(|t| t.service.as_deref() == Some("shop")));
    assert_eq!(web.tasks.len(), 1);
    assert_eq!(web.tasks[0].service, None);
    assert_eq!(web.running_tasks, 3);
    assert_eq!(snapshot.running_tasks, 3);

    // Three 0.25 vCPU / 0.5 GB Fargate tasks in us-east-1, each with a public IPv4 address.
    let prices = berth_core::pricing::fargate_prices("us-east-1").unwrap();
    let (vcpu, gb, ipv4) = (
        prices.x86_vcpu_hour,
        prices.x86_gb_hour,
        prices.public_ipv4_hour,
    );
    let hourly = 3.0 * (0.25 * vcpu + 0.5 * gb + ipv4);
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
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "api", "/berth/api").await;
    create_service(&clients, &cluster, "api", &definition, 2, &net).await;
    let running = snapshot_when(&clients, "the service's two tasks running", |s| {
        s.services()
            .all(|svc| svc.running == 2 && svc.tasks.len() == 2)
    })
    .await;
    let tasks: Vec<String> = running.clusters[0].services[0]
        .tasks
        .iter()
        .map(|t| t.arn.clone())
        .collect();

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
    // The task takes a while to stop (DEACTIVATING, STOPPING, …), and the service's scheduler
    // replaces it meanwhile: refresh until it is STOPPED, collecting what was announced.
    let task_id = tasks[0].rsplit('/').next().unwrap().to_owned();
    let mut announced = Vec::new();
    let started = std::time::Instant::now();
    let second = loop {
        let (latest, events) = refresh(&clients, &cache, &mut watch).await;
        announced.extend(events);
        if latest.recently_stopped.iter().any(|t| t.id == task_id) {
            break latest;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "never stopped: {latest:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    // What ECS reports for the stopped container, read through the SDK.
    let described = sdk::ecs(&clients)
        .describe_tasks()
        .cluster(&cluster)
        .tasks(&tasks[0])
        .send()
        .await
        .unwrap();
    let exit_code = described.tasks()[0].containers()[0].exit_code();
    let stops: Vec<&StatusEvent> = announced
        .iter()
        .filter(|e| matches!(e, StatusEvent::TaskStopped { .. }))
        .collect();
    assert_eq!(
        stops,
        [&StatusEvent::TaskStopped {
            cluster: "web".into(),
            service: Some("api".into()),
            app: Some("api".into()),
            task_id: task_id.clone(),
            reason: "Essential container in task exited".into(),
            exit_code,
        }],
        "{announced:?}"
    );
    // Besides, at most the service's own dip and recovery (its scheduler replaces the task).
    assert!(
        announced.iter().all(|e| matches!(
            e,
            StatusEvent::TaskStopped { .. }
                | StatusEvent::ServiceDegraded { .. }
                | StatusEvent::ServiceRecovered { .. }
                | StatusEvent::DeploymentRunning { .. }
        )),
        "{announced:?}"
    );
    assert!(second.clusters[0].services[0]
        .tasks
        .iter()
        .all(|t| t.id != task_id));
    assert_eq!(second.recently_stopped.len(), 1);
    assert_eq!(second.recently_stopped[0].id, task_id);
    assert_eq!(second.recently_stopped[0].last_status, "STOPPED");
    assert_eq!(
        second.recently_stopped[0].stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );

    // Later refreshes see the same stop again and say nothing more of it, but keep showing it.
    for _ in 0..3 {
        let (later, events) = refresh(&clients, &cache, &mut watch).await;
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, StatusEvent::TaskStopped { .. })),
            "announced twice: {events:?}"
        );
        assert_eq!(later.recently_stopped.len(), 1);
    }
}

#[tokio::test]
async fn a_task_stopped_from_berth_is_recorded_but_not_announced() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "jobs").await;
    let definition = register_definition(&clients, "job", "/berth/job").await;
    let tasks = run_tasks(&clients, &cluster, &definition, None, 2, &net).await;

    snapshot_when(&clients, "both tasks running", |s| s.running_tasks == 2).await;
    let cache = StatusCache::default();
    let mut watch = StatusWatch::default();
    refresh(&clients, &cache, &mut watch).await;

    service_actions::stop_task(&clients, "jobs", &tasks[1])
        .await
        .unwrap();
    // Refresh until the task has stopped (it takes a while): nothing is announced on the way.
    let started = std::time::Instant::now();
    let snapshot = loop {
        let (snapshot, events) = refresh(&clients, &cache, &mut watch).await;
        assert!(
            events.is_empty(),
            "the user's own stop is no surprise: {events:?}"
        );
        if !snapshot.recently_stopped.is_empty() {
            break snapshot;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "never stopped: {snapshot:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
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
    // The service's running count in a real snapshot is set to what ECS would report as tasks
    // die and come back (a real outage of that shape cannot be timed reliably).
    use berth_core::dashboard::deployments::ServiceStatus;
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "site", "/berth/site").await;
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
            app: Some("site".into()),
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
            app: Some("site".into()),
            running: 2
        }]
    );
    assert!(watch.observe(with_running(2)).is_empty());
}

#[tokio::test]
async fn a_task_whose_app_exits_is_announced_once_when_it_has_stopped_with_its_exit_code() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "jobs").await;
    let image = stack_var("BERTH_TEST_IMAGE");
    let definition = register_definition_of(
        &clients,
        "nightly",
        &image,
        &["sh", "-c", "sleep 2; exit 3"],
        "/berth/nightly",
    )
    .await;
    let task = run_tasks(&clients, &cluster, &definition, None, 1, &net)
        .await
        .remove(0);
    let task_id = task.rsplit('/').next().unwrap().to_owned();

    let cache = StatusCache::default();
    let mut watch = StatusWatch::default();
    let (baseline, events) = refresh(&clients, &cache, &mut watch).await;
    assert!(events.is_empty(), "the baseline: {events:?}");
    assert_ne!(baseline.clusters[0].tasks[0].last_status, "STOPPED");

    // The task goes RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED by itself.
    let mut seen = Vec::new();
    let mut announced = Vec::new();
    let started = std::time::Instant::now();
    loop {
        let (latest, events) = refresh(&clients, &cache, &mut watch).await;
        let state = latest.clusters[0]
            .tasks
            .iter()
            .chain(latest.recently_stopped.iter())
            .find(|t| t.id == task_id)
            .map(|t| t.last_status.clone())
            .unwrap();
        if events
            .iter()
            .any(|e| matches!(e, StatusEvent::TaskStopped { .. }))
        {
            assert_eq!(state, "STOPPED", "announced before it stopped: {events:?}");
        }
        announced.extend(events);
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state == "STOPPED" {
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "never stopped: {seen:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen.contains(&"RUNNING".to_owned()), "{seen:?}");
    for _ in 0..3 {
        let (_, events) = refresh(&clients, &cache, &mut watch).await;
        announced.extend(events);
    }
    // That it ran is told when it does (unless it already ran at the first look); that it
    // stopped, once.
    let running = StatusEvent::TaskRunning {
        cluster: "jobs".into(),
        task_id: task_id.clone(),
    };
    let stopped = StatusEvent::TaskStopped {
        cluster: "jobs".into(),
        service: None,
        app: None,
        task_id,
        reason: "Essential container in task exited".into(),
        exit_code: Some(3),
    };
    if baseline.clusters[0].tasks[0].last_status == "RUNNING" {
        assert_eq!(announced, [stopped], "{seen:?}");
    } else {
        assert_eq!(announced, [running, stopped], "{seen:?}");
    }
}

#[tokio::test]
async fn a_failed_deployment_is_told_once_with_its_reason_and_its_rollback_is_not_told_as_news() {
    // The deployments of a real snapshot's service are set to what ECS reports as its circuit
    // breaker fails a rollout and rolls back (the e2e test sees a real failure without rollback).
    use berth_core::dashboard::deployments::DeploymentStatus;
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "site", "/berth/site").await;
    create_service(&clients, &cluster, "site", &definition, 1, &net).await;
    let base = take_snapshot(&clients, &StatusCache::default(), &[])
        .await
        .unwrap();
    let deployment =
        |id: &str, status: &str, state: &str, reason: &str, running: i32| DeploymentStatus {
            id: id.into(),
            status: status.into(),
            rollout_state: Some(state.into()),
            rollout_state_reason: Some(reason.into()),
            task_definition: "site:1".into(),
            desired: 1,
            running,
            pending: 0,
            failed: 0,
            created_at: None,
            updated_at: None,
        };
    let with = |deployments: Vec<DeploymentStatus>| {
        let mut s = base.clone();
        let service = &mut s.clusters[0].services[0];
        service.app = Some("shop".into());
        service.running = 1;
        service.desired = 1;
        service.deployments = deployments;
        s
    };
    let good = deployment(
        "ecs-svc/1",
        "PRIMARY",
        "COMPLETED",
        "ECS deployment ecs-svc/1 completed.",
        1,
    );
    let mut old = good.clone();
    old.status = "ACTIVE".into();
    let rolling = deployment(
        "ecs-svc/2",
        "PRIMARY",
        "IN_PROGRESS",
        "ECS deployment ecs-svc/2 in progress.",
        0,
    );
    let mut failed = deployment(
        "ecs-svc/2",
        "ACTIVE",
        "FAILED",
        "ECS deployment circuit breaker: tasks failed to start.",
        0,
    );
    let back = deployment(
        "ecs-svc/3",
        "PRIMARY",
        "IN_PROGRESS",
        "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
        1,
    );
    let mut back_done = back.clone();
    back_done.rollout_state = Some("COMPLETED".into());

    let mut watch = StatusWatch::default();
    assert!(watch.observe(with(vec![good.clone()])).is_empty());
    assert!(watch.observe(with(vec![rolling, old.clone()])).is_empty());
    let told = watch.observe(with(vec![back.clone(), failed.clone(), old.clone()]));
    assert_eq!(
        told,
        [StatusEvent::DeploymentFailed {
            cluster: "web".into(),
            service: "site".into(),
            app: Some("shop".into()),
            reason: "ECS deployment circuit breaker: tasks failed to start.".into(),
            rolled_back: true,
        }]
    );
    // Seen again, and the rollback completing: nothing more.
    assert!(watch
        .observe(with(vec![back.clone(), failed.clone(), old]))
        .is_empty());
    assert!(watch.observe(with(vec![back_done.clone()])).is_empty());
    assert!(watch.observe(with(vec![back_done])).is_empty());
    // A first look at a service whose deployment failed earlier is no news either.
    failed.status = "PRIMARY".into();
    assert!(StatusWatch::default()
        .observe(with(vec![failed.clone()]))
        .is_empty());
    let mut fresh = StatusWatch::default();
    assert!(fresh.observe(with(vec![failed])).is_empty());
}
