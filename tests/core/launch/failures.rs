//! When things go wrong, against moto: a task that stops is explained — stopped reason, exit
//! code, last log lines and the plain-language cause — for each first-run failure of docs/aws-facts.md;
//! and a region without a default VPC gets an explanation and a picker instead of a guess.

use crate::support::launch as launch_support;
use crate::support::sdk;

use berth_core::wizard::launch::explain::StopCause;
use berth_core::wizard::launch::network;
use berth_core::wizard::launch::plan::{self, PlanNote};
use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::timeline::{self, FollowEnd, LaunchEvent, Watch};
use berth_core::wizard::launch::LaunchMode;
use berth_core::ErrorKind;
use launch_support::{fast_follow, fixture, Timeline};

const ECR: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

#[tokio::test]
async fn each_first_run_failure_is_explained_with_its_logs() {
    let f = fixture("us-east-1").await;
    let config = f.config(f.choices(LaunchMode::Task));
    let names = config.names();
    let rows = [
        (
            format!("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {ECR}/web:v1: failed to do request: Head \"https://{ECR}/v2/web/manifests/v1\": dial tcp 52.94.0.1:443: i/o timeout"),
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
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.46.0.1:443: i/o timeout".to_owned(),
            StopCause::RegistryAuth,
        ),
        (
            "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole' that was provided for this task.".to_owned(),
            StopCause::ExecutionRole,
        ),
        (
            "Essential container in task exited".to_owned(),
            StopCause::AppExited,
        ),
    ];
    for (reason, cause) in rows {
        let record = f.launch(&config).await.0.unwrap();
        assert_eq!(record.status, LaunchStatus::Running);
        let arn = record.tasks[0].clone();
        let task_id = arn.rsplit('/').next().unwrap().to_owned();

        // What the container wrote before it stopped, where the awslogs driver puts it.
        let stream = names.log_stream(&task_id);
        let logs = sdk::logs(&f.clients);
        logs.create_log_stream()
            .log_group_name(&names.log_group)
            .log_stream_name(&stream)
            .send()
            .await
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let lines = ["listening on :80", "Error: Cannot find module 'express'"];
        for (i, line) in lines.iter().enumerate() {
            logs.put_log_events()
                .log_group_name(&names.log_group)
                .log_stream_name(&stream)
                .log_events(
                    aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                        .timestamp(now + i as i64)
                        .message(*line)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
        }
        // ECS stops the task with the reason (moto's StopTask sets it as given).
        sdk::ecs(&f.clients)
            .stop_task()
            .cluster("berth")
            .task(&arn)
            .reason(&reason)
            .send()
            .await
            .unwrap();

        let timeline = Timeline::new();
        let end = timeline::follow(
            &f.clients,
            &names,
            80,
            &Watch::Tasks(vec![arn]),
            &timeline.run(),
            fast_follow(),
        )
        .await
        .unwrap();
        let FollowEnd::Stopped(d) = end else {
            panic!("{reason}: {end:?}");
        };
        assert_eq!(d.cause, cause, "{reason}");
        assert_eq!(d.stopped_reason.as_deref(), Some(reason.as_str()));
        assert_eq!(d.task_id, task_id);
        assert_eq!(d.log_lines, lines, "{reason}");
        assert_eq!(d.log_stream, stream);
        if cause == StopCause::AppExited {
            // The container ran, so ECS reports its exit code (moto's is always 0).
            assert_eq!(d.exit_code, Some(0));
        }
        assert!(timeline
            .events()
            .iter()
            .any(|e| matches!(e, LaunchEvent::Stopped { diagnosis } if diagnosis == &d)));
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
