//! Wizard step 4, Image: a folder with a Dockerfile (or an image already in the local engine)
//! becomes an image in the chosen ECR repository. Build with the local engine, optionally try
//! it locally, tag, get an ECR token, push with per-layer progress.

use crate::docker::{self, DockerStatus, Engine};
use crate::error::{BerthError, Result};
use crate::image::context::{self, ContextSummary};
use crate::image::local::{self, LocalImage};
use crate::image::platform::Platform;
use crate::image::run::{self, LocalRun};
use crate::image::tag::{self, TagSource};
use crate::settings::{ImageDraft, PushedImage, Settings};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

mod build;
mod local_run;
mod push;
pub use build::build;
pub use local_run::{start_local, stop_local, watch_local};
pub use push::push;

/// Builds and pushes run for as long as they need; this bounds a single engine request that
/// hangs without answering.
const WORK_TIMEOUT: Duration = Duration::from_secs(3600);

/// What the Image step shows when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageStep {
    /// The ECR repository chosen in step 3; without one the step sends the user back.
    pub repository: Option<String>,
    pub region: Option<String>,
    pub practice: bool,
    /// In practice mode, the registry (`host:port`) that stands in for ECR.
    pub practice_registry: Option<String>,
    pub docker: DockerStatus,
    /// `linux/amd64` for an x86-64 engine, `linux/arm64` for Apple silicon or Graviton.
    pub host_platform: Option<String>,
    pub last_image: Option<PushedImage>,
    /// What the step was working from when it was last left (folder, Dockerfile, tag, platform).
    pub draft: Option<ImageDraft>,
    /// The image the draft built, when the engine still has it: Push and "Try it locally" work
    /// on it again without a new build.
    pub draft_built: Option<BuiltImage>,
    /// The engine's image the draft chose from the list, when the engine still has it.
    pub draft_local: Option<LocalImage>,
    /// Containers started with "try it locally" that still exist.
    pub local_runs: Vec<LocalRun>,
}

/// A folder the user picked, as the build will see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FolderInfo {
    /// Absolute, with symlinks resolved.
    pub folder: String,
    /// The Dockerfile, relative to the folder.
    pub dockerfile: String,
    pub context: ContextSummary,
    pub suggested_tag: String,
    /// Whether the suggestion is the git commit (`git`) or the time (`time`).
    pub tag_source: String,
    /// Named stages (`FROM … AS name`) for the target option.
    pub stages: Vec<String>,
    /// The first port the Dockerfile EXPOSEs.
    pub exposed_port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BuildArg {
    pub name: String,
    pub value: String,
}

/// What the user asked to build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BuildRequest {
    pub folder: String,
    /// Relative to the folder; `Dockerfile` when empty.
    pub dockerfile: Option<String>,
    pub build_args: Vec<BuildArg>,
    pub target: Option<String>,
    pub platform: Platform,
    pub tag: String,
    /// Build with the engine's built-in Dockerfile frontend, ignoring the Dockerfile's
    /// `# syntax=` line (offered when that image cannot be pulled).
    #[serde(default)]
    #[ts(optional)]
    pub builtin_frontend: Option<bool>,
}

/// The image a build made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BuiltImage {
    pub id: String,
    /// `repository:tag` in the local engine.
    pub reference: String,
    /// What the image really is.
    pub platform: String,
    /// Whether that is the platform that was asked for (a base image that exists only for
    /// another architecture makes the engine's legacy builder ignore the request).
    pub platform_matches: bool,
    #[ts(type = "number")]
    pub size: u64,
    /// Bytes of build context sent to the engine.
    #[ts(type = "number")]
    pub context_bytes: u64,
    pub exposed_port: Option<u16>,
}

/// What the user asked to push.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PushRequest {
    /// A local image id or `repository:tag`.
    pub image: String,
    pub tag: String,
}

/// A connection for long work to the engine that the environment and the context chosen on the
/// Environment page lead to.
pub async fn engine() -> Result<Engine> {
    docker::engine(WORK_TIMEOUT).await
}

/// The step's starting point: the repository from step 3, the engine, the last push.
pub async fn overview(settings: &Settings) -> ImageStep {
    let status = docker::probe().await;
    let draft = settings.wizard().image_draft.clone();
    let (host_platform, local_runs, draft_image) = match &status {
        DockerStatus::Available { engine: info } => {
            let (runs, image) = match docker::engine(docker::PROBE_TIMEOUT).await {
                Ok(engine) => (
                    run::list(&engine).await.unwrap_or_default(),
                    draft_image(&engine, draft.as_ref()).await,
                ),
                Err(_) => (Vec::new(), None),
            };
            (
                Some(crate::image::platform::describe(&info.os, &info.arch, None)),
                runs,
                image,
            )
        }
        DockerStatus::Unavailable { .. } => (None, Vec::new(), None),
    };
    let (draft_built, draft_local) = match (&draft, draft_image) {
        (Some(d), Some(image)) if d.from_engine => (None, Some(image)),
        (Some(d), Some(image)) => (Some(restored_build(d, image)), None),
        _ => (None, None),
    };
    ImageStep {
        repository: settings.wizard().repository.clone(),
        region: settings.account.region.clone(),
        practice: settings.account.practice.enabled,
        practice_registry: Some(settings.account.practice.registry.trim().to_owned())
            .filter(|r| settings.account.practice.enabled && !r.is_empty()),
        docker: status,
        host_platform,
        last_image: settings.wizard().image.clone(),
        draft,
        draft_built,
        draft_local,
        local_runs,
    }
}

/// The draft's local image as the engine has it now; `None` when it is gone, or when the tag
/// now names another image than the one built (a rebuild elsewhere).
async fn draft_image(engine: &Engine, draft: Option<&ImageDraft>) -> Option<LocalImage> {
    let draft = draft?;
    let reference = draft.local_image.as_deref()?;
    let image = local::inspect(engine, reference).await.ok()?;
    if draft
        .local_image_id
        .as_ref()
        .is_some_and(|id| id != &image.id)
    {
        return None;
    }
    Some(LocalImage {
        reference: reference.to_owned(),
        ..image
    })
}

/// The build a draft remembers, from the engine's image of it.
fn restored_build(draft: &ImageDraft, image: LocalImage) -> BuiltImage {
    BuiltImage {
        platform_matches: draft.platform.as_ref().is_none_or(|p| p == &image.platform),
        id: image.id,
        reference: image.reference,
        platform: image.platform,
        size: image.size,
        context_bytes: draft.context_bytes.unwrap_or(0),
        exposed_port: image.exposed_port,
    }
}

impl ImageDraft {
    /// A folder (and Dockerfile) was read. Another folder or Dockerfile than the build's makes
    /// the built image another folder's: it is no longer offered.
    pub fn folder_read(&mut self, info: &FolderInfo, dockerfile: Option<&str>) {
        let dockerfile = dockerfile
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned);
        let same = !self.from_engine
            && self.folder.as_deref() == Some(info.folder.as_str())
            && self.dockerfile == dockerfile;
        if !same {
            *self = ImageDraft {
                tag: self.tag.take(),
                platform: self.platform.take(),
                ..ImageDraft::default()
            };
        }
        self.folder = Some(info.folder.clone());
        self.dockerfile = dockerfile;
    }

    /// A build of the folder finished.
    pub fn built(&mut self, request: &BuildRequest, built: &BuiltImage) {
        *self = ImageDraft {
            from_engine: false,
            folder: Some(request.folder.clone()),
            dockerfile: request
                .dockerfile
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            tag: Some(request.tag.trim().to_owned()),
            platform: Some(built.platform.clone()),
            local_image: Some(built.reference.clone()),
            local_image_id: Some(built.id.clone()),
            context_bytes: Some(built.context_bytes),
        };
    }

    /// An image was pushed: the build's, or one chosen from the engine's list.
    pub fn pushed(&mut self, request: &PushRequest, pushed: &PushedImage) {
        if self.local_image.as_deref() != Some(request.image.as_str()) {
            *self = ImageDraft {
                from_engine: true,
                local_image: Some(request.image.clone()),
                ..ImageDraft::default()
            };
        }
        self.tag = Some(pushed.tag.clone());
        self.platform = Some(pushed.platform.clone());
    }
}

/// Looks at a folder: its Dockerfile, what `.dockerignore` keeps out, a tag to suggest.
pub async fn inspect_folder(folder: &str, dockerfile: Option<&str>) -> Result<FolderInfo> {
    let folder = folder.to_owned();
    let dockerfile = dockerfile.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let root = context::resolve_folder(&folder)?;
        let dockerfile = context::resolve_dockerfile(&root, dockerfile.as_deref())?;
        let summary = context::summarize(&root, &dockerfile)?;
        let (suggested_tag, source) = tag::suggest_tag(&root);
        let text = std::fs::read_to_string(root.join(&dockerfile)).unwrap_or_default();
        Ok(FolderInfo {
            folder: root.display().to_string(),
            dockerfile,
            context: summary,
            suggested_tag,
            tag_source: match source {
                TagSource::GitCommit => "git",
                TagSource::Timestamp => "time",
            }
            .to_owned(),
            stages: stages(&text),
            exposed_port: exposed_port(&text),
        })
    })
    .await
    .map_err(BerthError::internal)?
}

/// Images already in the engine.
pub async fn local_images(engine: &Engine) -> Result<Vec<LocalImage>> {
    local::list(engine).await
}

fn require_repository(repository: Option<&str>) -> Result<&str> {
    repository
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| BerthError::invalid("repository", "required"))
}

/// `FROM image AS name` → `name`, in order.
fn stages(dockerfile: &str) -> Vec<String> {
    dockerfile
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [from, .., as_, name]
                    if from.eq_ignore_ascii_case("FROM") && as_.eq_ignore_ascii_case("AS") =>
                {
                    Some((*name).to_owned())
                }
                _ => None,
            }
        })
        .collect()
}

/// The first TCP port of the first `EXPOSE` line.
fn exposed_port(dockerfile: &str) -> Option<u16> {
    dockerfile.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if !words.next()?.eq_ignore_ascii_case("EXPOSE") {
            return None;
        }
        words.find_map(|w| {
            let (port, proto) = w.split_once('/').unwrap_or((w, "tcp"));
            (proto.eq_ignore_ascii_case("tcp"))
                .then(|| port.parse().ok())
                .flatten()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_exposed_ports_are_read_from_the_dockerfile() {
        let text =
            "FROM node:20 AS deps\nRUN npm ci\nfrom node:20-slim as app\nEXPOSE 53/udp 3000\nCMD x";
        assert_eq!(stages(text), ["deps", "app"]);
        assert_eq!(exposed_port(text), Some(3000));
        assert_eq!(exposed_port("FROM scratch"), None);
    }

    /// What a restart finds of the Image step: the build's folder, tag and image until another
    /// folder is read, and an image pushed from the engine's list as that choice.
    #[test]
    fn the_draft_remembers_the_build_until_another_folder_is_read() {
        let info = |folder: &str| FolderInfo {
            folder: folder.into(),
            dockerfile: "Dockerfile".into(),
            context: ContextSummary {
                files: 1,
                bytes: 1,
                excluded_files: 0,
                excluded_bytes: 0,
                ignore_patterns: 0,
                ignore_file: None,
            },
            suggested_tag: "abc1234".into(),
            tag_source: "git".into(),
            stages: Vec::new(),
            exposed_port: None,
        };
        let request = BuildRequest {
            folder: "/home/ada/web".into(),
            dockerfile: Some(" docker/Dockerfile ".into()),
            build_args: Vec::new(),
            target: None,
            platform: Platform::LinuxAmd64,
            tag: "v1".into(),
            builtin_frontend: None,
        };
        let built = BuiltImage {
            id: "sha256:1".into(),
            reference: "web:v1".into(),
            platform: "linux/amd64".into(),
            platform_matches: true,
            size: 10,
            context_bytes: 20,
            exposed_port: Some(3000),
        };
        let mut draft = ImageDraft::default();
        draft.folder_read(&info("/home/ada/web"), Some("docker/Dockerfile"));
        draft.built(&request, &built);
        assert_eq!(draft.dockerfile.as_deref(), Some("docker/Dockerfile"));
        assert_eq!(draft.local_image.as_deref(), Some("web:v1"));

        // Reading the same folder again (the step opening after a restart) keeps the build.
        draft.folder_read(&info("/home/ada/web"), Some("docker/Dockerfile"));
        assert_eq!(draft.local_image_id.as_deref(), Some("sha256:1"));
        let image = LocalImage {
            id: "sha256:1".into(),
            reference: "web:v1".into(),
            created: 0,
            size: 10,
            platform: "linux/amd64".into(),
            exposed_port: Some(3000),
        };
        assert_eq!(restored_build(&draft, image), built);

        // Pushing the build keeps it the folder's; another folder drops the image, not the tag.
        let pushed = |tag: &str| PushedImage {
            repository: "web".into(),
            tag: tag.into(),
            digest: "sha256:d".into(),
            uri: format!("1.dkr.ecr.us-east-1.amazonaws.com/web:{tag}"),
            platform: "linux/amd64".into(),
            exposed_port: None,
        };
        let push = |image: &str, tag: &str| PushRequest {
            image: image.into(),
            tag: tag.into(),
        };
        draft.pushed(&push("web:v1", "v1"), &pushed("v1"));
        assert!(!draft.from_engine);
        assert_eq!(draft.folder.as_deref(), Some("/home/ada/web"));
        draft.folder_read(&info("/home/ada/api"), None);
        assert_eq!(draft.folder.as_deref(), Some("/home/ada/api"));
        assert_eq!(draft.dockerfile, None);
        assert_eq!(draft.local_image, None);
        assert_eq!(draft.tag.as_deref(), Some("v1"));

        // An image from the engine's list, pushed, is remembered as that choice.
        draft.pushed(&push("shop/api:v2", "v2"), &pushed("v2"));
        assert!(draft.from_engine);
        assert_eq!(draft.folder, None);
        assert_eq!(draft.local_image.as_deref(), Some("shop/api:v2"));
        assert_eq!(draft.tag.as_deref(), Some("v2"));
    }
}
