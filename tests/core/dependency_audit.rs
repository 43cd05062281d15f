//! scripts/audit.sh, the dependency audit step of CI, with the real cargo-audit (installed by
//! scripts/install-deps.sh) and advisory databases made in a temporary folder: one that lists a
//! crate version in Cargo.lock must fail the step, one that lists nothing locked must pass it,
//! and one that cannot be fetched must be reported as "not done" without failing CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A RustSec advisory in the database's own format (TOML front matter in Markdown).
fn advisory(id: &str, package: &str) -> String {
    format!(
        "```toml\n\
         [advisory]\n\
         id = \"{id}\"\n\
         package = \"{package}\"\n\
         date = \"2026-01-01\"\n\
         url = \"https://example.invalid/berth-audit-test\"\n\
         \n\
         [versions]\n\
         patched = []\n\
         ```\n\
         \n\
         # Made-up advisory for Berth's audit test\n\
         \n\
         Lists every version of {package} as vulnerable, to prove the audit step fails on it.\n"
    )
}

/// A one-commit git checkout shaped like the RustSec advisory database.
fn advisory_db(advisories: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (id, package) in advisories {
        let crate_dir = dir.path().join("crates").join(package);
        std::fs::create_dir_all(&crate_dir).unwrap();
        std::fs::write(crate_dir.join(format!("{id}.md")), advisory(id, package)).unwrap();
    }
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=berth-test",
                "-c",
                "user.email=test@berth.invalid",
            ])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git runs");
        assert!(status.status.success(), "git {args:?}: {status:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "advisories"]);
    dir
}

fn audit(envs: &[(&str, &str)]) -> (Output, String) {
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/audit.sh"))
        .arg("rust")
        .envs(envs.iter().copied())
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

#[test]
fn the_audit_fails_and_names_the_crate_when_the_database_lists_a_locked_version() {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
    assert!(
        lock.contains("name = \"keyring\""),
        "keyring is no longer locked"
    );
    let db = advisory_db(&[("RUSTSEC-2026-9001", "keyring")]);
    let path = db.path().to_str().unwrap();

    let (output, text) = audit(&[
        ("BERTH_ADVISORY_DB", path),
        ("BERTH_ADVISORY_NO_FETCH", "1"),
    ]);

    assert!(!output.status.success(), "the step passed:\n{text}");
    assert!(text.contains("VULNERABLE: keyring "), "{text}");
    assert!(text.contains("RUSTSEC-2026-9001"), "{text}");
    assert!(text.contains("1 known vulnerability"), "{text}");
    assert!(!text.contains("not done"), "{text}");
}

#[test]
fn the_audit_passes_when_the_database_lists_nothing_that_is_locked() {
    let db = advisory_db(&[("RUSTSEC-2026-9002", "berth-no-such-crate")]);
    let path = db.path().to_str().unwrap();

    let (output, text) = audit(&[
        ("BERTH_ADVISORY_DB", path),
        ("BERTH_ADVISORY_NO_FETCH", "1"),
    ]);

    assert!(output.status.success(), "the step failed:\n{text}");
    assert!(
        text.contains("Rust crates: no known vulnerability in"),
        "{text}"
    );
}

#[test]
fn a_database_that_cannot_be_fetched_is_reported_as_not_done_and_does_not_fail_ci() {
    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("advisory-db");
    // Nothing listens on port 9 (discard) of loopback: the fetch fails at once.
    let (output, text) = audit(&[
        ("BERTH_ADVISORY_DB", missing.to_str().unwrap()),
        ("BERTH_ADVISORY_URL", "http://127.0.0.1:9/advisory-db.git"),
    ]);

    assert!(output.status.success(), "the step failed:\n{text}");
    assert!(
        text.contains("advisory database unreachable: dependency audit not done"),
        "{text}"
    );
    assert!(!text.contains("no known vulnerability"), "{text}");
}

/// A stand-in for the npm registry's bulk advisory endpoint, on loopback: it answers every
/// advisory query with one made-up advisory against `package` (npm itself matches it against
/// ui/package-lock.json), and 404 to anything else. Serves until the test ends.
fn npm_advisory_source(package: &'static str) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let mut length = 0usize;
            let mut line = String::new();
            reader.read_line(&mut request_line).ok();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).ok();
            let (status, answer) =
                if request_line.starts_with("POST /-/npm/v1/security/advisories/bulk") {
                    let advisory = serde_json::json!({ package: [{
                        "id": 999_001,
                        "url": "https://example.invalid/berth-audit-test",
                        "title": "Made-up advisory for Berth's audit test",
                        "severity": "high",
                        "vulnerable_versions": "<999.0.0",
                        "cwe": [],
                        "cvss": { "score": 0, "vectorString": null },
                    }]});
                    ("200 OK", advisory.to_string())
                } else {
                    ("404 Not Found", String::new())
                };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}

fn audit_npm(registry: &str) -> (Output, String) {
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/audit.sh"))
        .arg("npm")
        .env("BERTH_NPM_AUDIT_REGISTRY", registry)
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

#[test]
fn the_npm_audit_fails_and_names_the_package_when_an_advisory_matches_a_locked_version() {
    let lock = std::fs::read_to_string(repo_root().join("ui/package-lock.json")).unwrap();
    assert!(
        lock.contains("\"node_modules/uplot\""),
        "uplot is no longer locked"
    );
    let (output, text) = audit_npm(&npm_advisory_source("uplot"));

    assert!(!output.status.success(), "the step passed:\n{text}");
    assert!(text.contains("VULNERABLE: uplot (high)"), "{text}");
    assert!(
        text.contains("Made-up advisory for Berth's audit test"),
        "{text}"
    );
    assert!(text.contains("1 known vulnerability"), "{text}");
}

#[test]
fn an_npm_advisory_service_that_does_not_answer_is_reported_as_not_done() {
    // Nothing listens on port 9 (discard) of loopback.
    let (output, text) = audit_npm("http://127.0.0.1:9/");

    assert!(output.status.success(), "the step failed:\n{text}");
    assert!(
        text.contains(
            "advisory database unreachable: dependency audit not done (npm packages of ui/)"
        ),
        "{text}"
    );
}
