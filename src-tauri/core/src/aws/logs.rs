//! CloudWatch Logs: the log group a task writes to (awslogs driver), its last lines, and the
//! Deployments view's reading of one container's stream: newest first page, then older pages
//! ("load earlier") and newer ones (following it live), and a search with a filter pattern.

use super::call::Call;
use super::catalogue::logs;
use super::ecs::TaskDefinitionFacts;
use super::AwsClients;
use crate::error::{BerthError, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    let request = clients
        .logs()
        .describe_log_groups()
        .log_group_name_prefix(name)
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let groups = clients
        .call(&logs::DESCRIBE_LOG_GROUPS, name)
        .opt("--log-group-name-prefix", name)
        .send(request, Ok)
        .await?;
    let Some(group) = groups.iter().find(|g| g.log_group_name() == Some(name)) else {
        return Ok(None);
    };
    let arn = group
        .log_group_arn()
        .map(str::to_owned)
        .or_else(|| group.arn().map(|a| a.trim_end_matches(":*").to_owned()))
        .unwrap_or_default();
    let request = clients
        .logs()
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send();
    let mut tags: Vec<(String, String)> = clients
        .call(&logs::LIST_TAGS_FOR_RESOURCE, &arn)
        .opt("--resource-arn", &arn)
        .send(request, |out| {
            Ok(out
                .tags()
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default())
        })
        .await?;
    tags.sort();
    Ok(Some(LogGroup {
        name: name.to_owned(),
        arn,
        retention_days: group.retention_in_days(),
        tags,
    }))
}

pub fn create_log_group_call<'a>(
    clients: &'a AwsClients,
    name: &str,
    tags: &[(String, String)],
) -> Call<'a> {
    clients
        .call(&logs::CREATE_LOG_GROUP, name)
        .opt("--log-group-name", name)
        .tags(tags)
}

pub async fn create_log_group(
    clients: &AwsClients,
    name: &str,
    tags: &[(String, String)],
) -> Result<()> {
    let request = clients
        .logs()
        .create_log_group()
        .log_group_name(name)
        .set_tags(Some(tags.iter().cloned().collect()))
        .send();
    create_log_group_call(clients, name, tags)
        .send(request, |_| Ok(()))
        .await
}

pub fn put_retention_call<'a>(clients: &'a AwsClients, name: &str, days: i32) -> Call<'a> {
    clients
        .call(&logs::PUT_RETENTION_POLICY, name)
        .opt("--log-group-name", name)
        .opt("--retention-in-days", days.to_string())
}

pub async fn put_retention(clients: &AwsClients, name: &str, days: i32) -> Result<()> {
    let request = clients
        .logs()
        .put_retention_policy()
        .log_group_name(name)
        .retention_in_days(days)
        .send();
    put_retention_call(clients, name, days)
        .send(request, |_| Ok(()))
        .await
}

pub fn delete_log_group_call<'a>(clients: &'a AwsClients, name: &str) -> Call<'a> {
    clients
        .call(&logs::DELETE_LOG_GROUP, name)
        .opt("--log-group-name", name)
}

pub async fn delete_log_group(clients: &AwsClients, name: &str) -> Result<()> {
    let request = clients
        .logs()
        .delete_log_group()
        .log_group_name(name)
        .send();
    delete_log_group_call(clients, name)
        .send(request, |_| Ok(()))
        .await
}

/// The last `limit` lines of a log stream, oldest first; none when the stream does not exist
/// (the container never started, so it never wrote).
pub async fn last_lines(
    clients: &AwsClients,
    group: &str,
    stream: &str,
    limit: i32,
) -> Result<Vec<String>> {
    let request = clients
        .logs()
        .get_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .start_from_head(false)
        .limit(limit)
        .send();
    let lines = clients
        .call(&logs::GET_LOG_EVENTS, format!("{group}/{stream}"))
        .opt("--log-group-name", group)
        .opt("--log-stream-name", stream)
        .opt("--limit", limit.to_string())
        .arg("--no-start-from-head")
        .send_found(request, |out| {
            Ok(out
                .events()
                .iter()
                .filter_map(|e| e.message().map(|m| m.trim_end().to_owned()))
                .collect())
        })
        .await?;
    Ok(lines.unwrap_or_default())
}

/// Lines per page: enough to fill the viewer, small enough to stay quick.
pub const PAGE_LINES: i32 = 200;

/// Where one container of a task logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogStreamRef {
    pub container: String,
    pub group: String,
    /// `<awslogs-stream-prefix>/<container>/<task id>`.
    pub stream: String,
}

/// The log streams of a task's containers (those using the `awslogs` driver with a stream
/// prefix, as Fargate requires), essential containers first.
pub fn streams_of(def: &TaskDefinitionFacts, task_id: &str) -> Vec<LogStreamRef> {
    let mut containers: Vec<_> = def.containers.iter().collect();
    containers.sort_by_key(|c| !c.essential);
    containers
        .into_iter()
        .filter_map(|c| {
            let log = c.log.as_ref()?;
            let prefix = log.stream_prefix.as_deref()?;
            Some(LogStreamRef {
                container: c.name.clone(),
                group: log.group.clone(),
                stream: format!("{prefix}/{}/{task_id}", c.name),
            })
        })
        .collect()
}

/// One log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub at: u64,
    pub message: String,
}

/// A page of lines, oldest first, with the tokens to read on in either direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    pub lines: Vec<LogLine>,
    /// Reads the lines before this page ("load earlier").
    pub earlier: Option<String>,
    /// Reads the lines after this page (following the stream live). For a search: the next page
    /// of matches, if any.
    pub later: Option<String>,
}

/// What to read from a stream.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogRequest {
    pub group: String,
    pub stream: String,
    /// A token from an earlier page; none for the newest lines (or the first matches).
    pub token: Option<String>,
    /// Text to search for; none to read the stream as it is.
    pub search: Option<String>,
}

/// Reads a page of `request`.
pub async fn read(clients: &AwsClients, request: &LogRequest) -> Result<LogPage> {
    if request.group.trim().is_empty() {
        return Err(BerthError::invalid("logGroup", "required"));
    }
    match request.search.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => search(clients, request, text).await,
        _ => page(clients, request).await,
    }
}

async fn page(clients: &AwsClients, request: &LogRequest) -> Result<LogPage> {
    let sent = clients
        .logs()
        .get_log_events()
        .log_group_name(&request.group)
        .log_stream_name(&request.stream)
        .limit(PAGE_LINES)
        // Without a token: the newest lines. A token says where and which way to read on.
        .start_from_head(false)
        .set_next_token(request.token.clone())
        .send();
    let out = stream_call(clients, &logs::GET_LOG_EVENTS, request)
        .arg("--no-start-from-head")
        .send(sent, Ok)
        .await
        .map_err(|e| about_stream(e, request))?;
    let lines: Vec<LogLine> = out
        .events()
        .iter()
        .map(|e| LogLine {
            at: e.timestamp().unwrap_or_default().max(0) as u64,
            message: e.message().unwrap_or_default().trim_end().to_owned(),
        })
        .collect();
    // The newest page holds fewer lines than asked for only when the stream has no more; and
    // CloudWatch hands the same backward token back once there is nothing earlier.
    let whole_stream = request.token.is_none() && lines.len() < PAGE_LINES as usize;
    Ok(LogPage {
        earlier: out
            .next_backward_token
            .filter(|t| !whole_stream && Some(t) != request.token.as_ref()),
        later: out.next_forward_token,
        lines,
    })
}

/// A filter pattern that matches `text` literally (CloudWatch reads bare words as terms and
/// some characters as syntax).
pub fn literal_pattern(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

async fn search(clients: &AwsClients, request: &LogRequest, text: &str) -> Result<LogPage> {
    let sent = clients
        .logs()
        .filter_log_events()
        .log_group_name(&request.group)
        .log_stream_names(&request.stream)
        .filter_pattern(literal_pattern(text))
        .limit(PAGE_LINES)
        .set_next_token(request.token.clone())
        .send();
    let out = clients
        .call(
            &logs::FILTER_LOG_EVENTS,
            format!("{}/{}", request.group, request.stream),
        )
        .opt("--log-group-name", &request.group)
        .opt("--log-stream-names", &request.stream)
        .opt("--filter-pattern", literal_pattern(text))
        .send(sent, Ok)
        .await
        .map_err(|e| about_stream(e, request))?;
    let lines = out
        .events()
        .iter()
        .map(|e| LogLine {
            at: e.timestamp().unwrap_or_default().max(0) as u64,
            message: e.message().unwrap_or_default().trim_end().to_owned(),
        })
        .collect();
    Ok(LogPage {
        lines,
        earlier: None,
        later: out.next_token,
    })
}

fn stream_call<'a>(
    clients: &'a AwsClients,
    action: &'static super::action::Action,
    request: &LogRequest,
) -> Call<'a> {
    clients
        .call(action, format!("{}/{}", request.group, request.stream))
        .opt("--log-group-name", &request.group)
        .opt("--log-stream-name", &request.stream)
}

/// Names the stream in an error about it.
fn about_stream(err: BerthError, request: &LogRequest) -> BerthError {
    err.with("resource", "log stream")
        .with("name", format!("{}/{}", request.group, request.stream))
}
