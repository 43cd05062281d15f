//! Projects shaped like the ones `docker init` writes for Node, Python, Rust, Java and ASP.NET
//! (its Dockerfile templates directive for directive, its `.dockerignore`), FROM local stand-ins
//! for the language images, built by Berth with BuildKit. The docker CLI is the witness of what
//! came out: the files, the user, the environment and the command of each image, and what the
//! container prints when it runs.
//!
//! Every template starts with `# syntax=docker/dockerfile:1`, an image on Docker Hub, which
//! cannot be reached here: these builds use the engine's built-in Dockerfile frontend, as the
//! user is offered to when that happens (`buildkit.rs` tests the offer itself).

use crate::support::image as image_support;

use berth_core::activity::ActivityLog;
use berth_core::image::platform::Platform;
use berth_core::progress::{Progress, VertexState};
use berth_core::wizard::image::{self, BuildArg, BuildRequest, BuiltImage};
use image_support::{
    docker_quiet, fixture_copy, inspect, language_images, log_text, run_once, unique_name,
    Collected,
};
use std::path::Path;

pub struct Outcome {
    pub built: berth_core::Result<BuiltImage>,
    pub events: Vec<Progress>,
}

/// Builds `folder` with Berth (built-in frontend), tagged `<repository>:<tag>`.
pub async fn berth_build(
    folder: &Path,
    repository: &str,
    platform: Platform,
    build_args: &[(&str, &str)],
) -> Outcome {
    let engine = image::engine().await.expect("the stack's engine answers");
    let run = Collected::new();
    let built = image::build(
        &engine,
        Some(repository),
        &BuildRequest {
            folder: folder.to_str().unwrap().into(),
            dockerfile: None,
            build_args: build_args
                .iter()
                .map(|(n, v)| BuildArg {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
            target: None,
            platform,
            tag: "v1".into(),
            builtin_frontend: Some(true),
        },
        &ActivityLog::in_memory(),
        &run.op,
    )
    .await;
    Outcome {
        built,
        events: run.events(),
    }
}

fn built(outcome: &Outcome) -> &BuiltImage {
    match &outcome.built {
        Ok(b) => b,
        Err(e) => panic!(
            "Berth's build failed: {e}\n--- log\n{}",
            log_text(&outcome.events)
        ),
    }
}

/// The paths under `dir` in the image, as `find` in the container lists them (the docker CLI
/// runs it, past the image's entrypoint; the image's own busybox does the listing).
fn files_in(image: &str, dir: &str) -> Vec<String> {
    let prune = format!("{dir}/proc");
    let out = image_support::docker(&[
        "run",
        "--rm",
        "--entrypoint",
        "find",
        image,
        dir,
        "-path",
        &prune,
        "-prune",
        "-o",
        "-print",
    ]);
    let out = String::from_utf8_lossy(&out.stdout);
    let mut list: Vec<String> = out.lines().map(str::to_owned).collect();
    list.sort();
    list
}

fn config(image: &str) -> (String, String, String, String, String) {
    (
        inspect(image, "{{.Config.User}}"),
        inspect(image, "{{json .Config.Env}}"),
        inspect(image, "{{json .Config.Cmd}}"),
        inspect(image, "{{json .Config.Entrypoint}}"),
        inspect(image, "{{json .Config.ExposedPorts}}"),
    )
}

#[tokio::test]
async fn node_template_builds_with_its_bind_and_cache_mounts() {
    language_images();
    let dir = fixture_copy("docker-init/node");
    let root = dir.path();
    // Unique package names: the cache mount is shared by every build on this engine.
    let dep = unique_name("dep").replace('-', "_");
    let lock = std::fs::read_to_string(root.join("package-lock.json"))
        .unwrap()
        .replace("express", &dep);
    std::fs::write(root.join("package-lock.json"), &lock).unwrap();
    // What .dockerignore keeps out: a local node_modules, and docker init's own files.
    std::fs::create_dir_all(root.join("node_modules/local-only")).unwrap();
    std::fs::write(root.join("node_modules/local-only/index.js"), "x").unwrap();
    std::fs::write(root.join("npm-debug.log"), "log").unwrap();
    let repository = unique_name("berth-test/init-node");
    let outcome = berth_build(root, &repository, Platform::LinuxAmd64, &[]).await;
    let built = built(&outcome);
    let image = &built.reference;
    let log = log_text(&outcome.events);
    assert!(log.contains(&format!("downloaded: {dep}")), "{log}");
    assert!(log.contains("added 1 packages"), "{log}");

    let files = files_in(image, "/usr/src/app");
    for present in [
        "/usr/src/app/package.json",
        "/usr/src/app/package-lock.json",
        "/usr/src/app/src/index.js",
        &format!("/usr/src/app/node_modules/{dep}/index.js"),
    ] {
        assert!(
            files.iter().any(|f| f == present),
            "{present} missing: {files:?}"
        );
    }
    // Kept out exactly as docker build keeps them out — the Dockerfile and .dockerignore too,
    // though the engine read both.
    for absent in [
        "/usr/src/app/Dockerfile",
        "/usr/src/app/.dockerignore",
        "/usr/src/app/README.md",
        "/usr/src/app/npm-debug.log",
        "/usr/src/app/node_modules/local-only",
    ] {
        assert!(
            !files.iter().any(|f| f == absent),
            "{absent} copied: {files:?}"
        );
    }
    let (user, env, cmd, entrypoint, ports) = config(image);
    assert_eq!(user, "node");
    assert!(env.contains("\"NODE_ENV=production\""), "{env}");
    assert_eq!(cmd, r#"["/bin/sh","-c","node src/index.js"]"#);
    assert_eq!(entrypoint, "null");
    assert_eq!(ports, r#"{"3000/tcp":{}}"#);
    assert_eq!(built.exposed_port, Some(3000));
    let out = run_once(image, &[]);
    assert!(out.contains("berth node app listening on 3000"), "{out}");
    assert!(out.contains("NODE_ENV=production user=node"), "{out}");

    // A second dependency: the install runs again and finds the first in the cache mount.
    let dep2 = unique_name("dep").replace('-', "_");
    let lock2 = lock.replace(
        &format!("\"node_modules/{dep}\": {{ \"version\": \"4.18.2\" }}"),
        &format!(
            "\"node_modules/{dep}\": {{ \"version\": \"4.18.2\" }},\n    \"node_modules/{dep2}\": {{ \"version\": \"1.0.0\" }}"
        ),
    );
    assert_ne!(lock, lock2);
    std::fs::write(root.join("package-lock.json"), lock2).unwrap();
    let again = berth_build(root, &repository, Platform::LinuxAmd64, &[]).await;
    built_ok(&again);
    let log = log_text(&again.events);
    assert!(log.contains(&format!("cache hit: {dep}")), "{log}");
    assert!(log.contains(&format!("downloaded: {dep2}")), "{log}");
    // The base image step came from the cache the second time.
    assert!(
        again.events.iter().any(|e| matches!(e,
            Progress::BuildVertex { vertex } if vertex.state == VertexState::Cached && vertex.instruction.starts_with("WORKDIR"))),
        "{log}"
    );
    docker_quiet(&["rmi", image]);
}

fn built_ok(outcome: &Outcome) {
    let _ = built(outcome);
}

#[tokio::test]
async fn python_template_makes_its_user_and_installs_requirements_from_a_bind_mount() {
    language_images();
    let dir = fixture_copy("docker-init/python");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".venv/bin")).unwrap();
    std::fs::write(root.join(".venv/bin/activate"), "venv").unwrap();
    std::fs::create_dir_all(root.join("__pycache__")).unwrap();
    std::fs::write(root.join("__pycache__/app.cpython-311.pyc"), "pyc").unwrap();
    let repository = unique_name("berth-test/init-python");
    let outcome = berth_build(root, &repository, Platform::LinuxAmd64, &[]).await;
    let image = built(&outcome).reference.clone();

    let files = files_in(&image, "/app");
    assert_eq!(files, ["/app", "/app/app.py", "/app/requirements.txt"]);
    let site = files_in(&image, "/usr/local/lib/python3.11/site-packages");
    assert!(
        site.iter().any(|f| f.ends_with("/fastapi/__init__.py")),
        "{site:?}"
    );
    assert!(
        site.iter().any(|f| f.ends_with("/uvicorn/__init__.py")),
        "{site:?}"
    );
    let (user, env, cmd, _, ports) = config(&image);
    assert_eq!(user, "appuser");
    assert!(env.contains("\"PYTHONDONTWRITEBYTECODE=1\""), "{env}");
    assert!(env.contains("\"PYTHONUNBUFFERED=1\""), "{env}");
    assert_eq!(
        cmd,
        r#"["/bin/sh","-c","python3 -m uvicorn app:app --host=0.0.0.0 --port=8000"]"#
    );
    assert_eq!(ports, r#"{"8000/tcp":{}}"#);
    let passwd = run_once(&image, &["grep", "appuser", "/etc/passwd"]);
    assert_eq!(
        passwd.trim(),
        "appuser:x:10001:10001::/nonexistent:/sbin/nologin"
    );
    let out = run_once(&image, &[]);
    assert!(out.contains("berth python app says hello"), "{out}");
    assert!(out.contains("as appuser, PYTHONUNBUFFERED=1"), "{out}");
    docker_quiet(&["rmi", &image]);
}

#[tokio::test]
async fn rust_template_cross_compiles_for_the_target_platform_from_the_build_platform() {
    language_images();
    let dir = fixture_copy("docker-init/rust");
    let root = dir.path();
    // A crate name and a message of this run: the build cache is the engine's, shared by every
    // run, and the steps must really run here.
    let name = unique_name("myapp").replace('-', "_");
    for file in ["Cargo.toml", "Cargo.lock"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        std::fs::write(
            root.join(file),
            text.replace("\"myapp\"", &format!("\"{name}\"")),
        )
        .unwrap();
    }
    let main = |message: &str| format!("fn main() {{\n    println!(\"{message}\");\n}}\n");
    std::fs::write(
        root.join("src/main.rs"),
        main(&format!("hello from {name}")),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("target/release")).unwrap();
    std::fs::write(root.join("target/release/myapp"), "local build").unwrap();
    let repository = unique_name("berth-test/init-rust");
    let args = [("APP_NAME", name.as_str())];
    let outcome = berth_build(root, &repository, Platform::LinuxAmd64, &args).await;
    let image = built(&outcome).reference.clone();
    let log = log_text(&outcome.events);
    // BuildKit set TARGETPLATFORM (xx-apk and xx-cargo fail without it) and BUILDPLATFORM
    // (FROM --platform=$BUILDPLATFORM).
    assert!(
        log.contains("(xx-apk for linux/amd64) add --no-cache musl-dev gcc"),
        "{log}"
    );
    assert!(log.contains("/bin/server: built for linux/amd64"), "{log}");
    // This engine's built-in frontend (Dockerfile 1.2) does not expand ${APP_NAME} in the cache
    // mount's id: Berth says so; the cache is shared by every app built here.
    assert!(
        log.contains("does not expand variables in RUN --mount options (Dockerfile 1.3 does): --mount=type=cache,target=/app/target/,id=rust-cache-${APP_NAME}-${TARGETPLATFORM} is used as written"),
        "{log}"
    );
    let (user, _, cmd, _, ports) = config(&image);
    assert_eq!(user, "appuser");
    assert_eq!(cmd, r#"["/bin/server"]"#);
    assert_eq!(ports, r#"{"8000/tcp":{}}"#);
    assert_eq!(inspect(&image, "{{.Architecture}}"), "amd64");
    let out = run_once(&image, &[]);
    assert_eq!(
        out.trim(),
        format!("hello from {name} [x86_64-unknown-linux-musl]")
    );
    // The build stage's files are not in the final image; the sources never were (bind mount).
    let root_dirs = run_once(&image, &["ls", "/"]);
    assert!(!root_dirs.lines().any(|l| l == "app"), "{root_dirs}");

    // Rebuilt after a source change: the target directory comes back from its cache mount.
    std::fs::write(
        root.join("src/main.rs"),
        main(&format!("second build of {name}")),
    )
    .unwrap();
    let again = berth_build(root, &repository, Platform::LinuxAmd64, &args).await;
    built_ok(&again);
    let log = log_text(&again.events);
    assert!(
        log.contains(&format!(
            "Fresh {name} (target directory from the cache mount)"
        )),
        "{log}"
    );
    assert_eq!(
        run_once(&image, &[]).trim(),
        format!("second build of {name} [x86_64-unknown-linux-musl]")
    );
    docker_quiet(&["rmi", &image]);
}

#[tokio::test]
async fn java_template_runs_its_wrapper_made_executable_by_copy_chmod() {
    language_images();
    let dir = fixture_copy("docker-init/java");
    let root = dir.path();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(root.join("mvnw"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o111,
        0,
        "the fixture's mvnw has no x bit: --chmod gives it"
    );
    // A message of this run, so the package step really runs (the build cache is shared).
    let message = unique_name("java app says hello");
    let source = root.join("src/main/java/com/example/DemoApplication.java");
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replace("berth java app says hello", &message)).unwrap();
    let repository = unique_name("berth-test/init-java");
    let outcome = berth_build(root, &repository, Platform::LinuxAmd64, &[]).await;
    let image = built(&outcome).reference.clone();
    let log = log_text(&outcome.events);
    assert!(
        log.contains("[INFO] Building jar: target/demo-0.0.1-SNAPSHOT.jar"),
        "{log}"
    );
    assert!(log.contains("extracted target/app.jar"), "{log}");

    let (user, _, cmd, entrypoint, ports) = config(&image);
    assert_eq!(user, "appuser");
    assert_eq!(cmd, "null");
    assert_eq!(
        entrypoint,
        r#"["java","org.springframework.boot.loader.launch.JarLauncher"]"#
    );
    assert_eq!(ports, r#"{"8080/tcp":{}}"#);
    let files = files_in(&image, "/BOOT-INF");
    assert_eq!(
        files,
        [
            "/BOOT-INF",
            "/BOOT-INF/classes",
            "/BOOT-INF/classes/app.txt",
            "/BOOT-INF/lib",
            "/BOOT-INF/lib/spring-core.jar"
        ]
    );
    let out = run_once(&image, &[]);
    assert!(out.contains(&message), "{out}");
    assert!(out.contains("Started as appuser"), "{out}");
    docker_quiet(&["rmi", &image]);
}

#[tokio::test]
async fn aspnet_template_publishes_for_targetarch_with_its_substitution() {
    language_images();
    let dir = fixture_copy("docker-init/aspnet");
    let root = dir.path();
    for local in ["myWebApp/bin/Debug", "myWebApp/obj"] {
        std::fs::create_dir_all(root.join(local)).unwrap();
        std::fs::write(root.join(local).join("stale.dll"), "stale").unwrap();
    }
    let repository = unique_name("berth-test/init-aspnet");
    let outcome = berth_build(root, &repository, Platform::LinuxAmd64, &[]).await;
    let image = built(&outcome).reference.clone();

    let (user, _, _, entrypoint, _) = config(&image);
    assert_eq!(user, "appuser");
    assert_eq!(entrypoint, r#"["dotnet","myWebApp.dll"]"#);
    assert_eq!(inspect(&image, "{{.Config.WorkingDir}}"), "/app");
    assert_eq!(files_in(&image, "/app"), ["/app", "/app/myWebApp.dll"]);
    // ${TARGETARCH/amd64/x64}: BuildKit set TARGETARCH=amd64, the shell made it x64.
    let out = run_once(&image, &[]);
    assert!(
        out.contains("Hello from berth aspnet app (linux-musl-x64)"),
        "{out}"
    );
    assert!(out.contains("Now listening as appuser"), "{out}");
    docker_quiet(&["rmi", &image]);
}
