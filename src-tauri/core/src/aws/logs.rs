//! CloudWatch Logs: the log group a task writes to (awslogs driver), and its last lines.

use super::{errors, AwsClients};
use crate::error::Result;

/// A log group as Berth sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    pub name: String,
    /// Without the `:*` suffix, as ListTagsForResource takes it.
    pub arn: String,
    /// `None`: kept forever.
    pub retention_days: Option<i32>,
    pub tags: Vec<(String, String)>,
}

/// The log group called exactly `name`, with its tags.
pub async fn find_log_group(clients: &AwsClients, name: &str) -> Result<Option<LogGroup>> {
    let out = clients
        .logs()
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "logs:DescribeLogGroups"))?;
    let Some(group) = out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name))
    else {
        return Ok(None);
    };
    let arn = group
        .log_group_arn()
        .map(str::to_owned)
        .or_else(|| group.arn().map(|a| a.trim_end_matches(":*").to_owned()))
        .unwrap_or_default();
    let tags = clients
        .logs()
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "logs:ListTagsForResource"))?;
    let mut tags: Vec<(String, String)> = tags
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(Some(LogGroup {
        name: name.to_owned(),
        arn,
        retention_days: group.retention_in_days(),
        tags,
    }))
}

pub async fn create_log_group(
    clients: &AwsClients,
    name: &str,
    tags: &[(String, String)],
) -> Result<()> {
    clients
        .logs()
        .create_log_group()
        .log_group_name(name)
        .set_tags(Some(tags.iter().cloned().collect()))
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "logs:CreateLogGroup"))?;
    Ok(())
}

pub async fn put_retention(clients: &AwsClients, name: &str, days: i32) -> Result<()> {
    clients
        .logs()
        .put_retention_policy()
        .log_group_name(name)
        .retention_in_days(days)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "logs:PutRetentionPolicy"))?;
    Ok(())
}

pub async fn delete_log_group(clients: &AwsClients, name: &str) -> Result<()> {
    clients
        .logs()
        .delete_log_group()
        .log_group_name(name)
        .send()
        .await
        .map_err(|e| errors::from_sdk(e, "logs:DeleteLogGroup"))?;
    Ok(())
}

/// The last `limit` lines of a log stream, oldest first; none when the stream does not exist
/// (the container never started, so it never wrote).
pub async fn last_lines(
    clients: &AwsClients,
    group: &str,
    stream: &str,
    limit: i32,
) -> Result<Vec<String>> {
    let result = clients
        .logs()
        .get_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .start_from_head(false)
        .limit(limit)
        .send()
        .await;
    match result {
        Ok(out) => Ok(out
            .events()
            .iter()
            .filter_map(|e| e.message().map(|m| m.trim_end().to_owned()))
            .collect()),
        Err(e) => {
            let err = errors::from_sdk(e, "logs:GetLogEvents");
            if err.kind == crate::ErrorKind::NotFound {
                Ok(Vec::new())
            } else {
                Err(err)
            }
        }
    }
}
