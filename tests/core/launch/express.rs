//! Issue 17: a stable HTTPS address through ECS Express Mode, against the strict backend's model
//! of it (practice/berth_moto/ecs/express.py: an Express service is an ECS service whose tasks
//! really run). Create → ready with its URL, a new image rolled out, teardown, and a refusal.

use crate::support::launch::{answers_http, fixture, push_to_registry, web_image_v2, Fixture};
use crate::support::sdk;
use berth_core::aws::ecs;
use berth_core::dashboard::secrets::{self as service_secrets, SecretString};
use berth_core::settings::PushedImage;
use berth_core::wizard::iam::{self, RoleState, INFRASTRUCTURE_ROLE_NAME};
use berth_core::wizard::launch::plan::{self, PlanAction, PlanNote};
use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::teardown::{self, TeardownAction};
use berth_core::wizard::launch::timeline::{LaunchEvent, Outcome, ResourceKind};
use berth_core::wizard::launch::{Address, LaunchChoices, LaunchMode};
use std::time::Duration;

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

/// What the IAM step leaves for a stable HTTPS address: the infrastructure role, made by Berth
/// and usable (IAM has spread it).
async fn with_infrastructure_role(f: &Fixture) -> String {
    let change = iam::ensure_infrastructure_role(&f.clients).await.unwrap();
    assert_eq!(change.status.state, RoleState::Ready, "{change:?}");
    let arn = change.status.arn.clone().unwrap();
    let started = std::time::Instant::now();
    while sdk::sts(&f.clients)
        .assume_role()
        .role_arn(&arn)
        .role_session_name("berth-test-wait")
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{arn} never became usable"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    arn
}

fn https(f: &Fixture) -> LaunchChoices {
    let mut c = f.choices(LaunchMode::Service);
    c.address = Address::Https;
    c
}

#[tokio::test]
async fn the_infrastructure_role_is_made_once_tagged_with_its_policy() {
    let f = fixture("us-east-1").await;
    let before = iam::infrastructure_role_status(&f.clients).await.unwrap();
    assert_eq!(before.state, RoleState::Missing);
    assert!(before.plan[0]
        .contains("aws iam create-role --role-name ecsInfrastructureRoleForExpressServices"));

    let made = iam::ensure_infrastructure_role(&f.clients).await.unwrap();
    assert_eq!(made.ran.len(), 2, "{:?}", made.ran);
    assert!(made.status.created_by_berth);
    let role = sdk::iam(&f.clients)
        .get_role()
        .role_name(INFRASTRUCTURE_ROLE_NAME)
        .send()
        .await
        .unwrap();
    let trust = urlencoding_decode(role.role().unwrap().assume_role_policy_document().unwrap());
    assert!(trust.contains("\"ecs.amazonaws.com\""), "{trust}");
    let attached = sdk::iam(&f.clients)
        .list_attached_role_policies()
        .role_name(INFRASTRUCTURE_ROLE_NAME)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_arn(),
        Some("arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices")
    );

    // Idempotent: a second run changes nothing.
    let again = iam::ensure_infrastructure_role(&f.clients).await.unwrap();
    assert!(again.ran.is_empty(), "{:?}", again.ran);
}

fn urlencoding_decode(text: &str) -> String {
    berth_core::aws::iam::decode_policy(text)
}

#[tokio::test]
async fn an_https_service_runs_with_its_url_takes_a_new_image_and_is_torn_down() {
    let f = fixture("us-east-1").await;
    with_infrastructure_role(&f).await;
    let config = f.config(https(&f));

    // The plan: Berth's cluster and log group, and the Express service; no security group or task
    // definition of Berth's (ECS makes its own); the load balancer in the cost.
    let plan = plan::plan(&f.clients, &config).await.unwrap();
    assert!(!plan.blocked, "{:?}", plan.notes);
    let items: Vec<(ResourceKind, PlanAction)> =
        plan.items.iter().map(|i| (i.resource, i.action)).collect();
    assert_eq!(
        items,
        [
            (ResourceKind::Cluster, PlanAction::Create),
            (ResourceKind::LogGroup, PlanAction::Create),
            (ResourceKind::ExpressService, PlanAction::Create),
        ]
    );
    let create = &plan.items[2].commands[0];
    assert!(
        create.starts_with("aws ecs create-express-gateway-service --cluster berth"),
        "{create}"
    );
    assert!(
        create.contains("--infrastructure-role-arn arn:aws:iam::"),
        "{create}"
    );
    assert!(create.contains("key=berth:managed,value=true"), "{create}");
    let cost = plan.cost.as_ref().unwrap();
    assert!(cost.load_balancer && cost.load_balancer_per_hour == Some(0.0225));

    // Create → ready: the deployment completes with the task running, and the URL is given.
    let (record, events) = f.launch(&config).await;
    let record = record.unwrap();
    assert_eq!(
        actions(&events),
        [
            (ResourceKind::Cluster, Outcome::Created),
            (ResourceKind::LogGroup, Outcome::Created),
            (ResourceKind::ExpressService, Outcome::Created),
        ]
    );
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");
    let url = record.url.clone().expect("an HTTPS address");
    let prefix = format!("https://{}-", f.app);
    assert!(
        url.starts_with(&prefix) && url.ends_with(".ecs.us-east-1.on.aws"),
        "{url}"
    );
    assert!(events.contains(&LaunchEvent::HttpsAddress { url: url.clone() }));
    // The task really runs the image (its own address answers; the URL has no load balancer
    // behind it in the emulator).
    let ip = record.addresses[0].public_ip.clone().expect("a public IP");
    assert!(answers_http(&format!("http://{ip}:80/")), "{ip}");
    // Tagged as Berth's, the ECS service behind it too.
    let service = ecs::describe_service(&f.clients, "berth", &f.app)
        .await
        .unwrap()
        .unwrap();
    assert!(service.express);
    assert!(service
        .tags
        .iter()
        .any(|(k, v)| k == "berth:managed" && v == "true"));
    let express = ecs::describe_express_service(&f.clients, &service.arn)
        .await
        .unwrap()
        .unwrap();
    assert!(express
        .tags
        .iter()
        .any(|(k, v)| k == "berth:app" && v == &f.app));
    assert_eq!(express.image.as_deref(), Some(config.image.as_str()));

    // The same launch again changes nothing.
    let (_, events) = f.launch(&config).await;
    assert_eq!(
        actions(&events),
        [
            (ResourceKind::Cluster, Outcome::Reused),
            (ResourceKind::LogGroup, Outcome::Reused),
            (ResourceKind::ExpressService, Outcome::Reused),
        ]
    );

    // A new image (another digest): the plan says so, the launch rolls it out.
    let digest = push_to_registry(web_image_v2(), &f.app, "v2");
    let mut f2_wizard = f.wizard.clone();
    f2_wizard.image = Some(PushedImage {
        tag: "v2".into(),
        digest: digest.clone(),
        uri: f.wizard.image.as_ref().unwrap().uri.replace(":v1", ":v2"),
        ..f.wizard.image.clone().unwrap()
    });
    let config2 = berth_core::wizard::launch::LaunchConfig::new(https(&f), &f2_wizard).unwrap();
    assert!(config2.image.ends_with(&digest), "{}", config2.image);
    let plan2 = plan::plan(&f.clients, &config2).await.unwrap();
    let item = plan2
        .items
        .iter()
        .find(|i| i.resource == ResourceKind::ExpressService)
        .unwrap();
    assert_eq!(item.action, PlanAction::Update, "{item:?}");
    assert_eq!(item.changes[0].field, "image");
    assert!(item.commands[0].starts_with("aws ecs update-express-gateway-service --service-arn"));
    let (record2, events) = f.launch(&config2).await;
    let record2 = record2.unwrap();
    assert!(actions(&events).contains(&(ResourceKind::ExpressService, Outcome::Updated)));
    assert_eq!(record2.status, LaunchStatus::Running, "{events:?}");
    assert_eq!(
        record2.url.as_deref(),
        Some(url.as_str()),
        "the address stays"
    );
    let now = ecs::describe_express_service(&f.clients, &express.arn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.image.as_deref(), Some(config2.image.as_str()));
    let service = ecs::describe_service(&f.clients, "berth", &f.app)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(&service.task_definition), now.task_definition.as_ref());

    // Teardown deletes the Express service (not scale + DeleteService), then the cluster.
    let tplan = teardown::plan_teardown(&f.clients, &f.app, &Default::default())
        .await
        .unwrap();
    let item = tplan
        .items
        .iter()
        .find(|i| i.resource == ResourceKind::ExpressService)
        .expect("the Express service is torn down");
    assert_eq!(item.action, TeardownAction::Delete);
    assert!(item.commands[0].starts_with("aws ecs delete-express-gateway-service --service-arn"));
    assert!(!tplan
        .items
        .iter()
        .any(|i| i.resource == ResourceKind::Service));
    let (_, events) = f
        .tear_down(&f.app, &Default::default(), Default::default())
        .await;
    let outcomes = actions(&events);
    assert!(
        outcomes.contains(&(ResourceKind::ExpressService, Outcome::Deleted)),
        "{outcomes:?}"
    );
    assert!(
        outcomes.contains(&(ResourceKind::Cluster, Outcome::Deleted)),
        "{outcomes:?}"
    );
    let gone = ecs::describe_express_service(&f.clients, &express.arn)
        .await
        .unwrap();
    assert!(
        gone.as_ref().is_none_or(|s| s.status != "ACTIVE"),
        "{gone:?}"
    );
}

#[tokio::test]
async fn without_the_infrastructure_role_the_plan_blocks_and_ecs_refuses() {
    let f = fixture("us-east-1").await;
    let config = f.config(https(&f));
    let plan = plan::plan(&f.clients, &config).await.unwrap();
    assert!(plan.blocked);
    assert!(plan.notes.iter().any(|n| matches!(
        n,
        PlanNote::InfrastructureRoleMissing { role } if role.ends_with("/ecsInfrastructureRoleForExpressServices")
    )));
    let (record, _) = f.launch(&config).await;
    let err = record.unwrap_err();
    assert_eq!(err.param("field"), Some("infrastructureRole"), "{err:?}");

    // Sent anyway, ECS (the strict backend) refuses it: the role it names does not exist.
    ecs::create_cluster(&f.clients, "berth", &[]).await.unwrap();
    let d = berth_core::wizard::launch::desired::Desired::of(&f.clients, &config)
        .await
        .unwrap();
    let spec = berth_core::wizard::launch::ensure::express::spec(&d).unwrap();
    let refused = ecs::create_express_service(&f.clients, &spec, &d.tags)
        .await
        .unwrap_err();
    assert_eq!(
        refused.param("code"),
        Some("InvalidParameterException"),
        "{refused:?}"
    );
    assert!(
        refused
            .details
            .as_deref()
            .unwrap_or_default()
            .contains("infrastructure role"),
        "{refused:?}"
    );
}

/// The environment of the running task containers of the app's service (the strict backend runs
/// each task as a container labelled with its ARN).
async fn running_environments(f: &Fixture) -> Vec<Vec<String>> {
    let tasks = sdk::ecs(&f.clients)
        .list_tasks()
        .cluster("berth")
        .service_name(&f.app)
        .send()
        .await
        .unwrap();
    let mut environments = Vec::new();
    for arn in tasks.task_arns() {
        let id = crate::support::image::docker(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=berth.moto.task={arn}"),
        ]);
        let id = String::from_utf8_lossy(&id.stdout).trim().to_owned();
        if id.is_empty() {
            continue;
        }
        let env =
            crate::support::image::docker(&["inspect", "--format", "{{json .Config.Env}}", &id]);
        environments.push(serde_json::from_slice(&env.stdout).unwrap());
    }
    environments
}

/// A new value for a secret leaves the Express service's configuration as it was (the secret is
/// named by ARN), yet its tasks must start again to read it: the launch rolls a new revision, and
/// the running task has the new value.
#[tokio::test]
async fn a_new_secret_value_rolls_the_https_service_to_tasks_with_it() {
    let f = fixture("us-east-1").await;
    with_infrastructure_role(&f).await;
    let with_token = |value: &str| {
        let mut c = https(&f);
        c.environment = vec![berth_core::wizard::launch::EnvVar {
            name: "EXPRESS_TOKEN".into(),
            value: value.into(),
            secret: true,
        }];
        f.config(c)
    };
    let (record, events) = f.launch(&with_token("first-7310")).await;
    assert_eq!(record.unwrap().status, LaunchStatus::Running, "{events:?}");
    let has = |envs: &[Vec<String>], value: &str| {
        envs.iter()
            .any(|env| env.iter().any(|e| *e == format!("EXPRESS_TOKEN={value}")))
    };
    assert!(has(&running_environments(&f).await, "first-7310"));

    let (record, events) = f.launch(&with_token("second-7310")).await;
    let record = record.unwrap();
    let done = actions(&events);
    assert!(
        done.contains(&(ResourceKind::Secret, Outcome::Updated)),
        "{done:?}"
    );
    assert!(
        done.contains(&(ResourceKind::ExpressService, Outcome::Updated)),
        "the service is not rolled: {done:?}"
    );
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");
    let rolled_to = |new: &'static str, old: &'static str| {
        let f = &f;
        async move {
            let started = std::time::Instant::now();
            loop {
                let envs = running_environments(f).await;
                if has(&envs, new) && !has(&envs, old) {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "the running tasks do not have {new} alone: {envs:?}"
                );
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    };
    rolled_to("second-7310", "first-7310").await;

    // Deployments lists the secret and changes it through Express Mode (not UpdateService on the
    // ECS service it manages).
    let listed = service_secrets::service_secrets(&f.clients, "berth", &f.app)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].changeable);
    service_secrets::change_secret(
        &f.clients,
        "berth",
        &f.app,
        "EXPRESS_TOKEN",
        SecretString::from("third-7310"),
    )
    .await
    .unwrap();
    let changes = crate::support::changes(f.clients.activity());
    assert!(
        changes.ends_with(&[
            "ssm.putParameter".into(),
            "ecs.updateExpressGatewayService".into()
        ]),
        "{changes:?}"
    );
    rolled_to("third-7310", "second-7310").await;
    f.tear_down(&f.app, &Default::default(), Default::default())
        .await;
}
