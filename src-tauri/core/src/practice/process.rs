//! The practice processes: each in its own process group, marked with the run's token in its
//! environment, and tied to Berth's life. They are spawned from one thread that lives as long as
//! Berth, with `PR_SET_PDEATHSIG`: when Berth ends in any way (even killed), the kernel sends
//! them SIGTERM, on which the backend saves its data and removes its containers. A run's token
//! (also in `run.json`) lets a later start find exactly what a crashed run left, and never touch
//! a process that merely got a recycled pid.

use std::io;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The environment variable that marks a practice process.
pub const TOKEN_VAR: &str = "BERTH_PRACTICE_TOKEN";

type Request = (Command, mpsc::Sender<io::Result<Child>>);

/// The one thread that starts practice processes (see the module's documentation).
fn spawner() -> &'static Mutex<mpsc::Sender<Request>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (send, receive) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("berth-practice-spawner".into())
            .spawn(move || {
                for (mut command, reply) in receive {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("a thread to start practice processes");
        Mutex::new(send)
    })
}

/// Starts `command` in a process group of its own, carrying `token`, ended with Berth.
pub fn spawn(mut command: Command, token: &str) -> io::Result<Child> {
    command.env(TOKEN_VAR, token);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM, 0, 0, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let (reply, answer) = mpsc::channel();
    spawner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((command, reply))
        .map_err(|_| io::Error::other("the practice spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the practice spawner thread is gone"))?
}

/// Whether process `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) S ...": the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// Whether process `pid` carries `token` (so it is one of ours, not a recycled pid).
pub fn carries(pid: u32, token: &str) -> bool {
    let wanted = format!("{TOKEN_VAR}={token}");
    std::fs::read(format!("/proc/{pid}/environ"))
        .map(|env| env.split(|b| *b == 0).any(|v| v == wanted.as_bytes()))
        .unwrap_or(false)
}

/// Every live process that carries `token`.
pub fn carrying(token: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != std::process::id() && alive(*pid) && carries(*pid, token))
        .collect()
}

/// Sends `signal` to the process group `pid` leads (and to `pid`, should it have left it).
pub fn signal(pid: u32, signal: i32) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return;
        };
        // SAFETY: plain system calls; a group or process that is gone only gives ESRCH.
        unsafe {
            libc::kill(-pid, signal);
            libc::kill(pid, signal);
        }
    }
}

pub const SIGTERM: i32 = libc::SIGTERM;
pub const SIGKILL: i32 = libc::SIGKILL;

/// Ends the processes carrying `token` in `pids`, and any other process carrying it: SIGTERM,
/// then SIGKILL for what is still there after `grace`.
pub async fn end(pids: &[u32], token: &str, grace: Duration) {
    let ours: Vec<u32> = pids
        .iter()
        .copied()
        .filter(|p| alive(*p) && carries(*p, token))
        .chain(carrying(token))
        .collect();
    for pid in &ours {
        signal(*pid, SIGTERM);
    }
    let deadline = tokio::time::Instant::now() + grace;
    while ours.iter().any(|p| alive(*p)) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for pid in ours.iter().chain(carrying(token).iter()) {
        if alive(*pid) && carries(*pid, token) {
            signal(*pid, SIGKILL);
        }
    }
}

/// 16 random bytes as hex, from the kernel.
pub fn random_hex() -> io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_spawned_process_carries_its_token_leads_its_group_and_ends() {
        let token = random_hex().unwrap();
        let mut command = Command::new("sleep");
        command.arg("30");
        let mut child = spawn(command, &token).unwrap();
        let pid = child.id();
        assert!(alive(pid));
        assert!(carries(pid, &token));
        assert!(!carries(pid, "another-token"));
        assert_eq!(carrying(&token), vec![pid]);
        let group = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let fields: Vec<&str> = group
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        assert_eq!(fields[2], pid.to_string(), "its own process group");
        end(&[pid], &token, Duration::from_secs(5)).await;
        child.wait().unwrap();
        assert!(!alive(pid));
        assert!(carrying(&token).is_empty());
    }
}
