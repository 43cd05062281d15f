//! Environment values kept secret (issue 17, item 2): stored as an SSM SecureString, named in the
//! task definition by ARN, readable by exactly the execution role's inline policy, never written
//! anywhere else — and gone after teardown. Against the strict backend, whose practice task reads
//! the secret with the execution role (rule ecs.task.secrets) and stops when it may not.

use crate::support;
use crate::support::launch::fixture;
use crate::support::sdk;

use berth_core::dashboard::secrets::{self as service_secrets, SecretString};
use berth_core::wizard::launch::plan;
use berth_core::wizard::launch::record::LaunchStatus;
use berth_core::wizard::launch::shared::{SharedNames, SharedRemovals};
use berth_core::wizard::launch::timeline::ResourceKind;
use berth_core::wizard::launch::{EnvVar, LaunchMode};

const VALUE: &str = "correct-horse-battery-staple-7781";

#[tokio::test]
async fn a_secret_is_stored_referenced_by_arn_readable_by_the_role_only_and_torn_down() {
    let f = fixture("eu-west-1").await;
    let mut choices = f.choices(LaunchMode::Service);
    choices.environment = vec![
        EnvVar {
            name: "PLAIN".into(),
            value: "1".into(),
            secret: false,
        },
        EnvVar {
            name: "DB_PASSWORD".into(),
            value: VALUE.into(),
            secret: true,
        },
    ];
    let config = f.config(choices);
    let parameter = format!("/berth/{}/DB_PASSWORD", f.app);
    let arn = format!("arn:aws:ssm:eu-west-1:{}:parameter{parameter}", f.account);

    // The plan lists the parameter and the policy, and carries no value.
    let planned = plan::plan(&f.clients, &config).await.unwrap();
    let listed: Vec<(ResourceKind, &str)> = planned
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.resource,
                ResourceKind::Secret | ResourceKind::SecretPolicy
            )
        })
        .map(|i| (i.resource, i.name.as_str()))
        .collect();
    let policy_line = format!("ecsTaskExecutionRole/berth-secrets-{}", f.app);
    assert_eq!(
        listed,
        [
            (ResourceKind::Secret, parameter.as_str()),
            (ResourceKind::SecretPolicy, policy_line.as_str()),
        ]
    );
    let shown = serde_json::to_string(&planned).unwrap();
    assert!(!shown.contains(VALUE), "the plan shows the value: {shown}");
    assert!(shown.contains("<secret value>"), "{shown}");

    let (record, events) = f.launch(&config).await;
    let record = record.unwrap();
    // Running proves the execution role could read the parameter: the strict backend stops a task
    // whose role may not (ResourceInitializationError).
    assert_eq!(record.status, LaunchStatus::Running, "{events:?}");

    // The task definition names the parameter by ARN; the value is nowhere in it.
    let td = sdk::ecs(&f.clients)
        .describe_task_definition()
        .task_definition(format!("{}:1", f.app))
        .send()
        .await
        .unwrap();
    let td = td.task_definition().unwrap();
    let c = &td.container_definitions()[0];
    let secrets: Vec<(&str, &str)> = c
        .secrets()
        .iter()
        .map(|s| (s.name(), s.value_from()))
        .collect();
    assert_eq!(secrets, [("DB_PASSWORD", arn.as_str())]);
    let env: Vec<&str> = c.environment().iter().filter_map(|kv| kv.name()).collect();
    assert_eq!(env, ["PLAIN"]);
    assert!(!format!("{td:?}").contains(VALUE));

    // The parameter holds the value, as a SecureString, tagged as Berth's.
    let ssm = sdk::ssm(&f.clients);
    let got = ssm
        .get_parameter()
        .name(&parameter)
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    let p = got.parameter().unwrap();
    assert_eq!(p.value(), Some(VALUE));
    assert_eq!(p.r#type().map(|t| t.as_str()), Some("SecureString"));
    let tags = ssm
        .list_tags_for_resource()
        .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Parameter)
        .resource_id(&parameter)
        .send()
        .await
        .unwrap();
    let tags: Vec<(&str, &str)> = tags
        .tag_list()
        .iter()
        .map(|t| (t.key(), t.value()))
        .collect();
    assert!(tags.contains(&("berth:managed", "true")), "{tags:?}");
    assert!(tags.contains(&("berth:app", f.app.as_str())), "{tags:?}");

    // The execution role may read exactly that parameter.
    let policy = sdk::iam(&f.clients)
        .get_role_policy()
        .role_name("ecsTaskExecutionRole")
        .policy_name(format!("berth-secrets-{}", f.app))
        .send()
        .await
        .unwrap();
    let document: serde_json::Value = serde_json::from_str(&berth_core::aws::iam::decode_policy(
        policy.policy_document(),
    ))
    .unwrap();
    let statements = document["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1, "{document}");
    assert_eq!(statements[0]["Effect"], "Allow");
    assert_eq!(statements[0]["Action"], "ssm:GetParameters");
    assert_eq!(statements[0]["Resource"], serde_json::json!([arn]));

    // Nowhere else: not in the activity log (entries and commands), the timeline, the record.
    let log = format!("{:?}", f.clients.activity().recent(1000));
    assert!(!log.contains(VALUE), "the activity log shows the value");
    assert!(log.contains("ssm.putParameter"), "{log}");
    assert!(log.contains("<secret value>"), "{log}");
    assert!(!format!("{events:?}").contains(VALUE));
    assert!(!serde_json::to_string(&record).unwrap().contains(VALUE));
    for entry in std::fs::read_dir(f.store_dir.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        assert!(!text.contains(VALUE), "a saved file holds the value");
    }

    // Deployments: the names, never values; a new value is stored and redeployed.
    let listed = service_secrets::service_secrets(&f.clients, "berth", &f.app)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "DB_PASSWORD");
    assert_eq!(listed[0].parameter, parameter);
    assert!(listed[0].changeable);
    service_secrets::change_secret(
        &f.clients,
        "berth",
        &f.app,
        "DB_PASSWORD",
        SecretString::from("second-value-4410"),
    )
    .await
    .unwrap();
    let got = ssm
        .get_parameter()
        .name(&parameter)
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    assert_eq!(got.parameter().unwrap().value(), Some("second-value-4410"));
    assert_eq!(got.parameter().unwrap().version(), 2);
    let changes = support::changes(f.clients.activity());
    assert!(
        changes.ends_with(&["ssm.putParameter".into(), "ecs.forceNewDeployment".into()]),
        "{changes:?}"
    );
    assert!(!format!("{:?}", f.clients.activity().recent(1000)).contains("second-value-4410"));

    // Teardown lists the parameter and the policy, and removes both.
    // The app names the role from the launch record (`SharedNames::of`); it is kept.
    let names = SharedNames {
        execution_role: Some("ecsTaskExecutionRole".into()),
        ..SharedNames::default()
    };
    let (done, _) = f.tear_down(&f.app, &names, SharedRemovals::default()).await;
    assert!(done
        .items
        .iter()
        .any(|i| i.resource == ResourceKind::SecretPolicy));
    assert!(done
        .items
        .iter()
        .any(|i| i.resource == ResourceKind::Secret && i.name == parameter));
    let left = ssm.get_parameter().name(&parameter).send().await;
    assert!(left.is_err(), "the parameter is still there");
    let policy = sdk::iam(&f.clients)
        .get_role_policy()
        .role_name("ecsTaskExecutionRole")
        .policy_name(format!("berth-secrets-{}", f.app))
        .send()
        .await;
    assert!(policy.is_err(), "the policy is still there");
}

/// A secret marked but left empty, with nothing stored: the plan blocks, and a launch refuses
/// before creating anything of it.
#[tokio::test]
async fn a_secret_without_a_value_blocks_the_plan() {
    let f = fixture("us-east-1").await;
    let mut choices = f.choices(LaunchMode::Service);
    choices.environment = vec![EnvVar {
        name: "API_KEY".into(),
        value: String::new(),
        secret: true,
    }];
    let config = f.config(choices);
    let planned = plan::plan(&f.clients, &config).await.unwrap();
    assert!(planned.blocked, "{:?}", planned.notes);
    assert!(planned.notes.iter().any(|n| matches!(
        n,
        plan::PlanNote::SecretValueMissing { name } if name == "API_KEY"
    )));
}
