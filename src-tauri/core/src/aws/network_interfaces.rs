//! EC2 network interfaces, read side: a Fargate task's public address lives on its network
//! interface (ECS only names the interface), so the dashboard looks the interfaces up in batches.

use super::{errors, AwsClients};
use crate::error::Result;
use aws_sdk_ec2::types::Filter;
use std::collections::HashMap;

/// Most values one EC2 filter accepts. A filter (unlike `NetworkInterfaceIds`) does not fail the
/// whole call when one interface is already gone with its stopped task.
pub const INTERFACES_BATCH: usize = 200;

/// The public IPv4 address of each interface in `ids` that has one.
pub async fn public_ips(clients: &AwsClients, ids: &[String]) -> Result<HashMap<String, String>> {
    let ec2 = clients.ec2();
    let mut found = HashMap::new();
    for batch in ids.chunks(INTERFACES_BATCH) {
        let filter = Filter::builder()
            .name("network-interface-id")
            .set_values(Some(batch.to_vec()))
            .build();
        let mut token = None;
        loop {
            let out = ec2
                .describe_network_interfaces()
                .filters(filter.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "ec2:DescribeNetworkInterfaces"))?;
            for eni in out.network_interfaces() {
                if let (Some(id), Some(ip)) = (
                    eni.network_interface_id(),
                    eni.association().and_then(|a| a.public_ip()),
                ) {
                    found.insert(id.to_owned(), ip.to_owned());
                }
            }
            token = out.next_token;
            if token.is_none() {
                break;
            }
        }
    }
    Ok(found)
}
