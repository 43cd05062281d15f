//! What the Deployments tests build in the AWS backend: an account of their own (so listings see
//! only what the test made), a cluster, a task definition whose tasks really run (the stack's
//! busybox, sleeping), services (whose tasks the backend's scheduler starts) and one-off tasks,
//! and a TCP relay that counts the AWS API calls that really go over the wire.

use super::sdk;
pub use super::{clients_at, stack_var, REGION};
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, LaunchType,
    LogConfiguration, LogDriver, NetworkConfiguration, NetworkMode, Tag,
};
use berth_core::aws::{AwsClients, CredentialSource};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Credentials of a fresh account of the test's own: nothing any other test made is visible
/// there, so "list every cluster" lists only this test's. It has used ECS before (it has ECS's
/// service-linked role).
pub async fn isolated_account() -> CredentialSource {
    let (source, account) = super::isolated_credentials(REGION).await;
    super::give_ecs_linked_role(&account);
    source
}

/// The default VPC's subnets and default security group, as a Fargate launch uses them.
pub async fn network(clients: &AwsClients) -> NetworkConfiguration {
    let ec2 = sdk::ec2(clients);
    let subnets: Vec<String> = ec2
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets")
        .subnets()
        .iter()
        .filter_map(|s| s.subnet_id().map(str::to_owned))
        .take(2)
        .collect();
    let group = ec2
        .describe_security_groups()
        .send()
        .await
        .expect("DescribeSecurityGroups")
        .security_groups()
        .iter()
        .find(|g| g.group_name() == Some("default"))
        .and_then(|g| g.group_id().map(str::to_owned))
        .expect("a default security group");
    NetworkConfiguration::builder()
        .awsvpc_configuration(
            AwsVpcConfiguration::builder()
                .set_subnets(Some(subnets))
                .security_groups(group)
                .assign_public_ip(AssignPublicIp::Enabled)
                .build()
                .unwrap(),
        )
        .build()
}

pub async fn create_cluster(clients: &AwsClients, name: &str) -> String {
    sdk::ecs(clients)
        .create_cluster()
        .cluster_name(name)
        .send()
        .await
        .expect("CreateCluster")
        .cluster
        .and_then(|c| c.cluster_arn)
        .expect("cluster arn")
}

/// A Fargate task definition of 0.25 vCPU / 512 MiB whose container (`app`) runs the stack's
/// busybox until it is stopped, logging to `log_group` with prefix `ecs`.
pub async fn register_definition(clients: &AwsClients, family: &str, log_group: &str) -> String {
    let image = stack_var("BERTH_TEST_IMAGE");
    register_definition_of(clients, family, &image, &["sleep", "3600"], log_group).await
}

/// A Fargate task definition of 0.25 vCPU / 512 MiB running `image` with `command`, logging to
/// `log_group` (made if missing, as a task cannot start without it) with prefix `ecs`, with an
/// execution role (awslogs on Fargate needs one). IAM makes a new role usable only after a
/// while, and ECS refuses to be passed it until then: registering is tried again meanwhile.
pub async fn register_definition_of(
    clients: &AwsClients,
    family: &str,
    image: &str,
    command: &[&str],
    log_group: &str,
) -> String {
    let role = execution_role(clients).await;
    let made = sdk::logs(clients)
        .create_log_group()
        .log_group_name(log_group)
        .send()
        .await;
    if let Err(e) = made {
        let e = e.into_service_error();
        assert!(e.is_resource_already_exists_exception(), "{e:?}");
    }
    let log = LogConfiguration::builder()
        .log_driver(LogDriver::Awslogs)
        .options("awslogs-group", log_group)
        .options("awslogs-region", REGION)
        .options("awslogs-stream-prefix", "ecs")
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let answer = sdk::ecs(clients)
            .register_task_definition()
            .family(family)
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .execution_role_arn(&role)
            .container_definitions(
                ContainerDefinition::builder()
                    .name("app")
                    .image(image)
                    .set_command(Some(command.iter().map(|c| c.to_string()).collect()))
                    .essential(true)
                    .log_configuration(log.clone())
                    .build(),
            )
            .send()
            .await;
        match answer {
            Ok(out) => {
                return out
                    .task_definition
                    .and_then(|d| d.task_definition_arn)
                    .expect("task definition arn")
            }
            Err(e) => {
                let text = format!("{:?}", e.into_service_error());
                assert!(
                    text.contains("iam:PassRole")
                        && started.elapsed() < std::time::Duration::from_secs(60),
                    "RegisterTaskDefinition: {text}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        }
    }
}

/// The account's `ecsTaskExecutionRole` (trusting ECS tasks), made if missing; its ARN.
pub async fn execution_role(clients: &AwsClients) -> String {
    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let iam = sdk::iam(clients);
    if let Ok(found) = iam
        .get_role()
        .role_name("ecsTaskExecutionRole")
        .send()
        .await
    {
        return found.role().unwrap().arn().to_owned();
    }
    match iam
        .create_role()
        .role_name("ecsTaskExecutionRole")
        .assume_role_policy_document(TRUST)
        .send()
        .await
    {
        Ok(made) => made.role().unwrap().arn().to_owned(),
        // Made meanwhile by a concurrent call of the same test.
        Err(_) => iam
            .get_role()
            .role_name("ecsTaskExecutionRole")
            .send()
            .await
            .expect("GetRole")
            .role()
            .unwrap()
            .arn()
            .to_owned(),
    }
}

/// Polls until `done` holds for the account's Deployments snapshot (the backend's scheduler
/// starts and stops tasks over time); the last snapshot. Panics after a minute.
pub async fn snapshot_when(
    clients: &AwsClients,
    what: &str,
    done: impl Fn(&berth_core::dashboard::deployments::DeploymentsSnapshot) -> bool,
) -> berth_core::dashboard::deployments::DeploymentsSnapshot {
    use berth_core::dashboard::deployments::{take_snapshot, StatusCache};
    let started = std::time::Instant::now();
    loop {
        let snapshot = take_snapshot(clients, &StatusCache::default(), &[])
            .await
            .unwrap();
        if done(&snapshot) {
            return snapshot;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "never {what}: {snapshot:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

pub async fn create_service(
    clients: &AwsClients,
    cluster: &str,
    name: &str,
    definition: &str,
    desired: i32,
    net: &NetworkConfiguration,
) -> String {
    sdk::ecs(clients)
        .create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(definition)
        .desired_count(desired)
        .launch_type(LaunchType::Fargate)
        .network_configuration(net.clone())
        .tags(Tag::builder().key("berth:managed").value("true").build())
        .tags(Tag::builder().key("berth:app").value(name).build())
        .send()
        .await
        .expect("CreateService")
        .service
        .and_then(|s| s.service_arn)
        .expect("service arn")
}

/// Starts `count` tasks (at most 10 per RunTask, as ECS allows) in the group of `service` (as the
/// service scheduler would) or as one-off tasks; returns their ARNs.
pub async fn run_tasks(
    clients: &AwsClients,
    cluster: &str,
    definition: &str,
    service: Option<&str>,
    count: usize,
    net: &NetworkConfiguration,
) -> Vec<String> {
    let mut arns = Vec::with_capacity(count);
    let mut left = count;
    while left > 0 {
        let batch = left.min(10);
        let mut run = sdk::ecs(clients)
            .run_task()
            .cluster(cluster)
            .task_definition(definition)
            .launch_type(LaunchType::Fargate)
            .network_configuration(net.clone())
            .count(batch as i32);
        if let Some(service) = service {
            run = run.group(format!("service:{service}"));
        }
        let out = run.send().await.expect("RunTask");
        arns.extend(
            out.tasks()
                .iter()
                .filter_map(|t| t.task_arn().map(str::to_owned)),
        );
        left -= batch;
    }
    arns
}

/// Stops a task the way something outside Berth would (a crash, the console, a deployment).
pub async fn stop_elsewhere(clients: &AwsClients, cluster: &str, task: &str, reason: &str) {
    sdk::ecs(clients)
        .stop_task()
        .cluster(cluster)
        .task(task)
        .reason(reason)
        .send()
        .await
        .expect("StopTask");
}

/// A TCP relay in front of moto that counts each AWS operation passing through it: the JSON
/// protocols name it in the `X-Amz-Target` header, the query protocol (EC2) in `Action=`.
#[derive(Clone)]
pub struct CallCounter {
    pub url: String,
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl CallCounter {
    pub async fn start() -> CallCounter {
        let upstream = stack_var("BERTH_TEST_MOTO_URL");
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let seen = counts.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let up = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        let mut scan = Vec::new();
                        loop {
                            let n = match client_read.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            scan.extend_from_slice(&buf[..n]);
                            count_operations(&mut scan, &seen);
                            if server_write.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        let _ = server_write.shutdown().await;
                    };
                    let down = async {
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                        let _ = client_write.shutdown().await;
                    };
                    tokio::join!(up, down);
                });
            }
        });
        CallCounter { url, counts }
    }

    /// Calls per operation (lower case, e.g. `describeservices`) since the last reset.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.counts.lock().unwrap().clone()
    }

    pub fn reset(&self) {
        self.counts.lock().unwrap().clear();
    }
}

/// Counts the operations named in `scan` and drops what was read, keeping a possibly cut-off
/// marker for the next chunk.
fn count_operations(scan: &mut Vec<u8>, seen: &Mutex<BTreeMap<String, usize>>) {
    let text = String::from_utf8_lossy(scan).to_ascii_lowercase();
    let mut consumed = 0;
    loop {
        let rest = &text[consumed..];
        let header = rest
            .find("x-amz-target:")
            .map(|i| (i, "x-amz-target:", "\r\n"));
        let query = rest.find("action=").map(|i| (i, "action=", "&"));
        let next = match (header, query) {
            (Some(h), Some(q)) => Some(if h.0 < q.0 { h } else { q }),
            (h, q) => h.or(q),
        };
        let Some((at, marker, end)) = next else {
            // Keep a tail in case a marker is split across reads.
            consumed = text.len().saturating_sub(32);
            break;
        };
        let start = consumed + at + marker.len();
        let Some(len) = text[start..].find(end) else {
            consumed += at;
            break;
        };
        let value = text[start..start + len].trim();
        let op = value.rsplit('.').next().unwrap_or(value).to_owned();
        *seen.lock().unwrap().entry(op).or_default() += 1;
        consumed = start + len;
    }
    // `text` is ASCII-lowercased from a lossy copy: byte offsets match while the stream is ASCII,
    // which HTTP headers and query bodies are.
    let keep = consumed.min(scan.len());
    scan.drain(..keep);
}
