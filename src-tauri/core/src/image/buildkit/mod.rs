//! `docker build` with BuildKit, through the engine's API as the docker CLI does it: a session
//! ([`session`]) that serves the folder and the Dockerfile's folder ([`filesync`]), then
//! `POST /build?version=2&remote=client-session&session=…`, whose answer carries BuildKit's
//! status messages (read by [`progress`]) and the image id.
//!
//! The engine's own Dockerfile frontend parses the Dockerfile (or the `# syntax=` image it
//! names), reads `<Dockerfile>.dockerignore` or `.dockerignore`, and asks for exactly the files
//! the build needs — so the image is the one `docker build` makes from the same folder.

pub mod filesync;
pub mod progress;
pub mod session;

use super::build::{BuildSpec, Builder, Built};
use super::platform::describe;
use crate::docker::transport::full_body;
use crate::docker::Engine;
use crate::error::{BerthError, ErrorKind, Result};
use crate::image::raw_http::{read_body, JsonLines};
use crate::progress::{Operation, Progress};
use base64::Engine as _;
use bytes::Bytes;
use filesync::SyncedDir;
use prost::Message;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often the bytes sent of the folder are reported.
const CONTEXT_TICK: Duration = Duration::from_millis(200);

/// What a BuildKit build came to.
pub enum Outcome {
    Built(Built),
    /// The engine has no BuildKit (no session endpoint): its answer, for the log.
    Unavailable(String),
}

/// Builds `root` with the Dockerfile at `dockerfile` (relative to `root`). Dropping the future
/// (cancel) closes the request and the session, and asks the engine to stop the build.
pub async fn build(
    engine: &Engine,
    root: &Path,
    dockerfile: &str,
    spec: &BuildSpec,
    op: &Operation,
) -> Result<Outcome> {
    let dockerfile_path = root.join(dockerfile);
    let dockerfile_dir = dockerfile_path.parent().unwrap_or(root).to_owned();
    let dockerfile_name = dockerfile_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".to_owned());
    let text = tokio::fs::read_to_string(&dockerfile_path)
        .await
        .map_err(|e| {
            BerthError::invalid("dockerfile", "notFound")
                .with("path", dockerfile)
                .details(e)
        })?;
    let syntax = syntax_directive(&text);
    if syntax.is_none() || spec.builtin_frontend {
        for warning in builtin_frontend_warnings(&text, &engine.info.api_version) {
            op.emit(Progress::Log {
                line: format!("Berth: {warning}"),
            });
        }
    }

    let mut overrides = HashMap::new();
    if let (true, Some((line, image))) = (spec.builtin_frontend, &syntax) {
        overrides.insert(
            dockerfile_name.clone(),
            Bytes::from(without_syntax_line(&text, *line, image)),
        );
        op.emit(Progress::Log {
            line: format!(
                "Berth: building with the engine's built-in Dockerfile frontend instead of {image}"
            ),
        });
    }
    let dirs = HashMap::from([
        (
            "context".to_owned(),
            SyncedDir {
                root: root.to_owned(),
                overrides: HashMap::new(),
            },
        ),
        (
            "dockerfile".to_owned(),
            SyncedDir {
                root: dockerfile_dir,
                overrides,
            },
        ),
    ]);
    let folder_name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let session = match session::start(engine, dirs, &folder_name, &session::shared_key(root)).await
    {
        Ok(session) => session,
        Err(session::SessionError::Unsupported(why)) => return Ok(Outcome::Unavailable(why)),
        Err(session::SessionError::Failed(e)) => {
            return Err(BerthError::new(ErrorKind::DockerNotRunning)
                .with("host", &engine.info.host)
                .details(e))
        }
    };

    let build_id = session::new_id();
    let mut query = vec![
        ("version", "2".to_owned()),
        ("session", session.id.clone()),
        ("remote", "client-session".to_owned()),
        ("dockerfile", dockerfile_name.clone()),
        ("t", spec.reference.clone()),
        ("platform", spec.platform.as_str().to_owned()),
        ("buildid", build_id.clone()),
        ("rm", "1".to_owned()),
    ];
    if !spec.build_args.is_empty() {
        query.push((
            "buildargs",
            serde_json::to_string(&spec.build_args).map_err(BerthError::internal)?,
        ));
    }
    if let Some(target) = spec.target.as_deref().filter(|t| !t.is_empty()) {
        query.push(("target", target.to_owned()));
    }
    if spec.no_cache {
        query.push(("nocache", "1".to_owned()));
    }
    let query: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    let request =
        hyper::Request::post(format!("{}/build?{}", engine.api_prefix(), query.join("&")))
            .header("Content-Type", "application/x-tar")
            .body(full_body(Bytes::new()))
            .map_err(BerthError::internal)?;

    // From here on a cancelled build is also cancelled by id (the CLI does the same).
    let mut guard = CancelOnDrop {
        engine: Some(engine.clone()),
        build_id,
    };
    let response = engine.transport.request(request).await.map_err(|e| {
        BerthError::new(ErrorKind::DockerNotRunning)
            .with("host", &engine.info.host)
            .details(e)
    })?;
    if !response.status().is_success() {
        let status = response.status();
        let body = read_body(response).await.unwrap_or_default();
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        guard.disarm();
        if message.to_ascii_lowercase().contains("buildkit") && status.as_u16() != 500 {
            return Ok(Outcome::Unavailable(message));
        }
        return Err(BerthError::new(ErrorKind::DockerRejected).details(message));
    }

    let mut lines = JsonLines::new(response);
    let mut tracker = progress::Tracker::default();
    let mut image_id: Option<String> = None;
    let mut ticker = tokio::time::interval(CONTEXT_TICK);
    let mut reported = 0;
    let failure: Option<String> = loop {
        tokio::select! {
            _ = ticker.tick() => {
                let now = session.sent.load(Ordering::Relaxed);
                if now != reported {
                    reported = now;
                    op.emit(context_bytes(now));
                }
            }
            next = lines.next() => {
                let Some(message) = next else { break None };
                let message = message.map_err(|e| {
                    BerthError::new(ErrorKind::DockerNotRunning)
                        .with("host", &engine.info.host)
                        .details(e)
                })?;
                if let Some(error) = message.get("errorDetail").and_then(|d| d["message"].as_str())
                    .or_else(|| message.get("error").and_then(|e| e.as_str()))
                {
                    break Some(error.to_owned());
                }
                match message.get("id").and_then(|i| i.as_str()) {
                    Some("moby.buildkit.trace") => {
                        let Some(encoded) = message["aux"].as_str() else { continue };
                        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) else { continue };
                        if let Ok(status) = bollard_buildkit_proto::moby::buildkit::v1::StatusResponse::decode(bytes.as_slice()) {
                            tracker.apply(status, op);
                        }
                    }
                    Some("moby.image.id") => {
                        image_id = message["aux"]["ID"].as_str().map(str::to_owned);
                    }
                    _ => {
                        if let Some(text) = message.get("stream").and_then(|s| s.as_str()) {
                            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                                op.emit(Progress::Log { line: line.to_owned() });
                            }
                        }
                    }
                }
            }
        }
    };
    guard.disarm();
    let sent = session.sent.load(Ordering::Relaxed);
    if sent != reported {
        op.emit(context_bytes(sent));
    }
    drop(session);
    if let Some(message) = failure {
        return Err(classify_failure(
            &message,
            &tracker,
            &text,
            syntax.as_ref(),
            spec.platform.as_str(),
        ));
    }
    let (cached, steps) = tracker.cache_counts();
    op.emit(Progress::Log {
        line: format!("Berth: built with BuildKit; {cached} of {steps} steps came from the cache"),
    });
    let inspect = engine
        .docker
        .inspect_image(&spec.reference)
        .await
        .map_err(|e| BerthError::new(ErrorKind::DockerRejected).details(e))?;
    let id = inspect.id.clone().or(image_id).unwrap_or_default();
    Ok(Outcome::Built(Built {
        id,
        platform: describe(
            inspect.os.as_deref().unwrap_or("linux"),
            inspect.architecture.as_deref().unwrap_or_default(),
            inspect.variant.as_deref(),
        ),
        size: inspect.size.unwrap_or_default().max(0) as u64,
        context_bytes: sent,
        builder: Builder::BuildKit,
    }))
}

fn context_bytes(done: u64) -> Progress {
    Progress::Bytes {
        item: "context".to_owned(),
        done,
        total: None,
    }
}

/// Asks the engine to stop build `build_id` when the build future is dropped before its end
/// (closing the request stops it too; this makes sure).
struct CancelOnDrop {
    engine: Option<Engine>,
    build_id: String,
}

impl CancelOnDrop {
    fn disarm(&mut self) {
        self.engine = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some(engine) = self.engine.take() else {
            return;
        };
        let path = format!(
            "{}/build/cancel?id={}",
            engine.api_prefix(),
            urlencode(&self.build_id)
        );
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                if let Ok(request) = hyper::Request::post(path).body(full_body(Bytes::new())) {
                    let _ = tokio::time::timeout(
                        Duration::from_secs(10),
                        engine.transport.request(request),
                    )
                    .await;
                }
            });
        }
    }
}

/// The `# syntax=` directive of a Dockerfile: its line (0-based) and image. Parser directives
/// are only read before the first other line.
pub fn syntax_directive(text: &str) -> Option<(usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let comment = trimmed.strip_prefix('#')?;
        let (key, value) = comment.split_once('=')?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        if key.eq_ignore_ascii_case("syntax") {
            let value = value.trim();
            return (!value.is_empty()).then(|| (number, value.to_owned()));
        }
    }
    None
}

/// The Dockerfile with its syntax line turned into a plain comment (line numbers unchanged, so
/// errors still point at the user's lines).
pub fn without_syntax_line(text: &str, line: usize, image: &str) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if i == line {
                let end = if l.ends_with("\r\n") {
                    "\r\n"
                } else if l.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                format!("# (Berth: built-in frontend used instead of {image}){end}")
            } else {
                l.to_owned()
            }
        })
        .collect()
}

/// Dockerfile features newer than some frontends: (what the parser complains about, the
/// feature's name, the Dockerfile syntax that has it).
const FEATURES: [(&str, &str, &str); 12] = [
    (
        "unknown flag: chmod",
        "COPY --chmod",
        "docker/dockerfile:1.3",
    ),
    ("unknown flag: link", "COPY --link", "docker/dockerfile:1.4"),
    (
        "unknown flag: exclude",
        "COPY --exclude",
        "docker/dockerfile:1.19",
    ),
    (
        "unknown flag: parents",
        "COPY --parents",
        "docker/dockerfile:1.20",
    ),
    (
        "unknown flag: checksum",
        "ADD --checksum",
        "docker/dockerfile:1.6",
    ),
    (
        "unknown flag: keep-git-dir",
        "ADD --keep-git-dir",
        "docker/dockerfile:1.5",
    ),
    (
        "unknown flag: network",
        "RUN --network",
        "docker/dockerfile:1.3",
    ),
    (
        "unknown flag: security",
        "RUN --security",
        "docker/dockerfile:1-labs",
    ),
    (
        "unknown flag: start-interval",
        "HEALTHCHECK --start-interval",
        "docker/dockerfile:1.6",
    ),
    (
        "unknown flag: device",
        "RUN --device",
        "docker/dockerfile:1.14",
    ),
    (
        "unknown flag: mount",
        "RUN --mount",
        "docker/dockerfile:1.2",
    ),
    (
        "unsupported mount type",
        "this RUN --mount type",
        "docker/dockerfile:1",
    ),
];

/// What a failed build means: a `# syntax=` image that could not be pulled, a feature the
/// engine's frontend is too old for, a base image not to be had for the platform, or a step
/// that failed.
pub fn classify_failure(
    message: &str,
    tracker: &progress::Tracker,
    dockerfile: &str,
    syntax: Option<&(usize, String)>,
    platform: &str,
) -> BerthError {
    let lower = message.to_ascii_lowercase();
    if let Some((_, image)) = syntax {
        let short = image.split(['@']).next().unwrap_or(image);
        if lower.contains("gateway") || message.contains(short) {
            return BerthError::new(ErrorKind::BuildFrontendUnavailable)
                .with("image", image)
                .details(message.trim());
        }
    }
    for (needle, feature, syntax_needed) in FEATURES {
        if lower.contains(needle) {
            return unsupported(feature, syntax_needed, message);
        }
    }
    // The built-in frontend of older engines has no heredocs: it reads `RUN <<EOF` as a shell
    // command and the lines after it as unknown instructions.
    if uses_heredoc(dockerfile)
        && (lower.contains("unknown instruction") || lower.contains("parse error"))
    {
        return unsupported("heredocs (<<EOF)", "docker/dockerfile:1.4", message);
    }
    // BuildKit looks a FROM image up for the platform built for; when the engine does not have
    // it for that platform, it asks the image's registry.
    if let Some(image) = tracker
        .failed_name()
        .and_then(|n| n.strip_prefix("[internal] load metadata for "))
    {
        return BerthError::new(ErrorKind::BaseImageUnavailable)
            .with("image", image.trim())
            .with("platform", platform)
            .details(message.trim());
    }
    tracker.failure(message)
}

fn unsupported(feature: &str, syntax: &str, message: &str) -> BerthError {
    BerthError::new(ErrorKind::BuildFeatureUnsupported)
        .with("feature", feature)
        .with("syntax", syntax)
        .details(message.trim())
}

/// What the built-in Dockerfile frontend of Docker 20.10 (API 1.41 and older: BuildKit 0.8,
/// Dockerfile syntax 1.2) does differently with this Dockerfile without failing: it does not
/// expand variables in `RUN --mount` options (Dockerfile 1.3+), so `id=cache-${APP}` is used
/// as written — one cache shared by every app and platform.
pub fn builtin_frontend_warnings(dockerfile: &str, api_version: &str) -> Vec<String> {
    let old = api_version
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)))
        .is_some_and(|v| v <= (1, 41));
    if !old {
        return Vec::new();
    }
    let mut warnings = Vec::new();
    for word in dockerfile.split_whitespace() {
        let option = word.trim_end_matches('\\');
        if option.starts_with("--mount=") && option.contains('$') {
            warnings.push(format!(
                "this engine's built-in Dockerfile frontend does not expand variables in RUN --mount options (Dockerfile 1.3 does): {option} is used as written"
            ));
        }
    }
    warnings
}

/// Whether a `RUN`, `COPY` or `ADD` line holds a here-document (`<<EOF`, `<<-EOT`, `<<"EOF"`).
pub fn uses_heredoc(dockerfile: &str) -> bool {
    dockerfile.lines().any(|line| {
        let line = line.trim_start();
        let instruction = line.split_whitespace().next().unwrap_or_default();
        ["RUN", "COPY", "ADD"]
            .iter()
            .any(|i| instruction.eq_ignore_ascii_case(i))
            && line.split("<<").skip(1).any(|after| {
                let word = after
                    .trim_start_matches('-')
                    .trim_start_matches(['"', '\'']);
                word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            })
    })
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syntax_directive_is_read_only_at_the_top() {
        assert_eq!(
            syntax_directive("# syntax=docker/dockerfile:1\nFROM scratch\n"),
            Some((0, "docker/dockerfile:1".into()))
        );
        assert_eq!(
            syntax_directive("#escape=`\n# Syntax = docker/dockerfile:1.4\nFROM x"),
            Some((1, "docker/dockerfile:1.4".into()))
        );
        assert_eq!(
            syntax_directive("FROM x\n# syntax=docker/dockerfile:1\n"),
            None
        );
        assert_eq!(syntax_directive("# a comment\n# syntax=x\n"), None);
    }

    #[test]
    fn the_syntax_line_becomes_a_comment_and_lines_keep_their_numbers() {
        let text = "# syntax=docker/dockerfile:1\r\nFROM scratch\r\nCOPY . .\r\n";
        let out = without_syntax_line(text, 0, "docker/dockerfile:1");
        assert_eq!(out.lines().count(), 3);
        assert_eq!(syntax_directive(&out), None);
        assert!(out.ends_with("COPY . .\r\n"));
    }

    #[test]
    fn variables_in_mount_options_are_flagged_for_old_frontends() {
        let text = "RUN --mount=type=cache,id=c-${APP},target=/t \\\n    --mount=type=bind,source=x,target=x make";
        let warnings = builtin_frontend_warnings(text, "1.41");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("--mount=type=cache,id=c-${APP},target=/t is used as written"));
        assert!(builtin_frontend_warnings(text, "1.43").is_empty());
    }

    #[test]
    fn heredocs_are_recognised() {
        assert!(uses_heredoc("FROM x\nRUN <<EOF\necho hi\nEOF\n"));
        assert!(uses_heredoc("COPY <<-\"EOT\" /app/conf\n"));
        assert!(!uses_heredoc("RUN echo '<<' && cat <<< x\n"));
    }

    #[test]
    fn failures_name_the_frontend_image_or_the_feature() {
        let tracker = progress::Tracker::default();
        let syntax = (0, "docker/dockerfile:1".to_owned());
        let err = classify_failure(
            "failed to solve with frontend dockerfile.v0: failed to solve with frontend gateway.v0: docker.io/docker/dockerfile:1: not found",
            &tracker,
            "",
            Some(&syntax),
            "linux/amd64",
        );
        assert_eq!(err.kind, ErrorKind::BuildFrontendUnavailable);
        assert_eq!(err.param("image"), Some("docker/dockerfile:1"));
        let err = classify_failure(
            "failed to create LLB definition: dockerfile parse error line 3: Unknown flag: chmod",
            &tracker,
            "",
            None,
            "linux/amd64",
        );
        assert_eq!(err.kind, ErrorKind::BuildFeatureUnsupported);
        assert_eq!(err.param("feature"), Some("COPY --chmod"));
        let err = classify_failure(
            "dockerfile parse error line 4: unknown instruction: ECHO",
            &tracker,
            "FROM x\nRUN <<EOF\necho hi\nEOF\n",
            None,
            "linux/amd64",
        );
        assert_eq!(err.param("feature"), Some("heredocs (<<EOF)"));
        let err = classify_failure("exit code: 2", &tracker, "FROM x", None, "linux/amd64");
        assert_eq!(err.kind, ErrorKind::BuildFailed);
    }
}
