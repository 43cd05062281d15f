//! The permission checklist: for each thing Berth will do, whether the identity may do it,
//! as IAM's policy simulator answers. Where the simulator cannot answer (no permission to call
//! it, an emulator without it, a principal it cannot simulate) every line says "unknown": the
//! action will be checked when it is used. Nothing is guessed.

use super::{caller, is_iam_refused_session, Caller};
use crate::aws::iam::{ContextValue, Iam};
use crate::aws::AwsClients;
use crate::error::{BerthError, ErrorKind, Result};
use crate::permissions::{Permission, PermissionGroup, Resources, Scope, PERMISSIONS};
use crate::wizard::account::PrincipalKind;
use aws_sdk_iam::types::{EvaluationResult, PolicyEvaluationDecisionType};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;

/// What the simulator says about an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    Allowed,
    /// No policy grants it (IAM's `implicitDeny`).
    NotGranted,
    /// A policy explicitly denies it (`explicitDeny`): granting it elsewhere does not help.
    Blocked,
    /// Not known before the action is used.
    Unknown,
}

/// One action of a checklist line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionCheck {
    pub action: String,
    /// The resource the simulator was asked about (`*` for actions on no particular resource).
    pub resource: String,
    pub decision: Decision,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupCheck {
    pub group: PermissionGroup,
    /// Blocked if any action is, else not granted if any is, else unknown if any is, else allowed.
    pub decision: Decision,
    pub actions: Vec<ActionCheck>,
}

/// Why the checklist could not be (fully) simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum UnknownReason {
    /// The identity may not call iam:SimulatePrincipalPolicy.
    NotAllowedToSimulate,
    /// The simulator failed or is not there (practice emulators do not have one).
    SimulatorFailed,
    /// Federated users and other principals cannot be simulated.
    CannotSimulatePrincipal,
    /// The root user (a browser sign-in): not simulated, it may do all its account allows.
    RootUser,
}

/// The checklist, as the IAM step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PermissionReport {
    /// Who was checked, as STS names it.
    pub principal_arn: String,
    pub account: String,
    /// The IAM user or role the simulator was asked about.
    pub simulated_arn: Option<String>,
    /// Temporary credentials IAM will refuse (GetSessionToken/GetFederationToken): the setup in
    /// this step cannot work with them.
    pub temporary_credentials: bool,
    pub unknown_reason: Option<UnknownReason>,
    /// The simulator's failure, for "Details".
    pub simulator_error: Option<BerthError>,
    pub groups: Vec<GroupCheck>,
}

/// Simulates every permission Berth needs for the identity in `clients`; the KMS grant
/// permissions only when `repository` (the wizard's) is encrypted with KMS.
pub async fn check_permissions(
    clients: &AwsClients,
    role_name: &str,
    user_name: &str,
    repository: Option<&str>,
) -> Result<PermissionReport> {
    super::validate_iam_name("roleName", role_name)?;
    super::validate_iam_name("userName", user_name)?;
    let who = caller(clients).await?;
    let res = Resources {
        kms_encryption: super::repository_uses_kms(clients, repository).await,
        ..who.resources(clients.region(), role_name, user_name)
    };
    let temporary = is_iam_refused_session(clients, &who.identity).await;
    let iam = Iam::new(clients);

    let mut decisions: HashMap<String, Decision> = HashMap::new();
    let mut unknown_reason = None;
    let mut simulator_error = None;
    let simulated_arn = simulation_source(&iam, &who).await;
    match &simulated_arn {
        None if who.identity.principal == PrincipalKind::Root => {
            unknown_reason = Some(UnknownReason::RootUser)
        }
        None => unknown_reason = Some(UnknownReason::CannotSimulatePrincipal),
        Some(source) => {
            for (scope, permissions) in by_scope(&res) {
                let actions: Vec<&str> = permissions.iter().map(|p| p.action.as_str()).collect();
                let context = context_of(&permissions, &res.region);
                match iam
                    .simulate(source, &actions, &res.simulated_arn(scope), &context)
                    .await
                {
                    Ok(results) => {
                        // Keyed by the resource too: one action (iam:PassRole) is needed on two
                        // roles, and may be allowed on one only.
                        let arn = res.simulated_arn(scope);
                        for (action, decision) in decisions_from_simulation(&results) {
                            decisions.insert(on_resource(&action, &arn), decision);
                        }
                    }
                    Err(e) => {
                        // One failure is enough to know the simulator will not answer: stop, and
                        // leave every line not yet answered unknown.
                        unknown_reason = Some(if e.kind == ErrorKind::AccessDenied {
                            UnknownReason::NotAllowedToSimulate
                        } else {
                            UnknownReason::SimulatorFailed
                        });
                        simulator_error = Some(e);
                        break;
                    }
                }
            }
        }
    }

    Ok(PermissionReport {
        principal_arn: who.identity.arn.clone(),
        account: who.identity.account.clone(),
        simulated_arn,
        temporary_credentials: temporary,
        unknown_reason,
        simulator_error,
        groups: checklist(&decisions, &res),
    })
}

/// The IAM principal to simulate: a user as it is; an assumed role as its role (whose path the
/// session ARN does not show, hence the lookup); nothing for principals IAM cannot simulate.
async fn simulation_source(iam: &Iam<'_>, who: &Caller) -> Option<String> {
    let id = &who.identity;
    match id.principal {
        PrincipalKind::User => Some(id.arn.clone()),
        PrincipalKind::Role if id.arn.contains(":assumed-role/") => {
            match iam.get_role(&id.name).await {
                Ok(Some(role)) => Some(role.arn),
                _ => Some(format!(
                    "arn:{}:iam::{}:role/{}",
                    who.partition, id.account, id.name
                )),
            }
        }
        PrincipalKind::Role => Some(id.arn.clone()),
        // IAM's simulator takes users, groups and roles only.
        PrincipalKind::Root | PrincipalKind::FederatedUser | PrincipalKind::Other => None,
    }
}

/// The permissions needed, grouped by the resource the simulator is asked about, one call each.
fn by_scope(res: &Resources) -> BTreeMap<Scope, Vec<&'static Permission>> {
    let mut map: BTreeMap<Scope, Vec<&Permission>> = BTreeMap::new();
    for p in PERMISSIONS.iter().filter(|p| res.needs(p)) {
        map.entry(p.scope).or_default().push(p);
    }
    map
}

/// The condition values the simulation must assume (e.g. that the role is passed to ECS tasks).
fn context_of(permissions: &[&Permission], region: &str) -> Vec<ContextValue> {
    let mut context: Vec<ContextValue> = Vec::new();
    for c in permissions.iter().filter_map(|p| p.condition) {
        if !context.iter().any(|v| v.key == c.key) {
            context.push(ContextValue {
                key: c.key.to_owned(),
                value: c.value_in(region),
            });
        }
    }
    context
}

/// The decision for each action of a simulator answer, keyed by the action in lower case (IAM
/// action names are case-insensitive and the simulator may answer in another case). A decision
/// IAM adds in a later version is unknown, never guessed.
pub fn decisions_from_simulation(results: &[EvaluationResult]) -> HashMap<String, Decision> {
    results
        .iter()
        .map(|r| {
            let decision = match r.eval_decision() {
                PolicyEvaluationDecisionType::Allowed => Decision::Allowed,
                PolicyEvaluationDecisionType::ImplicitDeny => Decision::NotGranted,
                PolicyEvaluationDecisionType::ExplicitDeny => Decision::Blocked,
                _ => Decision::Unknown,
            };
            (r.eval_action_name().to_ascii_lowercase(), decision)
        })
        .collect()
}

/// The key of a decision about `action` (lower case) on the resource `arn`.
fn on_resource(action: &str, arn: &str) -> String {
    format!("{action} on {arn}")
}

/// The checklist lines from the decisions found; actions without one are unknown. A line with
/// nothing needed (KMS without a KMS repository) is left out.
fn checklist(decisions: &HashMap<String, Decision>, res: &Resources) -> Vec<GroupCheck> {
    PermissionGroup::ALL
        .iter()
        .filter(|&&group| PERMISSIONS.iter().any(|p| p.group == group && res.needs(p)))
        .map(|&group| {
            let actions: Vec<ActionCheck> = PERMISSIONS
                .iter()
                .filter(|p| p.group == group && res.needs(p))
                .map(|p| ActionCheck {
                    action: p.action.to_owned(),
                    resource: res.simulated_arn(p.scope),
                    decision: decisions
                        .get(&on_resource(
                            &p.action.to_ascii_lowercase(),
                            &res.simulated_arn(p.scope),
                        ))
                        .or_else(|| decisions.get(&p.action.to_ascii_lowercase()))
                        .copied()
                        .unwrap_or(Decision::Unknown),
                })
                .collect();
            GroupCheck {
                group,
                decision: overall(actions.iter().map(|a| a.decision)),
                actions,
            }
        })
        .collect()
}

fn overall(decisions: impl Iterator<Item = Decision> + Clone) -> Decision {
    let any = |d: Decision| decisions.clone().any(|x| x == d);
    if any(Decision::Blocked) {
        Decision::Blocked
    } else if any(Decision::NotGranted) {
        Decision::NotGranted
    } else if any(Decision::Unknown) {
        Decision::Unknown
    } else {
        Decision::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources() -> Resources {
        Resources {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            role_name: "ecsTaskExecutionRole".into(),
            user_name: "berth-deployer".into(),
            kms_encryption: false,
        }
    }

    /// An answer shaped like AWS's to `aws iam simulate-principal-policy` for a user whose
    /// policy allows ECR, grants nothing for ECS and denies security groups explicitly.
    fn sample_answer() -> Vec<EvaluationResult> {
        let result = |action: &str, decision: &str| {
            EvaluationResult::builder()
                .eval_action_name(action)
                .eval_resource_name("*")
                .eval_decision(PolicyEvaluationDecisionType::from(decision))
                .build()
                .unwrap()
        };
        vec![
            result("ecr:GetAuthorizationToken", "allowed"),
            result("ecs:CreateCluster", "implicitDeny"),
            result("EC2:CreateSecurityGroup", "explicitDeny"),
            result("ec2:DescribeVpcs", "allowed"),
            result("cloudwatch:GetMetricData", "someDecisionFromTheFuture"),
        ]
    }

    #[test]
    fn simulator_decisions_map_to_allowed_not_granted_and_blocked() {
        let decisions = decisions_from_simulation(&sample_answer());
        assert_eq!(decisions["ecr:getauthorizationtoken"], Decision::Allowed);
        assert_eq!(decisions["ecs:createcluster"], Decision::NotGranted);
        assert_eq!(decisions["ec2:createsecuritygroup"], Decision::Blocked);
        assert_eq!(decisions["cloudwatch:getmetricdata"], Decision::Unknown);
    }

    #[test]
    fn a_line_is_only_allowed_when_every_action_is() {
        let decisions = decisions_from_simulation(&sample_answer());
        let lines = checklist(&decisions, &resources());
        let line = |g: PermissionGroup| lines.iter().find(|l| l.group == g).unwrap();
        // One ECR action allowed, the others never answered: unknown, not allowed.
        assert_eq!(line(PermissionGroup::Ecr).decision, Decision::Unknown);
        assert_eq!(line(PermissionGroup::Ecs).decision, Decision::NotGranted);
        // An explicit deny outweighs an allowed action on the same line.
        assert_eq!(line(PermissionGroup::Network).decision, Decision::Blocked);
        assert_eq!(line(PermissionGroup::Metrics).decision, Decision::Unknown);
        let everything: HashMap<String, Decision> = PERMISSIONS
            .iter()
            .map(|p| (p.action.to_ascii_lowercase(), Decision::Allowed))
            .collect();
        assert!(checklist(&everything, &resources())
            .iter()
            .all(|l| l.decision == Decision::Allowed));
    }

    #[test]
    fn no_answer_means_every_line_is_unknown() {
        let lines = checklist(&HashMap::new(), &resources());
        // Every line but KMS, which only a KMS-encrypted repository needs.
        assert_eq!(lines.len(), PermissionGroup::ALL.len() - 1);
        for line in lines {
            assert_eq!(line.decision, Decision::Unknown);
            assert!(line.actions.iter().all(|a| a.decision == Decision::Unknown));
        }
    }

    #[test]
    fn kms_grants_are_checked_only_with_a_kms_repository_as_ecr_calls_them() {
        let plain = checklist(&HashMap::new(), &resources());
        assert!(!plain
            .iter()
            .any(|l| l.group == PermissionGroup::KmsEncryption));
        let kms = Resources {
            kms_encryption: true,
            ..resources()
        };
        let lines = checklist(&HashMap::new(), &kms);
        let line = lines
            .iter()
            .find(|l| l.group == PermissionGroup::KmsEncryption)
            .unwrap();
        let actions: Vec<&str> = line.actions.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            ["kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant"]
        );
        assert_eq!(
            line.actions[0].resource,
            "arn:aws:kms:us-east-1:123456789012:key/*"
        );
        let scopes = by_scope(&kms);
        assert_eq!(
            context_of(&scopes[&Scope::KmsKeys], "ap-northeast-2"),
            [ContextValue {
                key: "kms:ViaService".into(),
                value: "ecr.ap-northeast-2.amazonaws.com".into()
            }]
        );
    }

    #[test]
    fn pass_role_is_simulated_on_the_role_as_passed_to_ecs_tasks() {
        let scopes = by_scope(&resources());
        let role = &scopes[&Scope::ExecutionRole];
        assert!(role.iter().any(|p| p.action == "iam:PassRole"));
        let context = context_of(role, "us-east-1");
        assert_eq!(
            context,
            [ContextValue {
                key: "iam:PassedToService".into(),
                value: "ecs-tasks.amazonaws.com".into()
            }]
        );
        assert_eq!(
            resources().simulated_arn(Scope::ExecutionRole),
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
        );
    }

    /// iam:CreateServiceLinkedRole is needed for two roles on the ECS line: each is simulated on
    /// its own role, as made for its own service, and decided apart.
    #[test]
    fn each_service_linked_role_is_simulated_for_its_own_service() {
        let res = resources();
        let scopes = by_scope(&res);
        for (scope, service) in [
            (Scope::EcsServiceLinkedRole, "ecs.amazonaws.com"),
            (
                Scope::EcsAutoScalingServiceLinkedRole,
                "ecs.application-autoscaling.amazonaws.com",
            ),
        ] {
            let permissions = &scopes[&scope];
            assert!(permissions
                .iter()
                .any(|p| p.action == "iam:CreateServiceLinkedRole"));
            assert_eq!(
                context_of(permissions, "us-east-1"),
                [ContextValue {
                    key: "iam:AWSServiceName".into(),
                    value: service.into()
                }]
            );
        }
        assert_eq!(
            res.simulated_arn(Scope::EcsAutoScalingServiceLinkedRole),
            "arn:aws:iam::123456789012:role/aws-service-role/\
             ecs.application-autoscaling.amazonaws.com/\
             AWSServiceRoleForApplicationAutoScaling_ECSService"
        );
        let mut decisions = HashMap::new();
        decisions.insert(
            on_resource(
                "iam:createservicelinkedrole",
                &res.simulated_arn(Scope::EcsServiceLinkedRole),
            ),
            Decision::Allowed,
        );
        let lines = checklist(&decisions, &res);
        let ecs = lines
            .iter()
            .find(|l| l.group == PermissionGroup::Ecs)
            .unwrap();
        let linked: Vec<(&str, Decision)> = ecs
            .actions
            .iter()
            .filter(|a| a.action == "iam:CreateServiceLinkedRole")
            .map(|a| (a.resource.as_str(), a.decision))
            .collect();
        assert_eq!(
            linked,
            [
                (
                    res.simulated_arn(Scope::EcsServiceLinkedRole).as_str(),
                    Decision::Allowed
                ),
                (
                    res.simulated_arn(Scope::EcsAutoScalingServiceLinkedRole)
                        .as_str(),
                    Decision::Unknown
                ),
            ]
        );
    }

    /// iam:PassRole is needed on the execution role (PassRole line) and on the infrastructure
    /// role (Express line): a grant on one says nothing about the other.
    #[test]
    fn pass_role_is_decided_per_role() {
        let res = resources();
        let mut decisions = HashMap::new();
        decisions.insert(
            on_resource("iam:passrole", &res.simulated_arn(Scope::ExecutionRole)),
            Decision::Allowed,
        );
        decisions.insert(
            on_resource(
                "iam:passrole",
                &res.simulated_arn(Scope::InfrastructureRole),
            ),
            Decision::NotGranted,
        );
        let lines = checklist(&decisions, &res);
        let pass = |g: PermissionGroup| {
            lines
                .iter()
                .find(|l| l.group == g)
                .unwrap()
                .actions
                .iter()
                .find(|a| a.action == "iam:PassRole")
                .unwrap()
                .decision
        };
        assert_eq!(pass(PermissionGroup::PassRole), Decision::Allowed);
        assert_eq!(pass(PermissionGroup::Express), Decision::NotGranted);
        let express = &by_scope(&res)[&Scope::InfrastructureRole];
        assert_eq!(
            context_of(express, "us-east-1"),
            [ContextValue {
                key: "iam:PassedToService".into(),
                value: "ecs.amazonaws.com".into()
            }]
        );
    }
}
