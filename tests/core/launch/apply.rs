//! The Launch step against the AWS backend: the plan changes nothing, a launch creates exactly
//! what was planned (tagged, with the right task definition) and its tasks really run and answer
//! on their public address, a second launch is a no-op, and a launch interrupted after any of its
//! actions resumes to the same end state. Each test runs in an account of its own.

use crate::support;
use crate::support::launch as launch_support;
use crate::support::sdk;

use berth_core::wizard::launch::plan::{self, PlanAction, PlanNote};
use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::timeline::{LaunchEvent, Outcome, ResourceKind, RetryReason};
use berth_core::wizard::launch::{EnvVar, Ingress, LaunchConfig, LaunchMode};
use berth_core::ErrorKind;
use launch_support::{fixture, new_account_fixture, snapshot, Timeline};

fn actions(events: &[LaunchEvent]) -> Vec<(ResourceKind, Outcome)> {
    events
        .iter()
        .filter_map(|e| match e {
            LaunchEvent::Action {
                resource, outcome, ..
            } => Some((*resource, *outcome)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_plan_lists_every_resource_to_create_and_changes_nothing() {
    let f = fixture("us-east-1").await;
    let config = f.config(f.choices(LaunchMode::Service));
    let before = snapshot(&f.clients).await;

    let plan = plan::plan(&f.clients, &config).await.unwrap();

    assert_eq!(
        snapshot(&f.clients).await,
        before,
        "planning created something"
    );
    assert!(
        f.clients.activity().recent(10).is_empty(),
        "planning recorded an action"
    );
    let items: Vec<(ResourceKind, PlanAction, &str)> = plan
        .items
        .iter()
        .map(|i| (i.resource, i.action, i.name.as_str()))
        .collect();
    let log_group = format!("/berth/{}", f.app);
    let sg = format!("berth-{}", f.app);
    let td = format!("{}:1", f.app);
    assert_eq!(
        items,
        [
            (ResourceKind::Cluster, PlanAction::Create, "berth"),
            (
                ResourceKind::LogGroup,
                PlanAction::Create,
                log_group.as_str()
            ),
            (ResourceKind::SecurityGroup, PlanAction::Create, sg.as_str()),
            (
                ResourceKind::IngressRule,
                PlanAction::Create,
                "tcp 80 ← 0.0.0.0/0"
            ),
            (
                ResourceKind::TaskDefinition,
                PlanAction::Create,
                td.as_str()
            ),
            (ResourceKind::Service, PlanAction::Create, f.app.as_str()),
        ]
    );
    assert!(!plan.blocked, "{:?}", plan.notes);
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    // Every creation comes with its CLI equivalent, pointed at the practice endpoint.
    for item in &plan.items {
        assert!(
            !item.commands.is_empty(),
            "{:?} has no command",
            item.resource
        );
        for cmd in &item.commands {
            assert!(cmd.starts_with("aws "), "{cmd}");
            assert!(cmd.contains("--endpoint-url"), "{cmd}");
        }
    }
    let register = &plan.items[4].commands[0];
    for part in [
        "aws ecs register-task-definition",
        "--cpu 256",
        "--memory 512",
        "cpuArchitecture=X86_64",
        "awslogs-group",
        "key=berth:managed,value=true",
    ] {
        assert!(register.contains(part), "{part} missing from {register}");
    }
    assert!(plan.items[5].commands[0].contains("assignPublicIp=ENABLED"));
    // The cost of 0.25 vCPU / 0.5 GB with a public IP in us-east-1.
    let cost = plan.cost.unwrap();
    assert!((cost.per_month - 12.66).abs() < 0.01, "{}", cost.per_month);
}

#[tokio::test]
async fn a_launch_creates_exactly_the_planned_resources_tagged_and_a_second_is_a_no_op() {
    let f = fixture("ap-northeast-2").await;
    let mut choices = f.choices(LaunchMode::Service);
    choices.cpu = 512;
    choices.memory = 2048;
    choices.port = 8080;
    choices.count = 2;
    choices.environment = vec![
        EnvVar {
            name: "GREETING".into(),
            value: "안녕".into(),
            secret: false,
        },
        EnvVar {
            name: "DEBUG".into(),
            value: "1".into(),
            secret: false,
        },
    ];
    choices.command = "sh -c 'httpd -f -p 8080'".into();
    let config = f.config(choices);

    let (record, events) = f.launch(&config).await;
    let record = record.unwrap();
    assert_eq!(
        actions(&events),
        [
            (ResourceKind::Cluster, Outcome::Created),
            (ResourceKind::LogGroup, Outcome::Created),
            (ResourceKind::SecurityGroup, Outcome::Created),
            (ResourceKind::IngressRule, Outcome::Created),
            (ResourceKind::TaskDefinition, Outcome::Created),
            (ResourceKind::Service, Outcome::Created),
        ]
    );
    // The service's two tasks run, each on its public address.
    assert!(!events.contains(&LaunchEvent::Waiting), "{events:?}");
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");
    assert_eq!(record.addresses.len(), 2, "{:?}", record.addresses);
    for address in &record.addresses {
        let ip = address.public_ip.as_deref().expect("a public IP");
        assert_eq!(
            address.url.as_deref(),
            Some(format!("http://{ip}:8080").as_str())
        );
        assert!(
            launch_support::answers_http(&format!("http://{ip}:8080/")),
            "{ip}:8080"
        );
    }
    assert_eq!(
        f.store().load(&f.app).unwrap().unwrap(),
        record,
        "the record is saved"
    );

    let s = snapshot(&f.clients).await;
    assert_eq!(s.clusters, [("berth".to_owned(), true)]);
    assert_eq!(s.log_groups, [(format!("/berth/{}", f.app), Some(7), true)]);
    assert_eq!(
        s.security_groups,
        [(
            format!("berth-{}", f.app),
            vec![(8080, "0.0.0.0/0".to_owned())],
            true
        )]
    );
    assert_eq!(s.task_definitions, [format!("{}:1", f.app)]);
    assert_eq!(
        s.services,
        [("berth".to_owned(), f.app.clone(), format!("{}:1", f.app), 2)]
    );

    // The task definition, read back through the SDK (not Berth's own reader).
    let td = sdk::ecs(&f.clients)
        .describe_task_definition()
        .task_definition(format!("{}:1", f.app))
        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
        .send()
        .await
        .unwrap();
    let tags: Vec<(String, String)> = td
        .tags()
        .iter()
        .map(|t| (t.key().unwrap().into(), t.value().unwrap().into()))
        .collect();
    assert!(tags.contains(&("berth:managed".into(), "true".into())));
    assert!(tags.contains(&("berth:app".into(), f.app.clone())));
    let td = td.task_definition().unwrap();
    assert_eq!(td.cpu(), Some("512"));
    assert_eq!(td.memory(), Some("2048"));
    assert_eq!(td.network_mode().map(|m| m.as_str()), Some("awsvpc"));
    assert_eq!(
        td.requires_compatibilities()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["FARGATE"]
    );
    assert_eq!(
        td.runtime_platform()
            .and_then(|p| p.cpu_architecture())
            .map(|a| a.as_str()),
        Some("X86_64")
    );
    assert_eq!(
        td.execution_role_arn(),
        Some(config.execution_role_arn.as_str())
    );
    let c = &td.container_definitions()[0];
    assert_eq!(c.image(), Some(config.image.as_str()));
    assert_eq!(c.port_mappings()[0].container_port(), Some(8080));
    assert_eq!(c.command(), ["sh", "-c", "httpd -f -p 8080"]);
    let env: Vec<(&str, &str)> = c
        .environment()
        .iter()
        .map(|kv| (kv.name().unwrap(), kv.value().unwrap()))
        .collect();
    assert_eq!(env, [("DEBUG", "1"), ("GREETING", "안녕")]);
    let logs = c.log_configuration().unwrap();
    assert_eq!(logs.log_driver().as_str(), "awslogs");
    let options = logs.options().unwrap();
    assert_eq!(options["awslogs-group"], format!("/berth/{}", f.app));
    assert_eq!(options["awslogs-region"], "ap-northeast-2");
    assert_eq!(options["awslogs-stream-prefix"], "ecs");

    // Every action was recorded with its command.
    let logged = support::changes(f.clients.activity());
    assert_eq!(
        logged,
        [
            "ecs.createCluster",
            "logs.createLogGroup",
            "logs.putRetentionPolicy",
            "ec2.createSecurityGroup",
            "ec2.authorizeSecurityGroupIngress",
            "ecs.registerTaskDefinition",
            "ecs.createService",
        ]
    );

    // Again: everything is reused, nothing is called that changes anything.
    let plan = plan::plan(&f.clients, &config).await.unwrap();
    assert!(
        plan.items.iter().all(|i| i.action == PlanAction::Reuse),
        "{:?}",
        plan.items
    );
    let (again, events) = f.launch(&config).await;
    again.unwrap();
    assert!(
        actions(&events).iter().all(|(_, o)| *o == Outcome::Reused),
        "{events:?}"
    );
    assert_eq!(
        support::changes(f.clients.activity()),
        logged,
        "a no-op launch acted"
    );
    assert_eq!(snapshot(&f.clients).await, s);
}

#[tokio::test]
async fn in_an_account_new_to_ecs_the_launch_makes_ecs_linked_role_waits_and_runs() {
    // No service-linked role yet, and an execution role made a moment ago.
    let f = new_account_fixture("us-east-1").await;
    let iam = sdk::iam(&f.clients);
    assert!(iam
        .get_role()
        .role_name("AWSServiceRoleForECS")
        .send()
        .await
        .is_err());
    let config = f.config(f.choices(LaunchMode::Service));
    let (record, events) = f.launch(&config).await;
    let record = record.unwrap();
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");
    // ECS refused at first; Berth said why it waits, and tried again once the role was there.
    assert!(
        events.iter().any(|e| matches!(
            e,
            LaunchEvent::Retrying {
                reason: RetryReason::ServiceLinkedRole,
                ..
            }
        )),
        "{events:?}"
    );
    let linked = iam
        .get_role()
        .role_name("AWSServiceRoleForECS")
        .send()
        .await
        .expect("the account has ECS's service-linked role");
    assert_eq!(
        linked.role().unwrap().path(),
        "/aws-service-role/ecs.amazonaws.com/"
    );
    assert!(
        actions(&events).iter().all(|(_, o)| *o == Outcome::Created),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_one_off_task_reaches_running_and_a_second_launch_reuses_it() {
    let f = fixture("us-east-1").await;
    let config = f.config(f.choices(LaunchMode::Task));
    let (record, events) = f.launch(&config).await;
    let record = record.unwrap();
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");
    assert_eq!(record.tasks.len(), 1);
    let statuses: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            LaunchEvent::Task { last_status, .. } => Some(last_status.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(statuses.last(), Some(&"RUNNING"));
    // The task has its public address...
    let address = &record.addresses[0];
    let ip = address.public_ip.as_deref().expect("a public IP");
    // ...but nothing to open: a one-off task has no inbound rule.
    assert_eq!(address.url, None, "{ip}");
    assert!(address.private_ip.is_some());
    // A task that runs once is a job: its group gets no inbound rule (issue 18 item 5).
    assert!(
        !actions(&events)
            .iter()
            .any(|(kind, _)| *kind == ResourceKind::IngressRule),
        "{events:?}"
    );
    assert!(matches!(events.last(), Some(LaunchEvent::Finished { .. })));

    let s = snapshot(&f.clients).await;
    assert_eq!(s.running_tasks, [format!("{}:1", f.app)]);
    let (again, events) = f.launch(&config).await;
    assert_eq!(
        again.unwrap().tasks,
        record.tasks,
        "the same task, not a second one"
    );
    assert!(actions(&events).iter().all(|(_, o)| *o == Outcome::Reused));
    assert_eq!(snapshot(&f.clients).await, s);
}

#[tokio::test]
async fn a_launch_interrupted_after_each_action_resumes_to_the_same_end_state() {
    for mode in [LaunchMode::Service, LaunchMode::Task] {
        // The end state of a launch that was never interrupted, in its own account.
        let reference = fixture("us-east-1").await;
        let config = reference.config(reference.choices(mode));
        reference.launch(&config).await.0.unwrap();
        let expected = normalized(snapshot(&reference.clients).await, &reference.app);

        // Each interruption in an account of its own, side by side (each waits on real tasks).
        // A one-off task has no inbound rule, so one action fewer.
        let steps = match mode {
            LaunchMode::Service => 6,
            LaunchMode::Task => 5,
        };
        let mut runs = tokio::task::JoinSet::new();
        for stop_after in 1..=steps {
            runs.spawn(async move {
                let f = fixture("us-east-1").await;
                let config = f.config(f.choices(mode));
                let timeline = Timeline::interrupted_after(stop_after);
                let err = f.launch_with(&config, &timeline.run()).await.unwrap_err();
                assert_eq!(
                    err.kind,
                    ErrorKind::Cancelled,
                    "{mode:?} after {stop_after}"
                );
                let saved = f.store().load(&f.app).unwrap().expect("a record");
                assert!(saved.status.is_unfinished(), "{:?}", saved.status);
                assert_eq!(
                    saved.resources.len(),
                    stop_after,
                    "{mode:?} after {stop_after}"
                );

                let (resumed, events) = f.launch(&saved.config).await;
                resumed.unwrap();
                let outcomes = actions(&events);
                assert!(
                    outcomes[..stop_after]
                        .iter()
                        .all(|(_, o)| *o == Outcome::Reused),
                    "{mode:?} after {stop_after}: {outcomes:?}"
                );
                (stop_after, normalized(snapshot(&f.clients).await, &f.app))
            });
        }
        while let Some(run) = runs.join_next().await {
            let (stop_after, end) = run.unwrap();
            assert_eq!(
                end, expected,
                "{mode:?} interrupted after action {stop_after}"
            );
        }
    }
}

/// A snapshot with the app's name replaced, to compare two accounts.
fn normalized(s: launch_support::Snapshot, app: &str) -> String {
    format!("{s:?}").replace(app, "APP")
}

#[tokio::test]
async fn changed_choices_update_what_exists_instead_of_duplicating_it() {
    let f = fixture("us-east-1").await;
    let first = f.config(f.choices(LaunchMode::Service));
    f.launch(&first).await.0.unwrap();

    let mut choices = f.choices(LaunchMode::Service);
    choices.memory = 1024;
    choices.count = 3;
    choices.network.ingress = Ingress::Cidr {
        cidr: "203.0.113.7/32".into(),
    };
    let second = f.config(choices);
    let plan = plan::plan(&f.clients, &second).await.unwrap();
    let actions: Vec<PlanAction> = plan.items.iter().map(|i| i.action).collect();
    assert_eq!(
        actions,
        [
            PlanAction::Reuse,
            PlanAction::Reuse,
            PlanAction::Reuse,
            PlanAction::Update,
            PlanAction::Create,
            PlanAction::Update,
        ]
    );
    let fields: Vec<&str> = plan.items[5]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["taskDefinition", "desiredCount"]);
    f.launch(&second).await.0.unwrap();

    let s = snapshot(&f.clients).await;
    assert_eq!(
        s.security_groups[0].1,
        [(80, "203.0.113.7/32".to_owned())],
        "the old open-to-all rule is revoked"
    );
    assert_eq!(
        s.task_definitions,
        [format!("{}:1", f.app), format!("{}:2", f.app)]
    );
    assert_eq!(s.services[0].2, format!("{}:2", f.app));
    assert_eq!(s.services[0].3, 3);
}

#[tokio::test]
async fn a_missing_execution_role_blocks_the_plan_and_creates_nothing() {
    let f = fixture("us-east-1").await;
    let mut wizard = f.wizard.clone();
    wizard.execution_role_arn = Some(format!("arn:aws:iam::{}:role/deleted-role", f.account));
    let config = LaunchConfig::new(f.choices(LaunchMode::Service), &wizard).unwrap();
    let before = snapshot(&f.clients).await;

    let plan = plan::plan(&f.clients, &config).await.unwrap();
    assert!(plan.blocked);
    assert!(
        matches!(&plan.notes[0], PlanNote::ExecutionRoleMissing { role } if role.ends_with("deleted-role"))
    );

    let (result, _) = f.launch(&config).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::ExecutionRoleMissing, "{err}");
    assert_eq!(snapshot(&f.clients).await, before);
    let record = f.store().load(&f.app).unwrap().unwrap();
    assert_eq!(record.status, LaunchStatus::Failed);
    assert_eq!(record.error.unwrap().kind, ErrorKind::ExecutionRoleMissing);
}

#[tokio::test]
async fn an_image_that_is_not_in_the_repository_is_flagged_before_launch() {
    // The task definition names the image by digest (a tag can move): a digest the repository
    // does not hold (a stale one, or an image deleted since) is what would stop the task.
    let f = fixture("us-east-1").await;
    let mut wizard = f.wizard.clone();
    let stale = format!("sha256:{}1", "0".repeat(63));
    wizard.image.as_mut().unwrap().digest = stale.clone();
    let config = LaunchConfig::new(f.choices(LaunchMode::Service), &wizard).unwrap();
    let plan = plan::plan(&f.clients, &config).await.unwrap();
    assert!(!plan.blocked, "a warning, not a blocker");
    assert!(
        plan.notes.contains(&PlanNote::ImageNotFound {
            repository: f.app.clone(),
            tag: stale
        }),
        "{:?}",
        plan.notes
    );
    // The image as pushed is found.
    let plan = plan::plan(&f.clients, &f.config(f.choices(LaunchMode::Service)))
        .await
        .unwrap();
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
}

#[tokio::test]
async fn resources_with_berths_names_made_outside_berth_block_the_plan_and_are_not_touched() {
    let f = fixture("us-east-1").await;
    sdk::logs(&f.clients)
        .create_log_group()
        .log_group_name(format!("/berth/{}", f.app))
        .send()
        .await
        .unwrap();
    let config = f.config(f.choices(LaunchMode::Service));
    let plan = plan::plan(&f.clients, &config).await.unwrap();
    assert!(plan.blocked);
    assert!(plan.notes.contains(&PlanNote::NameTaken {
        resource: ResourceKind::LogGroup,
        name: format!("/berth/{}", f.app)
    }));
    let err = f.launch(&config).await.0.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists);
    let s = snapshot(&f.clients).await;
    assert_eq!(s.log_groups, [(format!("/berth/{}", f.app), None, false)]);
}

#[tokio::test]
async fn a_service_launch_does_not_take_another_apps_task_for_its_own() {
    let f = fixture("us-east-1").await;
    // A one-off task of another app already runs in the shared cluster.
    let mut job = f.choices(LaunchMode::Task);
    job.app = format!("{}-job", f.app);
    let job = f.config(job);
    assert_eq!(
        f.launch(&job).await.0.unwrap().status,
        LaunchStatus::Running
    );

    let job_task = f.store().load(&job.choices.app).unwrap().unwrap().tasks[0].clone();
    let job_id = job_task.rsplit('/').next().unwrap().to_owned();

    let config = f.config(f.choices(LaunchMode::Service));
    let (record, events) = f.launch(&config).await;
    let record = record.unwrap();
    // The service's own task runs; the job's task is never taken for it.
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");
    let service_tasks = sdk::ecs(&f.clients)
        .list_tasks()
        .cluster("berth")
        .service_name(&f.app)
        .send()
        .await
        .unwrap()
        .task_arns()
        .to_vec();
    assert_eq!(service_tasks.len(), 1);
    assert!(!service_tasks.contains(&job_task));
    assert!(!record.tasks.contains(&job_task), "{:?}", record.tasks);
    assert!(
        events.iter().all(|e| match e {
            LaunchEvent::Task { task_id, .. } => task_id != &job_id,
            _ => true,
        }),
        "{events:?}"
    );
    let job_ip = sdk::ecs(&f.clients)
        .describe_tasks()
        .cluster("berth")
        .tasks(&job_task)
        .send()
        .await
        .unwrap();
    let job_ip = job_ip.tasks()[0].attachments()[0]
        .details()
        .iter()
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| d.value())
        .map(str::to_owned);
    assert!(record
        .addresses
        .iter()
        .all(|a| a.private_ip.is_some() && a.private_ip != job_ip));
}
