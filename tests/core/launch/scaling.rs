//! A service that scales itself, against the strict backend: the launch registers the service's
//! desired count with Application Auto Scaling (min, max) and a target-tracking policy on its
//! average CPU, a relaunch updates both without undoing the count scaling chose, a relaunch with
//! scaling off deregisters the target, and teardown removes it. What the backend holds is read
//! back with the SDK's own client, not through Berth.

use crate::support::launch as launch_support;

use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use berth_core::aws::autoscaling::ServiceScaling;
use berth_core::dashboard::deployments::{take_snapshot, StatusCache};
use berth_core::wizard::launch::plan::{self, PlanAction};
use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::shared::{SharedNames, SharedRemovals};
use berth_core::wizard::launch::timeline::{LaunchEvent, Outcome, ResourceKind};
use berth_core::wizard::launch::{EnvVar, LaunchConfig, LaunchMode, Scaling};
use launch_support::{fixture, Fixture};

fn aas(f: &Fixture) -> aws_sdk_applicationautoscaling::Client {
    aws_sdk_applicationautoscaling::Client::new(f.clients.sdk_config())
}

fn resource_id(f: &Fixture) -> String {
    format!("service/berth/{}", f.app)
}

/// (min, max) of the service's scalable target, as the backend has it.
async fn target(f: &Fixture) -> Option<(i32, i32)> {
    let out = aas(f)
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(resource_id(f))
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .send()
        .await
        .unwrap();
    out.scalable_targets()
        .iter()
        .find(|t| t.resource_id() == resource_id(f))
        .map(|t| (t.min_capacity(), t.max_capacity()))
}

/// (name, type, metric, target value) of every scaling policy on the service.
async fn policies(f: &Fixture) -> Vec<(String, String, String, f64)> {
    let out = aas(f)
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id(resource_id(f))
        .send()
        .await
        .unwrap();
    out.scaling_policies()
        .iter()
        .filter(|p| p.resource_id() == resource_id(f))
        .map(|p| {
            let config = p.target_tracking_scaling_policy_configuration().unwrap();
            (
                p.policy_name().to_owned(),
                p.policy_type().as_str().to_owned(),
                config
                    .predefined_metric_specification()
                    .unwrap()
                    .predefined_metric_type()
                    .as_str()
                    .to_owned(),
                config.target_value(),
            )
        })
        .collect()
}

async fn desired_count(f: &Fixture) -> i32 {
    let out = crate::support::sdk::ecs(&f.clients)
        .describe_services()
        .cluster("berth")
        .services(&f.app)
        .send()
        .await
        .unwrap();
    out.services()[0].desired_count()
}

fn scaled(f: &Fixture, min: u32, max: u32, cpu_target: u32) -> LaunchConfig {
    let mut choices = f.choices(LaunchMode::Service);
    choices.scaling = Some(Scaling {
        min,
        max,
        cpu_target,
    });
    f.config(choices)
}

fn scaling_outcome(events: &[LaunchEvent]) -> Option<Outcome> {
    events.iter().find_map(|e| match e {
        LaunchEvent::Action {
            resource: ResourceKind::ScalableTarget,
            outcome,
            ..
        } => Some(*outcome),
        _ => None,
    })
}

async fn plan_item(f: &Fixture, config: &LaunchConfig) -> Option<plan::PlanItem> {
    plan::plan(&f.clients, config)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.resource == ResourceKind::ScalableTarget)
}

#[tokio::test]
async fn a_scaling_launch_registers_min_max_and_cpu_target_and_a_relaunch_updates_or_removes_them()
{
    let f = fixture("us-east-1").await;
    let policy = format!("berth-{}-cpu", f.app);

    // Planned with its commands and its cost range, then launched.
    let config = scaled(&f, 1, 2, 60);
    let plan = plan::plan(&f.clients, &config).await.unwrap();
    let item = plan
        .items
        .iter()
        .find(|i| i.resource == ResourceKind::ScalableTarget)
        .expect("the plan lists scaling");
    assert_eq!(item.action, PlanAction::Create);
    assert!(item.commands[0].starts_with(
        "aws application-autoscaling register-scalable-target --service-namespace ecs"
    ));
    assert!(item.commands[0].contains("--min-capacity 1 --max-capacity 2"));
    assert!(item.commands[1].contains("put-scaling-policy"));
    assert!(item.commands[1].contains("ECSServiceAverageCPUUtilization"));
    let cost = plan.cost.unwrap();
    assert_eq!(cost.max_count, Some(2));
    assert!((cost.max_per_month.unwrap() - 2.0 * cost.per_month).abs() < 1e-6);

    let (record, events) = f.launch(&config).await;
    assert_eq!(record.unwrap().status, LaunchStatus::Running);
    assert_eq!(scaling_outcome(&events), Some(Outcome::Created));
    assert_eq!(target(&f).await, Some((1, 2)));
    assert_eq!(
        policies(&f).await,
        [(
            policy.clone(),
            "TargetTrackingScaling".to_owned(),
            "ECSServiceAverageCPUUtilization".to_owned(),
            60.0
        )]
    );
    assert_eq!(desired_count(&f).await, 1);
    // Deployments shows the range, the CPU target and the current count.
    let snapshot = take_snapshot(&f.clients, &StatusCache::default(), &[])
        .await
        .unwrap();
    let shown = snapshot.services().find(|s| s.name == f.app).unwrap();
    assert_eq!(
        shown.scaling,
        Some(ServiceScaling {
            min: 1,
            max: 2,
            cpu_target: Some(60.0)
        })
    );
    assert_eq!(shown.desired, 1);
    let logged: Vec<String> = f
        .clients
        .activity()
        .recent(50)
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(logged.contains(&"application-autoscaling.registerScalableTarget".to_owned()));
    assert!(logged.contains(&"application-autoscaling.putScalingPolicy".to_owned()));

    // The same launch again changes nothing.
    assert_eq!(
        plan_item(&f, &config).await.map(|i| i.action),
        Some(PlanAction::Reuse)
    );

    // Scaling has brought the service to 2 tasks (as Application Auto Scaling would, through
    // UpdateService). A relaunch with a new revision and a new target keeps those 2.
    crate::support::sdk::ecs(&f.clients)
        .update_service()
        .cluster("berth")
        .service(&f.app)
        .desired_count(2)
        .send()
        .await
        .unwrap();
    let mut choices = config.choices.clone();
    choices.environment = vec![EnvVar {
        name: "MODE".into(),
        value: "busy".into(),
        secret: false,
    }];
    choices.scaling = Some(Scaling {
        min: 1,
        max: 3,
        cpu_target: 45,
    });
    let config = f.config(choices);
    let item = plan_item(&f, &config).await.unwrap();
    assert_eq!(item.action, PlanAction::Update);
    let fields: Vec<&str> = item.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["maxCapacity", "cpuTarget"]);
    let service_item = plan::plan(&f.clients, &config)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.resource == ResourceKind::Service)
        .unwrap();
    assert!(
        !service_item.commands[0].contains("--desired-count"),
        "{}",
        service_item.commands[0]
    );
    let (record, events) = f.launch(&config).await;
    assert_eq!(record.unwrap().status, LaunchStatus::Running);
    assert_eq!(scaling_outcome(&events), Some(Outcome::Updated));
    assert_eq!(target(&f).await, Some((1, 3)));
    assert_eq!(policies(&f).await[0].3, 45.0);
    assert_eq!(
        desired_count(&f).await,
        2,
        "the relaunch undid scaling's count"
    );

    // A new minimum above the count scaling chose brings the count up to it.
    let mut choices = config.choices.clone();
    choices.scaling = Some(Scaling {
        min: 3,
        max: 3,
        cpu_target: 45,
    });
    let config = f.config(choices);
    let (record, _) = f.launch(&config).await;
    record.unwrap();
    assert_eq!(target(&f).await, Some((3, 3)));
    assert_eq!(desired_count(&f).await, 3);

    // Scaling turned off: the target goes, with its policy, and the count is the one chosen.
    let mut choices = config.choices.clone();
    choices.scaling = None;
    choices.count = 1;
    let config = f.config(choices);
    let item = plan_item(&f, &config).await.unwrap();
    assert_eq!(item.action, PlanAction::Remove);
    assert!(item.commands[0].contains("deregister-scalable-target"));
    let (record, events) = f.launch(&config).await;
    record.unwrap();
    assert_eq!(scaling_outcome(&events), Some(Outcome::Deleted));
    assert_eq!(target(&f).await, None);
    assert_eq!(policies(&f).await, []);
    assert_eq!(desired_count(&f).await, 1);
    assert_eq!(plan_item(&f, &config).await, None);
}

#[tokio::test]
async fn teardown_deregisters_the_scalable_target_before_deleting_the_service() {
    let f = fixture("us-east-1").await;
    let (record, _) = f.launch(&scaled(&f, 1, 3, 60)).await;
    record.unwrap();
    assert_eq!(target(&f).await, Some((1, 3)));

    let (plan, events) = f
        .tear_down(&f.app, &SharedNames::default(), SharedRemovals::default())
        .await;
    let order: Vec<ResourceKind> = plan.items.iter().map(|i| i.resource).collect();
    assert_eq!(
        &order[..2],
        [ResourceKind::ScalableTarget, ResourceKind::Service]
    );
    assert!(plan.items[0].commands[0].contains("deregister-scalable-target"));
    let deleted: Vec<ResourceKind> = events
        .iter()
        .filter_map(|e| match e {
            LaunchEvent::Action {
                resource,
                outcome: Outcome::Deleted,
                ..
            } => Some(*resource),
            _ => None,
        })
        .collect();
    assert_eq!(deleted.first(), Some(&ResourceKind::ScalableTarget));
    assert_eq!(target(&f).await, None);
    assert_eq!(
        policies(&f).await,
        [],
        "deregistering left the policy behind"
    );
}
