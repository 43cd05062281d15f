//! The activity log: every action Berth takes on AWS or Docker, with the equivalent command a
//! user could type (`aws ecr create-repository …`, `docker push …`). Kept as JSON lines in the
//! app's data folder so it survives restarts; it never holds a secret (commands name resources,
//! never keys or tokens).

pub use crate::cli::CliCommand;
use crate::error::{BerthError, ErrorKind};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use ts_rs::TS;

/// How many entries are kept in memory and on disk; older ones are dropped.
pub const MAX_ENTRIES: usize = 2000;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ActivityStatus {
    Succeeded,
    Failed,
}

/// One action, as the activity log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    /// Increasing within a run of the app; unique in the log.
    #[ts(type = "number")]
    pub id: u64,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub at: u64,
    /// What was done, as a stable key the UI translates, e.g. `ecr.createRepository`.
    pub action: String,
    /// The resource acted on (a repository name, a role name, an image reference).
    pub target: String,
    /// The equivalent command line.
    pub command: String,
    pub status: ActivityStatus,
    /// The error kind when the action failed.
    pub error: Option<ErrorKind>,
}

/// Receives each new entry (the shell forwards it to the window).
pub type ActivityListener = Arc<dyn Fn(&ActivityEntry) + Send + Sync>;

struct Inner {
    entries: VecDeque<ActivityEntry>,
    /// Reads, one per action and target (the newest), newest last; kept in memory only.
    reads: VecDeque<ReadTally>,
    next_id: u64,
    listeners: Vec<ActivityListener>,
}

/// How often an action read a target, and how the newest read went. Reads are not entries of
/// the log: a dashboard that refreshes every few seconds would bury what the user did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadTally {
    /// The newest read, as an entry.
    pub last: ActivityEntry,
    pub count: u32,
}

/// What the Activity view shows: the newest changes, and the reads tallied since the app started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    /// Oldest first.
    pub entries: Vec<ActivityEntry>,
    /// Newest last.
    pub reads: Vec<ReadTally>,
}

/// How many distinct reads are remembered.
pub const MAX_READS: usize = 200;

/// The log. Cheap to clone; clones share the same entries and file.
#[derive(Clone)]
pub struct ActivityLog {
    file: Option<PathBuf>,
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for ActivityLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityLog")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl ActivityLog {
    /// A log kept only in memory (for work whose record is not worth keeping, and unit tests).
    pub fn in_memory() -> Self {
        ActivityLog {
            file: None,
            inner: Arc::new(Mutex::new(Inner {
                entries: VecDeque::new(),
                reads: VecDeque::new(),
                next_id: 1,
                listeners: Vec::new(),
            })),
        }
    }

    /// The log kept in `dir/activity.jsonl`, with the entries already there. Lines that cannot be
    /// read (a crash mid-write) are skipped.
    pub fn open(dir: &Path) -> Self {
        let file = dir.join("activity.jsonl");
        let mut entries: VecDeque<ActivityEntry> = std::fs::read_to_string(&file)
            .map(|text| {
                text.lines()
                    .filter_map(|line| serde_json::from_str(line).ok())
                    .collect()
            })
            .unwrap_or_default();
        while entries.len() > MAX_ENTRIES {
            entries.pop_front();
        }
        let next_id = entries.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        ActivityLog {
            file: Some(file),
            inner: Arc::new(Mutex::new(Inner {
                entries,
                reads: VecDeque::new(),
                next_id,
                listeners: Vec::new(),
            })),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Calls `listener` with every entry recorded from now on.
    pub fn subscribe(&self, listener: ActivityListener) {
        self.lock().listeners.push(listener);
    }

    /// Records a finished action. Writing the file is best effort: a full disk must not fail
    /// the action it records.
    pub fn record(
        &self,
        action: &str,
        target: &str,
        command: &CliCommand,
        outcome: std::result::Result<(), &BerthError>,
    ) -> ActivityEntry {
        let at = now_millis();
        let (entry, listeners, rewrite) = {
            let mut inner = self.lock();
            let entry = ActivityEntry {
                id: inner.next_id,
                at,
                action: action.to_owned(),
                target: target.to_owned(),
                command: command.render(),
                status: if outcome.is_ok() {
                    ActivityStatus::Succeeded
                } else {
                    ActivityStatus::Failed
                },
                error: outcome.err().map(|e| e.kind),
            };
            inner.next_id += 1;
            inner.entries.push_back(entry.clone());
            // Trim in chunks, so the file is rewritten rarely rather than on every entry.
            let rewrite = inner.entries.len() > MAX_ENTRIES + MAX_ENTRIES / 10;
            if rewrite {
                while inner.entries.len() > MAX_ENTRIES {
                    inner.entries.pop_front();
                }
            }
            (entry, inner.listeners.clone(), rewrite)
        };
        if let Some(file) = &self.file {
            let _ = if rewrite {
                self.rewrite(file)
            } else {
                append(file, &entry)
            };
        }
        for listener in listeners {
            listener(&entry);
        }
        entry
    }

    /// Counts a read; only the newest read of each action and target is kept.
    pub fn tally_read(
        &self,
        action: &str,
        target: &str,
        command: &CliCommand,
        outcome: std::result::Result<(), &BerthError>,
    ) {
        let mut inner = self.lock();
        let last = ActivityEntry {
            id: inner.next_id,
            at: now_millis(),
            action: action.to_owned(),
            target: target.to_owned(),
            command: command.render(),
            status: if outcome.is_ok() {
                ActivityStatus::Succeeded
            } else {
                ActivityStatus::Failed
            },
            error: outcome.err().map(|e| e.kind),
        };
        inner.next_id += 1;
        let count = match inner
            .reads
            .iter()
            .position(|r| r.last.action == action && r.last.target == target)
        {
            Some(at) => inner.reads.remove(at).map_or(0, |r| r.count),
            None => 0,
        };
        inner.reads.push_back(ReadTally {
            last,
            count: count + 1,
        });
        if inner.reads.len() > MAX_READS {
            inner.reads.pop_front();
        }
    }

    /// The newest `limit` entries and every read tallied.
    pub fn view(&self, limit: usize) -> ActivityView {
        ActivityView {
            entries: self.recent(limit),
            reads: self.reads(),
        }
    }

    /// The reads tallied since the app started, newest last.
    pub fn reads(&self) -> Vec<ReadTally> {
        self.lock().reads.iter().cloned().collect()
    }

    /// Records the outcome of `result` and passes it on: `log.track(action, target, cmd, call.await)?`.
    pub fn track<T>(
        &self,
        action: &str,
        target: &str,
        command: &CliCommand,
        result: crate::Result<T>,
    ) -> crate::Result<T> {
        self.record(action, target, command, result.as_ref().map(|_| ()));
        result
    }

    /// The newest `limit` entries, oldest first.
    pub fn recent(&self, limit: usize) -> Vec<ActivityEntry> {
        let inner = self.lock();
        let skip = inner.entries.len().saturating_sub(limit);
        inner.entries.iter().skip(skip).cloned().collect()
    }

    /// Forgets every entry, in memory and on disk.
    pub fn clear(&self) -> crate::Result<()> {
        self.lock().entries.clear();
        match &self.file {
            Some(file) => match std::fs::remove_file(file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BerthError::internal(
                    format!("clearing {}: {e}", file.display()),
                )),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    fn rewrite(&self, file: &Path) -> std::io::Result<()> {
        let text: String = self
            .lock()
            .entries
            .iter()
            .filter_map(|e| serde_json::to_string(e).ok())
            .map(|line| line + "\n")
            .collect();
        let tmp = file.with_extension("jsonl.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, file)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

fn append(file: &Path, entry: &ActivityEntry) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    line.push('\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?
        .write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_a_restart_and_keep_increasing_ids() {
        let dir = tempfile::tempdir().unwrap();
        let log = ActivityLog::open(dir.path());
        let cmd = CliCommand::new(["aws", "sts", "get-caller-identity"]);
        log.record("sts.getCallerIdentity", "", &cmd, Ok(()));
        let denied = BerthError::new(ErrorKind::AccessDenied);
        log.record("sts.getCallerIdentity", "", &cmd, Err(&denied));

        let reopened = ActivityLog::open(dir.path());
        let entries = reopened.recent(10);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].command, "aws sts get-caller-identity");
        assert_eq!(entries[1].status, ActivityStatus::Failed);
        assert_eq!(entries[1].error, Some(ErrorKind::AccessDenied));
        let next = reopened.record("x", "", &cmd, Ok(()));
        assert_eq!(next.id, 3);
    }

    #[test]
    fn listeners_see_each_entry_once_and_old_entries_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let log = ActivityLog::open(dir.path());
        let seen = Arc::new(Mutex::new(0usize));
        let counter = seen.clone();
        log.subscribe(Arc::new(move |_| *counter.lock().unwrap() += 1));
        let cmd = CliCommand::new(["docker", "push", "x"]);
        let total = MAX_ENTRIES + MAX_ENTRIES / 10 + 1;
        for _ in 0..total {
            log.record("docker.push", "x", &cmd, Ok(()));
        }
        assert_eq!(*seen.lock().unwrap(), total);
        assert_eq!(log.recent(usize::MAX).len(), MAX_ENTRIES);
        let lines = std::fs::read_to_string(log.path().unwrap())
            .unwrap()
            .lines()
            .count();
        assert_eq!(lines, MAX_ENTRIES, "the file is trimmed with the memory");
        assert_eq!(ActivityLog::open(dir.path()).recent(1)[0].id, total as u64);
    }

    #[test]
    fn reads_are_tallied_apart_from_the_entries_newest_kept() {
        let log = ActivityLog::in_memory();
        let list = CliCommand::new(["aws", "ecr", "describe-repositories"]);
        log.tally_read("ecr.describeRepositories", "", &list, Ok(()));
        log.tally_read("ecr.describeImages", "web", &list, Ok(()));
        let denied = BerthError::new(ErrorKind::AccessDenied);
        log.tally_read("ecr.describeRepositories", "", &list, Err(&denied));
        assert!(log.recent(10).is_empty(), "reads are not entries");
        let reads = log.reads();
        assert_eq!(reads.len(), 2);
        assert_eq!(reads[1].last.action, "ecr.describeRepositories");
        assert_eq!(reads[1].count, 2);
        assert_eq!(reads[1].last.error, Some(ErrorKind::AccessDenied));
        for n in 0..MAX_READS + 5 {
            log.tally_read("ecr.describeImages", &format!("repo{n}"), &list, Ok(()));
        }
        assert_eq!(log.reads().len(), MAX_READS);
    }

    #[test]
    fn a_torn_last_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let log = ActivityLog::open(dir.path());
        log.record("a", "", &CliCommand::new(["aws"]), Ok(()));
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path().unwrap())
            .unwrap();
        f.write_all(b"{\"id\":2,\"at\"").unwrap();
        assert_eq!(ActivityLog::open(dir.path()).recent(10).len(), 1);
    }
}
