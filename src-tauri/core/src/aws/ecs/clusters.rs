//! ECS clusters.

use super::{ecs_tags, plain_tags, LIST_PAGE_SIZE};
use crate::aws::call::Call;
use crate::aws::catalogue::ecs;
use crate::aws::AwsClients;
use crate::error::Result;
use aws_sdk_ecs::types::ClusterField;

/// A cluster as Berth sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    /// `ACTIVE`, `INACTIVE` (deleted), `PROVISIONING`…
    pub status: String,
    pub tags: Vec<(String, String)>,
    pub active_services: i32,
    pub running_tasks: i32,
    pub pending_tasks: i32,
}

/// The cluster called `name`, unless there is none or it was deleted.
pub async fn describe_cluster(clients: &AwsClients, name: &str) -> Result<Option<Cluster>> {
    let request = clients
        .ecs()
        .describe_clusters()
        .clusters(name)
        .include(ClusterField::Tags)
        .send();
    clients
        .call(&ecs::DESCRIBE_CLUSTERS, name)
        .opt("--clusters", name)
        .opt("--include", "TAGS")
        .send(request, |out| {
            Ok(out
                .clusters()
                .iter()
                .find(|c| c.status() != Some("INACTIVE"))
                .map(|c| Cluster {
                    name: c.cluster_name().unwrap_or(name).to_owned(),
                    arn: c.cluster_arn().unwrap_or_default().to_owned(),
                    status: c.status().unwrap_or_default().to_owned(),
                    tags: plain_tags(c.tags()),
                    active_services: c.active_services_count(),
                    running_tasks: c.running_tasks_count(),
                    pending_tasks: c.pending_tasks_count(),
                }))
        })
        .await
}

/// Every cluster ARN in the region.
pub async fn list_clusters(clients: &AwsClients) -> Result<Vec<String>> {
    let request = clients
        .ecs()
        .list_clusters()
        .into_paginator()
        .page_size(LIST_PAGE_SIZE)
        .items()
        .send()
        .try_collect();
    clients
        .call(&ecs::LIST_CLUSTERS, "")
        .send(request, Ok)
        .await
}

/// Of `arns`, the clusters that are not deleted: ListClusters still lists a deleted (INACTIVE)
/// cluster for a while ("Clusters with an INACTIVE status might remain discoverable in your
/// account for a period of time", DeleteCluster reference). DescribeClusters takes up to 100.
pub async fn active_clusters(clients: &AwsClients, arns: &[String]) -> Result<Vec<String>> {
    let mut active = Vec::with_capacity(arns.len());
    for chunk in arns.chunks(100) {
        let request = clients
            .ecs()
            .describe_clusters()
            .set_clusters(Some(chunk.to_vec()))
            .send();
        let found = clients
            .call(&ecs::DESCRIBE_CLUSTERS, "")
            .list("--clusters", chunk)
            .send(request, |out| {
                Ok(out
                    .clusters()
                    .iter()
                    .filter(|c| c.status() != Some("INACTIVE"))
                    .filter_map(|c| c.cluster_arn().map(str::to_owned))
                    .collect::<Vec<_>>())
            })
            .await?;
        // In the listed order, so the view does not reshuffle.
        active.extend(chunk.iter().filter(|a| found.contains(a)).cloned());
    }
    Ok(active)
}

pub fn create_cluster_call<'a>(
    clients: &'a AwsClients,
    name: &str,
    tags: &[(String, String)],
) -> Call<'a> {
    clients
        .call(&ecs::CREATE_CLUSTER, name)
        .opt("--cluster-name", name)
        .tags(tags)
}

/// Creates a cluster; answers its ARN.
pub async fn create_cluster(
    clients: &AwsClients,
    name: &str,
    tags: &[(String, String)],
) -> Result<String> {
    let request = clients
        .ecs()
        .create_cluster()
        .cluster_name(name)
        .set_tags(Some(ecs_tags(tags)))
        .send();
    create_cluster_call(clients, name, tags)
        .send(request, |out| {
            Ok(out
                .cluster()
                .and_then(|c| c.cluster_arn())
                .unwrap_or_default()
                .to_owned())
        })
        .await
}

pub fn delete_cluster_call<'a>(clients: &'a AwsClients, name: &str) -> Call<'a> {
    clients
        .call(&ecs::DELETE_CLUSTER, name)
        .opt("--cluster", name)
}

pub async fn delete_cluster(clients: &AwsClients, name: &str) -> Result<()> {
    let request = clients.ecs().delete_cluster().cluster(name).send();
    delete_cluster_call(clients, name)
        .send(request, |_| Ok(()))
        .await
}
