//! What `~/.aws/config` and `~/.aws/credentials` hold, by name only: profiles, their regions and
//! kinds, and the default region. Parsed by aws-config itself, so Berth reads the files exactly as
//! the SDK will when it uses them. Never returns a key.

use crate::error::{BerthError, ErrorKind};
use aws_config::profile::Profile;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AwsProfileKind {
    StaticKeys,
    Sso,
    AssumeRole,
    CredentialProcess,
    /// A browser sign-in (`aws login`, or Berth's "Sign in with your browser").
    LoginSession,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AwsProfileSummary {
    pub name: String,
    pub region: Option<String>,
    pub kind: AwsProfileKind,
}

/// Where the default region came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RegionSource {
    /// `AWS_REGION` or `AWS_DEFAULT_REGION`.
    Environment,
    /// The region of the selected profile (`AWS_PROFILE`, else `default`).
    DefaultProfile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AwsConfigSummary {
    pub config_file: String,
    pub credentials_file: String,
    pub profiles: Vec<AwsProfileSummary>,
    /// The distinct regions the profiles name, sorted.
    pub regions: Vec<String>,
    pub default_region: Option<String>,
    pub default_region_source: Option<RegionSource>,
    /// Set when a file exists but could not be read or parsed.
    pub problem: Option<BerthError>,
}

/// Reads the real files of the current user (honouring `AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE`, `AWS_PROFILE`, `AWS_REGION`).
pub async fn read_config_summary() -> AwsConfigSummary {
    read_config_summary_with(&Env::real(), &Fs::real()).await
}

/// As [`read_config_summary`], with the environment and file system given (tests use a temp HOME).
pub async fn read_config_summary_with(env: &Env, fs: &Fs) -> AwsConfigSummary {
    let config_file = file_path(env, "AWS_CONFIG_FILE", "config");
    let credentials_file = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let env_region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| env.get(name).ok().filter(|v| !v.trim().is_empty()));

    let mut summary = AwsConfigSummary {
        config_file: config_file.display().to_string(),
        credentials_file: credentials_file.display().to_string(),
        profiles: Vec::new(),
        regions: Vec::new(),
        default_region: env_region.clone(),
        default_region_source: env_region.as_ref().map(|_| RegionSource::Environment),
        problem: None,
    };

    let set = match aws_config::profile::load(fs, env, &EnvConfigFiles::default(), None).await {
        Ok(set) => set,
        Err(e) => {
            summary.problem = Some(
                BerthError::new(ErrorKind::AwsConfigUnreadable)
                    .with("path", &summary.config_file)
                    .details(e),
            );
            return summary;
        }
    };

    let mut names: Vec<&str> = set.profiles().collect();
    names.sort_unstable();
    let mut regions = BTreeSet::new();
    for name in names {
        let Some(profile) = set.get_profile(name) else {
            continue;
        };
        let region = profile.get("region").map(str::to_owned);
        if let Some(r) = &region {
            regions.insert(r.clone());
        }
        summary.profiles.push(AwsProfileSummary {
            name: name.to_owned(),
            region,
            kind: kind_of(profile),
        });
    }
    summary.regions = regions.into_iter().collect();

    if summary.default_region.is_none() {
        let selected = set.selected_profile();
        if let Some(region) = set.get_profile(selected).and_then(|p| p.get("region")) {
            summary.default_region = Some(region.to_owned());
            summary.default_region_source = Some(RegionSource::DefaultProfile);
        }
    }
    summary
}

fn kind_of(profile: &Profile) -> AwsProfileKind {
    if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
        AwsProfileKind::Sso
    } else if profile.get("role_arn").is_some() {
        AwsProfileKind::AssumeRole
    } else if profile.get("credential_process").is_some() {
        AwsProfileKind::CredentialProcess
    } else if profile.get("aws_access_key_id").is_some() {
        AwsProfileKind::StaticKeys
    } else if profile.get("login_session").is_some() {
        AwsProfileKind::LoginSession
    } else {
        AwsProfileKind::Other
    }
}

/// The file the SDK reads: the override variable, else `~/.aws/<name>`.
fn file_path(env: &Env, override_var: &str, name: &str) -> PathBuf {
    if let Ok(path) = env.get(override_var) {
        if !path.trim().is_empty() {
            return PathBuf::from(path);
        }
    }
    let home = env
        .get("HOME")
        .or_else(|_| env.get("USERPROFILE"))
        .unwrap_or_default();
    PathBuf::from(home).join(".aws").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_with(config: &str, credentials: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(home.path().join(".aws/config"), config).unwrap();
        std::fs::write(home.path().join(".aws/credentials"), credentials).unwrap();
        home
    }

    async fn summary_for(home: &tempfile::TempDir, extra: &[(&str, &str)]) -> AwsConfigSummary {
        let home_str = home.path().to_str().unwrap();
        let mut vars = vec![("HOME", home_str)];
        vars.extend_from_slice(extra);
        read_config_summary_with(&Env::from_slice(&vars), &Fs::real()).await
    }

    const CONFIG: &str = "\
[default]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = default
region = ap-northeast-2

[profile work-sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile helper]
credential_process = /usr/local/bin/get-creds
";

    const CREDENTIALS: &str = "\
[default]
aws_access_key_id = testing-key-id
aws_secret_access_key = testing-secret-do-not-show
";

    #[tokio::test]
    async fn lists_profiles_of_every_kind_by_name_with_regions() {
        let home = home_with(CONFIG, CREDENTIALS);
        let s = summary_for(&home, &[]).await;
        assert_eq!(s.problem, None);
        let got: Vec<_> = s
            .profiles
            .iter()
            .map(|p| (p.name.as_str(), p.region.as_deref(), p.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                ("admin", Some("ap-northeast-2"), AwsProfileKind::AssumeRole),
                ("default", Some("eu-west-1"), AwsProfileKind::StaticKeys),
                ("helper", None, AwsProfileKind::CredentialProcess),
                ("work-sso", Some("us-east-1"), AwsProfileKind::Sso),
            ]
        );
        assert_eq!(s.regions, vec!["ap-northeast-2", "eu-west-1", "us-east-1"]);
        assert_eq!(s.default_region.as_deref(), Some("eu-west-1"));
        assert_eq!(s.default_region_source, Some(RegionSource::DefaultProfile));
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("testing-secret"), "summary leaked a secret");
        assert!(!json.contains("testing-key-id"), "summary leaked a key id");
    }

    #[tokio::test]
    async fn the_region_variable_wins_over_the_profile() {
        let home = home_with(CONFIG, CREDENTIALS);
        let s = summary_for(&home, &[("AWS_REGION", "sa-east-1")]).await;
        assert_eq!(s.default_region.as_deref(), Some("sa-east-1"));
        assert_eq!(s.default_region_source, Some(RegionSource::Environment));
    }

    #[tokio::test]
    async fn aws_profile_selects_the_default_region() {
        let home = home_with(CONFIG, CREDENTIALS);
        let s = summary_for(&home, &[("AWS_PROFILE", "admin")]).await;
        assert_eq!(s.default_region.as_deref(), Some("ap-northeast-2"));
    }

    #[tokio::test]
    async fn no_files_is_an_empty_list_not_a_problem() {
        let home = tempfile::tempdir().unwrap();
        let s = summary_for(&home, &[]).await;
        assert!(s.profiles.is_empty());
        assert_eq!(s.problem, None);
        assert_eq!(s.default_region, None);
        assert!(s.config_file.ends_with(".aws/config"));
    }

    #[tokio::test]
    async fn a_broken_config_file_is_reported_as_unreadable() {
        let home = home_with("[profile broken\nregion = us-east-1\n", "");
        let s = summary_for(&home, &[]).await;
        assert!(s.profiles.is_empty());
        let problem = s.problem.expect("a parse error must be reported");
        assert_eq!(problem.kind, ErrorKind::AwsConfigUnreadable);
        assert!(problem.param("path").unwrap().ends_with(".aws/config"));
    }
}
