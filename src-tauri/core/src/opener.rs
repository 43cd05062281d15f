//! Hands a URL to the desktop's opener (xdg-open, open, or the Windows shell), which shows it in
//! the user's default browser. Callers decide which URLs may be opened.

use crate::error::{BerthError, Result};

/// Starts the opener; an error only when it could not be started.
pub fn open_url(url: &str) -> Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(target_os = "windows") {
        // explorer opens a URL in the default browser.
        std::process::Command::new("explorer")
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        // Reap the opener when it exits, so it does not linger as a zombie.
        .map(|mut child| {
            std::thread::spawn(move || child.wait());
        })
        .map_err(|e| BerthError::internal(format!("could not open {url}: {e}")))
}
