//! Wizard step 1, Account: who the user is on AWS. A profile from `~/.aws`, or an access key pair
//! saved in the OS keychain; a region; practice mode; and verification through STS.

use crate::aws::profiles::{read_config_summary, AwsProfileKind, AwsProfileSummary};
use crate::aws::regions::{looks_like_region, REGIONS};
use crate::aws::sts::{caller_identity, CallerIdentity};
use crate::aws::{AwsClients, AwsTarget, CredentialSource};
use crate::credentials::{mask_key_id, AccessKeys, KeychainCredentials, SecretStore};
use crate::error::{BerthError, ErrorKind, Result};
use crate::settings::{AccountSettings, IdentitySource, PracticeMode, SavedIdentity, Settings};
use aws_credential_types::provider::SharedCredentialsProvider;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use ts_rs::TS;

/// A key pair the user typed, on its way to the keychain. The only IPC payload that carries a
/// secret, and only from the UI to Berth, never back.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewIdentity {
    pub name: String,
    pub access_key_id: String,
    /// Wiped from memory when dropped.
    #[ts(type = "string")]
    pub secret_access_key: SecretString,
    #[ts(type = "string | null")]
    pub session_token: Option<SecretString>,
}

impl fmt::Debug for NewIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewIdentity")
            .field("name", &self.name)
            .field("access_key_id", &mask_key_id(&self.access_key_id))
            .finish_non_exhaustive()
    }
}

/// What kind of principal the credentials belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    User,
    Role,
    FederatedUser,
    /// The account's root user, through a browser sign-in (root keys are refused).
    Root,
    Other,
}

/// A verified identity, as the Account step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedIdentity {
    pub account: String,
    pub arn: String,
    pub principal: PrincipalKind,
    /// The user or role name (for an assumed role, the role's name).
    pub name: String,
}

/// Everything the Account step shows, in one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountOverview {
    pub settings: AccountSettings,
    pub identities: Vec<SavedIdentity>,
    pub profiles: Vec<AwsProfileSummary>,
    /// Region codes to offer: Berth's list plus any other region a profile names.
    pub regions: Vec<String>,
    /// The region to preselect when none is chosen: the environment's or the profile's.
    pub suggested_region: Option<String>,
}

/// Builds the Account step's view of the settings and of `~/.aws`.
pub async fn overview(settings: &Settings) -> AccountOverview {
    let summary = read_config_summary().await;
    let mut regions: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
    for r in &summary.regions {
        if !regions.contains(r) && looks_like_region(r) {
            regions.push(r.clone());
        }
    }
    let profile_region = match &settings.account.source {
        Some(IdentitySource::Profile { name }) => summary
            .profiles
            .iter()
            .find(|p| &p.name == name)
            .and_then(|p| p.region.clone()),
        _ => None,
    };
    AccountOverview {
        settings: settings.account.clone(),
        identities: settings.identities.clone(),
        profiles: summary.profiles,
        regions,
        suggested_region: profile_region.or(summary.default_region),
    }
}

const MAX_NAME_LEN: usize = 64;

/// Checks the name a key pair is saved under in the keychain; errors name `field`.
pub fn validate_identity_name(field: &str, name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(BerthError::invalid(field, "required"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(BerthError::invalid(field, "tooLong").with("max", MAX_NAME_LEN.to_string()));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || " ._@-".contains(c))
    {
        return Err(BerthError::invalid(field, "characters"));
    }
    Ok(())
}

/// The key id as AWS writes it: upper case, so one typed or pasted in lower case is taken as is
/// meant rather than refused (IAM access key ids are upper-case letters and digits).
fn normal_key_id(typed: &str) -> String {
    typed.trim().to_ascii_uppercase()
}

/// Every field of a typed key pair that breaks a rule, each with its first broken rule, in the
/// form's order (the form shows them all at once; the UI's twin, `account/keyRules.ts`, is tested
/// against the same table, `key-cases.json`).
pub fn key_problems(input: &NewIdentity) -> Vec<BerthError> {
    let mut problems = Vec::new();
    if let Err(e) = validate_identity_name("name", &input.name) {
        problems.push(e);
    }
    let key_id = normal_key_id(&input.access_key_id);
    if key_id.is_empty() {
        problems.push(BerthError::invalid("accessKeyId", "required"));
    } else if !(16..=128).contains(&key_id.len())
        || !key_id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        problems.push(BerthError::invalid("accessKeyId", "format"));
    }
    let secret = input.secret_access_key.expose_secret().trim();
    if secret.is_empty() {
        problems.push(BerthError::invalid("secretAccessKey", "required"));
    } else if secret.chars().any(char::is_whitespace) {
        problems.push(BerthError::invalid("secretAccessKey", "whitespace"));
    }
    if let Some(token) = &input.session_token {
        if token
            .expose_secret()
            .trim()
            .chars()
            .any(char::is_whitespace)
        {
            problems.push(BerthError::invalid("sessionToken", "whitespace"));
        }
    }
    problems
}

/// Checks a key pair before anything is stored or sent: a clear message beats AWS's
/// "InvalidClientTokenId" for a stray space.
pub fn validate_new_identity(input: &NewIdentity) -> Result<()> {
    match key_problems(input).into_iter().next() {
        Some(first) => Err(first),
        None => Ok(()),
    }
}

/// Validates, stores the keys in `store` and remembers the identity (name and masked key id
/// only) as the one in use. Saving under an existing name replaces it.
pub fn save_identity(
    store: &dyn SecretStore,
    settings: &mut Settings,
    input: &NewIdentity,
) -> Result<SavedIdentity> {
    validate_new_identity(input)?;
    let name = input.name.trim().to_owned();
    let keys = AccessKeys {
        access_key_id: normal_key_id(&input.access_key_id),
        secret_access_key: input.secret_access_key.expose_secret().trim().into(),
        session_token: input
            .session_token
            .as_ref()
            .map(|t| t.expose_secret().trim())
            .filter(|t| !t.is_empty())
            .map(SecretString::from),
    };
    store.put(&name, &keys)?;
    let saved = SavedIdentity {
        name: name.clone(),
        masked_key_id: mask_key_id(&keys.access_key_id),
        has_session_token: keys.session_token.is_some(),
    };
    settings.identities.retain(|i| i.name != name);
    settings.identities.push(saved.clone());
    settings.identities.sort_by(|a, b| a.name.cmp(&b.name));
    settings.account.source = Some(IdentitySource::Keychain { name });
    Ok(saved)
}

/// Removes the identity's keys from the keychain and forgets it.
pub fn remove_identity(store: &dyn SecretStore, settings: &mut Settings, name: &str) -> Result<()> {
    store.delete(name)?;
    settings.identities.retain(|i| i.name != name);
    if settings.account.source
        == (Some(IdentitySource::Keychain {
            name: name.to_owned(),
        }))
    {
        settings.account.source = None;
    }
    Ok(())
}

/// Checks the practice-mode fields when practice mode is on with an emulator of the user's own
/// (Berth's own practice backend fills them in itself).
pub fn validate_practice(practice: &PracticeMode) -> Result<()> {
    if !practice.enabled || practice.managed {
        return Ok(());
    }
    let url = practice.endpoint_url.trim();
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/') || r.contains(char::is_whitespace)) {
        return Err(BerthError::invalid("endpointUrl", "format"));
    }
    if let Some(rule) = registry_rule(&practice.registry) {
        return Err(BerthError::invalid("registry", rule));
    }
    Ok(())
}

/// The broken rule of a registry address (`host:port`): `scheme` (a URL was typed), `port`
/// (missing or out of range) or `format`. The UI checks the same as the user types
/// (registryRule.ts); both are tested against `registry-cases.json`.
pub fn registry_rule(value: &str) -> Option<&'static str> {
    let address = value.trim();
    if address.is_empty() {
        return None;
    }
    if address.contains("://") {
        return Some("scheme");
    }
    if address.contains(['/', ' ']) {
        return Some("format");
    }
    // An IPv6 address's own colons sit inside brackets.
    let split = address
        .rsplit_once(':')
        .filter(|(_, port)| !port.contains(']'));
    let host = split.map_or(address, |(host, _)| host);
    let label = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ipv6 = host.len() > 2
        && host.starts_with('[')
        && host.ends_with(']')
        && host[1..host.len() - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    if !host.split('.').all(label) && !ipv6 {
        return Some("format");
    }
    let Some((_, port)) = split else {
        return Some("port");
    };
    let valid = port.len() <= 5
        && port.chars().all(|c| c.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
    (!valid).then_some("port")
}

/// Builds the AWS clients for the chosen identity, region and practice mode. Everything that can
/// be checked without AWS is checked here. In Berth's own practice the clients are sealed: the
/// running practice backend for every service, its practice keys, never a profile or the keychain.
pub async fn clients_for(
    account: &AccountSettings,
    store: Arc<dyn SecretStore>,
) -> Result<AwsClients> {
    if account.practice.is_managed() {
        let url = account.practice.endpoint_url.trim();
        if url.is_empty() {
            return Err(BerthError::new(ErrorKind::PracticeNotRunning));
        }
        let target = AwsTarget {
            region: crate::practice::PRACTICE_REGION.to_owned(),
            endpoint_url: Some(url.to_owned()),
        };
        return Ok(AwsClients::new(&target, CredentialSource::Practice).await);
    }
    let region = account.region.as_deref().map(str::trim).unwrap_or_default();
    if region.is_empty() {
        return Err(BerthError::invalid("region", "required"));
    }
    if !looks_like_region(region) {
        return Err(BerthError::invalid("region", "format"));
    }
    validate_practice(&account.practice)?;
    let credentials = match &account.source {
        None => return Err(BerthError::invalid("identity", "required")),
        Some(IdentitySource::Profile { name }) => {
            let summary = read_config_summary().await;
            if !summary.profiles.iter().any(|p| &p.name == name) {
                return Err(BerthError::new(ErrorKind::ProfileNotFound)
                    .with("profile", name)
                    .with("path", summary.config_file));
            }
            match summary.profiles.iter().find(|p| &p.name == name) {
                Some(p) if p.kind == AwsProfileKind::LoginSession => {
                    CredentialSource::LoginSession {
                        profile: name.clone(),
                        signin_region: p.region.clone(),
                    }
                }
                _ => CredentialSource::Profile(name.clone()),
            }
        }
        Some(IdentitySource::Keychain { name }) => CredentialSource::Provider(
            SharedCredentialsProvider::new(KeychainCredentials::new(name, store)),
        ),
    };
    let target = AwsTarget {
        region: region.to_owned(),
        endpoint_url: account
            .practice
            .enabled
            .then(|| account.practice.endpoint_url.trim().to_owned()),
    };
    Ok(AwsClients::new(&target, credentials).await)
}

/// Asks STS who the credentials belong to. The root user is refused with keys (long-lived, and
/// the one thing AWS says never to make) and allowed through a browser sign-in, where AWS allows
/// it and the credentials last minutes; the Account step then says what root means.
pub async fn verify(
    clients: &AwsClients,
    source: Option<&IdentitySource>,
) -> Result<VerifiedIdentity> {
    let who = caller_identity(clients).await;
    classify(
        who.map_err(|e| with_source(e, source))?,
        clients.is_browser_sign_in(),
    )
}

/// Adds the profile name to errors whose fix names it (`aws sso login --profile NAME`).
fn with_source(err: BerthError, source: Option<&IdentitySource>) -> BerthError {
    match source {
        Some(IdentitySource::Profile { name }) => err.with("profile", name),
        Some(IdentitySource::Keychain { name }) => err.with("name", name),
        None => err,
    }
}

/// Reads the principal out of the caller's ARN.
pub fn classify(who: CallerIdentity, root_allowed: bool) -> Result<VerifiedIdentity> {
    // arn:PARTITION:SERVICE::ACCOUNT:RESOURCE
    let resource = who.arn.splitn(6, ':').nth(5).unwrap_or_default();
    if resource == "root" {
        if !root_allowed {
            return Err(BerthError::new(ErrorKind::RootCredentials).with("account", &who.account));
        }
        return Ok(VerifiedIdentity {
            account: who.account,
            arn: who.arn,
            principal: PrincipalKind::Root,
            name: "root".to_owned(),
        });
    }
    let mut parts = resource.split('/');
    let (principal, name) = match (parts.next(), parts.next()) {
        (Some("user"), Some(_)) => (PrincipalKind::User, resource.rsplit('/').next()),
        (Some("assumed-role"), Some(role)) => (PrincipalKind::Role, Some(role)),
        (Some("role"), Some(_)) => (PrincipalKind::Role, resource.rsplit('/').next()),
        (Some("federated-user"), Some(user)) => (PrincipalKind::FederatedUser, Some(user)),
        _ => (PrincipalKind::Other, None),
    };
    Ok(VerifiedIdentity {
        account: who.account,
        arn: who.arn.clone(),
        principal,
        name: name.unwrap_or(resource).to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table the UI's twin is tested against: both say the same about every address.
    #[test]
    fn registry_addresses_are_host_and_port() {
        #[derive(serde::Deserialize)]
        struct Case {
            value: String,
            rule: Option<String>,
        }
        let cases: Vec<Case> = serde_json::from_str(include_str!(
            "../../../../ui/src/screens/account/registry-cases.json"
        ))
        .unwrap();
        assert!(cases.len() > 10);
        for case in cases {
            assert_eq!(
                registry_rule(&case.value),
                case.rule.as_deref(),
                "{:?}",
                case.value
            );
        }
    }

    /// The same table the UI's twin is tested against, so both say the same about every input.
    #[test]
    fn typed_keys_are_checked_before_anything_is_stored() {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Case {
            name: String,
            access_key_id: String,
            secret_access_key: String,
            session_token: Option<String>,
            problems: Vec<(String, String)>,
        }
        let cases: Vec<Case> = serde_json::from_str(include_str!(
            "../../../../ui/src/screens/account/key-cases.json"
        ))
        .unwrap();
        assert!(cases.len() > 10);
        for case in cases {
            let input = NewIdentity {
                name: case.name,
                access_key_id: case.access_key_id,
                secret_access_key: case.secret_access_key.into(),
                session_token: case.session_token.map(SecretString::from),
            };
            let got: Vec<(String, String)> = key_problems(&input)
                .iter()
                .map(|e| {
                    assert_eq!(e.kind, ErrorKind::InvalidInput);
                    (
                        e.param("field").unwrap().to_owned(),
                        e.param("rule").unwrap().to_owned(),
                    )
                })
                .collect();
            assert_eq!(got, case.problems, "{input:?}");
            assert_eq!(
                validate_new_identity(&input)
                    .err()
                    .map(|e| e.param("field").unwrap().to_owned()),
                case.problems.first().map(|p| p.0.clone())
            );
        }
    }

    #[test]
    fn practice_mode_needs_an_http_endpoint_and_a_host_port_registry() {
        let practice = |url: &str, registry: &str| PracticeMode {
            enabled: true,
            managed: false,
            endpoint_url: url.into(),
            registry: registry.into(),
        };
        assert!(validate_practice(&practice("http://127.0.0.1:5000", "127.0.0.1:5001")).is_ok());
        assert!(validate_practice(&practice("https://emulator.local", "")).is_ok());
        let rule = |p: PracticeMode| {
            validate_practice(&p)
                .unwrap_err()
                .param("field")
                .unwrap()
                .to_owned()
        };
        assert_eq!(rule(practice("127.0.0.1:5000", "")), "endpointUrl");
        assert_eq!(rule(practice("http://", "")), "endpointUrl");
        assert_eq!(rule(practice("http://x", "localhost")), "registry");
        assert_eq!(
            rule(practice("http://x", "http://localhost:5000")),
            "registry"
        );
        assert!(
            validate_practice(&PracticeMode::default()).is_ok(),
            "off means unchecked"
        );
    }

    fn who(arn: &str) -> CallerIdentity {
        CallerIdentity {
            account: "123456789012".into(),
            arn: arn.into(),
            user_id: "AIDEXAMPLE".into(),
        }
    }

    fn classify_keys(who: CallerIdentity) -> Result<VerifiedIdentity> {
        classify(who, false)
    }

    #[test]
    fn the_root_user_is_refused_with_keys_and_allowed_through_a_browser_sign_in() {
        let signed_in = classify(who("arn:aws:iam::123456789012:root"), true).unwrap();
        assert_eq!(signed_in.principal, PrincipalKind::Root);
        assert_eq!(signed_in.account, "123456789012");
        let err = classify_keys(who("arn:aws:iam::123456789012:root")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::RootCredentials);
        assert_eq!(err.param("account"), Some("123456789012"));
    }

    #[test]
    fn users_and_roles_are_told_apart() {
        let v = classify_keys(who("arn:aws:iam::123456789012:user/team/alice")).unwrap();
        assert_eq!(
            (v.principal, v.name.as_str()),
            (PrincipalKind::User, "alice")
        );
        let v = classify_keys(who(
            "arn:aws:sts::123456789012:assumed-role/Deploy/session-1",
        ))
        .unwrap();
        assert_eq!(
            (v.principal, v.name.as_str()),
            (PrincipalKind::Role, "Deploy")
        );
        let v = classify_keys(who("arn:aws:sts::123456789012:federated-user/bob")).unwrap();
        assert_eq!(
            (v.principal, v.name.as_str()),
            (PrincipalKind::FederatedUser, "bob")
        );
    }

    #[tokio::test]
    async fn no_region_or_identity_is_caught_before_any_call() {
        let store: Arc<dyn SecretStore> = Arc::new(crate::credentials::Keychain::default());
        let mut account = AccountSettings::default();
        let err = clients_for(&account, store.clone()).await.unwrap_err();
        assert_eq!(err.param("field"), Some("region"));
        account.region = Some("us-east-1".into());
        let err = clients_for(&account, store.clone()).await.unwrap_err();
        assert_eq!(err.param("field"), Some("identity"));
        account.region = Some("Seoul".into());
        let err = clients_for(&account, store).await.unwrap_err();
        assert_eq!(
            (err.param("field"), err.param("rule")),
            (Some("region"), Some("format"))
        );
    }
}
