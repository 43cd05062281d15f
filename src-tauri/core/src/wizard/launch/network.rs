//! Networking with sensible defaults: the region's default VPC and its default subnets (which are
//! public), or — in a region without a default VPC — a VPC and subnets the user picks. Also finds
//! the user's own public address for a "my IP only" rule.

use super::NetworkChoice;
use crate::aws::ec2::{self, Subnet, Vpc};
use crate::aws::{regions, AwsClients};
use crate::error::{BerthError, ErrorKind, Result};
use crate::fargate::Architecture;
use serde::Serialize;
use ts_rs::TS;

/// A subnet as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SubnetInfo {
    pub id: String,
    pub availability_zone: String,
    pub availability_zone_id: String,
    pub cidr: String,
    pub name: Option<String>,
    /// A default subnet (public by AWS's design).
    pub default_for_az: bool,
    /// Fargate runs x86 tasks in its Availability Zone (docs/region-data.md).
    pub fargate: bool,
    /// Fargate runs ARM64 tasks in its Availability Zone.
    pub fargate_arm: bool,
    /// Tasks here with a public IP can reach ECR: the subnet routes to an internet gateway (or is
    /// a default subnet).
    pub public: bool,
}

/// A VPC as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VpcInfo {
    pub id: String,
    pub cidr: String,
    pub name: Option<String>,
    pub is_default: bool,
    pub subnets: Vec<SubnetInfo>,
}

/// The region's networks, for the Launch page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NetworkOverview {
    pub region: String,
    /// The default VPC's id, when the region has one.
    pub default_vpc: Option<String>,
    /// Every VPC, the default one first, with its subnets.
    pub vpcs: Vec<VpcInfo>,
}

/// Only the default VPC has default subnets (moto marks the first subnet of each zone of any VPC
/// as one, so the flag is not trusted elsewhere).
fn subnet_info(region: &str, s: Subnet, in_default_vpc: bool) -> SubnetInfo {
    let default_for_az = s.default_for_az && in_default_vpc;
    SubnetInfo {
        public: s.internet_route || default_for_az,
        fargate: regions::fargate_runs_in(region, &s.availability_zone_id, false),
        fargate_arm: regions::fargate_runs_in(region, &s.availability_zone_id, true),
        id: s.id,
        availability_zone: s.availability_zone,
        availability_zone_id: s.availability_zone_id,
        cidr: s.cidr,
        name: s.name,
        default_for_az,
    }
}

/// Reads the region's VPCs and subnets.
pub async fn overview(clients: &AwsClients) -> Result<NetworkOverview> {
    let vpcs = ec2::describe_vpcs(clients).await?;
    let mut out = Vec::with_capacity(vpcs.len());
    for Vpc {
        id,
        cidr,
        is_default,
        name,
    } in vpcs
    {
        let subnets = ec2::describe_subnets(clients, &id)
            .await?
            .into_iter()
            .map(|s| subnet_info(clients.region(), s, is_default))
            .collect();
        out.push(VpcInfo {
            id,
            cidr,
            name,
            is_default,
            subnets,
        });
    }
    Ok(NetworkOverview {
        region: clients.region().to_owned(),
        default_vpc: out.iter().find(|v| v.is_default).map(|v| v.id.clone()),
        vpcs: out,
    })
}

/// The concrete VPC and subnets a launch uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedNetwork {
    pub vpc_id: String,
    pub subnets: Vec<SubnetInfo>,
}

impl ResolvedNetwork {
    /// Sorted, so two launches over the same subnets compare equal.
    pub fn subnet_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.subnets.iter().map(|s| s.id.clone()).collect();
        ids.sort();
        ids
    }

    /// Subnets from which a task cannot reach the internet (so cannot pull from ECR).
    pub fn private_subnets(&self) -> Vec<String> {
        self.subnets
            .iter()
            .filter(|s| !s.public)
            .map(|s| s.id.clone())
            .collect()
    }
}

/// Turns the user's choice into a VPC and subnets: the default VPC and its default subnets unless
/// they picked others. A region without a default VPC needs a pick (`noDefaultVpc`); a picked
/// subnet that is not in the VPC is refused. Subnets in an Availability Zone where Fargate does not
/// run tasks of `architecture` are left out of the defaults and refused when picked (a task placed
/// there would fail).
pub async fn resolve(
    clients: &AwsClients,
    choice: &NetworkChoice,
    architecture: Architecture,
) -> Result<ResolvedNetwork> {
    let arm = architecture == Architecture::Arm64;
    let runs = |s: &SubnetInfo| if arm { s.fargate_arm } else { s.fargate };
    let vpcs = ec2::describe_vpcs(clients).await?;
    let vpc = match &choice.vpc_id {
        Some(id) => vpcs.iter().find(|v| &v.id == id).ok_or_else(|| {
            BerthError::new(ErrorKind::NotFound)
                .with("resource", "VPC")
                .with("name", id)
        })?,
        None => vpcs
            .iter()
            .find(|v| v.is_default)
            .ok_or_else(|| BerthError::invalid("vpc", "noDefaultVpc"))?,
    };
    let all: Vec<SubnetInfo> = ec2::describe_subnets(clients, &vpc.id)
        .await?
        .into_iter()
        .map(|s| subnet_info(clients.region(), s, vpc.is_default))
        .collect();
    let subnets: Vec<SubnetInfo> = if choice.subnet_ids.is_empty() {
        all.into_iter()
            .filter(|s| s.default_for_az && runs(s))
            .collect()
    } else {
        let mut picked = Vec::new();
        for id in &choice.subnet_ids {
            let subnet = all
                .iter()
                .find(|s| &s.id == id)
                .ok_or_else(|| BerthError::invalid("subnets", "notInVpc").with("subnet", id))?;
            if !runs(subnet) {
                return Err(BerthError::invalid("subnets", "noFargate")
                    .with("subnet", id)
                    .with("zone", &subnet.availability_zone));
            }
            picked.push(subnet.clone());
        }
        picked
    };
    if subnets.is_empty() {
        return Err(BerthError::invalid("subnets", "required"));
    }
    Ok(ResolvedNetwork {
        vpc_id: vpc.id.clone(),
        subnets,
    })
}

/// Where Berth asks for the caller's public address: AWS's own service, so no third party learns
/// anything. Only called outside practice mode, when the user asks for "my IP only".
const CHECK_IP_URL: &str = "https://checkip.amazonaws.com/";

/// The user's public IPv4 address as the internet sees it, as a `/32` range.
pub async fn my_ip_cidr() -> Result<String> {
    use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use std::time::Duration;

    let unreachable =
        |e: &dyn std::fmt::Display| BerthError::new(ErrorKind::AwsEndpointUnreachable).details(e);
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(5))
        .build();
    let connector = aws_smithy_http_client::default_connector(
        &settings,
        aws_smithy_async::rt::sleep::default_async_sleep(),
    )
    .ok_or_else(|| BerthError::internal("no HTTPS client"))?;
    let request = HttpRequest::get(CHECK_IP_URL).map_err(BerthError::internal)?;
    let response = connector
        .call(request)
        .await
        .map_err(|e| unreachable(&aws_smithy_types::error::display::DisplayErrorContext(e)))?;
    let status = response.status().as_u16();
    let body = aws_smithy_types::byte_stream::ByteStream::new(response.into_body())
        .collect()
        .await
        .map_err(|e| unreachable(&e))?
        .into_bytes();
    let text = String::from_utf8_lossy(&body);
    parse_check_ip(status, &text)
}

fn parse_check_ip(status: u16, body: &str) -> Result<String> {
    let address: std::net::Ipv4Addr = body
        .trim()
        .parse()
        .ok()
        .filter(|_| status == 200)
        .ok_or_else(|| {
            BerthError::internal(format!("{CHECK_IP_URL} answered {status}: {}", body.trim()))
        })?;
    Ok(format!("{address}/32"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_service_answer_becomes_a_single_address_range() {
        assert_eq!(
            parse_check_ip(200, "203.0.113.7\n").unwrap(),
            "203.0.113.7/32"
        );
        assert!(parse_check_ip(200, "<html>").is_err());
        assert!(parse_check_ip(503, "203.0.113.7").is_err());
    }
}
