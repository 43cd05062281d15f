//! The token cache the AWS CLI's `aws login` writes and the SDKs' login provider reads and
//! refreshes: `~/.aws/login/cache/<sha256 of the login_session ARN>.json` (or under
//! `AWS_LOGIN_CACHE_DIRECTORY`), readable by the user only. Berth writes the same file, so the
//! SDK, the CLI and Berth share one sign-in.

use super::dpop::DpopKey;
use super::token::{IssuedToken, CLIENT_ID};
use crate::error::{BerthError, ErrorKind, Result};
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use secrecy::ExposeSecret;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use zeroize::Zeroizing;

/// The cache folder: `AWS_LOGIN_CACHE_DIRECTORY` (with `~` expanded, as the CLI), else
/// `~/.aws/login/cache`.
pub fn cache_dir(env: impl Fn(&str) -> Option<String>) -> Result<PathBuf> {
    let home = || {
        env("HOME")
            .or_else(|| env("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .ok_or_else(|| BerthError::internal("no home folder to keep the sign-in in"))
    };
    match env("AWS_LOGIN_CACHE_DIRECTORY").filter(|d| !d.trim().is_empty()) {
        Some(dir) => match dir.strip_prefix("~/") {
            Some(rest) => Ok(PathBuf::from(home()?).join(rest)),
            None => Ok(PathBuf::from(dir)),
        },
        None => Ok(PathBuf::from(home()?).join(".aws/login/cache")),
    }
}

/// `<dir>/<hex sha256 of the session ARN>.json`.
pub fn cache_file(dir: &Path, login_session: &str) -> PathBuf {
    let hash = Sha256::digest(login_session.trim().as_bytes());
    let name: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}.json"))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccessTokenJson<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    session_token: &'a str,
    account_id: &'a str,
    expires_at: String,
}

/// The file's fields, in the order the CLI writes them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CacheJson<'a> {
    access_token: AccessTokenJson<'a>,
    token_type: &'a str,
    client_id: &'a str,
    refresh_token: &'a str,
    id_token: &'a str,
    dpop_key: &'a str,
}

/// `2025-11-19T00:15:00Z`, whole seconds, as the CLI writes `expiresAt`.
pub fn expiry_text(at: SystemTime) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    DateTime::from_secs(secs as i64)
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

/// Writes the token for its session into `dir`, readable by the user only, replacing an earlier
/// one (written to a temporary file first, so a reader never sees half a file).
pub fn save(dir: &Path, token: &IssuedToken, key: &DpopKey, now: SystemTime) -> Result<PathBuf> {
    let pem = key.to_pem();
    let json = CacheJson {
        access_token: AccessTokenJson {
            access_key_id: &token.access_key_id,
            secret_access_key: token.secret_access_key.expose_secret(),
            session_token: token.session_token.expose_secret(),
            account_id: &token.account_id,
            expires_at: expiry_text(now + token.expires_in),
        },
        token_type: &token.token_type,
        client_id: CLIENT_ID,
        refresh_token: token.refresh_token.expose_secret(),
        id_token: token.id_token.expose_secret(),
        dpop_key: &pem,
    };
    let bytes = Zeroizing::new(serde_json::to_vec(&json).map_err(BerthError::internal)?);
    let path = cache_file(dir, &token.login_session);
    write_private(dir, &path, &bytes).map_err(|e| {
        BerthError::new(ErrorKind::Internal)
            .with("path", path.display().to_string())
            .details(format!("writing {}: {e}", path.display()))
    })?;
    Ok(path)
}

/// Creates `dir` (user-only where new) and writes `path` with mode 0600 through a rename.
pub fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let mut file = tempfile::Builder::new()
        .prefix(".berth-")
        .tempfile_in(dir)?;
    // tempfile creates its files 0600 on Unix already; said here so it stays so.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;
    use std::time::Duration;

    #[test]
    fn the_file_is_named_as_the_sdk_and_cli_name_it() {
        // The SDK's own test vector (aws-config's login/cache.rs).
        assert_eq!(
            cache_file(
                Path::new("/home/someuser/.aws/login/cache"),
                "arn:aws:iam::0123456789012:user/Admin"
            ),
            Path::new("/home/someuser/.aws/login/cache/36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726.json")
        );
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            cache_dir(env(&[("HOME", "/h")])).unwrap(),
            Path::new("/h/.aws/login/cache")
        );
        assert_eq!(
            cache_dir(env(&[("HOME", "/h"), ("AWS_LOGIN_CACHE_DIRECTORY", "~/c")])).unwrap(),
            Path::new("/h/c")
        );
        assert_eq!(
            cache_dir(env(&[("AWS_LOGIN_CACHE_DIRECTORY", "/x/y")])).unwrap(),
            Path::new("/x/y")
        );
    }

    #[test]
    fn the_file_holds_the_clis_fields_and_only_its_owner_may_read_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("login/cache");
        let token = IssuedToken {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretString::from("secret-1"),
            session_token: SecretString::from("session-1"),
            token_type: "aws_sigv4".into(),
            expires_in: Duration::from_secs(900),
            refresh_token: SecretString::from("refresh-1"),
            id_token: SecretString::from("a.b.c"),
            login_session: "arn:aws:iam::123456789012:user/admin".into(),
            account_id: "123456789012".into(),
        };
        let key = DpopKey::generate();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_763_510_400);
        let path = save(&cache, &token, &key, now).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(json["accessToken"]["accessKeyId"], "ASIAEXAMPLE");
        assert_eq!(json["accessToken"]["secretAccessKey"], "secret-1");
        assert_eq!(json["accessToken"]["sessionToken"], "session-1");
        assert_eq!(json["accessToken"]["accountId"], "123456789012");
        assert_eq!(json["accessToken"]["expiresAt"], "2025-11-19T00:15:00Z");
        assert_eq!(json["tokenType"], "aws_sigv4");
        assert_eq!(json["clientId"], CLIENT_ID);
        assert_eq!(json["refreshToken"], "refresh-1");
        assert_eq!(json["idToken"], "a.b.c");
        assert_eq!(json["dpopKey"].as_str().unwrap(), key.to_pem().as_str());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(&cache).unwrap().permissions().mode();
            assert_eq!(dir_mode & 0o077, 0, "cache folder is user-only");
        }
        // Saving again replaces the file and leaves no temporary file behind.
        save(&cache, &token, &key, now).unwrap();
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    }
}
