//! One refresh of an account with 200 services and 1,000 tasks: it makes exactly the calls the
//! batch sizes require, counted on the wire by a relay in front of the AWS backend. The time is
//! printed, and written as JSON to the file named by `BERTH_BENCH_OUT` (scripts/bench/all.sh
//! reads it).
//!
//! The services' schedulers start the 1,000 tasks. A thousand containers are more than a test
//! machine runs, so the backend's tasks run without one here (`containers: false`, a setting of
//! the whole backend: this test runs alone); what is counted is API calls, which are the same.

use crate::support::status as status_support;

use berth_core::aws::ec2::INTERFACES_BATCH;
use berth_core::aws::ecs::{DESCRIBE_SERVICES_BATCH, DESCRIBE_TASKS_BATCH};
use berth_core::dashboard::deployments::{take_snapshot, StatusCache, StatusWatch};
use status_support::*;
use std::time::Instant;

const SERVICES: usize = 200;
const TASKS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_of_200_services_and_1000_tasks_makes_only_the_batched_calls() {
    let _containerless = Containerless::new();
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let account = isolated_account().await;
    let setup = clients_at(&moto, account.clone()).await;
    let net = network(&setup).await;
    let cluster = create_cluster(&setup, "fleet").await;
    let definition = register_definition(&setup, "fleet", "/berth/fleet").await;
    let started = Instant::now();
    for i in 0..SERVICES {
        create_service(
            &setup,
            &cluster,
            &format!("svc-{i:03}"),
            &definition,
            5,
            &net,
        )
        .await;
    }
    // Each service's scheduler starts its five tasks.
    let ecs = crate::support::sdk::ecs(&setup);
    loop {
        let running = ecs
            .list_tasks()
            .cluster(&cluster)
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .len();
        if running == TASKS {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 300,
            "{running} of {TASKS} tasks started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // And each service reaches its steady state (its deployment COMPLETED): an account at rest,
    // where a refresh has nothing new to tell.
    loop {
        let mut settled = 0;
        for chunk in (0..SERVICES).collect::<Vec<_>>().chunks(10) {
            let out = ecs
                .describe_services()
                .cluster(&cluster)
                .set_services(Some(chunk.iter().map(|i| format!("svc-{i:03}")).collect()))
                .send()
                .await
                .unwrap();
            settled += out
                .services()
                .iter()
                .filter(|s| {
                    s.deployments().iter().all(|d| {
                        d.rollout_state()
                            == Some(&aws_sdk_ecs::types::DeploymentRolloutState::Completed)
                    })
                })
                .count();
        }
        if settled == SERVICES {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 300,
            "{settled} of {SERVICES} services at steady state"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    eprintln!(
        "setup: {SERVICES} services, {TASKS} tasks in {:?}",
        started.elapsed()
    );

    let relay = CallCounter::start().await;
    let clients = clients_at(&relay.url, account).await;
    let cache = StatusCache::default();
    let mut watch = StatusWatch::default();

    let started = Instant::now();
    let snapshot = take_snapshot(&clients, &cache, &watch.followed())
        .await
        .unwrap();
    let first = started.elapsed();
    watch.observe(snapshot.clone());

    assert_eq!(snapshot.clusters.len(), 1);
    assert_eq!(snapshot.clusters[0].services.len(), SERVICES);
    assert!(snapshot.clusters[0]
        .services
        .iter()
        .all(|s| s.tasks.len() == TASKS / SERVICES));
    assert_eq!(snapshot.running_tasks as usize, TASKS);
    assert!(snapshot.clusters[0]
        .services
        .iter()
        .all(|s| s.running == 5 && s.tasks.iter().all(|t| t.last_status == "RUNNING")));

    let counts = relay.counts();
    let pages = |n: usize, size: usize| n.div_ceil(size);
    let expected = [
        // The backend (moto) answers each listing in one page; AWS would page by 100 (2 and 10
        // pages here).
        ("listclusters", 1),
        // ListClusters still lists a deleted (INACTIVE) cluster for a while: one DescribeClusters
        // (up to 100 clusters) tells them apart.
        ("describeclusters", 1),
        ("listservices", 1),
        ("describeservices", pages(SERVICES, DESCRIBE_SERVICES_BATCH)),
        ("listtasks", 1),
        ("describetasks", pages(TASKS, DESCRIBE_TASKS_BATCH)),
        // All services run the same definition: read once.
        ("describetaskdefinition", 1),
        ("describenetworkinterfaces", pages(TASKS, INTERFACES_BATCH)),
        // Which services scale: one listing of the account's ECS scalable targets (none here, so
        // no DescribeScalingPolicies), whatever the number of services.
        ("describescalabletargets", 1),
    ];
    let expected: std::collections::BTreeMap<String, usize> =
        expected.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(counts, expected, "calls of the first refresh");
    let total: usize = counts.values().sum();

    // The next refresh knows the definition and the addresses already.
    relay.reset();
    let started = Instant::now();
    let again = take_snapshot(&clients, &cache, &watch.followed())
        .await
        .unwrap();
    let second = started.elapsed();
    let events = watch.observe(again);
    assert!(events.is_empty(), "{events:?}");
    let next_counts = relay.counts();
    let counts = &next_counts;
    assert_eq!(counts.get("describetaskdefinition"), None);
    assert_eq!(counts.get("describenetworkinterfaces"), None);
    assert_eq!(counts["describeclusters"], 1);
    assert_eq!(counts["describeservices"], 20);
    assert_eq!(counts["describetasks"], 10);

    let next_total: usize = counts.values().sum();
    eprintln!(
        "refresh of {SERVICES} services / {TASKS} tasks against the AWS backend: first {first:?} \
         ({total} API calls), next {second:?} ({next_total} API calls)"
    );
    if let Ok(path) = std::env::var("BERTH_BENCH_OUT") {
        let report = serde_json::json!({
            "services": SERVICES,
            "tasks": TASKS,
            "first": { "ms": first.as_secs_f64() * 1000.0, "calls": total, "byOperation": expected },
            "next": { "ms": second.as_secs_f64() * 1000.0, "calls": next_total, "byOperation": next_counts },
        });
        std::fs::write(path, report.to_string()).expect("write BERTH_BENCH_OUT");
    }
    // Leave no thousand tasks for the backend to keep on running (each holds one of its public
    // addresses, which later launches on the same stack need): delete the services, stop every
    // task, and wait until none is left running.
    for i in 0..SERVICES {
        ecs.delete_service()
            .cluster(&cluster)
            .service(format!("svc-{i:03}"))
            .force(true)
            .send()
            .await
            .unwrap();
    }
    let started = Instant::now();
    loop {
        let left: Vec<String> = ecs
            .list_tasks()
            .cluster(&cluster)
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        if left.is_empty() {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 300,
            "{} tasks still running",
            left.len()
        );
        for task in &left {
            ecs.stop_task()
                .cluster(&cluster)
                .task(task)
                .send()
                .await
                .unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// The backend's tasks reach RUNNING without a container while this lives.
struct Containerless;

impl Containerless {
    fn new() -> Self {
        crate::support::backend_api("settings", r#"{"containers": false}"#);
        Containerless
    }
}

impl Drop for Containerless {
    fn drop(&mut self) {
        crate::support::backend_api("settings", r#"{"containers": true}"#);
    }
}
