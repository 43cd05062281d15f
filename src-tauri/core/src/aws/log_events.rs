//! CloudWatch Logs, read side: the lines of one task container's log stream, newest first
//! page, then older pages ("load earlier") and newer ones (following it live), and a search in
//! the stream with a CloudWatch filter pattern.

use super::ecs_status::TaskDefinitionFacts;
use super::{errors, AwsClients};
use crate::error::{BerthError, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    let out = clients
        .logs()
        .get_log_events()
        .log_group_name(&request.group)
        .log_stream_name(&request.stream)
        .limit(PAGE_LINES)
        // Without a token: the newest lines. A token says where and which way to read on.
        .start_from_head(false)
        .set_next_token(request.token.clone())
        .send()
        .await
        .map_err(|e| {
            errors::from_sdk(e, "logs:GetLogEvents")
                .with("resource", "log stream")
                .with("name", format!("{}/{}", request.group, request.stream))
        })?;
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
    let out = clients
        .logs()
        .filter_log_events()
        .log_group_name(&request.group)
        .log_stream_names(&request.stream)
        .filter_pattern(literal_pattern(text))
        .limit(PAGE_LINES)
        .set_next_token(request.token.clone())
        .send()
        .await
        .map_err(|e| {
            errors::from_sdk(e, "logs:FilterLogEvents")
                .with("resource", "log stream")
                .with("name", format!("{}/{}", request.group, request.stream))
        })?;
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
