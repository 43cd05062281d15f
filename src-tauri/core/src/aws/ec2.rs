//! EC2, for networking only: VPCs, subnets and their routes, security groups, and the public
//! addresses of tasks' network interfaces. Each `…_call` function is the call a plan shows;
//! the function of the same name without `_call` sends it.

use super::call::Call;
use super::catalogue::ec2;
use super::AwsClients;
use crate::error::Result;
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, ResourceType, Tag, TagSpecification};
use std::collections::HashMap;

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

fn plain_tags(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn name_tag(tags: &[Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value().map(str::to_owned))
}

/// A VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vpc {
    pub id: String,
    pub cidr: String,
    pub is_default: bool,
    /// Its `Name` tag, if it has one.
    pub name: Option<String>,
}

/// Every VPC of the region, the default one first.
pub async fn describe_vpcs(clients: &AwsClients) -> Result<Vec<Vpc>> {
    let request = clients
        .ec2()
        .describe_vpcs()
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let found = clients
        .call(&ec2::DESCRIBE_VPCS, "")
        .send(request, Ok)
        .await?;
    let mut vpcs: Vec<Vpc> = found
        .iter()
        .filter_map(|v| {
            Some(Vpc {
                id: v.vpc_id()?.to_owned(),
                cidr: v.cidr_block().unwrap_or_default().to_owned(),
                is_default: v.is_default().unwrap_or(false),
                name: name_tag(v.tags()),
            })
        })
        .collect();
    vpcs.sort_by(|a, b| b.is_default.cmp(&a.is_default).then(a.id.cmp(&b.id)));
    Ok(vpcs)
}

/// A subnet, with whether tasks in it can reach the internet through a public IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub availability_zone: String,
    /// The zone's id (`use1-az3`): the same zone in every account, unlike its name.
    pub availability_zone_id: String,
    pub cidr: String,
    pub default_for_az: bool,
    pub name: Option<String>,
    /// Its route table sends 0.0.0.0/0 to an internet gateway.
    pub internet_route: bool,
}

/// The subnets of `vpc_id`, by availability zone.
pub async fn describe_subnets(clients: &AwsClients, vpc_id: &str) -> Result<Vec<Subnet>> {
    let request = clients
        .ec2()
        .describe_subnets()
        .filters(filter("vpc-id", vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let found = clients
        .call(&ec2::DESCRIBE_SUBNETS, vpc_id)
        .opt("--filters", format!("Name=vpc-id,Values={vpc_id}"))
        .send(request, Ok)
        .await?;
    let routes = internet_routes(clients, vpc_id).await?;
    let mut subnets: Vec<Subnet> = found
        .iter()
        .filter_map(|s| {
            let id = s.subnet_id()?.to_owned();
            Some(Subnet {
                internet_route: routes.reaches_internet(&id),
                id,
                vpc_id: vpc_id.to_owned(),
                availability_zone: s.availability_zone().unwrap_or_default().to_owned(),
                availability_zone_id: s.availability_zone_id().unwrap_or_default().to_owned(),
                cidr: s.cidr_block().unwrap_or_default().to_owned(),
                default_for_az: s.default_for_az().unwrap_or(false),
                name: name_tag(s.tags()),
            })
        })
        .collect();
    subnets.sort_by(|a, b| {
        a.availability_zone
            .cmp(&b.availability_zone)
            .then(a.id.cmp(&b.id))
    });
    Ok(subnets)
}

/// Which route tables of a VPC send 0.0.0.0/0 to an internet gateway, and which subnets use them.
struct InternetRoutes {
    main_has_route: bool,
    /// Subnets with their own route table: whether that table has the route.
    explicit: Vec<(String, bool)>,
}

impl InternetRoutes {
    fn reaches_internet(&self, subnet: &str) -> bool {
        self.explicit
            .iter()
            .find(|(id, _)| id == subnet)
            .map(|(_, has)| *has)
            .unwrap_or(self.main_has_route)
    }
}

async fn internet_routes(clients: &AwsClients, vpc_id: &str) -> Result<InternetRoutes> {
    let request = clients
        .ec2()
        .describe_route_tables()
        .filters(filter("vpc-id", vpc_id))
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let tables = clients
        .call(&ec2::DESCRIBE_ROUTE_TABLES, vpc_id)
        .opt("--filters", format!("Name=vpc-id,Values={vpc_id}"))
        .send(request, Ok)
        .await?;
    let mut routes = InternetRoutes {
        main_has_route: false,
        explicit: Vec::new(),
    };
    for table in &tables {
        let has = table.routes().iter().any(|r| {
            r.destination_cidr_block() == Some("0.0.0.0/0")
                && r.gateway_id().is_some_and(|g| g.starts_with("igw-"))
        });
        for assoc in table.associations() {
            if assoc.main() == Some(true) {
                routes.main_has_route = has;
            } else if let Some(subnet) = assoc.subnet_id() {
                routes.explicit.push((subnet.to_owned(), has));
            }
        }
    }
    Ok(routes)
}

/// One inbound rule: TCP `port` from `cidr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngressRule {
    pub port: u16,
    pub cidr: String,
}

/// A security group as Berth sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    pub tags: Vec<(String, String)>,
    /// Its inbound TCP rules from IPv4 ranges, one per port and range.
    pub ingress: Vec<IngressRule>,
}

/// The security group called `name` in `vpc_id`.
pub async fn find_security_group(
    clients: &AwsClients,
    vpc_id: &str,
    name: &str,
) -> Result<Option<SecurityGroup>> {
    Ok(security_groups_named(clients, Some(vpc_id), name)
        .await?
        .into_iter()
        .next())
}

/// The security groups called `name`, in `vpc_id` or in every VPC of the region.
pub async fn security_groups_named(
    clients: &AwsClients,
    vpc_id: Option<&str>,
    name: &str,
) -> Result<Vec<SecurityGroup>> {
    let mut request = clients
        .ec2()
        .describe_security_groups()
        .filters(filter("group-name", name));
    let mut call = clients.call(&ec2::DESCRIBE_SECURITY_GROUPS, name);
    call = match vpc_id {
        Some(vpc_id) => {
            request = request.filters(filter("vpc-id", vpc_id));
            call.list(
                "--filters",
                [
                    format!("Name=group-name,Values={name}"),
                    format!("Name=vpc-id,Values={vpc_id}"),
                ],
            )
        }
        None => call.opt("--filters", format!("Name=group-name,Values={name}")),
    };
    let request = request.into_paginator().items().send().try_collect();
    let groups = call.send(request, Ok).await?;
    Ok(groups
        .iter()
        .filter(|g| g.group_name() == Some(name))
        .map(|g| SecurityGroup {
            id: g.group_id().unwrap_or_default().to_owned(),
            name: name.to_owned(),
            vpc_id: g.vpc_id().unwrap_or_default().to_owned(),
            tags: plain_tags(g.tags()),
            ingress: g
                .ip_permissions()
                .iter()
                .filter(|p| p.ip_protocol() == Some("tcp"))
                .flat_map(|p| {
                    let (from, to) = (p.from_port(), p.to_port());
                    p.ip_ranges().iter().filter_map(move |r| {
                        let port = u16::try_from(from?).ok()?;
                        (from == to).then(|| IngressRule {
                            port,
                            cidr: r.cidr_ip().unwrap_or_default().to_owned(),
                        })
                    })
                })
                .collect(),
        })
        .collect())
}

pub fn create_security_group_call<'a>(
    clients: &'a AwsClients,
    vpc_id: &str,
    name: &str,
    description: &str,
    tags: &[(String, String)],
) -> Call<'a> {
    clients
        .call(&ec2::CREATE_SECURITY_GROUP, name)
        .opt("--group-name", name)
        .opt("--description", description)
        .opt("--vpc-id", vpc_id)
        .tags(tags)
}

/// Creates a security group (with AWS's default rule letting everything out); returns its id.
pub async fn create_security_group(
    clients: &AwsClients,
    vpc_id: &str,
    name: &str,
    description: &str,
    tags: &[(String, String)],
) -> Result<String> {
    let spec = TagSpecification::builder()
        .resource_type(ResourceType::SecurityGroup)
        .set_tags(Some(
            tags.iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect(),
        ))
        .build();
    let request = clients
        .ec2()
        .create_security_group()
        .vpc_id(vpc_id)
        .group_name(name)
        .description(description)
        .tag_specifications(spec)
        .send();
    create_security_group_call(clients, vpc_id, name, description, tags)
        .send(request, |out| {
            Ok(out.group_id().unwrap_or_default().to_owned())
        })
        .await
}

pub fn authorize_ingress_call<'a>(
    clients: &'a AwsClients,
    group_id: &str,
    rule: &IngressRule,
) -> Call<'a> {
    clients
        .call(&ec2::AUTHORIZE_SECURITY_GROUP_INGRESS, group_id)
        .opt("--group-id", group_id)
        .opt("--protocol", "tcp")
        .opt("--port", rule.port.to_string())
        .opt("--cidr", &rule.cidr)
}

/// Opens TCP `rule.port` to `rule.cidr`.
pub async fn authorize_ingress(
    clients: &AwsClients,
    group_id: &str,
    rule: &IngressRule,
    description: &str,
) -> Result<()> {
    let permission = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(i32::from(rule.port))
        .to_port(i32::from(rule.port))
        .ip_ranges(
            IpRange::builder()
                .cidr_ip(&rule.cidr)
                .description(description)
                .build(),
        )
        .build();
    let request = clients
        .ec2()
        .authorize_security_group_ingress()
        .group_id(group_id)
        .ip_permissions(permission)
        .send();
    authorize_ingress_call(clients, group_id, rule)
        .send(request, |_| Ok(()))
        .await
}

pub fn revoke_ingress_call<'a>(
    clients: &'a AwsClients,
    group_id: &str,
    rule: &IngressRule,
) -> Call<'a> {
    clients
        .call(&ec2::REVOKE_SECURITY_GROUP_INGRESS, group_id)
        .opt("--group-id", group_id)
        .opt("--protocol", "tcp")
        .opt("--port", rule.port.to_string())
        .opt("--cidr", &rule.cidr)
}

/// Closes TCP `rule.port` from `rule.cidr`.
pub async fn revoke_ingress(
    clients: &AwsClients,
    group_id: &str,
    rule: &IngressRule,
) -> Result<()> {
    let permission = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(i32::from(rule.port))
        .to_port(i32::from(rule.port))
        .ip_ranges(IpRange::builder().cidr_ip(&rule.cidr).build())
        .build();
    let request = clients
        .ec2()
        .revoke_security_group_ingress()
        .group_id(group_id)
        .ip_permissions(permission)
        .send();
    revoke_ingress_call(clients, group_id, rule)
        .send(request, |_| Ok(()))
        .await
}

pub fn delete_security_group_call<'a>(clients: &'a AwsClients, group_id: &str) -> Call<'a> {
    clients
        .call(&ec2::DELETE_SECURITY_GROUP, group_id)
        .opt("--group-id", group_id)
}

/// Deletes a security group. While its network interfaces are still in use — AWS releases a
/// stopped task's interface a minute or two after the task stops, and answers
/// `DependencyViolation` until then — `wait` is asked whether to try again (it sleeps first, and
/// answers false to give up). A group that is gone already counts as deleted.
pub async fn delete_security_group<W>(
    clients: &AwsClients,
    group_id: &str,
    mut wait: impl FnMut() -> W,
) -> Result<()>
where
    W: std::future::Future<Output = Result<bool>>,
{
    let found = delete_security_group_call(clients, group_id)
        .send_retrying(
            || {
                clients
                    .ec2()
                    .delete_security_group()
                    .group_id(group_id)
                    .send()
            },
            |_| Ok(()),
            |err| {
                let in_use = err.param("code") == Some("DependencyViolation");
                let next = in_use.then(&mut wait);
                async move {
                    match next {
                        Some(waited) => waited.await,
                        None => Ok(false),
                    }
                }
            },
        )
        .await;
    match found {
        Err(e) if e.kind == crate::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Most values one EC2 filter accepts. A filter (unlike `NetworkInterfaceIds`) does not fail the
/// whole call when one interface is already gone with its stopped task.
pub const INTERFACES_BATCH: usize = 200;

/// The public IPv4 address of each network interface in `ids` that has one (a Fargate task's
/// public address lives on its interface; ECS only names the interface).
pub async fn public_ips(clients: &AwsClients, ids: &[String]) -> Result<HashMap<String, String>> {
    let mut found = HashMap::new();
    for batch in ids.chunks(INTERFACES_BATCH) {
        let filter = Filter::builder()
            .name("network-interface-id")
            .set_values(Some(batch.to_vec()))
            .build();
        let request = clients
            .ec2()
            .describe_network_interfaces()
            .filters(filter)
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let interfaces = clients
            .call(&ec2::DESCRIBE_NETWORK_INTERFACES, batch.join(","))
            .opt(
                "--filters",
                format!("Name=network-interface-id,Values={}", batch.join(",")),
            )
            .send(request, Ok)
            .await?;
        for eni in interfaces {
            if let (Some(id), Some(ip)) = (
                eni.network_interface_id(),
                eni.association().and_then(|a| a.public_ip()),
            ) {
                found.insert(id.to_owned(), ip.to_owned());
            }
        }
    }
    Ok(found)
}

/// The public IPv4 address of one network interface, once AWS has given it one.
pub async fn public_ip(clients: &AwsClients, eni: &str) -> Result<Option<String>> {
    Ok(public_ips(clients, &[eni.to_owned()]).await?.remove(eni))
}
