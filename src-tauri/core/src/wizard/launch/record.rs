//! The record of each launch, kept in the app's data folder and rewritten after every action, so
//! that closing the app mid-launch and opening it again shows the unfinished launch with Resume
//! and Tear down. One JSON file per app: `launches/<app>.json`.

use super::explain::Diagnosis;
use super::kinds::{AfterStop, Outcome, ResourceKind, TaskAddress};
use super::{validate_app, LaunchConfig};
use crate::error::{BerthError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use ts_rs::TS;

/// Where a launch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LaunchStatus {
    /// Creating or reusing resources.
    InProgress,
    /// Everything is in place; the tasks are starting.
    Starting,
    /// The tasks run.
    Running,
    /// A task stopped; `diagnosis` says why.
    Stopped,
    /// An action failed; `error` says which and why.
    Failed,
    /// Removing what the launch created.
    TearingDown,
}

impl LaunchStatus {
    /// A launch the user should resume or tear down (the app was closed, or it failed midway).
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            LaunchStatus::InProgress
                | LaunchStatus::Starting
                | LaunchStatus::Failed
                | LaunchStatus::TearingDown
        )
    }
}

/// One resource the launch touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordedResource {
    pub resource: ResourceKind,
    pub name: String,
    pub id: Option<String>,
    pub outcome: Outcome,
}

/// What Berth remembers of a launch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LaunchRecord {
    pub app: String,
    pub region: String,
    /// The practice endpoint, when the launch went to an emulator.
    pub endpoint_url: Option<String>,
    pub config: LaunchConfig,
    pub status: LaunchStatus,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub started_at: u64,
    #[ts(type = "number")]
    pub updated_at: u64,
    /// In the order the actions completed.
    pub resources: Vec<RecordedResource>,
    /// Task ARNs started by this launch (one-off mode).
    pub tasks: Vec<String>,
    pub addresses: Vec<TaskAddress>,
    /// The stable HTTPS address of a service launched with one (ECS Express Mode).
    #[serde(default)]
    pub url: Option<String>,
    pub diagnosis: Option<Diagnosis>,
    /// What ECS does next with the service after its task stopped.
    #[serde(default)]
    pub after_stop: Option<AfterStop>,
    pub error: Option<BerthError>,
}

pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

impl LaunchRecord {
    pub fn new(config: LaunchConfig, region: &str, endpoint_url: Option<String>) -> Self {
        let now = now_millis();
        LaunchRecord {
            app: config.choices.app.clone(),
            region: region.to_owned(),
            endpoint_url,
            config,
            status: LaunchStatus::InProgress,
            started_at: now,
            updated_at: now,
            resources: Vec::new(),
            tasks: Vec::new(),
            addresses: Vec::new(),
            url: None,
            diagnosis: None,
            after_stop: None,
            error: None,
        }
    }

    /// Notes a completed action (replacing an earlier note on the same resource).
    pub fn note(&mut self, resource: RecordedResource) {
        self.resources
            .retain(|r| !(r.resource == resource.resource && r.name == resource.name));
        self.resources.push(resource);
    }
}

/// The folder of launch records.
#[derive(Debug, Clone)]
pub struct LaunchStore {
    dir: PathBuf,
}

impl LaunchStore {
    /// Records kept in `data_dir/launches/`.
    pub fn in_dir(data_dir: &Path) -> Self {
        LaunchStore {
            dir: data_dir.join("launches"),
        }
    }

    fn path(&self, app: &str) -> Result<PathBuf> {
        // App names are checked to [a-z0-9-], so they are safe file names.
        validate_app(app)?;
        Ok(self.dir.join(format!("{app}.json")))
    }

    /// Writes the record (through a temporary file, so a crash never leaves half a record).
    pub fn save(&self, record: &mut LaunchRecord) -> Result<()> {
        record.updated_at = now_millis();
        let path = self.path(&record.app)?;
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let tmp = path.with_extension("json.tmp");
            let text = serde_json::to_string_pretty(record).map_err(std::io::Error::other)?;
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| BerthError::internal(format!("saving {}: {e}", path.display())))
    }

    pub fn load(&self, app: &str) -> Result<Option<LaunchRecord>> {
        let path = self.path(app)?;
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(serde_json::from_str(&text).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(BerthError::internal(format!(
                "reading {}: {e}",
                path.display()
            ))),
        }
    }

    /// Every record, most recently updated first. Unreadable files are skipped.
    pub fn list(&self) -> Vec<LaunchRecord> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut records: Vec<LaunchRecord> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter_map(|text| serde_json::from_str(&text).ok())
            .collect();
        records.sort_by_key(|r: &LaunchRecord| std::cmp::Reverse(r.updated_at));
        records
    }

    /// Forgets a launch (after teardown).
    pub fn remove(&self, app: &str) -> Result<()> {
        let path = self.path(app)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BerthError::internal(
                format!("removing {}: {e}", path.display()),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{PushedImage, WizardSettings};
    use crate::wizard::launch::default_choices;

    fn config(app: &str) -> LaunchConfig {
        let wizard = WizardSettings {
            execution_role_arn: Some("arn:aws:iam::1:role/r".into()),
            repository: Some("web".into()),
            image: Some(PushedImage {
                repository: "web".into(),
                tag: "v1".into(),
                digest: String::new(),
                uri: "1.dkr.ecr.us-east-1.amazonaws.com/web:v1".into(),
                platform: "linux/amd64".into(),
                exposed_port: None,
            }),
            image_draft: None,
            deploy_user: None,
        };
        LaunchConfig::new(default_choices(app, None), &wizard).unwrap()
    }

    #[test]
    fn records_survive_a_restart_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = LaunchStore::in_dir(dir.path());
        assert!(store.list().is_empty());
        let mut a = LaunchRecord::new(config("a"), "us-east-1", None);
        store.save(&mut a).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let mut b = LaunchRecord::new(config("b"), "ap-northeast-2", None);
        b.note(RecordedResource {
            resource: ResourceKind::Cluster,
            name: "berth".into(),
            id: Some("arn".into()),
            outcome: Outcome::Created,
        });
        b.note(RecordedResource {
            resource: ResourceKind::Cluster,
            name: "berth".into(),
            id: Some("arn".into()),
            outcome: Outcome::Reused,
        });
        store.save(&mut b).unwrap();

        let reopened = LaunchStore::in_dir(dir.path());
        let list = reopened.list();
        assert_eq!(
            list.iter().map(|r| r.app.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(list[0].resources.len(), 1, "one note per resource");
        assert_eq!(reopened.load("a").unwrap().unwrap(), a);
        assert!(list[0].status.is_unfinished());
        reopened.remove("a").unwrap();
        reopened.remove("a").unwrap();
        assert_eq!(reopened.load("a").unwrap(), None);
    }

    #[test]
    fn a_name_that_is_not_an_app_name_never_becomes_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = LaunchStore::in_dir(dir.path());
        assert!(store.load("../settings").is_err());
        assert!(store.remove("a/b").is_err());
    }
}
