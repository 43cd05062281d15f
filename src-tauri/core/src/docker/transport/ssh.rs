//! Reaching an engine over ssh as the docker CLI does: `ssh [-l user] [-p port] -T -- host docker
//! system dial-stdio`, whose stdin and stdout are the connection.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `ssh … docker system dial-stdio`, with what it printed on stderr kept for the error.
pub(super) struct SshCommand {
    pub(super) args: Vec<String>,
    pub(super) env: Vec<(String, String)>,
    pub(super) last_stderr: Arc<Mutex<String>>,
}

/// The ssh arguments for an `ssh://` address (docker/cli `connhelper` and `ssh.Spec`).
pub fn ssh_args(host: &str) -> Result<Vec<String>, String> {
    let rest = host
        .strip_prefix("ssh://")
        .ok_or_else(|| format!("{host} is not an ssh:// address"))?;
    let (authority, path) = match rest.split_once('/') {
        Some((a, p)) => (a, format!("/{p}")),
        None => (rest, String::new()),
    };
    if authority.contains('?') || authority.contains('#') || path.contains('?') {
        return Err("an ssh:// address cannot have a query or fragment".to_owned());
    }
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (hostname, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let (h, after) = inner
            .split_once(']')
            .ok_or_else(|| "an IPv6 address needs its closing ]".to_owned())?;
        (h.to_owned(), after.strip_prefix(':').map(str::to_owned))
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p.to_owned())),
            None => (hostport.to_owned(), None),
        }
    };
    if hostname.is_empty() {
        return Err("an ssh:// address needs a host name".to_owned());
    }
    let mut args = Vec::new();
    if let Some(user) = user.filter(|u| !u.is_empty()) {
        if user.contains(':') {
            return Err("an ssh:// address cannot hold a password".to_owned());
        }
        args.extend(["-l".to_owned(), user.to_owned()]);
    }
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        port.parse::<u16>()
            .map_err(|_| format!("{port} is not a port number"))?;
        args.extend(["-p".to_owned(), port]);
    }
    // The CLI's flags, plus BatchMode: a desktop app has no terminal to type a password or
    // accept a host key in, so ssh must fail with a message instead of waiting.
    args.extend(
        ["-o", "ConnectTimeout=30", "-o", "BatchMode=yes", "-T", "--"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    args.push(hostname);
    let remote = if path.trim_matches('/').is_empty() {
        "docker system dial-stdio".to_owned()
    } else {
        // The remote shell splits the command: quote the path as the user's shell would.
        let socket = format!("unix://{path}");
        let quoted = shlex::try_quote(&socket)
            .map_err(|_| "an ssh:// address cannot hold a NUL character".to_owned())?;
        format!("docker --host={quoted} system dial-stdio")
    };
    args.push(remote);
    Ok(args)
}

impl SshCommand {
    pub(super) fn spawn(&self) -> io::Result<CommandStream> {
        let mut command = tokio::process::Command::new("ssh");
        command
            .args(&self.args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut child = command.spawn().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("could not start ssh (is the OpenSSH client installed?): {e}"),
            )
        })?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let last = self.last_stderr.clone();
        if let Ok(mut text) = last.lock() {
            text.clear();
        }
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 1024];
            while let Ok(n) = stderr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut text) = last.lock() {
                    if text.len() < 8192 {
                        text.push_str(&String::from_utf8_lossy(&buf[..n]));
                    }
                }
            }
        });
        Ok(CommandStream {
            _child: child,
            stdin,
            stdout,
        })
    }
}

/// A command's stdin and stdout as one connection; the command is killed when it is dropped.
pub struct CommandStream {
    _child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::process::ChildStdout,
}

impl AsyncRead for CommandStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdout).poll_read(cx, buf)
    }
}

impl AsyncWrite for CommandStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stdin).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stdin).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_addresses_become_the_clis_ssh_command() {
        assert_eq!(
            ssh_args("ssh://me@build-box:2222").unwrap(),
            [
                "-l",
                "me",
                "-p",
                "2222",
                "-o",
                "ConnectTimeout=30",
                "-o",
                "BatchMode=yes",
                "-T",
                "--",
                "build-box",
                "docker system dial-stdio"
            ]
        );
        let args = ssh_args("ssh://box/run/user/1000/docker.sock").unwrap();
        assert_eq!(args[args.len() - 2], "box");
        assert_eq!(
            args.last().unwrap(),
            "docker --host=unix:///run/user/1000/docker.sock system dial-stdio"
        );
        let args = ssh_args("ssh://box/tmp/my sock").unwrap();
        assert_eq!(
            args.last().unwrap(),
            "docker --host='unix:///tmp/my sock' system dial-stdio"
        );
        assert!(ssh_args("ssh://me:pw@box").is_err());
        assert!(ssh_args("ssh://box:port").is_err());
        assert!(ssh_args("ssh://@").is_err());
    }
}
