//! Image tags: Docker's rule, and the default Berth suggests (the folder's git commit, else the
//! time of the build).

use crate::error::{BerthError, Result};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

pub const MAX_TAG_LEN: usize = 128;

/// Docker's tag rule, `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, checked before anything runs.
pub fn validate_tag(tag: &str) -> Result<()> {
    if tag.is_empty() {
        return Err(BerthError::invalid("imageTag", "required"));
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(BerthError::invalid("imageTag", "tooLong").with("max", MAX_TAG_LEN.to_string()));
    }
    let mut chars = tag.chars();
    let first = chars.next().expect("not empty");
    if !(first.is_ascii_alphanumeric() || first == '_') {
        return Err(BerthError::invalid("imageTag", "start"));
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(BerthError::invalid("imageTag", "characters"));
    }
    Ok(())
}

/// Where a suggested tag comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagSource {
    GitCommit,
    Timestamp,
}

/// The folder's git short commit when it is in a git repository, else `YYYYMMDD-HHMMSS` (UTC).
pub fn suggest_tag(folder: &Path) -> (String, TagSource) {
    match git_short_commit(folder) {
        Some(commit) => (commit, TagSource::GitCommit),
        None => (timestamp_tag(SystemTime::now()), TagSource::Timestamp),
    }
}

/// `git rev-parse --short HEAD`, when git is installed and the folder is in a repository.
pub fn git_short_commit(folder: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(["rev-parse", "--short", "HEAD"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && validate_tag(&commit).is_ok()).then_some(commit)
}

/// `20250131-142501` for that instant, in UTC.
pub fn timestamp_tag(at: SystemTime) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn tags_follow_dockers_rule() {
        for ok in [
            "latest",
            "v1.2.3",
            "_x",
            "a1b2c3d",
            &"a".repeat(128),
            "20250131-142501",
        ] {
            assert!(validate_tag(ok).is_ok(), "{ok}");
        }
        let rule = |t: &str| {
            validate_tag(t)
                .unwrap_err()
                .param("rule")
                .unwrap()
                .to_owned()
        };
        assert_eq!(rule(""), "required");
        assert_eq!(rule(&"a".repeat(129)), "tooLong");
        assert_eq!(rule(".v1"), "start");
        assert_eq!(rule("-v1"), "start");
        assert_eq!(rule("v1:2"), "characters");
        assert_eq!(rule("v 1"), "characters");
        assert_eq!(rule("태그"), "start");
    }

    #[test]
    fn timestamps_are_utc_calendar_times() {
        assert_eq!(timestamp_tag(UNIX_EPOCH), "19700101-000000");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // 2024-02-29 12:34:56
        assert_eq!(timestamp_tag(t), "20240229-123456");
        let t = UNIX_EPOCH + Duration::from_secs(4_102_444_799); // 2099-12-31 23:59:59
        assert_eq!(timestamp_tag(t), "20991231-235959");
    }

    #[test]
    fn a_git_folder_suggests_its_short_commit() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(args)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .output()
                .unwrap()
        };
        let (_, source) = suggest_tag(dir.path());
        assert_eq!(source, TagSource::Timestamp);
        git(&["init", "-q"]);
        std::fs::write(dir.path().join("f"), "x").unwrap();
        git(&["add", "f"]);
        git(&["commit", "-q", "-m", "first"]);
        let expected = String::from_utf8(git(&["rev-parse", "--short", "HEAD"]).stdout).unwrap();
        assert_eq!(
            suggest_tag(dir.path()),
            (expected.trim().to_owned(), TagSource::GitCommit)
        );
    }
}
