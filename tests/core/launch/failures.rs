//! When things go wrong, against the AWS backend: a task that stops is explained — stopped
//! reason, exit code, last log lines and the plain-language cause — for each first-run failure of
//! docs/aws-facts.md; and a region without a default VPC gets an explanation and a picker instead
//! of a guess.
//!
//! An app that exits and an image that is not in the registry really fail (the backend runs and
//! pulls them); the causes it does not model (no route to ECR, a platform mismatch, registry
//! auth, the execution role) are given as ECS's stopped reason through StopTask on a task that
//! really ran and logged.

use crate::support::launch as launch_support;
use crate::support::sdk;

use berth_core::wizard::launch::explain::StopCause;
use berth_core::wizard::launch::network;
use berth_core::wizard::launch::plan::{self, PlanNote};
use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::timeline::{self, FollowEnd, LaunchEvent, Watch};
use berth_core::wizard::launch::{LaunchConfig, LaunchMode};
use berth_core::ErrorKind;
use launch_support::{fast_follow, fixture, Fixture, Timeline};

const ECR: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// What the app prints before it fails, as the tests expect it back from its log stream.
const LINES: [&str; 2] = ["listening on :80", "Error: Cannot find module express"];

/// A one-off task that prints [`LINES`] and then runs `then` (a shell command).
fn printing_task(f: &Fixture, then: &str) -> LaunchConfig {
    let mut choices = f.choices(LaunchMode::Task);
    choices.command = format!(
        "sh -c 'echo \"{}\"; echo \"{}\"; {then}'",
        LINES[0], LINES[1]
    );
    f.config(choices)
}

/// Waits until the task's log stream holds [`LINES`] (the backend ships the container's output
/// to CloudWatch Logs as it comes), read through the SDK.
async fn wait_for_lines(f: &Fixture, group: &str, stream: &str) {
    let started = std::time::Instant::now();
    loop {
        let got = sdk::logs(&f.clients)
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .start_from_head(true)
            .send()
            .await;
        if let Ok(got) = got {
            let lines: Vec<&str> = got.events().iter().filter_map(|e| e.message()).collect();
            if lines == LINES {
                return;
            }
        }
        assert!(started.elapsed().as_secs() < 60, "no log lines in {stream}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Waits until ECS reports the task STOPPED (read through the SDK): stopping takes a while.
async fn wait_stopped(f: &Fixture, arn: &str) {
    let started = std::time::Instant::now();
    loop {
        let out = sdk::ecs(&f.clients)
            .describe_tasks()
            .cluster("berth")
            .tasks(arn)
            .send()
            .await
            .unwrap();
        if out.tasks()[0].last_status() == Some("STOPPED") {
            return;
        }
        assert!(started.elapsed().as_secs() < 60, "{arn} never stopped");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Follows `arn` as a launch does, expecting it stopped: the diagnosis and the timeline.
async fn follow_stopped(
    f: &Fixture,
    config: &LaunchConfig,
    arn: &str,
) -> (
    berth_core::wizard::launch::explain::Diagnosis,
    Vec<LaunchEvent>,
) {
    let timeline = Timeline::new();
    let end = timeline::follow(
        &f.clients,
        &config.names(),
        80,
        &Watch::Tasks(vec![arn.to_owned()]),
        &timeline.run(),
        fast_follow(),
    )
    .await
    .unwrap();
    let FollowEnd::Stopped(d, _) = end else {
        panic!("{arn}: {end:?}");
    };
    (d, timeline.events())
}

#[tokio::test]
async fn an_app_that_exits_is_explained_with_its_exit_code_and_logs() {
    let f = fixture("us-east-1").await;
    let config = printing_task(&f, "sleep 1; exit 3");
    // The launch ends once the task runs (ECS cannot know yet that the app will exit).
    let record = f.launch(&config).await.0.unwrap();
    let arn = record.tasks[0].clone();
    wait_stopped(&f, &arn).await;
    let (d, events) = follow_stopped(&f, &config, &arn).await;
    assert_eq!(d.cause, StopCause::AppExited, "{d:?}");
    assert_eq!(
        d.stopped_reason.as_deref(),
        Some("Essential container in task exited")
    );
    assert_eq!(d.exit_code, Some(3));
    assert_eq!(d.log_lines, LINES);
    assert_eq!(
        d.log_stream,
        format!("ecs/{}/{}", config.names().container, d.task_id)
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, LaunchEvent::Stopped { diagnosis, .. } if diagnosis == &d)));
}

#[tokio::test]
async fn an_image_that_is_not_in_the_registry_is_explained() {
    let f = fixture("us-east-1").await;
    // The pushed tag, but a digest the registry does not have (a stale one).
    let mut wizard = f.wizard.clone();
    wizard.image.as_mut().unwrap().digest = format!("sha256:{}", "0".repeat(63) + "1");
    let config = LaunchConfig::new(f.choices(LaunchMode::Task), &wizard).unwrap();
    let (record, events) = f.launch(&config).await;
    let record = record.unwrap();
    assert_eq!(record.status, LaunchStatus::Stopped, "{events:?}");
    let d = record.diagnosis.expect("a diagnosis");
    assert_eq!(d.cause, StopCause::ImageNotFound, "{d:?}");
    let reason = d.stopped_reason.unwrap_or_default();
    assert!(reason.starts_with("CannotPullContainerError"), "{reason}");
    assert_eq!(d.exit_code, None, "the container never ran");
}

#[tokio::test]
async fn each_first_run_failure_is_explained_with_its_logs() {
    let f = fixture("us-east-1").await;
    let config = printing_task(&f, "exec sleep 3600");
    let names = config.names();
    // ECS's own reasons, shortened where StopTask's limit (255 characters) requires: the parts
    // that name the cause are kept.
    let rows = [
        (
            format!("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {ECR}/web:v1: failed to do request: dial tcp 52.94.0.1:443: i/o timeout"),
            StopCause::NoRouteToEcr,
        ),
        (
            format!("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {ECR}/web:v9: {ECR}/web:v9: not found"),
            StopCause::ImageNotFound,
        ),
        (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): image Manifest does not contain descriptor matching platform 'linux/amd64'".to_owned(),
            StopCause::PlatformMismatch,
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed".to_owned(),
            StopCause::RegistryAuth,
        ),
        (
            "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole' that was provided for this task.".to_owned(),
            StopCause::ExecutionRole,
        ),
    ];
    for (reason, cause) in rows {
        // A new task each time: the one before has stopped.
        let record = f.launch(&config).await.0.unwrap();
        assert_eq!(record.status, LaunchStatus::Running);
        let arn = record.tasks[0].clone();
        let task_id = arn.rsplit('/').next().unwrap().to_owned();
        let stream = format!("ecs/{}/{task_id}", names.container);
        wait_for_lines(&f, &names.log_group, &stream).await;
        // ECS stops the task with the reason.
        sdk::ecs(&f.clients)
            .stop_task()
            .cluster("berth")
            .task(&arn)
            .reason(&reason)
            .send()
            .await
            .unwrap();

        wait_stopped(&f, &arn).await;
        let (d, events) = follow_stopped(&f, &config, &arn).await;
        assert_eq!(d.cause, cause, "{reason}");
        assert_eq!(d.stopped_reason.as_deref(), Some(reason.as_str()));
        assert_eq!(d.task_id, task_id);
        assert_eq!(d.log_lines, LINES, "{reason}");
        assert_eq!(d.log_stream, stream);
        assert!(events
            .iter()
            .any(|e| matches!(e, LaunchEvent::Stopped { diagnosis, .. } if diagnosis == &d)));
    }
}

#[tokio::test]
async fn a_region_without_a_default_vpc_asks_for_a_vpc_and_subnets() {
    let f = fixture("eu-west-1").await;
    let ec2 = sdk::ec2(&f.clients);
    // Remove the default VPC, as some accounts have.
    let default = network::overview(&f.clients).await.unwrap();
    let default_vpc = default
        .default_vpc
        .clone()
        .expect("moto makes a default VPC");
    for subnet in &default.vpcs[0].subnets {
        ec2.delete_subnet()
            .subnet_id(&subnet.id)
            .send()
            .await
            .unwrap();
    }
    ec2.delete_vpc().vpc_id(&default_vpc).send().await.unwrap();

    let overview = network::overview(&f.clients).await.unwrap();
    assert_eq!(overview.default_vpc, None);
    let config = f.config(f.choices(LaunchMode::Service));
    let err = plan::plan(&f.clients, &config).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert_eq!(
        (err.param("field"), err.param("rule")),
        (Some("vpc"), Some("noDefaultVpc"))
    );

    // A VPC of the user's own, with one private and one public subnet.
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let subnet = |cidr: &'static str| {
        let ec2 = ec2.clone();
        let vpc = vpc.clone();
        async move {
            ec2.create_subnet()
                .vpc_id(vpc)
                .cidr_block(cidr)
                .availability_zone("eu-west-1a")
                .send()
                .await
                .unwrap()
                .subnet()
                .unwrap()
                .subnet_id()
                .unwrap()
                .to_owned()
        }
    };
    let private = subnet("10.1.1.0/24").await;
    let public = subnet("10.1.2.0/24").await;
    let igw = ec2.create_internet_gateway().send().await.unwrap();
    let igw = igw
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_owned();
    ec2.attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap();
    let table = ec2.create_route_table().vpc_id(&vpc).send().await.unwrap();
    let table = table
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_owned();
    ec2.create_route()
        .route_table_id(&table)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await
        .unwrap();
    ec2.associate_route_table()
        .route_table_id(&table)
        .subnet_id(&public)
        .send()
        .await
        .unwrap();

    let overview = network::overview(&f.clients).await.unwrap();
    let mine = overview.vpcs.iter().find(|v| v.id == vpc).unwrap();
    let is_public = |id: &str| mine.subnets.iter().find(|s| s.id == id).unwrap().public;
    assert!(is_public(&public), "routes to an internet gateway");
    assert!(!is_public(&private), "no route out");

    // Picking the private subnet is allowed, with a warning that the image cannot be pulled.
    let mut choices = f.choices(LaunchMode::Service);
    choices.network.vpc_id = Some(vpc.clone());
    choices.network.subnet_ids = vec![private.clone()];
    let plan = plan::plan(&f.clients, &f.config(choices.clone()))
        .await
        .unwrap();
    assert!(plan.notes.contains(&PlanNote::PrivateSubnets {
        subnets: vec![private.clone()]
    }));
    // A subnet of another VPC is refused before anything is created.
    choices.network.subnet_ids = vec!["subnet-0000000000000000".into()];
    let err = plan::plan(&f.clients, &f.config(choices.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.param("rule"), Some("notInVpc"));

    choices.network.subnet_ids = vec![public.clone()];
    let config = f.config(choices);
    let plan = plan::plan(&f.clients, &config).await.unwrap();
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    assert_eq!(plan.subnet_ids, std::slice::from_ref(&public));
    f.launch(&config).await.0.unwrap();
    // The security group went into the picked VPC, and the service into the picked subnet.
    let groups = sdk::ec2(&f.clients)
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values(format!("berth-{}", f.app))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let groups = groups.security_groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].vpc_id(), Some(vpc.as_str()));
    let service = sdk::ecs(&f.clients)
        .describe_services()
        .cluster("berth")
        .services(&f.app)
        .send()
        .await
        .unwrap();
    let network = service.services()[0]
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .unwrap();
    assert_eq!(network.subnets(), [public]);
}
