//! The Image step's build: checks what the user asked for, builds the folder with the local
//! engine (once more without the cache when the legacy builder's cache gave the wrong platform)
//! and records the `docker build` a user would type.

use super::{require_repository, BuildArg, BuildRequest, BuiltImage};
use crate::activity::{ActivityLog, CliCommand};
use crate::docker::Engine;
use crate::error::{BerthError, Result};
use crate::image::build::{self, BuildSpec};
use crate::image::local;
use crate::image::{context, tag};
use crate::progress::{Operation, Progress};
use std::collections::BTreeMap;
use std::path::Path;

fn build_args(args: &[BuildArg]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for arg in args {
        let name = arg.name.trim();
        if name.is_empty() && arg.value.trim().is_empty() {
            continue;
        }
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(BerthError::invalid("buildArgs", "name").with("name", name));
        }
        out.insert(name.to_owned(), arg.value.clone());
    }
    Ok(out)
}

/// The `docker build` a user would type (build-arg values left out: they may be secrets).
fn build_command(spec: &BuildSpec, dockerfile: &str, folder: &Path) -> CliCommand {
    let mut cmd = CliCommand::new(["docker", "build"])
        .opt("-t", &spec.reference)
        .opt("--platform", spec.platform.as_str());
    if dockerfile != "Dockerfile" {
        cmd = cmd.opt("-f", folder.join(dockerfile).display().to_string());
    }
    for name in spec.build_args.keys() {
        cmd = cmd.opt("--build-arg", name);
    }
    cmd = cmd.opt_some("--target", spec.target.clone());
    cmd.arg(folder.display().to_string())
}

/// Builds the folder into `<repository>:<tag>` in the local engine.
pub async fn build(
    engine: &Engine,
    repository: Option<&str>,
    req: &BuildRequest,
    log: &ActivityLog,
    op: &Operation,
) -> Result<BuiltImage> {
    let repository = require_repository(repository)?;
    tag::validate_tag(req.tag.trim())?;
    let mut spec = BuildSpec {
        reference: format!("{repository}:{}", req.tag.trim()),
        platform: req.platform,
        build_args: build_args(&req.build_args)?,
        target: req.target.clone().filter(|t| !t.trim().is_empty()),
        no_cache: false,
        builtin_frontend: req.builtin_frontend.unwrap_or(false),
    };
    let (root, dockerfile) = {
        let folder = req.folder.clone();
        let given = req.dockerfile.clone();
        tokio::task::spawn_blocking(move || {
            let root = context::resolve_folder(&folder)?;
            let dockerfile = context::resolve_dockerfile(&root, given.as_deref())?;
            Ok::<_, BerthError>((root, dockerfile))
        })
        .await
        .map_err(BerthError::internal)??
    };
    let command = build_command(&spec, &dockerfile, &root);
    let work = async {
        let (mut built, builder) = build_once(engine, &root, &dockerfile, &spec, op).await?;
        if !built.platform_matches && builder == build::Builder::Classic {
            // The legacy builder's cache ignores the platform for some images: one build
            // without the cache tells a stale cache from a base image of another architecture.
            op.emit(Progress::Log {
                line: format!(
                    "Berth: the image is {} but {} was asked for; building once more without the cache",
                    built.platform,
                    spec.platform.as_str()
                ),
            });
            spec.no_cache = true;
            built = build_once(engine, &root, &dockerfile, &spec, op).await?.0;
        }
        Ok(built)
    };
    let result = op.run("build", work).await;
    log.track("docker.build", &spec.reference, &command, result)
}

async fn build_once(
    engine: &Engine,
    root: &Path,
    dockerfile: &str,
    spec: &BuildSpec,
    op: &Operation,
) -> Result<(BuiltImage, build::Builder)> {
    let built = build::build(engine, root, dockerfile, spec, op).await?;
    let details = local::inspect(engine, &spec.reference).await?;
    Ok((
        BuiltImage {
            platform_matches: built.platform == spec.platform.as_str(),
            id: built.id,
            reference: spec.reference.clone(),
            platform: built.platform,
            size: built.size,
            context_bytes: built.context_bytes,
            exposed_port: details.exposed_port,
        },
        built.builder,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::platform::Platform;

    #[test]
    fn build_args_need_variable_names() {
        let arg = |n: &str, v: &str| BuildArg {
            name: n.into(),
            value: v.into(),
        };
        let args =
            build_args(&[arg("NODE_ENV", "production"), arg(" ", ""), arg("_x1", "")]).unwrap();
        assert_eq!(args.len(), 2);
        let err = build_args(&[arg("1BAD", "x")]).unwrap_err();
        assert_eq!(err.param("field"), Some("buildArgs"));
        assert_eq!(err.param("name"), Some("1BAD"));
    }

    #[test]
    fn the_build_command_never_shows_build_arg_values() {
        let spec = BuildSpec {
            reference: "web:v1".into(),
            platform: Platform::LinuxArm64,
            build_args: BTreeMap::from([("TOKEN".into(), "s3cret".into())]),
            target: Some("app".into()),
            no_cache: false,
            builtin_frontend: false,
        };
        let cmd = build_command(&spec, "docker/Dockerfile", Path::new("/app")).render();
        assert_eq!(
            cmd,
            "docker build -t web:v1 --platform linux/arm64 -f /app/docker/Dockerfile --build-arg TOKEN --target app /app"
        );
        assert!(!cmd.contains("s3cret"));
    }
}
