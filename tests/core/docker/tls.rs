//! An engine reached over TCP with TLS (`dockerd --tlsverify`, a second engine of the test's
//! own on a loopback port, with certificates the test made): found through `DOCKER_HOST`,
//! `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` and through a context holding the TLS material;
//! a BuildKit build (its session is an upgraded connection over the same TLS) and a push
//! through it; and every way TLS can be wrong, explained.

use crate::support::image as image_support;
use crate::support::tls_engine::TlsEngine;

use berth_core::activity::ActivityLog;
use berth_core::docker::discovery::context_dir_name;
use berth_core::docker::{self, DockerEnv, HostSource};
use berth_core::wizard::image::{self, BuildRequest};
use berth_core::ErrorKind;
use image_support::{stack_var, unique_name, Collected};
use std::time::Duration;

const WORK: Duration = Duration::from_secs(600);

fn tls_env(home: &std::path::Path, engine: &TlsEngine) -> DockerEnv {
    DockerEnv::with_home(home)
        .set("DOCKER_HOST", &engine.host)
        .set("DOCKER_TLS_VERIFY", "1")
        .set("DOCKER_CERT_PATH", engine.certs.display().to_string())
}

#[tokio::test]
async fn a_tls_engine_builds_and_pushes_and_tls_mistakes_are_explained() {
    let tls = TlsEngine::start();
    let home = tempfile::tempdir().unwrap();

    // DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, as the CLI reads them.
    let engine = docker::connect_with(&tls_env(home.path(), &tls), None, WORK)
        .await
        .expect("Berth reaches the engine over TLS");
    assert!(engine.info.tls);
    assert_eq!(engine.info.host, tls.host);
    assert_eq!(engine.info.source, HostSource::Environment);

    // A BuildKit build through it: the session rides the same TLS connection kind.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nRUN --mount=type=cache,target=/cache echo over-tls > /how\nCOPY hello.txt /hello.txt\n",
            stack_var("BERTH_TEST_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("hello.txt"), "hello over TLS").unwrap();
    let repository = unique_name("berth-tls");
    let run = Collected::new();
    let built = image::build(
        &engine,
        Some(&repository),
        &BuildRequest {
            folder: dir.path().to_str().unwrap().into(),
            tag: "v1".into(),
            ..Default::default()
        },
        &ActivityLog::in_memory(),
        &run.op,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", image_support::log_text(&run.events())));
    // The witness: the docker CLI with the same certificates, against the second engine.
    let out = tls.cli(&[
        "run",
        "--rm",
        "--network",
        "none",
        &built.reference,
        "cat",
        "/how",
        "/hello.txt",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "over-tls\nhello over TLS",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!image_support::log_text(&run.events()).contains("classic builder"));

    // A push through it (the hand-read push stream goes over the same transport).
    image_support::push_to_stack_registry(&engine, &built.reference, &repository).await;

    // The same engine as a context whose TLS material is in the context store.
    let config = home.path().join(".docker");
    let meta = config
        .join("contexts/meta")
        .join(context_dir_name("remote-tls"));
    let tls_dir = config
        .join("contexts/tls")
        .join(context_dir_name("remote-tls"))
        .join("docker");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::create_dir_all(&tls_dir).unwrap();
    std::fs::write(
        meta.join("meta.json"),
        serde_json::json!({"Name": "remote-tls", "Metadata": {}, "Endpoints": {"docker": {"Host": tls.host, "SkipTLSVerify": false}}}).to_string(),
    )
    .unwrap();
    for file in ["ca.pem", "cert.pem", "key.pem"] {
        std::fs::copy(tls.certs.join(file), tls_dir.join(file)).unwrap();
    }
    std::fs::write(
        config.join("config.json"),
        r#"{"currentContext":"remote-tls"}"#,
    )
    .unwrap();
    let by_context = docker::connect_with(&DockerEnv::with_home(home.path()), None, WORK)
        .await
        .expect("the context's TLS material is used");
    assert_eq!(by_context.info.context, "remote-tls");
    assert!(by_context.info.tls);

    // What goes wrong, explained.
    let expect_tls_failure = |env: DockerEnv, why: &'static str| async move {
        let err = docker::connect_with(&env, None, Duration::from_secs(10))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DockerTlsFailed, "{why}: {err}");
        err
    };
    // Plain HTTP to the TLS port.
    let plain = DockerEnv::with_home(home.path()).set("DOCKER_HOST", &tls.host);
    expect_tls_failure(plain, "plain http").await;
    // No client certificate: the engine refuses the handshake.
    let only_ca = tempfile::tempdir().unwrap();
    std::fs::copy(tls.certs.join("ca.pem"), only_ca.path().join("ca.pem")).unwrap();
    let no_cert =
        tls_env(home.path(), &tls).set("DOCKER_CERT_PATH", only_ca.path().display().to_string());
    expect_tls_failure(no_cert, "no client certificate").await;
    // A CA that did not sign the engine's certificate.
    let other_ca = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "ca.pem",
            "-days",
            "1",
            "-subj",
            "/CN=other",
        ])
        .current_dir(other_ca.path())
        .output()
        .unwrap();
    assert!(status.status.success());
    for file in ["cert.pem", "key.pem"] {
        std::fs::copy(tls.certs.join(file), other_ca.path().join(file)).unwrap();
    }
    let wrong_ca =
        tls_env(home.path(), &tls).set("DOCKER_CERT_PATH", other_ca.path().display().to_string());
    let err = expect_tls_failure(wrong_ca, "unknown CA").await;
    assert!(err
        .details
        .unwrap_or_default()
        .to_ascii_lowercase()
        .contains("certificate"));
    // DOCKER_TLS without verification still speaks TLS (and needs the client certificate).
    let unverified = DockerEnv::with_home(home.path())
        .set("DOCKER_HOST", &tls.host)
        .set("DOCKER_TLS", "1")
        .set("DOCKER_CERT_PATH", other_ca.path().display().to_string());
    let engine = docker::connect_with(&unverified, None, Duration::from_secs(10))
        .await
        .expect("DOCKER_TLS without DOCKER_TLS_VERIFY skips the server check");
    assert!(engine.info.tls);
}
