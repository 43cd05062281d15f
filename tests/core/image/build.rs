//! Building with Berth (BuildKit) against the real engine: the image holds exactly what
//! `docker build` of the same folder puts in it, the bytes `.dockerignore` excludes are never
//! sent, a failing step is reported with its output, a base image missing for the platform is
//! named, and a build can be cancelled (the engine stops running its step).

use crate::support::image as image_support;

use berth_core::activity::ActivityLog;
use berth_core::error::ErrorKind;
use berth_core::image::context;
use berth_core::image::platform::Platform;
use berth_core::progress::{Progress, VertexState};
use berth_core::wizard::image::{self, BuildArg, BuildRequest};
use image_support::{docker, docker_quiet, export_files, fixture_dir, unique_name, Collected};
use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

/// Size of the file `.dockerignore` keeps out.
const BIG: u64 = 64 << 20;

/// The fixture copied to a temporary folder, with what git cannot hold: a large excluded file,
/// a hard link, a 600 file, a name too long for a plain tar header, an excluded node_modules.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .args(["-a", &format!("{}/.", fixture_dir().display())])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let root = dir.path();
    let big = std::fs::File::create(root.join("big/huge.bin")).unwrap();
    big.set_len(BIG).unwrap();
    std::fs::create_dir_all(root.join("node_modules/dep")).unwrap();
    std::fs::write(root.join("node_modules/dep/index.js"), "module.exports = 1").unwrap();
    std::fs::hard_link(
        root.join("src/index.js"),
        root.join("src/index-hardlink.js"),
    )
    .unwrap();
    std::fs::set_permissions(
        root.join("docs/readme.md"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    // Content of this run: files made here get this run's mtime, and the engine's build cache
    // (content-addressed) must not hand back a copy made by an earlier run with another mtime.
    std::fs::write(
        root.join(format!("{}.txt", "n".repeat(110))),
        format!("long name {}", image_support::unique()),
    )
    .unwrap();
    dir
}

/// What a file tree holds: per path, its kind, mode, owner, content (or link target) and, for
/// files, modification time.
fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let owner = format!("{}:{}", meta.uid(), meta.gid());
            let mode = meta.mode() & 0o7777;
            let what = if meta.file_type().is_symlink() {
                format!("link -> {}", std::fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                stack.push(path.clone());
                format!("dir {mode:o} {owner}")
            } else {
                let content = std::fs::read(&path).unwrap();
                format!(
                    "file {mode:o} {owner} {} bytes, content {:?}, mtime {}",
                    content.len(),
                    String::from_utf8_lossy(&content[..content.len().min(40)]),
                    meta.mtime()
                )
            };
            out.insert(rel, what);
        }
    }
    out
}

#[tokio::test]
async fn the_image_holds_exactly_what_docker_build_puts_in_it_and_excluded_bytes_are_never_sent() {
    let dir = fixture_copy();
    let folder = dir.path().to_str().unwrap().to_owned();
    let repository = unique_name("berth-test/build");
    let engine = image::engine().await.expect("the stack's engine answers");
    let log = ActivityLog::in_memory();
    let run = Collected::new();
    let built = image::build(
        &engine,
        Some(&repository),
        &BuildRequest {
            folder: folder.clone(),
            tag: "berth".into(),
            ..Default::default()
        },
        &log,
        &run.op,
    )
    .await
    .expect("Berth builds the fixture");
    assert_eq!(built.reference, format!("{repository}:berth"));
    assert!(built.platform_matches, "{}", built.platform);

    // The same folder through the docker CLI, without its cache so it really copies.
    let cli_ref = format!("{repository}:cli");
    docker(&["build", "-q", "--no-cache", "-t", &cli_ref, &folder]);

    let berth_files = dir.path().join("../").join(unique_name("berth-files"));
    let cli_files = dir.path().join("../").join(unique_name("cli-files"));
    export_files(&built.reference, &berth_files);
    export_files(&cli_ref, &cli_files);
    let berth_tree = tree(&berth_files.join("app"));
    let cli_tree = tree(&cli_files.join("app"));
    eprintln!("{berth_tree:#?}");
    assert_eq!(
        berth_tree, cli_tree,
        "Berth's image differs from docker build's"
    );

    // The .dockerignore decided, in both: exceptions came back, exclusions stayed out.
    assert!(berth_tree.contains_key("big/keep.txt"));
    assert!(berth_tree.contains_key("src/index-hardlink.js"));
    assert!(berth_tree.contains_key("bin/index-link.js"));
    for gone in [
        "big/huge.bin",
        "src/lib/trace.log",
        "docs/notes.draft",
        "node_modules",
    ] {
        assert!(!berth_tree.contains_key(gone), "{gone} should be excluded");
    }

    // The large excluded file was never sent: the engine asked for the files the build needs
    // (BuildKit reads .dockerignore itself), and what Berth sent is what it reported.
    let sent = run
        .events()
        .iter()
        .rev()
        .find_map(|e| match e {
            Progress::Bytes { item, done, total } if item == "context" => Some((*done, *total)),
            _ => None,
        })
        .expect("context progress was reported");
    assert_eq!(sent, (built.context_bytes, None));
    assert!(
        built.context_bytes < 1 << 20,
        "{} bytes of context sent for a few kB of kept files",
        built.context_bytes
    );
    let root = context::resolve_folder(&folder).unwrap();
    let names: Vec<String> = context::prepare(&root, "Dockerfile")
        .unwrap()
        .names()
        .map(str::to_owned)
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("big/huge")),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n == "big/"),
        "the excluded folder itself is not sent"
    );

    // The build log and the activity log tell what happened.
    assert!(
        run.events().iter().any(|e| matches!(e,
        Progress::BuildVertex { vertex } if vertex.instruction == "COPY . /app/"
            // FROM is step 1 of the fixture's two.
            && (vertex.step, vertex.steps) == (Some(2), Some(2))
            && matches!(vertex.state, VertexState::Done | VertexState::Cached))),
        "{}",
        image_support::log_text(&run.events())
    );
    let entry = log.recent(1).pop().unwrap();
    assert_eq!(entry.action, "docker.build");
    assert_eq!(
        entry.command,
        format!(
            "docker build -t {repository}:berth --platform linux/amd64 {}",
            root.display()
        )
    );

    docker_quiet(&["rmi", &built.reference, &cli_ref]);
}

#[tokio::test]
async fn a_failing_step_is_reported_with_its_number_and_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nRUN echo preparing && echo 'npm ERR! missing script: build' && exit 3\nCMD [\"sh\"]\n",
            image_support::stack_var("BERTH_TEST_IMAGE")
        ),
    )
    .unwrap();
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let run = Collected::new();
    let err = image::build(
        &engine,
        Some("berth-test/failing"),
        &BuildRequest {
            folder: dir.path().to_str().unwrap().into(),
            dockerfile: None,
            build_args: vec![BuildArg {
                name: "MODE".into(),
                value: "ci".into(),
            }],
            target: None,
            platform: Platform::LinuxAmd64,
            tag: unique_name("t").replace('/', "-"),
            builtin_frontend: None,
        },
        &log,
        &run.op,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::BuildFailed, "{err}");
    // BuildKit counts the steps that make layers: FROM and RUN (CMD only sets the config).
    assert_eq!(err.param("step"), Some("2"));
    assert_eq!(err.param("steps"), Some("2"));
    assert!(err
        .param("instruction")
        .unwrap()
        .starts_with("RUN echo preparing"));
    assert!(
        err.param("message").unwrap().contains("exit code: 3"),
        "{err}"
    );
    assert!(err
        .details
        .as_deref()
        .unwrap()
        .contains("npm ERR! missing script"));
    assert_eq!(log.recent(1)[0].error, Some(ErrorKind::BuildFailed));
    assert!(
        matches!(run.events().last(), Some(Progress::Failed { error }) if error.kind == ErrorKind::BuildFailed)
    );
}

#[tokio::test]
async fn bad_input_is_refused_before_the_engine_is_asked() {
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let run = Collected::new();
    let request = |folder: &str, tag: &str| BuildRequest {
        folder: folder.into(),
        tag: tag.into(),
        ..Default::default()
    };
    let fixture = fixture_dir().display().to_string();
    let rule = |e: berth_core::BerthError| {
        (
            e.param("field").unwrap_or_default().to_owned(),
            e.param("rule").unwrap_or_default().to_owned(),
        )
    };
    let err = image::build(&engine, None, &request(&fixture, "v1"), &log, &run.op)
        .await
        .unwrap_err();
    assert_eq!(rule(err), ("repository".into(), "required".into()));
    let err = image::build(
        &engine,
        Some("r"),
        &request(&fixture, "-bad"),
        &log,
        &run.op,
    )
    .await
    .unwrap_err();
    assert_eq!(rule(err), ("imageTag".into(), "start".into()));
    let err = image::build(
        &engine,
        Some("r"),
        &request("/nonexistent/folder", "v1"),
        &log,
        &run.op,
    )
    .await
    .unwrap_err();
    assert_eq!(rule(err), ("contextDir".into(), "notFound".into()));
    // A folder without a Dockerfile (none named): the folder is what is wrong.
    let bare = tempfile::tempdir().unwrap();
    std::fs::write(bare.path().join("app.js"), "x").unwrap();
    let bare = bare.path().display().to_string();
    let err = image::build(&engine, Some("r"), &request(&bare, "v1"), &log, &run.op)
        .await
        .unwrap_err();
    assert_eq!(rule(err), ("contextDir".into(), "noDockerfile".into()));
    assert!(log.recent(10).is_empty(), "nothing reached the engine");
}

/// How many processes on this machine run exactly `argv` (the engine's build containers are
/// processes of this machine).
fn processes_running(argv: &str) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            if String::from_utf8_lossy(&cmdline).replace('\0', " ").trim() == argv {
                count += 1;
            }
        }
    }
    count
}

#[tokio::test]
async fn cancelling_a_build_stops_it_and_tags_nothing() {
    // A sleep of a length of its own, to find its process.
    let seconds = 600 + image_support::unique() % 300;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nRUN echo started && sleep {seconds}\n",
            image_support::stack_var("BERTH_TEST_IMAGE")
        ),
    )
    .unwrap();
    let repository = unique_name("berth-test/cancelled");
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let cancel = std::sync::Arc::new(std::sync::Mutex::new(
        None::<tokio_util::sync::CancellationToken>,
    ));
    let trigger = cancel.clone();
    let sleep = format!("sleep {seconds}");
    let run = Collected::with_hook(move |e| {
        // BuildKit's output lines carry their step: "#5 started".
        if matches!(e, Progress::Log { line } if line.ends_with(" started")) {
            // The step really runs on the engine when it prints.
            for _ in 0..100 {
                if processes_running(&sleep) > 0 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            if let Some(token) = trigger.lock().unwrap().as_ref() {
                token.cancel();
            }
        }
    });
    *cancel.lock().unwrap() = Some(run.cancel.clone());
    let err = image::build(
        &engine,
        Some(&repository),
        &BuildRequest {
            folder: dir.path().to_str().unwrap().into(),
            tag: "v1".into(),
            ..Default::default()
        },
        &log,
        &run.op,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
    // The engine stopped the step: its process goes away (it would run for ten minutes). The
    // wait is async: the request's close and the cancel call run on this test's runtime.
    let sleep = format!("sleep {seconds}");
    let mut left = processes_running(&sleep);
    for _ in 0..150 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = processes_running(&sleep);
    }
    assert_eq!(left, 0, "the cancelled step still runs on the engine");
    let inspect = Command::new("docker")
        .args(["image", "inspect", &format!("{repository}:v1")])
        .output()
        .unwrap();
    assert!(
        !inspect.status.success(),
        "a cancelled build must not tag an image"
    );
}

#[tokio::test]
async fn a_base_image_missing_for_the_asked_platform_is_named_and_nothing_is_built() {
    // The stack's base image exists here only for linux/amd64, and its registry (Docker Hub)
    // cannot be reached: BuildKit builds no image of the wrong architecture (the classic builder
    // made an amd64 image whatever was asked, which Fargate ARM64 stops with "exec format
    // error"); Berth names the image and the platform.
    let base = image_support::stack_var("BERTH_TEST_IMAGE");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {base}\nRUN echo built > /built.txt\n"),
    )
    .unwrap();
    let repository = unique_name("berth-test/platform");
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let run = Collected::new();
    let err = image::build(
        &engine,
        Some(&repository),
        &BuildRequest {
            folder: dir.path().to_str().unwrap().into(),
            platform: Platform::LinuxArm64,
            tag: "arm".into(),
            ..Default::default()
        },
        &log,
        &run.op,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::BaseImageUnavailable, "{err}");
    assert_eq!(
        err.param("image"),
        Some(format!("docker.io/{base}").as_str())
    );
    assert_eq!(err.param("platform"), Some("linux/arm64"));
    let inspect = Command::new("docker")
        .args(["image", "inspect", &format!("{repository}:arm")])
        .output()
        .unwrap();
    assert!(
        !inspect.status.success(),
        "no image of another architecture"
    );
}
