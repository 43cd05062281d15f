//! ECS: clusters, task definitions, services and tasks, in the plain shapes the Launch step and
//! the Deployments view need. Lists follow every page, describes go in the largest batches the
//! API takes, so an account with hundreds of services stays quick and far under ECS's rate
//! limits. Each `…_call` function is the call a plan shows; the function of the same name
//! without `_call` sends it.

mod clusters;
mod express;
mod facts;
mod services;
mod task_definitions;
mod tasks;

/// Which revisions `list_task_definitions` lists.
pub use aws_sdk_ecs::types::TaskDefinitionStatus;
pub use clusters::*;
pub use express::*;
pub use facts::*;
pub use services::*;
pub use task_definitions::*;
pub use tasks::*;

use crate::error::{BerthError, ErrorKind};
use aws_sdk_ecs::types::Tag;

/// Largest page ListClusters, ListServices and ListTasks return.
pub const LIST_PAGE_SIZE: i32 = 100;
/// Most services one DescribeServices call accepts.
pub const DESCRIBE_SERVICES_BATCH: usize = 10;
/// Most tasks one DescribeTasks call accepts.
pub const DESCRIBE_TASKS_BATCH: usize = 100;

/// Tags as ECS takes them.
fn ecs_tags(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
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

/// The last part of an ARN: a cluster's or service's name, a task's id.
pub fn name_from_arn(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Names the resource in a NotFound error (the UI's message says which).
fn about(err: BerthError, resource: &str, name: &str) -> BerthError {
    if err.kind == ErrorKind::NotFound {
        err.with("resource", resource).with("name", name)
    } else {
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_last_part_of_short_and_long_arns() {
        assert_eq!(
            name_from_arn("arn:aws:ecs:us-east-1:123456789012:cluster/web"),
            "web"
        );
        assert_eq!(
            name_from_arn("arn:aws:ecs:us-east-1:123456789012:service/web/api"),
            "api"
        );
        assert_eq!(
            name_from_arn("arn:aws:ecs:us-east-1:123456789012:task/web/0f1e2d"),
            "0f1e2d"
        );
        assert_eq!(name_from_arn("plain"), "plain");
    }
}
