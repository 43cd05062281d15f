//! "Try it locally" against the real engine: the image answers on 127.0.0.1 at the chosen port,
//! its output streams, it is listed as Berth's, and stop removes it — only Berth's containers.

use crate::support::image as image_support;

use berth_core::activity::ActivityLog;
use berth_core::error::ErrorKind;
use berth_core::image::run;
use berth_core::progress::Progress;
use berth_core::wizard::image;
use image_support::{docker, docker_quiet, stack_var, unique_name, Collected};
use std::process::Command;
use std::time::Duration;

/// A web server image: busybox httpd serving one page, logging each request.
fn web_image() -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nRUN mkdir /www && echo 'hello from berth' > /www/index.html\nEXPOSE 8080\n\
             CMD [\"sh\", \"-c\", \"echo listening on 8080 && exec httpd -f -vv -p 8080 -h /www\"]\n",
            stack_var("BERTH_TEST_IMAGE")
        ),
    )
    .unwrap();
    let reference = format!("{}:web", unique_name("berth-test/run"));
    docker(&[
        "build",
        "-q",
        "-t",
        &reference,
        dir.path().to_str().unwrap(),
    ]);
    reference
}

fn get(url: &str) -> Option<String> {
    for _ in 0..100 {
        let out = Command::new("curl")
            .args(["-s", "--noproxy", "*", "--max-time", "2", url])
            .output()
            .ok()?;
        if out.status.success() && !out.stdout.is_empty() {
            return Some(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

#[tokio::test]
async fn the_image_answers_on_loopback_streams_its_output_and_stop_removes_it() {
    let reference = web_image();
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let port = run::free_port(0);
    let started = image::start_local(&engine, &reference, 8080, port, &log)
        .await
        .expect("the container starts");
    assert_eq!(started.url, format!("http://127.0.0.1:{port}/"));
    assert_eq!(
        log.recent(1)[0].command,
        format!("docker run -d -p 127.0.0.1:{port}:8080 --label berth.managed=true {reference}")
    );

    assert_eq!(get(&started.url).as_deref(), Some("hello from berth\n"));
    let listed = run::list(&engine).await.unwrap();
    let mine = listed
        .iter()
        .find(|r| r.container_id == started.container_id)
        .expect("Berth lists the container it started");
    assert!(mine.running);
    assert_eq!((mine.host_port, mine.container_port), (port, 8080));

    // Its output, from the start, until it stops.
    let logs = Collected::new();
    let watcher = {
        let engine = engine.clone();
        let id = started.container_id.clone();
        let op = logs.op.clone();
        tokio::spawn(async move { image::watch_local(&engine, &id, &op).await })
    };
    for _ in 0..50 {
        let seen = logs
            .events()
            .iter()
            .any(|e| matches!(e, Progress::Log { line } if line.contains("listening on 8080")));
        if seen {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    image::stop_local(&engine, &started.container_id, &log)
        .await
        .expect("stop removes it");
    tokio::time::timeout(Duration::from_secs(30), watcher)
        .await
        .expect("the log stream ends when the container goes")
        .unwrap()
        .ok();
    let lines: Vec<String> = logs
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Progress::Log { line } => Some(line),
            _ => None,
        })
        .collect();
    assert!(lines.iter().any(|l| l == "listening on 8080"), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("url:/")),
        "the request was logged: {lines:?}"
    );

    let inspect = Command::new("docker")
        .args(["container", "inspect", &started.container_id])
        .output()
        .unwrap();
    assert!(!inspect.status.success(), "the container is removed");
    assert_eq!(log.recent(1)[0].action, "docker.rm");
    docker_quiet(&["rmi", &reference]);
}

#[tokio::test]
async fn a_port_in_use_is_refused_before_anything_starts() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let err = image::start_local(&engine, &stack_var("BERTH_TEST_IMAGE"), 80, port, &log)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert_eq!(err.param("field"), Some("hostPort"));
    assert_eq!(err.param("rule"), Some("inUse"));
    assert_eq!(err.param("port"), Some(port.to_string().as_str()));
}

#[tokio::test]
async fn containers_berth_did_not_start_cannot_be_stopped_from_berth() {
    let name = unique_name("berth-test-foreign");
    docker(&[
        "create",
        "--name",
        &name,
        &stack_var("BERTH_TEST_IMAGE"),
        "true",
    ]);
    let engine = image::engine().await.unwrap();
    let log = ActivityLog::in_memory();
    let err = image::stop_local(&engine, &name, &log).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    let still = Command::new("docker")
        .args(["container", "inspect", &name])
        .output()
        .unwrap();
    assert!(
        still.status.success(),
        "the foreign container is left alone"
    );
    docker_quiet(&["rm", "-f", &name]);
}
