//! A second Docker engine of the test's own, listening only on a loopback TCP port with
//! `--tlsverify` (client certificates required), with certificates the test makes with openssl:
//! a CA, the engine's certificate for 127.0.0.1, and a client certificate — what
//! `DOCKER_CERT_PATH` points at for a remote engine. It has its own data and exec roots, its own
//! bridge (made here; never `--bridge=none`, which makes dockerd delete the host's `docker0` and
//! so breaks the stack's engine), no iptables rules, and holds the stack's base image. Stopped,
//! and its bridge removed, on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct TlsEngine {
    pub host: String,
    /// `ca.pem`, `cert.pem`, `key.pem` (client), as `DOCKER_CERT_PATH` wants them.
    pub certs: PathBuf,
    dir: tempfile::TempDir,
    child: Option<Child>,
    bridge: String,
}

/// `ip …`, which must succeed.
fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("ip runs (apt iproute2)");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a certificate it signed for `cn` with `ext` (an openssl extension file's text).
fn make_certs(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=berth-test-ca",
        ],
    );
    for (name, cn, ext) in [
        (
            "server",
            "127.0.0.1",
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        ),
        ("client", "berth-client", "extendedKeyUsage=clientAuth\n"),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}-key.pem"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={cn}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                &format!("{name}-cert.pem"),
                "-days",
                "2",
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
}

impl TlsEngine {
    pub fn start() -> TlsEngine {
        let dir = tempfile::Builder::new()
            .prefix("berth-tls-engine")
            .tempdir()
            .unwrap();
        let server = dir.path().join("server");
        std::fs::create_dir_all(&server).unwrap();
        make_certs(&server);
        // The client's folder, laid out as DOCKER_CERT_PATH expects.
        let certs = dir.path().join("client");
        std::fs::create_dir_all(&certs).unwrap();
        for (from, to) in [
            ("ca.pem", "ca.pem"),
            ("client-cert.pem", "cert.pem"),
            ("client-key.pem", "key.pem"),
        ] {
            std::fs::copy(server.join(from), certs.join(to)).unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let host = format!("tcp://127.0.0.1:{port}");
        // A bridge of its own, in a private range nothing else here uses.
        let n = super::unique() % 250 + 1;
        let bridge = format!("berthtls{n}");
        let _ = Command::new("ip").args(["link", "del", &bridge]).output();
        ip(&["link", "add", &bridge, "type", "bridge"]);
        ip(&["addr", "add", &format!("10.219.{n}.1/24"), "dev", &bridge]);
        ip(&["link", "set", &bridge, "up"]);
        let log = std::fs::File::create(dir.path().join("dockerd.log")).unwrap();
        let child = Command::new("dockerd")
            .arg("--data-root")
            .arg(dir.path().join("root"))
            .arg("--exec-root")
            .arg(dir.path().join("exec"))
            .arg("--pidfile")
            .arg(dir.path().join("dockerd.pid"))
            .args(["-H", &host, "--tlsverify"])
            .arg("--tlscacert")
            .arg(server.join("ca.pem"))
            .arg("--tlscert")
            .arg(server.join("server-cert.pem"))
            .arg("--tlskey")
            .arg(server.join("server-key.pem"))
            .arg(format!("--bridge={bridge}"))
            .args([
                "--iptables=false",
                "--ip6tables=false",
                "--ip-masq=false",
                "--userland-proxy=false",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("dockerd runs (apt docker.io)");
        let engine = TlsEngine {
            host,
            certs,
            dir,
            child: Some(child),
            bridge,
        };
        for _ in 0..300 {
            if engine
                .cli(&["version", "--format", "{{.Server.Version}}"])
                .status
                .success()
            {
                engine.load_base_image();
                return engine;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log =
            std::fs::read_to_string(engine.dir.path().join("dockerd.log")).unwrap_or_default();
        panic!("the TLS engine did not start:\n{log}");
    }

    /// The docker CLI against this engine, with its TLS client certificate.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new("docker")
            .args(args)
            .env("DOCKER_HOST", &self.host)
            .env("DOCKER_TLS_VERIFY", "1")
            .env("DOCKER_CERT_PATH", &self.certs)
            .env_remove("DOCKER_CONTEXT")
            .output()
            .expect("the docker CLI runs")
    }

    /// The stack's base image, copied from the stack's engine (docker save | docker load).
    fn load_base_image(&self) {
        let image = super::stack_var("BERTH_TEST_IMAGE");
        let tar = self.dir.path().join("base.tar");
        super::image::docker(&["save", "-o", tar.to_str().unwrap(), &image]);
        let out = self.cli(&["load", "-i", tar.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for TlsEngine {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM: dockerd unmounts its layers and stops its containerd.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            for _ in 0..200 {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .output();
    }
}
