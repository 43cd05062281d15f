//! Application Auto Scaling for an ECS service: its desired count registered as a scalable target
//! (`service/<cluster>/<service>`, dimension `ecs:service:DesiredCount`) between a minimum and a
//! maximum, and one target-tracking policy that keeps the service's average CPU near a target.

use super::action::Action;
use super::call::Call;
use super::catalogue::autoscaling as aas;
use super::AwsClients;
use crate::error::{BerthError, Result};
use aws_sdk_applicationautoscaling::types::{
    MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension, ServiceNamespace,
    TargetTrackingScalingPolicyConfiguration,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;
use std::future::Future;
use ts_rs::TS;

const NAMESPACE: &str = "ecs";
const DIMENSION: &str = "ecs:service:DesiredCount";
const CPU_METRIC: &str = "ECSServiceAverageCPUUtilization";
/// Seconds after scaling out before another scale-out, and after scaling in before another
/// scale-in: out quickly when busy, in slowly (AWS's own guidance: scale in conservatively).
pub const SCALE_OUT_COOLDOWN: i32 = 60;
pub const SCALE_IN_COOLDOWN: i32 = 300;

/// The resource id of a service's desired count.
pub fn resource_id(cluster: &str, service: &str) -> String {
    format!("service/{cluster}/{service}")
}

/// The name Berth gives a service's CPU policy.
pub fn cpu_policy_name(service: &str) -> String {
    format!("berth-{service}-cpu")
}

/// A service's scalable target as Application Auto Scaling has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTarget {
    pub resource_id: String,
    pub min: i32,
    pub max: i32,
}

/// A target-tracking policy on a service's average CPU.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CpuPolicy {
    pub name: String,
    /// Average CPU utilization, percent.
    pub target: f64,
}

fn namespace() -> ServiceNamespace {
    ServiceNamespace::Ecs
}

fn dimension() -> ScalableDimension {
    ScalableDimension::EcsServiceDesiredCount
}

fn built<T>(r: std::result::Result<T, impl std::fmt::Display>) -> Result<T> {
    r.map_err(BerthError::internal)
}

pub fn register_target_call<'a>(
    clients: &'a AwsClients,
    cluster: &str,
    service: &str,
    min: i32,
    max: i32,
) -> Call<'a> {
    let id = resource_id(cluster, service);
    clients
        .call(&aas::REGISTER_SCALABLE_TARGET, &id)
        .opt("--service-namespace", NAMESPACE)
        .opt("--resource-id", &id)
        .opt("--scalable-dimension", DIMENSION)
        .opt("--min-capacity", min.to_string())
        .opt("--max-capacity", max.to_string())
}

/// Registers (or updates) the service's desired count as a scalable target between `min` and
/// `max`. The service must exist.
pub async fn register_target(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    min: i32,
    max: i32,
) -> Result<()> {
    let request = clients
        .autoscaling()
        .register_scalable_target()
        .service_namespace(namespace())
        .resource_id(resource_id(cluster, service))
        .scalable_dimension(dimension())
        .min_capacity(min)
        .max_capacity(max)
        .send();
    register_target_call(clients, cluster, service, min, max)
        .send(request, |_| Ok(()))
        .await
}

fn describe_targets_call<'a>(clients: &'a AwsClients, ids: &[String]) -> Call<'a> {
    clients
        .call(&aas::DESCRIBE_SCALABLE_TARGETS, ids.join(" "))
        .opt("--service-namespace", NAMESPACE)
        .list("--resource-ids", ids.iter().cloned())
        .opt("--scalable-dimension", DIMENSION)
}

/// The scalable targets of these services' desired counts (up to 50 resource ids per call).
pub async fn describe_targets(
    clients: &AwsClients,
    cluster: &str,
    services: &[&str],
) -> Result<Vec<ScalableTarget>> {
    let mut found = Vec::new();
    for chunk in services.chunks(50) {
        let ids: Vec<String> = chunk.iter().map(|s| resource_id(cluster, s)).collect();
        let request = clients
            .autoscaling()
            .describe_scalable_targets()
            .service_namespace(namespace())
            .set_resource_ids(Some(ids.clone()))
            .scalable_dimension(dimension())
            .send();
        let page = describe_targets_call(clients, &ids)
            .send(request, |out| {
                Ok(out
                    .scalable_targets()
                    .iter()
                    .map(|t| ScalableTarget {
                        resource_id: t.resource_id().to_owned(),
                        min: t.min_capacity(),
                        max: t.max_capacity(),
                    })
                    .collect::<Vec<_>>())
            })
            .await?;
        found.extend(page);
    }
    Ok(found)
}

/// The service's scalable target, if it has one.
pub async fn find_target(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
) -> Result<Option<ScalableTarget>> {
    let id = resource_id(cluster, service);
    Ok(describe_targets(clients, cluster, &[service])
        .await?
        .into_iter()
        .find(|t| t.resource_id == id))
}

fn describe_policies_call<'a>(clients: &'a AwsClients, id: &str) -> Call<'a> {
    clients
        .call(&aas::DESCRIBE_SCALING_POLICIES, id)
        .opt("--service-namespace", NAMESPACE)
        .opt("--resource-id", id)
        .opt("--scalable-dimension", DIMENSION)
}

/// The service's target-tracking policies on its average CPU.
pub async fn cpu_policies(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
) -> Result<Vec<CpuPolicy>> {
    let id = resource_id(cluster, service);
    let request = clients
        .autoscaling()
        .describe_scaling_policies()
        .service_namespace(namespace())
        .resource_id(&id)
        .scalable_dimension(dimension())
        .send();
    describe_policies_call(clients, &id)
        .send(request, |out| {
            Ok(out
                .scaling_policies()
                .iter()
                // moto matches resource ids by substring: keep this service's own.
                .filter(|p| p.resource_id() == id)
                .filter_map(|p| {
                    let config = p.target_tracking_scaling_policy_configuration()?;
                    let metric = config
                        .predefined_metric_specification()?
                        .predefined_metric_type();
                    (metric.as_str() == CPU_METRIC).then(|| CpuPolicy {
                        name: p.policy_name().to_owned(),
                        target: config.target_value(),
                    })
                })
                .collect())
        })
        .await
}

/// How a service scales, as the Deployments view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceScaling {
    pub min: i32,
    pub max: i32,
    /// The average CPU its target-tracking policy keeps, percent (none without such a policy).
    pub cpu_target: Option<f64>,
}

/// One whole read of ECS services' scaling (every page), or None when the identity may not read
/// it.
async fn read_namespace<O, E>(
    clients: &AwsClients,
    action: &'static Action,
    request: impl Future<Output = std::result::Result<O, SdkError<E, HttpResponse>>>,
) -> Result<Option<O>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let read = clients
        .call(action, "")
        .opt("--service-namespace", NAMESPACE)
        .opt("--scalable-dimension", DIMENSION)
        .send(request, Ok)
        .await;
    match read {
        Ok(items) => Ok(Some(items)),
        Err(e) if e.kind == crate::error::ErrorKind::AccessDenied => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every ECS service's scaling in the region, by resource id (`service/<cluster>/<service>`):
/// two reads (and their pages), whatever the number of services. An identity that may not read
/// Application Auto Scaling (a deploy user made before Berth scaled services) gets an empty map
/// rather than no Deployments view.
pub async fn all_service_scaling(
    clients: &AwsClients,
) -> Result<std::collections::HashMap<String, ServiceScaling>> {
    let mut found = std::collections::HashMap::new();
    let targets = clients
        .autoscaling()
        .describe_scalable_targets()
        .service_namespace(namespace())
        .scalable_dimension(dimension())
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let Some(targets) = read_namespace(clients, &aas::DESCRIBE_SCALABLE_TARGETS, targets).await?
    else {
        return Ok(found);
    };
    for t in &targets {
        found.insert(
            t.resource_id().to_owned(),
            ServiceScaling {
                min: t.min_capacity(),
                max: t.max_capacity(),
                cpu_target: None,
            },
        );
    }
    if found.is_empty() {
        return Ok(found);
    }
    let policies = clients
        .autoscaling()
        .describe_scaling_policies()
        .service_namespace(namespace())
        .scalable_dimension(dimension())
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let Some(policies) = read_namespace(clients, &aas::DESCRIBE_SCALING_POLICIES, policies).await?
    else {
        return Ok(found);
    };
    for p in &policies {
        let Some(config) = p.target_tracking_scaling_policy_configuration() else {
            continue;
        };
        let cpu = config
            .predefined_metric_specification()
            .is_some_and(|m| m.predefined_metric_type().as_str() == CPU_METRIC);
        if let (true, Some(s)) = (cpu, found.get_mut(p.resource_id())) {
            s.cpu_target = Some(config.target_value());
        }
    }
    Ok(found)
}

fn policy_json(target: f64) -> String {
    format!(
        "{{\"TargetValue\":{target},\"PredefinedMetricSpecification\":{{\"PredefinedMetricType\":\"{CPU_METRIC}\"}},\"ScaleOutCooldown\":{SCALE_OUT_COOLDOWN},\"ScaleInCooldown\":{SCALE_IN_COOLDOWN}}}"
    )
}

pub fn put_cpu_policy_call<'a>(
    clients: &'a AwsClients,
    cluster: &str,
    service: &str,
    target: f64,
) -> Call<'a> {
    let id = resource_id(cluster, service);
    clients
        .call(&aas::PUT_SCALING_POLICY, &id)
        .opt("--service-namespace", NAMESPACE)
        .opt("--resource-id", &id)
        .opt("--scalable-dimension", DIMENSION)
        .opt("--policy-name", cpu_policy_name(service))
        .opt("--policy-type", "TargetTrackingScaling")
        .opt(
            "--target-tracking-scaling-policy-configuration",
            policy_json(target),
        )
}

/// Creates or replaces Berth's target-tracking policy on the service's average CPU.
pub async fn put_cpu_policy(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    target: f64,
) -> Result<()> {
    let metric = built(
        PredefinedMetricSpecification::builder()
            .predefined_metric_type(MetricType::EcsServiceAverageCpuUtilization)
            .build(),
    )?;
    let config = built(
        TargetTrackingScalingPolicyConfiguration::builder()
            .target_value(target)
            .predefined_metric_specification(metric)
            .scale_out_cooldown(SCALE_OUT_COOLDOWN)
            .scale_in_cooldown(SCALE_IN_COOLDOWN)
            .build(),
    )?;
    let request = clients
        .autoscaling()
        .put_scaling_policy()
        .policy_name(cpu_policy_name(service))
        .service_namespace(namespace())
        .resource_id(resource_id(cluster, service))
        .scalable_dimension(dimension())
        .policy_type(PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(config)
        .send();
    put_cpu_policy_call(clients, cluster, service, target)
        .send(request, |_| Ok(()))
        .await
}

pub fn deregister_target_call<'a>(
    clients: &'a AwsClients,
    cluster: &str,
    service: &str,
) -> Call<'a> {
    let id = resource_id(cluster, service);
    clients
        .call(&aas::DEREGISTER_SCALABLE_TARGET, &id)
        .opt("--service-namespace", NAMESPACE)
        .opt("--resource-id", &id)
        .opt("--scalable-dimension", DIMENSION)
}

/// Deregisters the service's scalable target, which deletes its scaling policies too. A target
/// that is not there (any more) is not an error.
pub async fn deregister_target(clients: &AwsClients, cluster: &str, service: &str) -> Result<()> {
    let request = clients
        .autoscaling()
        .deregister_scalable_target()
        .service_namespace(namespace())
        .resource_id(resource_id(cluster, service))
        .scalable_dimension(dimension())
        .send();
    deregister_target_call(clients, cluster, service)
        .send_found(request, |_| Ok(()))
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_json_is_what_the_cli_takes() {
        let v: serde_json::Value = serde_json::from_str(&policy_json(60.0)).unwrap();
        assert_eq!(v["TargetValue"], 60.0);
        assert_eq!(
            v["PredefinedMetricSpecification"]["PredefinedMetricType"],
            CPU_METRIC
        );
        assert_eq!(v["ScaleInCooldown"], SCALE_IN_COOLDOWN);
        assert_eq!(resource_id("berth", "web"), "service/berth/web");
    }
}
