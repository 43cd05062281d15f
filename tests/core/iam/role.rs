//! The task execution role against moto: created exactly as docs/aws-facts.md#iam describes it, left alone when
//! it is right, fixed on request when it is wrong; and the permission checklist, which moto
//! cannot simulate, says "unknown" instead of guessing.

use crate::support;
use crate::support::iam as iam_support;
use crate::support::sdk;

use berth_core::activity::{ActivityLog, ActivityStatus};
use berth_core::aws::AwsClients;
use berth_core::permissions::PermissionGroup;
use berth_core::wizard::iam::{
    self, Decision, RoleProblem, RoleState, UnknownReason, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME,
};
use berth_core::ErrorKind;
use iam_support::{isolated_account, policy_json};
use serde_json::json;

const EXECUTION_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

fn documented_trust_policy() -> serde_json::Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]})
}

/// The role as IAM has it, read with the SDK directly rather than through Berth.
async fn role_in_iam(clients: &AwsClients, name: &str) -> aws_sdk_iam::types::Role {
    sdk::iam(clients)
        .get_role()
        .role_name(name)
        .send()
        .await
        .unwrap()
        .role
        .unwrap()
}

async fn attached_in_iam(clients: &AwsClients, name: &str) -> Vec<String> {
    sdk::iam(clients)
        .list_attached_role_policies()
        .role_name(name)
        .send()
        .await
        .unwrap()
        .attached_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_arn)
        .collect()
}

#[tokio::test]
async fn the_role_is_created_with_exactly_the_trust_policy_the_managed_policy_and_berths_tag() {
    let (clients, account) = isolated_account().await;

    let before = iam::execution_role_status(&clients, DEFAULT_ROLE_NAME)
        .await
        .unwrap();
    assert_eq!(before.state, RoleState::Missing);
    // A new account has no ECS service-linked role yet: the plan makes it too.
    assert_eq!(before.plan.len(), 3, "{:?}", before.plan);
    assert!(
        before.plan[2]
            .starts_with("aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com"),
        "{}",
        before.plan[2]
    );
    assert!(before.plan[0].starts_with("aws iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document '{\"Version\":\"2012-10-17\""), "{}", before.plan[0]);

    let change = iam::ensure_execution_role(&clients, DEFAULT_ROLE_NAME, false)
        .await
        .unwrap();
    assert_eq!(change.status.state, RoleState::Ready);
    assert_eq!(
        change.status.arn.as_deref(),
        Some(format!("arn:aws:iam::{account}:role/ecsTaskExecutionRole").as_str())
    );
    assert!(change.status.created_by_berth);
    // What was shown as the plan is what ran.
    assert_eq!(change.ran, before.plan);

    // IAM itself has exactly the documented trust policy, the one managed policy and the tag.
    let role = role_in_iam(&clients, DEFAULT_ROLE_NAME).await;
    assert_eq!(
        policy_json(role.assume_role_policy_document().unwrap()),
        documented_trust_policy()
    );
    assert_eq!(
        attached_in_iam(&clients, DEFAULT_ROLE_NAME).await,
        [EXECUTION_POLICY]
    );
    assert!(role
        .tags()
        .iter()
        .any(|t| t.key() == "berth:managed" && t.value() == "true"));

    // Every change is in the activity log with its command line; the reads are tallied apart.
    let log = clients.activity();
    let logged = log.recent(usize::MAX);
    let create = logged
        .iter()
        .find(|e| e.action == "iam.createRole")
        .expect("create-role logged");
    assert_eq!(create.command, change.ran[0]);
    assert!(create
        .command
        .contains("--tags Key=berth:managed,Value=true"));
    assert!(create.command.ends_with(&format!(
        "--region us-east-1 --endpoint-url {}",
        iam_support::moto_url()
    )));
    assert!(logged.iter().all(|e| e.status == ActivityStatus::Succeeded));
    assert_eq!(
        support::changes(log),
        [
            "iam.createRole",
            "iam.attachRolePolicy",
            "iam.createServiceLinkedRole"
        ]
    );
    assert!(log
        .reads()
        .iter()
        .all(|r| r.last.status == ActivityStatus::Succeeded));
    assert!(support::reads(log).contains(&"iam.getRole".to_owned()));
}

#[tokio::test]
async fn a_second_run_is_a_no_op() {
    let (clients, _) = isolated_account().await;
    iam::ensure_execution_role(&clients, DEFAULT_ROLE_NAME, true)
        .await
        .unwrap();
    let created = role_in_iam(&clients, DEFAULT_ROLE_NAME).await.create_date;

    let second = ActivityLog::in_memory();
    let again = clients.clone().with_activity(second.clone());
    let change = iam::ensure_execution_role(&again, DEFAULT_ROLE_NAME, true)
        .await
        .unwrap();
    assert_eq!(change.status.state, RoleState::Ready);
    assert!(change.ran.is_empty(), "{:?}", change.ran);
    assert!(change.status.plan.is_empty());
    // Only reads went to IAM: nothing in the log's entries, both reads tallied.
    assert!(second.recent(10).is_empty(), "{:?}", second.recent(10));
    assert_eq!(
        support::reads(&second),
        ["iam.getRole", "iam.listAttachedRolePolicies"]
    );
    assert_eq!(
        role_in_iam(&clients, DEFAULT_ROLE_NAME).await.create_date,
        created
    );
    assert_eq!(
        attached_in_iam(&clients, DEFAULT_ROLE_NAME).await,
        [EXECUTION_POLICY]
    );
}

#[tokio::test]
async fn a_role_with_a_wrong_trust_policy_is_detected_and_fixed_on_request() {
    let (clients, _) = isolated_account().await;
    let ec2_trust = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]});
    sdk::iam(&clients)
        .create_role()
        .role_name(DEFAULT_ROLE_NAME)
        .assume_role_policy_document(ec2_trust.to_string())
        .send()
        .await
        .unwrap();
    sdk::iam(&clients)
        .attach_role_policy()
        .role_name(DEFAULT_ROLE_NAME)
        .policy_arn(EXECUTION_POLICY)
        .send()
        .await
        .unwrap();

    let status = iam::execution_role_status(&clients, DEFAULT_ROLE_NAME)
        .await
        .unwrap();
    assert_eq!(status.state, RoleState::NeedsFix);
    assert_eq!(status.problems, [RoleProblem::TrustPolicy]);
    assert!(!status.created_by_berth, "Berth did not make this one");
    assert!(status
        .trust_policy
        .as_deref()
        .unwrap()
        .contains("ec2.amazonaws.com"));
    assert_eq!(status.plan.len(), 1);
    assert!(status.plan[0]
        .starts_with("aws iam update-assume-role-policy --role-name ecsTaskExecutionRole"));

    // Not asked to fix: nothing is written.
    let unchanged = iam::ensure_execution_role(&clients, DEFAULT_ROLE_NAME, false)
        .await
        .unwrap();
    assert_eq!(unchanged.status.state, RoleState::NeedsFix);
    assert!(unchanged.ran.is_empty());
    assert_eq!(
        policy_json(
            role_in_iam(&clients, DEFAULT_ROLE_NAME)
                .await
                .assume_role_policy_document()
                .unwrap()
        ),
        ec2_trust
    );

    // Asked to fix: the trust policy becomes the documented one.
    let fixed = iam::ensure_execution_role(&clients, DEFAULT_ROLE_NAME, true)
        .await
        .unwrap();
    assert_eq!(fixed.status.state, RoleState::Ready);
    assert_eq!(fixed.ran, status.plan);
    assert_eq!(
        policy_json(
            role_in_iam(&clients, DEFAULT_ROLE_NAME)
                .await
                .assume_role_policy_document()
                .unwrap()
        ),
        documented_trust_policy()
    );
}

#[tokio::test]
async fn a_role_without_the_managed_policy_is_detected_and_fixed_on_request() {
    let (clients, _) = isolated_account().await;
    sdk::iam(&clients)
        .create_role()
        .role_name("web-exec")
        .assume_role_policy_document(documented_trust_policy().to_string())
        .send()
        .await
        .unwrap();
    let status = iam::execution_role_status(&clients, "web-exec")
        .await
        .unwrap();
    assert_eq!(status.problems, [RoleProblem::PolicyNotAttached]);

    let fixed = iam::ensure_execution_role(&clients, "web-exec", true)
        .await
        .unwrap();
    assert_eq!(fixed.status.state, RoleState::Ready);
    assert_eq!(
        fixed.ran,
        [format!(
            "aws iam attach-role-policy --role-name web-exec --policy-arn {EXECUTION_POLICY} --region us-east-1 --endpoint-url {}",
            iam_support::moto_url()
        )]
    );
    assert_eq!(
        attached_in_iam(&clients, "web-exec").await,
        [EXECUTION_POLICY]
    );
}

#[tokio::test]
async fn a_bad_role_name_is_refused_before_any_call() {
    let (clients, _) = isolated_account().await;
    let err = iam::ensure_execution_role(&clients, "my role", true)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert_eq!(
        (err.param("field"), err.param("rule")),
        (Some("roleName"), Some("characters"))
    );
    let log = clients.activity();
    assert!(log.recent(10).is_empty() && log.reads().is_empty());
}

#[tokio::test]
async fn the_checklist_says_unknown_for_every_line_when_the_simulator_cannot_answer() {
    // moto has no policy simulator (it answers 500): no line may claim to know.
    let (clients, account) = isolated_account().await;
    let report = iam::check_permissions(&clients, DEFAULT_ROLE_NAME, DEFAULT_DEPLOY_USER, None)
        .await
        .unwrap();
    assert_eq!(report.account, account);
    assert_eq!(report.unknown_reason, Some(UnknownReason::SimulatorFailed));
    assert!(report.simulator_error.is_some());
    assert!(
        !report.temporary_credentials,
        "an assumed role may call IAM"
    );
    let groups: Vec<PermissionGroup> = report.groups.iter().map(|g| g.group).collect();
    // Every line but the KMS grants: no repository is chosen.
    assert_eq!(
        groups,
        PermissionGroup::ALL[..PermissionGroup::ALL.len() - 1]
    );
    for group in &report.groups {
        assert_eq!(group.decision, Decision::Unknown, "{:?}", group.group);
        assert!(group
            .actions
            .iter()
            .all(|a| a.decision == Decision::Unknown));
    }
    let pass_role = report
        .groups
        .iter()
        .find(|g| g.group == PermissionGroup::PassRole)
        .unwrap();
    assert_eq!(
        pass_role.actions[0].resource,
        format!("arn:aws:iam::{account}:role/ecsTaskExecutionRole")
    );
    // The failed simulation is in the log (a read: tallied, not an entry), with its command.
    let simulated = support::read_of(clients.activity(), "iam.simulatePrincipalPolicy").last;
    assert_eq!(simulated.status, ActivityStatus::Failed);
    assert!(simulated
        .command
        .starts_with("aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::"));
}

/// The KMS grants ECR makes as the caller are on the checklist exactly when the wizard's
/// repository is encrypted with KMS, and in the deploy user's policy likewise.
#[tokio::test]
async fn kms_grant_permissions_are_listed_only_for_a_kms_encrypted_repository() {
    let (clients, _) = isolated_account().await;
    for (name, kms) in [("plain-repo", false), ("kms-repo", true)] {
        let mut create = sdk::ecr(&clients).create_repository().repository_name(name);
        if kms {
            create = create.encryption_configuration(
                aws_sdk_ecr::types::EncryptionConfiguration::builder()
                    .encryption_type(aws_sdk_ecr::types::EncryptionType::Kms)
                    .build()
                    .unwrap(),
            );
        }
        create.send().await.unwrap();
    }
    let kms_actions = |report: &iam::PermissionReport| -> Vec<String> {
        report
            .groups
            .iter()
            .filter(|g| g.group == PermissionGroup::KmsEncryption)
            .flat_map(|g| g.actions.iter().map(|a| a.action.clone()))
            .collect()
    };
    let policy_kms = |plan: &iam::DeployUserPlan| -> Vec<String> {
        let policy: serde_json::Value = serde_json::from_str(&plan.policy).unwrap();
        policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap().clone())
            .filter_map(|a| {
                a.as_str()
                    .filter(|a| a.starts_with("kms:"))
                    .map(str::to_owned)
            })
            .collect()
    };
    for repository in [None, Some("plain-repo"), Some("no-such-repo")] {
        let report =
            iam::check_permissions(&clients, DEFAULT_ROLE_NAME, DEFAULT_DEPLOY_USER, repository)
                .await
                .unwrap();
        assert!(kms_actions(&report).is_empty(), "{repository:?}");
        let plan =
            iam::plan_deploy_user(&clients, DEFAULT_DEPLOY_USER, DEFAULT_ROLE_NAME, repository)
                .await
                .unwrap();
        assert!(policy_kms(&plan).is_empty(), "{repository:?}");
    }
    let expected = ["kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant"];
    let report = iam::check_permissions(
        &clients,
        DEFAULT_ROLE_NAME,
        DEFAULT_DEPLOY_USER,
        Some("kms-repo"),
    )
    .await
    .unwrap();
    assert_eq!(kms_actions(&report), expected);
    let plan = iam::plan_deploy_user(
        &clients,
        DEFAULT_DEPLOY_USER,
        DEFAULT_ROLE_NAME,
        Some("kms-repo"),
    )
    .await
    .unwrap();
    assert_eq!(policy_kms(&plan), expected);
    assert!(
        plan.policy
            .contains(r#""kms:ViaService": "ecr.*.amazonaws.com""#),
        "{}",
        plan.policy
    );
}
