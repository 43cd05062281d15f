//! The optional deploy user: an IAM user allowed exactly what the later steps do, whose access
//! key goes straight from CreateAccessKey into the keychain (the Account step's code path), is
//! selected as the identity in use, and is verified through STS.
//!
//! Its permissions are a customer managed policy (tagged, attached to the user) rather than an
//! inline one: IAM caps all inline policies of a user together at 2,048 characters, which the
//! least-privilege list of the later steps exceeds, while a managed policy may hold 6,144. A
//! managed policy also shows up by name in the IAM console, where an administrator can review it,
//! and each change to it is kept as a version.
//!
//! One file (about 540 lines) because planning, making and undoing the user follow one sequence
//! (user, policy and its versions, key into the keychain, verification) and `undo` must mirror
//! exactly what `provision` made.

use super::{caller, explain, validate_iam_name, Caller};
use crate::aws::iam::Iam;
use crate::aws::AwsClients;
use crate::cli::CliCommand;
use crate::credentials::{mask_key_id, AccessKeys, SecretStore};
use crate::error::{BerthError, ErrorKind, Result};
use crate::permissions::{deploy_user_policy, Resources};
use crate::settings::{IdentitySource, SavedIdentity, Settings};
use crate::tags;
use crate::wizard::account::{self, NewIdentity, PrincipalKind, VerifiedIdentity};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

pub const DEFAULT_DEPLOY_USER: &str = "berth-deployer";

/// IAM keeps at most five versions of a managed policy.
const MAX_POLICY_VERSIONS: usize = 5;

/// A new access key can take a few seconds to work everywhere in AWS; verification retries this
/// long before it gives up.
const KEY_PROPAGATION_WAITS: [Duration; 6] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(3),
    Duration::from_secs(4),
    Duration::from_secs(5),
    Duration::from_secs(5),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DeployUserState {
    /// No user of that name: Berth creates it.
    Missing,
    /// A user Berth made: Berth brings its policy up to date and reuses or adds a key.
    Exists,
    /// A user of that name that Berth did not make: Berth leaves it alone.
    NotBerths,
    /// The identity in use is this user already.
    InUse,
    /// Berth could not read the user (`read_error` says why).
    Unknown,
}

/// What creating the deploy user would do, shown before anything is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeployUserPlan {
    pub user_name: String,
    pub user_arn: String,
    pub policy_name: String,
    pub policy_arn: String,
    /// The least-privilege policy, indented.
    pub policy: String,
    pub state: DeployUserState,
    /// The `aws iam …` commands of a first creation, in order.
    pub commands: Vec<String>,
    pub read_error: Option<BerthError>,
}

/// The user's choice of names. No secret crosses IPC in either direction.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeployUserRequest {
    pub user_name: String,
    /// The name its key is saved under in the keychain.
    pub identity_name: String,
    /// The execution role the user may pass to ECS.
    pub role_name: String,
}

/// The deploy user, in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeployUserOutcome {
    pub user_arn: String,
    pub policy_arn: String,
    /// The keychain identity now in use (masked key id only).
    pub identity: SavedIdentity,
    pub verified: VerifiedIdentity,
    /// Whether a new access key was made (false when a key of this user was in the keychain).
    pub key_created: bool,
    /// The commands of the changes made, in order.
    pub ran: Vec<String>,
}

fn is_managed(tags: &[(String, String)]) -> bool {
    tags::is_managed(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The user's own tags: it serves every app of the account, so it names no app.
fn berth_tags() -> Vec<(String, String)> {
    tags::berth_tags(None)
}

/// Whether the identity in use is the deploy user `res` names.
fn is_signed_in_as(who: &Caller, res: &Resources) -> bool {
    who.identity.principal == PrincipalKind::User && who.identity.arn == res.deploy_user_arn()
}

/// How the commands name the policy document: at about 2,000 characters it is unreadable on a
/// command line, so they point at a file of the policy's name, as the AWS documentation does. The
/// IAM step shows (and copies) that JSON right above the commands.
pub fn policy_file_arg(res: &Resources) -> String {
    format!("file://{}.json", res.deploy_policy_name())
}

fn first_creation(iam: &Iam<'_>, res: &Resources) -> Vec<CliCommand> {
    let tags = berth_tags();
    vec![
        iam.create_user_call(&res.user_name, &tags).into_command(),
        iam.create_policy_call(&res.deploy_policy_name(), &policy_file_arg(res), &tags)
            .into_command(),
        iam.attach_user_policy_call(&res.user_name, &res.deploy_policy_arn())
            .into_command(),
        iam.create_access_key_call(&res.user_name).into_command(),
    ]
}

/// The policy and commands of the deploy user, and whether it exists already. Writes nothing.
/// The policy has the KMS grant permissions when `repository` is encrypted with KMS.
pub async fn plan_deploy_user(
    clients: &AwsClients,
    user_name: &str,
    role_name: &str,
    repository: Option<&str>,
) -> Result<DeployUserPlan> {
    validate_iam_name("userName", user_name)?;
    validate_iam_name("roleName", role_name)?;
    let who = caller(clients).await?;
    let res = Resources {
        kms_encryption: super::repository_uses_kms(clients, repository).await,
        ..who.resources(clients.region(), role_name, user_name)
    };
    let iam = Iam::new(clients);
    let policy = deploy_user_policy(&res);
    let mut read_error = None;
    let state = if is_signed_in_as(&who, &res) {
        DeployUserState::InUse
    } else {
        match iam.get_user(user_name).await {
            Ok(None) => DeployUserState::Missing,
            Ok(Some(user)) if is_managed(&user.tags) => DeployUserState::Exists,
            Ok(Some(_)) => DeployUserState::NotBerths,
            Err(e) => {
                read_error = Some(explain(e, clients, role_name, user_name).await);
                DeployUserState::Unknown
            }
        }
    };
    Ok(DeployUserPlan {
        user_name: user_name.to_owned(),
        user_arn: res.deploy_user_arn(),
        policy_name: res.deploy_policy_name(),
        policy_arn: res.deploy_policy_arn(),
        commands: first_creation(&iam, &res)
            .iter()
            .map(CliCommand::render)
            .collect(),
        policy: policy.pretty(),
        state,
        read_error,
    })
}

/// What this run created, so a failure can take it back.
#[derive(Default)]
struct Made {
    user: bool,
    policy: bool,
    attached: bool,
    key: Option<String>,
}

/// Creates (or brings up to date) the deploy user and its policy, gives it an access key that
/// goes straight into `store`, selects that identity in `settings`, and verifies it through STS.
///
/// Re-running with a Berth-made user updates the policy if it changed and reuses the user's key
/// when the keychain holds one under `identity_name`. If a step fails, what this run created is
/// deleted again (the error's `cleanup` says whether that worked), so no user is left behind with
/// a key nobody holds.
pub async fn create_deploy_user(
    clients: &AwsClients,
    store: Arc<dyn SecretStore>,
    settings: &mut Settings,
    request: &DeployUserRequest,
) -> Result<DeployUserOutcome> {
    let user = request.user_name.trim();
    let identity_name = request.identity_name.trim();
    let role = request.role_name.trim();
    validate_iam_name("userName", user)?;
    validate_iam_name("roleName", role)?;
    account::validate_identity_name("identityName", identity_name)?;

    let who = caller(clients).await?;
    let repository = settings.wizard().repository.clone();
    let res = Resources {
        kms_encryption: super::repository_uses_kms(clients, repository.as_deref()).await,
        ..who.resources(clients.region(), role, user)
    };
    if is_signed_in_as(&who, &res) {
        return Err(BerthError::invalid("userName", "signedIn"));
    }
    let iam = Iam::new(clients);
    match provision(&iam, clients, &store, settings, identity_name, &res).await {
        Ok(outcome) => {
            settings.wizard_mut().deploy_user = Some(user.to_owned());
            Ok(outcome)
        }
        Err(e) => Err(explain(e, clients, role, user).await),
    }
}

async fn provision(
    iam: &Iam<'_>,
    clients: &AwsClients,
    store: &Arc<dyn SecretStore>,
    settings: &mut Settings,
    identity_name: &str,
    res: &Resources,
) -> Result<DeployUserOutcome> {
    let user = res.user_name.as_str();
    // Everything that can refuse the request is checked before anything is created.
    let existing = iam.get_user(user).await?;
    if let Some(found) = &existing {
        if !is_managed(&found.tags) {
            return Err(BerthError::new(ErrorKind::AlreadyExists)
                .with("resource", "user")
                .with("name", user));
        }
    }
    let reuse_key = match settings.identities.iter().any(|i| i.name == identity_name) {
        false => None,
        true => {
            let saved = read_keys(store, identity_name).await?.access_key_id;
            let of_user = match &existing {
                Some(_) => iam.access_key_ids(user).await?.contains(&saved),
                None => false,
            };
            if !of_user {
                // Saving would replace a key of another identity.
                return Err(
                    BerthError::invalid("identityName", "taken").with("name", identity_name)
                );
            }
            Some(saved)
        }
    };

    let mut made = Made::default();
    let mut ran = Vec::new();
    let result = build(iam, res, existing.is_some(), &mut made, &mut ran).await;
    let result = match result {
        Ok(()) if reuse_key.is_none() => {
            if existing.is_some() {
                retire_orphaned_keys(iam, store, settings, user, &mut ran).await?;
            }
            save_new_key(
                iam,
                store,
                settings,
                identity_name,
                user,
                &mut made,
                &mut ran,
            )
            .await
        }
        Ok(()) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        return Err(undo(iam, res, &made, e).await);
    }
    if reuse_key.is_some() {
        settings.account.source = Some(IdentitySource::Keychain {
            name: identity_name.to_owned(),
        });
    }

    let verified = verify_new_identity(clients, store, settings).await?;
    if verified.arn != res.deploy_user_arn() {
        return Err(BerthError::internal(format!(
            "the saved key signs in as {}, not as {}",
            verified.arn,
            res.deploy_user_arn()
        )));
    }
    let identity = settings
        .identities
        .iter()
        .find(|i| i.name == identity_name)
        .cloned()
        .ok_or_else(|| BerthError::internal("the saved identity is not in the settings"))?;
    Ok(DeployUserOutcome {
        user_arn: res.deploy_user_arn(),
        policy_arn: res.deploy_policy_arn(),
        identity,
        verified,
        key_created: made.key.is_some(),
        ran,
    })
}

/// The user and its up-to-date policy, attached.
async fn build(
    iam: &Iam<'_>,
    res: &Resources,
    user_exists: bool,
    made: &mut Made,
    ran: &mut Vec<String>,
) -> Result<()> {
    let user = res.user_name.as_str();
    let tags = berth_tags();
    let document = deploy_user_policy(res).compact();
    let policy_arn = res.deploy_policy_arn();
    if !user_exists {
        iam.create_user(user, &tags).await?;
        made.user = true;
        ran.push(iam.create_user_call(user, &tags).into_command().render());
    }
    match iam.get_policy(&policy_arn).await? {
        None => {
            let name = res.deploy_policy_name();
            let file = policy_file_arg(res);
            iam.create_policy(&name, &document, &file, &tags).await?;
            made.policy = true;
            ran.push(
                iam.create_policy_call(&name, &file, &tags)
                    .into_command()
                    .render(),
            );
        }
        Some(policy) if !is_managed(&policy.tags) => {
            return Err(BerthError::new(ErrorKind::AlreadyExists)
                .with("resource", "policy")
                .with("name", res.deploy_policy_name()));
        }
        Some(policy) => {
            let current = iam
                .policy_document(&policy_arn, &policy.default_version)
                .await?;
            if !same_json(&current, &document) {
                make_room_for_a_version(iam, &policy_arn).await?;
                let file = policy_file_arg(res);
                iam.create_policy_version(&policy_arn, &document, &file)
                    .await?;
                ran.push(
                    iam.create_policy_version_call(&policy_arn, &file)
                        .into_command()
                        .render(),
                );
            }
        }
    }
    let attached = if made.user {
        Vec::new()
    } else {
        iam.attached_user_policies(user).await?
    };
    if !attached.contains(&policy_arn) {
        iam.attach_user_policy(user, &policy_arn).await?;
        made.attached = true;
        ran.push(
            iam.attach_user_policy_call(user, &policy_arn)
                .into_command()
                .render(),
        );
    }
    Ok(())
}

fn same_json(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Deletes the oldest non-default version when IAM's five are taken.
async fn make_room_for_a_version(iam: &Iam<'_>, arn: &str) -> Result<()> {
    let versions = iam.policy_versions(arn).await?;
    if versions.len() < MAX_POLICY_VERSIONS {
        return Ok(());
    }
    match versions.iter().rev().find(|v| !v.is_default) {
        Some(oldest) => iam.delete_policy_version(arn, &oldest.id).await,
        None => Ok(()),
    }
}

/// Creates an access key and puts it straight into the keychain as the identity in use, through
/// the Account step's own code path. The secret lives only in this function's locals on its way.
async fn save_new_key(
    iam: &Iam<'_>,
    store: &Arc<dyn SecretStore>,
    settings: &mut Settings,
    identity_name: &str,
    user: &str,
    made: &mut Made,
    ran: &mut Vec<String>,
) -> Result<()> {
    let keys = iam.create_access_key(user).await?;
    made.key = Some(keys.access_key_id.clone());
    ran.push(iam.create_access_key_call(user).into_command().render());
    let input = NewIdentity {
        name: identity_name.to_owned(),
        access_key_id: keys.access_key_id,
        secret_access_key: keys.secret_access_key,
        session_token: None,
    };
    let store = store.clone();
    let mut next = settings.clone();
    // Keychain calls block on D-Bus or the OS.
    let saved = tokio::task::spawn_blocking(move || {
        account::save_identity(store.as_ref(), &mut next, &input).map(|_| next)
    })
    .await
    .map_err(BerthError::internal)??;
    *settings = saved;
    Ok(())
}

/// Deletes the deploy user's access keys that no saved identity holds any more (their keychain
/// item was removed: nobody can use them, as Berth never shows a secret). Otherwise each new key
/// would leave the old one active, and the third would hit IAM's limit of two keys per user
/// ("Cannot exceed quota for AccessKeysPerUser: 2").
async fn retire_orphaned_keys(
    iam: &Iam<'_>,
    store: &Arc<dyn SecretStore>,
    settings: &Settings,
    user: &str,
    ran: &mut Vec<String>,
) -> Result<()> {
    let mut held = Vec::new();
    for identity in &settings.identities {
        if let Ok(keys) = read_keys(store, &identity.name).await {
            held.push(keys.access_key_id.clone());
        }
    }
    for key in iam.access_key_ids(user).await? {
        if !held.contains(&key) {
            iam.delete_access_key(user, &key).await?;
            ran.push(
                iam.delete_access_key_call(user, &key)
                    .into_command()
                    .render(),
            );
        }
    }
    Ok(())
}

async fn read_keys(store: &Arc<dyn SecretStore>, name: &str) -> Result<AccessKeys> {
    let store = store.clone();
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || store.get(&name))
        .await
        .map_err(BerthError::internal)?
}

/// Takes back what this run created, newest first, and says in the error whether it could.
async fn undo(iam: &Iam<'_>, res: &Resources, made: &Made, err: BerthError) -> BerthError {
    let user = res.user_name.as_str();
    let policy_arn = res.deploy_policy_arn();
    let mut left = Vec::new();
    let mut undone = false;
    if let Some(key) = &made.key {
        undone = true;
        if iam.delete_access_key(user, key).await.is_err() {
            left.push(format!("access key {}", mask_key_id(key)));
        }
    }
    if made.attached {
        undone = true;
        if iam.detach_user_policy(user, &policy_arn).await.is_err() {
            left.push(format!(
                "attachment of {} to {user}",
                res.deploy_policy_name()
            ));
        }
    }
    if made.policy {
        undone = true;
        if iam.delete_policy(&policy_arn).await.is_err() {
            left.push(format!("policy {}", res.deploy_policy_name()));
        }
    }
    if made.user {
        undone = true;
        if iam.delete_user(user).await.is_err() {
            left.push(format!("user {user}"));
        }
    }
    match (undone, left.is_empty()) {
        (false, _) => err,
        (true, true) => err.with("cleanup", "removed"),
        (true, false) => err
            .with("cleanup", "leftBehind")
            .with("leftBehind", left.join(", ")),
    }
}

/// Verifies the identity now selected in `settings` through STS, retrying while a new key
/// spreads through AWS.
async fn verify_new_identity(
    clients: &AwsClients,
    store: &Arc<dyn SecretStore>,
    settings: &Settings,
) -> Result<VerifiedIdentity> {
    let mut account = settings.account.clone();
    if account.region.is_none() {
        account.region = Some(clients.region().to_owned());
    }
    let signed_in = account::clients_for(&account, store.clone()).await?;
    let mut waits = KEY_PROPAGATION_WAITS.iter();
    loop {
        match account::verify(&signed_in, account.source.as_ref()).await {
            Err(e) if e.kind == ErrorKind::InvalidCredentials => match waits.next() {
                Some(wait) => tokio::time::sleep(*wait).await,
                None => return Err(e),
            },
            other => return other,
        }
    }
}
