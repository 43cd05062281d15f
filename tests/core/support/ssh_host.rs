//! An ssh server of the test's own (OpenSSH's `sshd`, apt `openssh-server`) on a loopback port,
//! letting in one key made by the test, whose shell has the docker CLI and the stack's engine:
//! an `ssh://` Docker host exactly as a remote build machine is one. The client side is set up
//! the way a user would: a `Host` entry (a name of the test's own, its key, and a known_hosts
//! file holding the server's key) in a drop-in of `/etc/ssh/ssh_config.d/`, since ssh reads its
//! configuration from the user's passwd home and the system, not from `$HOME`. The drop-in is
//! removed and sshd stopped on drop.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub struct SshHost {
    /// The `Host` name to put in `ssh://` addresses.
    pub alias: String,
    dir: tempfile::TempDir,
    drop_in: PathBuf,
}

fn run(command: &mut Command) {
    let out = command.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl SshHost {
    pub fn start() -> SshHost {
        assert!(
            std::path::Path::new("/usr/sbin/sshd").exists(),
            "sshd is missing: run scripts/install-deps.sh (apt openssh-server)"
        );
        let dir = tempfile::Builder::new()
            .prefix("berth-ssh")
            .tempdir()
            .unwrap();
        let d = dir.path();
        for key in ["host_key", "id"] {
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(d.join(key)));
        }
        std::fs::copy(d.join("id.pub"), d.join("authorized_keys")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n\
             PidFile {d}/sshd.pid\nUsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n\
             StrictModes no\nLogLevel ERROR\n",
            d = d.display()
        );
        std::fs::write(d.join("sshd_config"), config).unwrap();
        std::fs::create_dir_all("/run/sshd").unwrap();
        run(Command::new("/usr/sbin/sshd")
            .arg("-f")
            .arg(d.join("sshd_config"))
            .arg("-E")
            .arg(d.join("sshd.log")));
        let host_key = std::fs::read_to_string(d.join("host_key.pub")).unwrap();
        let host_key: Vec<&str> = host_key.split_whitespace().take(2).collect();
        std::fs::write(
            d.join("known_hosts"),
            format!("[127.0.0.1]:{port} {}\n", host_key.join(" ")),
        )
        .unwrap();
        let alias = format!("berth-ssh-test-{}-{port}", std::process::id());
        let drop_in = PathBuf::from(format!("/etc/ssh/ssh_config.d/{alias}.conf"));
        std::fs::write(
            &drop_in,
            format!(
                "Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User root\n  IdentityFile {d}/id\n  \
                 IdentitiesOnly yes\n  UserKnownHostsFile {d}/known_hosts\n  StrictHostKeyChecking yes\n",
                d = d.display()
            ),
        )
        .unwrap();
        let host = SshHost {
            alias,
            dir,
            drop_in,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return host;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("sshd did not start on port {port}");
    }

    /// `ssh://<alias>`
    pub fn docker_host(&self) -> String {
        format!("ssh://{}", self.alias)
    }
}

impl Drop for SshHost {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.drop_in);
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("sshd.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}
