//! Teardown against moto: it shows its plan first, removes exactly what carries Berth's tags, in
//! order, and leaves everything else — a cluster, security group, log group or task definition
//! made outside Berth in the same account — untouched.

use crate::support;
use crate::support::launch as launch_support;
use crate::support::sdk;

use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::shared::{SharedNames, SharedRemovals};
use berth_core::wizard::launch::teardown::{self, KeepReason, TeardownAction, TeardownPlan};
use berth_core::wizard::launch::timeline::{LaunchEvent, Outcome, ResourceKind};
use berth_core::wizard::launch::LaunchMode;
use launch_support::{fixture, snapshot, Fixture};

async fn tear_down(f: &Fixture, app: &str) -> (TeardownPlan, Vec<LaunchEvent>) {
    f.tear_down(app, &SharedNames::default(), SharedRemovals::default())
        .await
}

fn summary(plan: &TeardownPlan) -> Vec<(ResourceKind, TeardownAction, Option<KeepReason>)> {
    plan.items
        .iter()
        .map(|i| (i.resource, i.action, i.reason))
        .collect()
}

/// Resources a user made by hand in the same account, some with names like Berth's.
async fn make_foreign_resources(f: &Fixture) -> String {
    let clients = &f.clients;
    sdk::ecs(clients)
        .create_cluster()
        .cluster_name("made-by-hand")
        .send()
        .await
        .unwrap();
    sdk::logs(clients)
        .create_log_group()
        .log_group_name(format!("/berth/{}-by-hand", f.app))
        .send()
        .await
        .unwrap();
    // A security group of exactly Berth's name, in another VPC, without Berth's tags.
    let vpc = sdk::ec2(clients)
        .create_vpc()
        .cidr_block("10.42.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    sdk::ec2(clients)
        .create_security_group()
        .group_name(format!("berth-{}", f.app))
        .description("mine, not made by Berth")
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap();
    vpc_id
}

#[tokio::test]
async fn teardown_removes_exactly_berths_resources_and_leaves_the_rest() {
    let f = fixture("us-east-1").await;
    make_foreign_resources(&f).await;
    let config = f.config(f.choices(LaunchMode::Service));
    f.launch(&config).await.0.unwrap();
    // A task definition revision someone registered by hand in the same family.
    let foreign_td = sdk::ecs(&f.clients)
        .register_task_definition()
        .family(&f.app)
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("x")
                .image("busybox")
                .memory(128)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let foreign_td = foreign_td.task_definition().unwrap().revision();
    let before = snapshot(&f.clients).await;

    let plan = teardown::plan_teardown(&f.clients, &f.app, &SharedNames::default())
        .await
        .unwrap();
    assert_eq!(
        snapshot(&f.clients).await,
        before,
        "the plan changed something"
    );
    let items = summary(&plan);
    // In the order teardown works: the service first, the cluster last.
    assert_eq!(
        items[0],
        (ResourceKind::Service, TeardownAction::Delete, None)
    );
    assert_eq!(
        items.last(),
        Some(&(ResourceKind::Cluster, TeardownAction::Delete, None))
    );
    let mut listed: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    listed.sort();
    let mut expected: Vec<String> = [
        (ResourceKind::Service, TeardownAction::Delete, None),
        (
            ResourceKind::TaskDefinition,
            TeardownAction::Keep,
            Some(KeepReason::NotBerths),
        ),
        (ResourceKind::TaskDefinition, TeardownAction::Delete, None),
        (
            ResourceKind::SecurityGroup,
            TeardownAction::Keep,
            Some(KeepReason::NotBerths),
        ),
        (ResourceKind::SecurityGroup, TeardownAction::Delete, None),
        (ResourceKind::LogGroup, TeardownAction::Delete, None),
        (ResourceKind::Cluster, TeardownAction::Delete, None),
    ]
    .iter()
    .map(|i| format!("{i:?}"))
    .collect();
    expected.sort();
    assert_eq!(listed, expected);
    // Every deletion is shown with its command before it happens.
    for item in plan
        .items
        .iter()
        .filter(|i| i.action != TeardownAction::Keep)
    {
        assert!(!item.commands.is_empty(), "{item:?}");
    }
    assert!(plan.items[0].commands[0].contains("--desired-count 0"));

    let launched = support::changes(f.clients.activity()).len();
    let (_, events) = tear_down(&f, &f.app).await;
    assert!(matches!(events.last(), Some(LaunchEvent::TornDown { .. })));
    let outcomes: Vec<(ResourceKind, Outcome)> = events
        .iter()
        .filter_map(|e| match e {
            LaunchEvent::Action {
                resource, outcome, ..
            } => Some((*resource, *outcome)),
            _ => None,
        })
        .collect();
    assert_eq!(
        &outcomes[..2],
        [
            (ResourceKind::Service, Outcome::ScaledDown),
            (ResourceKind::Service, Outcome::Deleted),
        ],
        "the service is scaled to zero before it is deleted"
    );
    // The activity log names the scale-down as such (UpdateService serves several purposes).
    let torn = support::changes(f.clients.activity()).split_off(launched);
    assert_eq!(
        torn[..2],
        ["ecs.scaleService", "ecs.deleteService"],
        "{torn:?}"
    );

    let after = snapshot(&f.clients).await;
    assert_eq!(after.clusters, [("made-by-hand".to_owned(), false)]);
    assert_eq!(
        after.log_groups,
        [(format!("/berth/{}-by-hand", f.app), None, false)]
    );
    assert_eq!(after.security_groups.len(), 1);
    assert_eq!(after.security_groups[0].0, format!("berth-{}", f.app));
    assert!(
        !after.security_groups[0].2,
        "only the group without Berth's tags is left"
    );
    assert_eq!(after.task_definitions, [format!("{}:{foreign_td}", f.app)]);
    assert!(after.services.is_empty());
    assert_eq!(f.store().load(&f.app).unwrap(), None, "the record is gone");

    // A second teardown finds only what is not Berth's.
    let plan = teardown::plan_teardown(&f.clients, &f.app, &SharedNames::default())
        .await
        .unwrap();
    assert!(!plan.removes_anything(), "{plan:?}");
}

#[tokio::test]
async fn one_off_tasks_are_stopped_before_their_task_definition_goes() {
    let f = fixture("us-east-1").await;
    let config = f.config(f.choices(LaunchMode::Task));
    let record = f.launch(&config).await.0.unwrap();
    assert_eq!(record.status, LaunchStatus::Running);

    let plan = teardown::plan_teardown(&f.clients, &f.app, &SharedNames::default())
        .await
        .unwrap();
    assert_eq!(plan.items[0].resource, ResourceKind::Task);
    assert_eq!(plan.items[0].action, TeardownAction::Stop);
    tear_down(&f, &f.app).await;

    let after = snapshot(&f.clients).await;
    assert!(after.running_tasks.is_empty(), "{after:?}");
    assert!(after.task_definitions.is_empty());
    assert!(after.clusters.is_empty());
    assert!(after.security_groups.is_empty());
    assert!(after.log_groups.is_empty());
}

#[tokio::test]
async fn the_service_is_deleted_only_after_its_tasks_have_stopped() {
    let f = fixture("us-east-1").await;
    // A cluster made by hand stays after teardown, so its tasks can be read afterwards.
    let cluster = "berth";
    sdk::ecs(&f.clients)
        .create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    let config = f.config(f.choices(LaunchMode::Service));
    f.launch(&config).await.0.unwrap();
    let tasks = sdk::ecs(&f.clients)
        .list_tasks()
        .cluster(cluster)
        .service_name(&config.choices.app)
        .send()
        .await
        .unwrap()
        .task_arns
        .unwrap_or_default();
    assert!(!tasks.is_empty());

    // Scaling to zero marks the tasks STOPPED at once; they stop a few seconds later.
    // DeleteService before that leaves them running under a service being deleted.
    let timeline = launch_support::Timeline::new();
    f.tear_down_on(
        &timeline,
        &f.app,
        &SharedNames::default(),
        SharedRemovals::default(),
    )
    .await;
    let deleted_at = timeline
        .stamped()
        .into_iter()
        .find_map(|(at, e)| match e {
            LaunchEvent::Action {
                resource: ResourceKind::Service,
                outcome: Outcome::Deleted,
                ..
            } => Some(at),
            _ => None,
        })
        .expect("the service was deleted");
    let described = sdk::ecs(&f.clients)
        .describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(tasks))
        .send()
        .await
        .unwrap();
    for task in described.tasks() {
        let stopped = task.stopped_at().expect("the task has stopped");
        let stopped = std::time::SystemTime::try_from(*stopped).unwrap();
        if let Ok(late) = stopped.duration_since(deleted_at) {
            panic!("{:?} stopped {late:?} after DeleteService", task.task_arn());
        }
    }
}

#[tokio::test]
async fn the_shared_cluster_stays_while_another_app_runs_in_it() {
    let f = fixture("us-east-1").await;
    let first = f.config(f.choices(LaunchMode::Service));
    f.launch(&first).await.0.unwrap();
    let mut other = f.choices(LaunchMode::Service);
    other.app = format!("{}-api", f.app);
    let other = f.config(other);
    f.launch(&other).await.0.unwrap();

    let plan = teardown::plan_teardown(&f.clients, &f.app, &SharedNames::default())
        .await
        .unwrap();
    let cluster = plan.items.last().unwrap();
    assert_eq!(
        (cluster.resource, cluster.action, cluster.reason),
        (
            ResourceKind::Cluster,
            TeardownAction::Keep,
            Some(KeepReason::InUse)
        )
    );
    tear_down(&f, &f.app).await;
    let after = snapshot(&f.clients).await;
    assert_eq!(after.clusters, [("berth".to_owned(), true)]);
    assert_eq!(after.services.len(), 1);
    assert_eq!(after.services[0].1, other.choices.app);

    // The last app out takes the cluster with it.
    tear_down(&f, &other.choices.app).await;
    assert!(snapshot(&f.clients).await.clusters.is_empty());
}

#[tokio::test]
async fn a_cluster_named_berth_made_by_hand_is_used_but_never_deleted() {
    let f = fixture("us-east-1").await;
    sdk::ecs(&f.clients)
        .create_cluster()
        .cluster_name("berth")
        .send()
        .await
        .unwrap();
    let config = f.config(f.choices(LaunchMode::Service));
    let plan = berth_core::wizard::launch::plan::plan(&f.clients, &config)
        .await
        .unwrap();
    assert!(!plan.blocked);
    assert!(plan.notes.contains(
        &berth_core::wizard::launch::plan::PlanNote::ClusterNotBerths {
            name: "berth".into()
        }
    ));
    f.launch(&config).await.0.unwrap();
    tear_down(&f, &f.app).await;
    let after = snapshot(&f.clients).await;
    assert_eq!(after.clusters, [("berth".to_owned(), false)]);
    assert!(after.services.is_empty() && after.log_groups.is_empty());
}

/// The family's revisions with `status`, read through the SDK.
async fn revisions(f: &Fixture, status: aws_sdk_ecs::types::TaskDefinitionStatus) -> Vec<String> {
    sdk::ecs(&f.clients)
        .list_task_definitions()
        .family_prefix(&f.app)
        .status(status)
        .send()
        .await
        .unwrap()
        .task_definition_arns()
        .to_vec()
}

#[tokio::test]
async fn after_teardown_no_revision_of_the_family_is_left_active_or_inactive() {
    use aws_sdk_ecs::types::TaskDefinitionStatus;
    let f = fixture("us-east-1").await;
    f.launch(&f.config(f.choices(LaunchMode::Service)))
        .await
        .0
        .unwrap();
    // A second revision (more memory), then a third; the first one deregistered by hand, as a
    // teardown that stopped midway would leave it (INACTIVE, still listed).
    for memory in [1024, 2048] {
        let mut choices = f.choices(LaunchMode::Service);
        choices.memory = memory;
        f.launch(&f.config(choices)).await.0.unwrap();
    }
    sdk::ecs(&f.clients)
        .deregister_task_definition()
        .task_definition(format!("{}:1", f.app))
        .send()
        .await
        .unwrap();
    assert_eq!(revisions(&f, TaskDefinitionStatus::Active).await.len(), 2);
    assert_eq!(revisions(&f, TaskDefinitionStatus::Inactive).await.len(), 1);

    let plan = teardown::plan_teardown(&f.clients, &f.app, &SharedNames::default())
        .await
        .unwrap();
    let mut planned: Vec<&str> = plan
        .items
        .iter()
        .filter(|i| i.resource == ResourceKind::TaskDefinition)
        .map(|i| {
            assert_eq!(i.action, TeardownAction::Delete, "{i:?}");
            i.name.as_str()
        })
        .collect();
    planned.sort();
    let expected: Vec<String> = (1..=3).map(|r| format!("{}:{r}", f.app)).collect();
    assert_eq!(planned, expected, "every revision is in the plan");

    tear_down(&f, &f.app).await;
    assert_eq!(
        revisions(&f, TaskDefinitionStatus::Active).await,
        Vec::<String>::new()
    );
    assert_eq!(
        revisions(&f, TaskDefinitionStatus::Inactive).await,
        Vec::<String>::new()
    );
    // Each deleted with DeleteTaskDefinitions, which the activity log names.
    assert!(support::changes(f.clients.activity())
        .iter()
        .any(|a| a == "ecs.deleteTaskDefinitions"));
    let plan = teardown::plan_teardown(&f.clients, &f.app, &SharedNames::default())
        .await
        .unwrap();
    assert!(!plan.removes_anything(), "{plan:?}");
}

/// The shared resources the earlier steps leave, made Berth's (tagged as Berth tags them): the
/// fixture's repository and role, and a deploy user with an access key and its own policy in a
/// second version (IAM refuses DeletePolicy while non-default versions exist).
async fn make_shared_berths(f: &Fixture) -> (SharedNames, String) {
    let clients = &f.clients;
    let (key, value) = berth_core::tags::berth_tags(None).remove(0);
    let repo = sdk::ecr(clients)
        .describe_repositories()
        .repository_names(&f.app)
        .send()
        .await
        .unwrap();
    let repo_arn = repo.repositories()[0].repository_arn().unwrap().to_owned();
    sdk::ecr(clients)
        .tag_resource()
        .resource_arn(&repo_arn)
        .tags(
            aws_sdk_ecr::types::Tag::builder()
                .key(&key)
                .value(&value)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let iam_tag = aws_sdk_iam::types::Tag::builder()
        .key(&key)
        .value(&value)
        .build()
        .unwrap();
    sdk::iam(clients)
        .tag_role()
        .role_name("ecsTaskExecutionRole")
        .tags(iam_tag.clone())
        .send()
        .await
        .unwrap();
    sdk::iam(clients)
        .attach_role_policy()
        .role_name("ecsTaskExecutionRole")
        .policy_arn("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
        .send()
        .await
        .unwrap();
    let user = format!("berth-deployer-{}", support::unique() % 100_000);
    sdk::iam(clients)
        .create_user()
        .user_name(&user)
        .tags(iam_tag.clone())
        .send()
        .await
        .unwrap();
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:DescribeRepositories","Resource":"*"}]}"#;
    let policy = sdk::iam(clients)
        .create_policy()
        .policy_name(berth_core::permissions::deploy_policy_name(&user))
        .policy_document(document)
        .tags(iam_tag)
        .send()
        .await
        .unwrap();
    let policy_arn = policy.policy().unwrap().arn().unwrap().to_owned();
    sdk::iam(clients)
        .create_policy_version()
        .policy_arn(&policy_arn)
        .policy_document(document)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    sdk::iam(clients)
        .attach_user_policy()
        .user_name(&user)
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    sdk::new_access_key(clients, &user).await;
    let names = SharedNames {
        repository: Some(f.app.clone()),
        execution_role: Some("ecsTaskExecutionRole".into()),
        deploy_user: Some(user),
        ..SharedNames::default()
    };
    (names, policy_arn)
}

fn shared_of(plan: &TeardownPlan) -> Vec<(ResourceKind, TeardownAction, Option<KeepReason>)> {
    plan.shared
        .iter()
        .map(|i| (i.resource, i.action, i.reason))
        .collect()
}

#[tokio::test]
async fn teardown_keeps_the_repository_role_and_deploy_user_with_their_cost_unless_asked() {
    let f = fixture("us-east-1").await;
    let (names, policy_arn) = make_shared_berths(&f).await;
    let config = f.config(f.choices(LaunchMode::Service));
    f.launch(&config).await.0.unwrap();

    let plan = teardown::plan_teardown(&f.clients, &f.app, &names)
        .await
        .unwrap();
    assert_eq!(
        shared_of(&plan),
        [
            (ResourceKind::Repository, TeardownAction::Delete, None),
            (ResourceKind::ExecutionRole, TeardownAction::Delete, None),
            (ResourceKind::DeployUser, TeardownAction::Delete, None),
        ]
    );
    // The repository's cost is its images' stored size at ECR's price, from the price data.
    let repo = &plan.shared[0];
    assert_eq!(repo.images, Some(1));
    let bytes = repo.size_bytes.unwrap();
    assert!(bytes > 0);
    assert_eq!(
        repo.monthly_usd,
        Some(berth_core::pricing::ecr_storage_monthly_usd(bytes))
    );
    assert_eq!(repo.commands.len(), 1);
    assert!(
        repo.commands[0].starts_with(&format!(
            "aws ecr delete-repository --repository-name {} --force",
            f.app
        )),
        "{}",
        repo.commands[0]
    );
    // In IAM's order: policies off the role before DeleteRole; keys and policies off the user
    // before DeleteUser; the old policy version before DeletePolicy.
    let verbs = |i: usize| -> Vec<String> {
        plan.shared[i]
            .commands
            .iter()
            .map(|c| c.split_whitespace().nth(2).unwrap().to_owned())
            .collect()
    };
    assert_eq!(verbs(1), ["detach-role-policy", "delete-role"]);
    assert_eq!(
        verbs(2),
        [
            "delete-access-key",
            "detach-user-policy",
            "delete-user",
            "delete-policy-version",
            "delete-policy"
        ]
    );

    // Nothing ticked: the app's resources go, the shared ones stay and say why.
    let (done, events) = f.tear_down(&f.app, &names, SharedRemovals::default()).await;
    assert_eq!(
        shared_of(&done),
        [
            (
                ResourceKind::Repository,
                TeardownAction::Keep,
                Some(KeepReason::NotChosen)
            ),
            (
                ResourceKind::ExecutionRole,
                TeardownAction::Keep,
                Some(KeepReason::NotChosen)
            ),
            (
                ResourceKind::DeployUser,
                TeardownAction::Keep,
                Some(KeepReason::NotChosen)
            ),
        ]
    );
    assert!(events.iter().any(|e| matches!(
        e,
        LaunchEvent::Action {
            resource: ResourceKind::Repository,
            outcome: Outcome::Kept,
            ..
        }
    )));
    assert!(support::ecr::exists(&f.clients, &f.app).await);
    let iam = sdk::iam(&f.clients);
    assert!(iam
        .get_role()
        .role_name("ecsTaskExecutionRole")
        .send()
        .await
        .is_ok());

    // All three ticked: each goes, in the order IAM and ECR accept (the strict backend refuses
    // DeleteRole/DeleteUser/DeletePolicy with attachments, and a non-empty repository without
    // force).
    let everything = SharedRemovals {
        repository: true,
        execution_role: true,
        deploy_user: true,
    };
    let (done, events) = f.tear_down(&f.app, &names, everything).await;
    assert!(done
        .shared
        .iter()
        .all(|i| i.action == TeardownAction::Delete));
    for kind in [
        ResourceKind::Repository,
        ResourceKind::ExecutionRole,
        ResourceKind::DeployUser,
    ] {
        assert!(
            events.iter().any(|e| matches!(
                e,
                LaunchEvent::Action { resource, outcome: Outcome::Deleted, command: Some(_), .. }
                    if *resource == kind
            )),
            "{kind:?} not reported deleted"
        );
    }
    assert!(!support::ecr::exists(&f.clients, &f.app).await);
    assert!(iam
        .get_role()
        .role_name("ecsTaskExecutionRole")
        .send()
        .await
        .is_err());
    assert!(iam
        .get_user()
        .user_name(names.deploy_user.as_deref().unwrap())
        .send()
        .await
        .is_err());
    assert!(iam
        .get_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .is_err());
    // Nothing is left to list.
    let after = teardown::plan_teardown(&f.clients, &f.app, &names)
        .await
        .unwrap();
    assert!(
        after.items.is_empty() && after.shared.is_empty(),
        "{after:?}"
    );
}

#[tokio::test]
async fn the_deploy_user_in_use_is_kept_as_it_cannot_remove_itself() {
    let f = fixture("us-east-1").await;
    let (names, _) = make_shared_berths(&f).await;
    let user = names.deploy_user.clone().unwrap();
    // A second key (the fixture's user has one), to sign in as the deploy user.
    let key = sdk::new_access_key(&f.clients, &user).await;
    let as_user = support::clients_with(key.access_key_id(), key.secret_access_key(), None).await;
    // A new key works after IAM's propagation delay (the backend's iam_propagation_s).
    let mut plan = None;
    for _ in 0..20 {
        match teardown::plan_teardown(&as_user, &f.app, &names).await {
            Ok(p) => {
                plan = Some(p);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
        }
    }
    let plan = plan.expect("the deploy user's key works after propagation");
    let line = plan
        .shared
        .iter()
        .find(|i| i.resource == ResourceKind::DeployUser)
        .unwrap();
    assert_eq!(
        (line.action, line.reason),
        (TeardownAction::Keep, Some(KeepReason::SignedIn))
    );
    assert!(line.commands.is_empty());
}
