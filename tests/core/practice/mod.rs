//! Berth's own practice backend, as the app runs it: the real `python -m berth_moto` and
//! `docker-registry` processes from the installed parts (the source checkout's `practice/`, the
//! venv of `practice/install.sh`), on the machine's Docker engine. Needs none of the test stack
//! but the image its launch test runs (the stack's busybox).

use base64::Engine as _;
use berth_core::aws::sts;
use berth_core::practice::manager::practice_clients;
use berth_core::practice::{PartsLocator, PracticeManager, PracticeState, PRACTICE_ACCOUNT};
use berth_core::ErrorKind;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod launch;

/// The status line of `GET path` on `addr`, with optional basic auth; None when nothing answers.
async fn get(addr: &str, path: &str, auth: Option<&str>) -> Option<String> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let auth = auth
        .map(|a| format!("Authorization: Basic {a}\r\n"))
        .unwrap_or_default();
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.ok()?;
    answer.lines().next().map(str::to_owned)
}

pub(crate) fn pids_of(dir: &std::path::Path) -> Vec<u32> {
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).expect("run.json")).unwrap();
    run["pids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap() as u32)
        .collect()
}

pub(crate) fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !matches!(
            s.rsplit_once(')')
                .map(|(_, r)| r.trim_start().chars().next()),
            Some(Some('Z'))
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn practice_starts_answers_with_its_registry_stops_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let manager = PracticeManager::new(dir.path().join("practice"), PartsLocator::from_env(None));
    assert_eq!(manager.status().state, PracticeState::Stopped);

    let started = std::time::Instant::now();
    let endpoints = manager.start().await.expect("practice starts");
    eprintln!("practice started in {:?}: {endpoints:?}", started.elapsed());
    assert_eq!(manager.status().state, PracticeState::Running);
    assert!(endpoints.endpoint_url.starts_with("http://127.0.0.1:"));
    assert!(endpoints.registry.starts_with("127.0.0.1:"));
    // A second start finds it running.
    assert_eq!(manager.start().await.unwrap(), endpoints);

    // The practice keys sign in to the practice account.
    let clients = practice_clients(&endpoints.endpoint_url).await;
    let who = sts::caller_identity(&clients).await.unwrap();
    assert_eq!(who.account, PRACTICE_ACCOUNT);

    // ECR's token logs in to the registry, which refuses anyone without it.
    let ecr = aws_sdk_ecr::Client::new(clients.sdk_config());
    let token = ecr.get_authorization_token().send().await.unwrap();
    let token = token.authorization_data()[0]
        .authorization_token()
        .unwrap()
        .to_owned();
    let pair = base64::engine::general_purpose::STANDARD
        .decode(&token)
        .unwrap();
    assert!(String::from_utf8(pair).unwrap().starts_with("AWS:"));
    let refused = get(&endpoints.registry, "/v2/", None).await.unwrap();
    assert!(refused.contains(" 401 "), "{refused}");
    let admitted = get(&endpoints.registry, "/v2/", Some(&token))
        .await
        .unwrap();
    assert!(admitted.contains(" 200 "), "{admitted}");

    // Something made in practice…
    let name = format!("practice-kept-{}", std::process::id());
    ecr.create_repository()
        .repository_name(&name)
        .send()
        .await
        .unwrap();
    let pids = pids_of(manager.dir());
    assert_eq!(pids.len(), 2);

    // …is saved when practice stops, which ends both processes.
    manager.stop().await;
    assert_eq!(manager.status().state, PracticeState::Stopped);
    assert!(manager.endpoints().is_none());
    for pid in &pids {
        assert!(!alive(*pid), "pid {pid} still runs after stop");
    }
    assert!(!manager.dir().join("run.json").exists());
    assert!(manager.state_file().is_file(), "the practice data is saved");
    assert!(manager.status().has_saved_data);
    let url = endpoints.endpoint_url.trim_start_matches("http://");
    assert_eq!(
        get(url, "/moto-api/", None).await,
        None,
        "the backend still answers"
    );

    // …and there again on the next start.
    let again = manager.start().await.expect("practice starts again");
    let clients = practice_clients(&again.endpoint_url).await;
    let ecr = aws_sdk_ecr::Client::new(clients.sdk_config());
    let found = ecr
        .describe_repositories()
        .repository_names(&name)
        .send()
        .await
        .expect("the repository made before the stop");
    assert_eq!(found.repositories().len(), 1);

    // Reset forgets it.
    manager.reset().await.unwrap();
    assert!(!manager.state_file().exists());
    let fresh = manager.start().await.unwrap();
    let clients = practice_clients(&fresh.endpoint_url).await;
    let ecr = aws_sdk_ecr::Client::new(clients.sdk_config());
    assert!(ecr
        .describe_repositories()
        .repository_names(&name)
        .send()
        .await
        .is_err());
    manager.stop().await;
}

#[tokio::test]
async fn a_missing_part_is_named_with_the_command_that_installs_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut locator = PartsLocator::from_env(None);
    locator.python = PathBuf::from("/nonexistent/practice venv/bin/python");
    let manager = PracticeManager::new(dir.path().join("practice"), locator);
    let error = tokio::time::timeout(Duration::from_secs(60), manager.start())
        .await
        .unwrap()
        .expect_err("no Python environment");
    assert_eq!(error.kind, ErrorKind::PracticePartsMissing, "{error}");
    assert_eq!(error.param("parts"), Some("environment"));
    let command = error.param("command").unwrap();
    assert!(
        command.ends_with("practice/install.sh --venv '/nonexistent/practice venv'"),
        "{command}"
    );
    assert!(error
        .details
        .as_deref()
        .unwrap()
        .contains("no Python environment"));
    assert_eq!(manager.status().state, PracticeState::Stopped);
    assert!(!manager.dir().join("run.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_after_a_crash_ends_what_the_crashed_run_left_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("practice");
    // A Berth that went away without stopping practice (its processes outlived it).
    let crashed = PracticeManager::new(&folder, PartsLocator::from_env(None));
    let left = crashed.start().await.unwrap();
    let clients = practice_clients(&left.endpoint_url).await;
    let name = format!("practice-crash-{}", std::process::id());
    aws_sdk_ecr::Client::new(clients.sdk_config())
        .create_repository()
        .repository_name(&name)
        .send()
        .await
        .unwrap();
    let old_pids = pids_of(&folder);
    std::mem::forget(crashed);

    // The next Berth's start ends them (they save the practice data as they go) and starts anew.
    let next = PracticeManager::new(&folder, PartsLocator::from_env(None));
    let endpoints = next.start().await.unwrap();
    for pid in &old_pids {
        assert!(!alive(*pid), "pid {pid} of the crashed run still runs");
    }
    assert_ne!(pids_of(&folder), old_pids);
    let clients = practice_clients(&endpoints.endpoint_url).await;
    let found = aws_sdk_ecr::Client::new(clients.sdk_config())
        .describe_repositories()
        .repository_names(&name)
        .send()
        .await
        .expect("the crashed run's repository");
    assert_eq!(found.repositories().len(), 1);
    next.stop().await;
}
