//! `docker build`: with BuildKit through the engine's API ([`super::buildkit`]) as the docker
//! CLI does it; with the classic builder ([`super::classic`]) only for an engine that has no
//! BuildKit, which the build log then says.

use super::platform::Platform;
use super::{buildkit, classic, context};
use crate::docker::Engine;
use crate::error::{BerthError, Result};
use crate::progress::{Operation, Progress};
use std::collections::BTreeMap;
use std::path::Path;

/// What to build and how to name it.
#[derive(Debug, Clone)]
pub struct BuildSpec {
    /// `repository:tag` for the local image.
    pub reference: String,
    pub platform: Platform,
    pub build_args: BTreeMap<String, String>,
    /// A stage of a multi-stage Dockerfile to stop at.
    pub target: Option<String>,
    pub no_cache: bool,
    /// Ignore the Dockerfile's `# syntax=` line and use the engine's built-in frontend (for
    /// when the syntax image cannot be pulled).
    pub builtin_frontend: bool,
}

/// Which builder made an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    BuildKit,
    Classic,
}

/// The image the engine made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// `sha256:…`
    pub id: String,
    /// `linux/amd64`…: what the image really is, which can differ from what was asked.
    pub platform: String,
    pub size: u64,
    /// Bytes of the folder sent to the engine (with BuildKit, only what changed since the
    /// last build of the folder).
    pub context_bytes: u64,
    pub builder: Builder,
}

/// Builds the folder `root` with the Dockerfile `dockerfile` (relative to `root`).
pub async fn build(
    engine: &Engine,
    root: &Path,
    dockerfile: &str,
    spec: &BuildSpec,
    op: &Operation,
) -> Result<Built> {
    let why_classic = if engine.info.os.eq_ignore_ascii_case("windows") {
        // Windows engines build Windows images with the classic builder only.
        format!("a {} engine", engine.info.os)
    } else {
        match buildkit::build(engine, root, dockerfile, spec, op).await? {
            buildkit::Outcome::Built(built) => return Ok(built),
            buildkit::Outcome::Unavailable(why) => why,
        }
    };
    op.emit(Progress::Log {
        line: format!(
            "Berth: this engine has no BuildKit ({why_classic}); building with the classic \
             builder, which refuses RUN --mount, heredocs and other BuildKit features"
        ),
    });
    let ctx = {
        let root = root.to_owned();
        let dockerfile = dockerfile.to_owned();
        tokio::task::spawn_blocking(move || context::prepare(&root, &dockerfile))
            .await
            .map_err(BerthError::internal)??
    };
    classic::build(engine, ctx, spec, op).await
}
