//! BuildKit through the engine's API, feature by feature, against the real engine: multi-stage
//! builds with `COPY --from` and `--target`, build args, the automatic platform args with
//! `FROM --platform=$BUILDPLATFORM` (and a cross-build for linux/arm64), the ignore file beside
//! the Dockerfile, cached steps, a rebuild that sends only what changed, a `# syntax=` image that
//! cannot be pulled, features too new for this engine's built-in frontend, and the classic
//! builder for an engine without BuildKit.

use crate::support::image as image_support;

use berth_core::activity::ActivityLog;
use berth_core::error::ErrorKind;
use berth_core::image::platform::Platform;
use berth_core::progress::{Progress, VertexState};
use berth_core::wizard::image::{self, BuildArg, BuildRequest};
use image_support::{docker_quiet, inspect, log_text, run_once, stack_var, unique_name, Collected};
use std::path::Path;

struct Build<'a> {
    folder: &'a Path,
    dockerfile: Option<&'a str>,
    target: Option<&'a str>,
    args: &'a [(&'a str, &'a str)],
    platform: Platform,
    builtin: bool,
}

impl<'a> Build<'a> {
    fn of(folder: &'a Path) -> Self {
        Build {
            folder,
            dockerfile: None,
            target: None,
            args: &[],
            platform: Platform::LinuxAmd64,
            builtin: false,
        }
    }

    async fn run(
        &self,
        repository: &str,
        tag: &str,
    ) -> (berth_core::Result<image::BuiltImage>, Vec<Progress>) {
        self.run_on(&image::engine().await.unwrap(), repository, tag)
            .await
    }

    async fn run_on(
        &self,
        engine: &berth_core::docker::Engine,
        repository: &str,
        tag: &str,
    ) -> (berth_core::Result<image::BuiltImage>, Vec<Progress>) {
        let run = Collected::new();
        let result = image::build(
            engine,
            Some(repository),
            &BuildRequest {
                folder: self.folder.to_str().unwrap().into(),
                dockerfile: self.dockerfile.map(str::to_owned),
                build_args: self
                    .args
                    .iter()
                    .map(|(n, v)| BuildArg {
                        name: (*n).into(),
                        value: (*v).into(),
                    })
                    .collect(),
                target: self.target.map(str::to_owned),
                platform: self.platform,
                tag: tag.into(),
                builtin_frontend: Some(self.builtin),
            },
            &ActivityLog::in_memory(),
            &run.op,
        )
        .await;
        (result, run.events())
    }
}

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

fn base() -> String {
    stack_var("BERTH_TEST_IMAGE")
}

fn ok(
    result: (berth_core::Result<image::BuiltImage>, Vec<Progress>),
) -> (image::BuiltImage, Vec<Progress>) {
    match result.0 {
        Ok(built) => (built, result.1),
        Err(e) => panic!("build failed: {e}\n--- log\n{}", log_text(&result.1)),
    }
}

#[tokio::test]
async fn multi_stage_builds_copy_between_stages_stop_at_a_target_and_take_build_args() {
    let dir = folder(&[(
        "Dockerfile",
        &format!(
            "FROM {b} AS base\nARG GREETING=hello\nRUN echo \"$GREETING from base\" > /greeting\n\
             FROM base AS test\nRUN echo tests ran > /tests\n\
             FROM {b} AS final\nCOPY --from=base /greeting /greeting\nCMD [\"cat\", \"/greeting\"]\n",
            b = base()
        ),
    )]);
    let repository = unique_name("berth-test/stages");
    let mut build = Build::of(dir.path());
    build.args = &[("GREETING", "howdy")];
    let (final_image, events) = ok(build.run(&repository, "final").await);
    assert_eq!(
        run_once(&final_image.reference, &[]).trim(),
        "howdy from base"
    );
    assert!(run_once(&final_image.reference, &["ls", "/"])
        .lines()
        .all(|l| l != "tests"));
    // The test stage was not needed for the final stage: BuildKit skipped it.
    let log = log_text(&events);
    assert!(!log.contains("tests ran"), "{log}");
    assert!(!log.contains("[test "), "{log}");

    build.target = Some("test");
    let (test_image, events) = ok(build.run(&repository, "test").await);
    assert_eq!(
        run_once(&test_image.reference, &["cat", "/tests"]).trim(),
        "tests ran"
    );
    // The base stage's steps came from the cache of the first build.
    let cached: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Progress::BuildVertex { vertex } if vertex.state == VertexState::Cached => {
                Some(vertex.name.clone())
            }
            _ => None,
        })
        .collect();
    assert!(
        cached.iter().any(|n| n.starts_with("[base 2/2] RUN echo")),
        "{cached:?}"
    );
    assert!(log_text(&events).contains(" CACHED"));
    docker_quiet(&["rmi", &final_image.reference, &test_image.reference]);
}

#[tokio::test]
async fn platform_args_are_set_and_from_platform_builds_on_the_build_platform() {
    // The build stage runs on this machine's platform; the final stage is the target's. Its
    // only content comes from the build stage, so no emulator is needed for linux/arm64.
    let dir = folder(&[(
        "Dockerfile",
        &format!(
            "FROM --platform=$BUILDPLATFORM {b} AS build\n\
             ARG TARGETPLATFORM\nARG TARGETOS\nARG TARGETARCH\nARG BUILDPLATFORM\nARG BUILDARCH\n\
             RUN echo \"$BUILDPLATFORM $BUILDARCH -> $TARGETPLATFORM $TARGETOS $TARGETARCH\" > /platforms\n\
             FROM scratch\nCOPY --from=build /platforms /platforms\n",
            b = base()
        ),
    )]);
    let repository = unique_name("berth-test/platforms");
    let mut build = Build::of(dir.path());
    for (platform, tag, expected) in [
        (
            Platform::LinuxAmd64,
            "amd64",
            "linux/amd64 amd64 -> linux/amd64 linux amd64",
        ),
        (
            Platform::LinuxArm64,
            "arm64",
            "linux/amd64 amd64 -> linux/arm64 linux arm64",
        ),
    ] {
        build.platform = platform;
        let (built, _) = ok(build.run(&repository, tag).await);
        assert_eq!(built.platform, platform.as_str());
        assert!(built.platform_matches);
        assert_eq!(
            inspect(&built.reference, "{{.Architecture}}"),
            platform.arch()
        );
        let out = tempfile::tempdir().unwrap();
        image_support::export_files(&built.reference, &out.path().join("files"));
        let content = std::fs::read_to_string(out.path().join("files/platforms")).unwrap();
        assert_eq!(content.trim(), expected);
        docker_quiet(&["rmi", &built.reference]);
    }
}

#[tokio::test]
async fn the_ignore_file_beside_the_dockerfile_replaces_dockerignore() {
    let dir = folder(&[
        (".dockerignore", "secret.txt\n"),
        ("secret.txt", "only the root .dockerignore keeps me out"),
        (
            "notes/todo.md",
            "kept out by the Dockerfile's own ignore file",
        ),
        ("src/app.sh", "echo app"),
        (
            "docker/app.Dockerfile",
            &format!("FROM {}\nCOPY . /ctx/\n", base()),
        ),
        ("docker/app.Dockerfile.dockerignore", "notes\ndocker\n"),
    ]);
    let repository = unique_name("berth-test/ignorefile");
    let mut build = Build::of(dir.path());
    build.dockerfile = Some("docker/app.Dockerfile");
    let (built, _) = ok(build.run(&repository, "v1").await);
    let listing = run_once(&built.reference, &["find", "/ctx"]);
    let mut files: Vec<&str> = listing.lines().collect();
    files.sort();
    assert_eq!(
        files,
        [
            "/ctx",
            "/ctx/.dockerignore",
            "/ctx/secret.txt",
            "/ctx/src",
            "/ctx/src/app.sh"
        ]
    );
    // The summary before a build names the same file.
    let info = image::inspect_folder(dir.path().to_str().unwrap(), Some("docker/app.Dockerfile"))
        .await
        .unwrap();
    assert_eq!(
        info.context.ignore_file.as_deref(),
        Some("docker/app.Dockerfile.dockerignore")
    );
    assert_eq!(info.context.ignore_patterns, 2);
    docker_quiet(&["rmi", &built.reference]);
}

#[tokio::test]
async fn a_rebuild_sends_only_the_files_that_changed() {
    let big = "x".repeat(4 << 20);
    let dir = folder(&[
        ("Dockerfile", &format!("FROM {}\nCOPY . /app/\n", base())),
        ("data.bin", &big),
        ("main.sh", "echo one"),
    ]);
    let repository = unique_name("berth-test/incremental");
    let build = Build::of(dir.path());
    let (first, _) = ok(build.run(&repository, "v1").await);
    assert!(first.context_bytes >= 4 << 20, "{}", first.context_bytes);
    std::fs::write(dir.path().join("main.sh"), "echo two").unwrap();
    let (second, events) = ok(build.run(&repository, "v2").await);
    assert!(
        second.context_bytes < 64 << 10,
        "{} bytes sent for one changed file",
        second.context_bytes
    );
    assert_eq!(
        run_once(&second.reference, &["cat", "/app/main.sh"]).trim(),
        "echo two"
    );
    let reported = events.iter().rev().find_map(|e| match e {
        Progress::Bytes { item, done, .. } if item == "context" => Some(*done),
        _ => None,
    });
    assert_eq!(reported, Some(second.context_bytes));
    docker_quiet(&["rmi", &first.reference, &second.reference]);
}

#[tokio::test]
async fn a_syntax_image_that_cannot_be_pulled_is_named_and_the_built_in_frontend_is_offered() {
    // Nothing listens on port 9 here, as Docker Hub cannot be reached in a sealed network.
    let image_name = "127.0.0.1:9/berth/dockerfile:1";
    let dir = folder(&[(
        "Dockerfile",
        &format!(
            "# syntax={image_name}\nFROM {}\nRUN echo built > /built\n",
            base()
        ),
    )]);
    let repository = unique_name("berth-test/syntax");
    let mut build = Build::of(dir.path());
    let (result, events) = build.run(&repository, "v1").await;
    let err = result.unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::BuildFrontendUnavailable,
        "{err}\n{}",
        log_text(&events)
    );
    assert_eq!(err.param("image"), Some(image_name));

    build.builtin = true;
    let (built, events) = ok(build.run(&repository, "v1").await);
    assert!(log_text(&events).contains(&format!(
        "building with the engine's built-in Dockerfile frontend instead of {image_name}"
    )));
    assert_eq!(
        run_once(&built.reference, &["cat", "/built"]).trim(),
        "built"
    );
    // The Dockerfile in the folder is untouched.
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.starts_with("# syntax=127.0.0.1:9/"));
    docker_quiet(&["rmi", &built.reference]);
}

#[tokio::test]
async fn heredocs_are_named_as_too_new_for_this_engines_frontend() {
    let dir = folder(&[(
        "Dockerfile",
        &format!(
            "FROM {}\nRUN <<EOF\necho one > /one\necho two > /two\nEOF\n",
            base()
        ),
    )]);
    let (result, events) = Build::of(dir.path())
        .run(&unique_name("berth-test/heredoc"), "v1")
        .await;
    let err = result.unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::BuildFeatureUnsupported,
        "{err}\n{}",
        log_text(&events)
    );
    assert_eq!(err.param("feature"), Some("heredocs (<<EOF)"));
    assert_eq!(err.param("syntax"), Some("docker/dockerfile:1.4"));
}

#[tokio::test]
async fn copy_chmod_and_run_mounts_of_this_engines_frontend_work() {
    let dir = folder(&[
        (
            "Dockerfile",
            &format!(
                "FROM {b} AS assets\nRUN mkdir -p /out && echo asset > /out/asset.txt\n\
                 FROM {b}\nCOPY --chmod=0750 run.sh /run.sh\n\
                 RUN --mount=type=bind,source=config.ini,target=/etc/app/config.ini \\\n\
                     --mount=type=bind,from=assets,source=/out,target=/assets \\\n\
                     --mount=type=cache,target=/var/cache/app \\\n\
                     --mount=type=tmpfs,target=/scratch \\\n\
                     cat /etc/app/config.ini /assets/asset.txt > /result && echo cached > /var/cache/app/x && touch /scratch/t\n",
                b = base()
            ),
        ),
        ("run.sh", "#!/bin/sh\necho run\n"),
        ("config.ini", "[app]\nname=berth\n"),
    ]);
    let (built, _) = ok(Build::of(dir.path())
        .run(&unique_name("berth-test/mounts"), "v1")
        .await);
    let out = run_once(
        &built.reference,
        &[
            "sh",
            "-c",
            "stat -c %a /run.sh; cat /result; ls -A /etc/app /var/cache/app /scratch",
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "750");
    assert_eq!(lines[1..4], ["[app]", "name=berth", "asset"]);
    // Bind, cache and tmpfs mounts leave nothing in the image but their (empty) mount points,
    // as with docker build.
    assert_eq!(
        lines[4..],
        ["/etc/app:", "", "/scratch:", "", "/var/cache/app:"],
        "{out}"
    );
    docker_quiet(&["rmi", &built.reference]);
}

#[tokio::test]
async fn an_engine_without_buildkit_builds_with_the_classic_builder_and_says_so() {
    // A front to the real engine that answers /session with 404, as engines without BuildKit
    // (Podman's Docker API, old or Windows engines) do.
    let front = image_support::SessionlessEngine::start(&stack_var("DOCKER_HOST"));
    let engine = berth_core::docker::connect_with(
        &berth_core::docker::DockerEnv::default().set("DOCKER_HOST", front.host()),
        None,
        std::time::Duration::from_secs(600),
    )
    .await
    .expect("the front answers");
    let dir = folder(&[(
        "Dockerfile",
        &format!("FROM {}\nRUN echo classic > /how\n", base()),
    )]);
    let (built, events) = ok(Build::of(dir.path())
        .run_on(&engine, &unique_name("berth-test/classic"), "v1")
        .await);
    let log = log_text(&events);
    assert!(
        log.contains("this engine has no BuildKit (POST /session answered 404"),
        "{log}"
    );
    assert!(log.contains("building with the classic builder"), "{log}");
    assert!(events.iter().any(|e| matches!(
        e,
        Progress::BuildStep {
            number: 2,
            count: 2,
            ..
        }
    )));
    assert_eq!(
        run_once(&built.reference, &["cat", "/how"]).trim(),
        "classic"
    );
    docker_quiet(&["rmi", &built.reference]);
}

#[tokio::test]
async fn a_private_base_image_is_pulled_with_the_docker_clis_credentials() {
    // A base image only in the stack's registry (basic auth), not in the engine.
    let registry = stack_var("BERTH_TEST_REGISTRY");
    let (user, password) = (
        stack_var("BERTH_TEST_REGISTRY_USER"),
        stack_var("BERTH_TEST_REGISTRY_PASSWORD"),
    );
    let private = format!("{registry}/{}:base", unique_name("berth-private"));
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    std::fs::create_dir_all(&config).unwrap();
    // The docker CLI logs in (into this config only) and pushes; then the local copy goes.
    let cli = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut child = std::process::Command::new("docker")
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("DOCKER_HOST", stack_var("DOCKER_HOST"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cli(
        &["login", "-u", &user, "--password-stdin", &registry],
        Some(&password),
    );
    cli(&["tag", &base(), &private], None);
    cli(&["push", &private], None);
    cli(&["rmi", &private], None);

    let dir = folder(&[(
        "Dockerfile",
        &format!("FROM {private}\nRUN echo from-private > /origin\n"),
    )]);
    let repository = unique_name("berth-test/private");
    let engine_with = |env: berth_core::docker::DockerEnv| async move {
        berth_core::docker::connect_with(&env, None, std::time::Duration::from_secs(600))
            .await
            .unwrap()
    };
    // Without credentials the registry refuses, and Berth names the image.
    let anonymous = engine_with(
        berth_core::docker::DockerEnv::with_home(tempfile::tempdir().unwrap().path())
            .set("DOCKER_HOST", stack_var("DOCKER_HOST")),
    )
    .await;
    let (result, _) = Build::of(dir.path())
        .run_on(&anonymous, &repository, "anon")
        .await;
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::BaseImageUnavailable, "{err}");
    assert!(err.param("image").unwrap().ends_with(":base"), "{err}");
    // With the docker CLI's config (where `docker login` put them), the session hands them over.
    let logged_in = engine_with(
        berth_core::docker::DockerEnv::with_home(home.path())
            .set("DOCKER_HOST", stack_var("DOCKER_HOST")),
    )
    .await;
    let (built, _) = ok(Build::of(dir.path())
        .run_on(&logged_in, &repository, "v1")
        .await);
    assert_eq!(
        run_once(&built.reference, &["cat", "/origin"]).trim(),
        "from-private"
    );
    docker_quiet(&["rmi", &built.reference, &private]);
}
