//! IAM: roles, users, managed policies, access keys and the policy simulator. Each call is
//! recorded in the activity log with its `aws iam …` equivalent, built by the same function the
//! IAM step uses to show what it is about to run.

use super::{errors, AwsClients};
use crate::activity::{ActivityLog, CliCommand};
use crate::credentials::AccessKeys;
use crate::error::{BerthError, ErrorKind, Result};
use crate::tags;
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, EvaluationResult, Tag};

/// A role as Berth needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub arn: String,
    /// The trust policy, as JSON text (IAM sends it URL-encoded; this is decoded).
    pub trust_policy: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// A user as Berth needs to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub tags: Vec<(String, String)>,
}

/// A customer managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub default_version: String,
    pub tags: Vec<(String, String)>,
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: String,
    pub is_default: bool,
}

/// A condition key value the simulator should assume (e.g. `iam:PassedToService`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextValue {
    pub key: String,
    pub value: String,
}

/// IAM calls on behalf of one identity, recorded in one activity log.
pub struct Iam<'a> {
    clients: &'a AwsClients,
    log: &'a ActivityLog,
    client: aws_sdk_iam::Client,
}

fn sdk_tags(tags: &[(String, String)]) -> Result<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(BerthError::internal)
        })
        .collect()
}

fn tag_pairs(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// `--tags Key=…,Value=… Key=…` as the AWS CLI takes them.
fn with_tags(mut command: CliCommand, tags: &[(String, String)]) -> CliCommand {
    if tags.is_empty() {
        return command;
    }
    command = command.arg("--tags");
    for word in tags::cli_shorthand(tags) {
        command = command.arg(word);
    }
    command
}

/// Maps "does not exist" to `None`.
fn found<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

impl<'a> Iam<'a> {
    pub fn new(clients: &'a AwsClients, log: &'a ActivityLog) -> Self {
        Iam {
            clients,
            log,
            client: clients.iam(),
        }
    }

    /// The activity log the calls are recorded in.
    pub fn log(&self) -> &'a ActivityLog {
        self.log
    }

    fn cli(&self, operation: &str) -> CliCommand {
        self.clients.cli("iam", operation)
    }

    // ---------------------------------------------------------------- roles

    pub fn get_role_cli(&self, name: &str) -> CliCommand {
        self.cli("get-role").opt("--role-name", name)
    }

    /// The role, or `None` when there is no role of that name.
    pub async fn get_role(&self, name: &str) -> Result<Option<Role>> {
        let call = async {
            let out = self
                .client
                .get_role()
                .role_name(name)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:GetRole"))?;
            let role = out
                .role
                .ok_or_else(|| BerthError::internal("GetRole answered without a role"))?;
            Ok(Role {
                name: role.role_name,
                arn: role.arn,
                trust_policy: role.assume_role_policy_document.map(|d| decode_policy(&d)),
                tags: tag_pairs(role.tags.as_deref().unwrap_or_default()),
            })
        };
        let result = call.await.map_err(|e| not_found(e, "role", name));
        // A missing role is an answer, not a failure.
        let outcome = match &result {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            other => other.as_ref().map(|_| ()),
        };
        self.log
            .record("iam.getRole", name, &self.get_role_cli(name), outcome);
        found(result)
    }

    pub fn create_role_cli(
        &self,
        name: &str,
        trust_policy: &str,
        tags: &[(String, String)],
    ) -> CliCommand {
        let command = self
            .cli("create-role")
            .opt("--role-name", name)
            .opt("--assume-role-policy-document", trust_policy);
        with_tags(command, tags)
    }

    /// Creates a role; answers its ARN. Roles and policies get no description: Berth's tag says
    /// who made them, and moto's signature check (which the access-denied tests rely on) fails
    /// on any form parameter with a space, because it re-encodes the body with `+` for spaces.
    pub async fn create_role(
        &self,
        name: &str,
        trust_policy: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        let command = self.create_role_cli(name, trust_policy, tags);
        let call = async {
            let out = self
                .client
                .create_role()
                .role_name(name)
                .assume_role_policy_document(trust_policy)
                .set_tags(Some(sdk_tags(tags)?))
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:CreateRole"))?;
            out.role
                .map(|r| r.arn)
                .ok_or_else(|| BerthError::internal("CreateRole answered without a role"))
        };
        self.log
            .track("iam.createRole", name, &command, call.await)
            .map_err(|e| exists(e, "role", name))
    }

    pub fn update_trust_policy_cli(&self, name: &str, trust_policy: &str) -> CliCommand {
        self.cli("update-assume-role-policy")
            .opt("--role-name", name)
            .opt("--policy-document", trust_policy)
    }

    /// Replaces a role's trust policy.
    pub async fn update_trust_policy(&self, name: &str, trust_policy: &str) -> Result<()> {
        let result = self
            .client
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust_policy)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:UpdateAssumeRolePolicy"));
        let command = self.update_trust_policy_cli(name, trust_policy);
        self.log
            .track("iam.updateAssumeRolePolicy", name, &command, result)
    }

    pub fn list_role_policies_cli(&self, name: &str) -> CliCommand {
        self.cli("list-attached-role-policies")
            .opt("--role-name", name)
    }

    /// The ARNs of the managed policies attached to a role.
    pub async fn attached_role_policies(&self, name: &str) -> Result<Vec<String>> {
        let call = async {
            let mut arns = Vec::new();
            let mut marker = None;
            loop {
                let out = self
                    .client
                    .list_attached_role_policies()
                    .role_name(name)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| errors::from_sdk(e, "iam:ListAttachedRolePolicies"))?;
                arns.extend(
                    out.attached_policies
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|p| p.policy_arn),
                );
                match (out.is_truncated, out.marker) {
                    (true, Some(next)) => marker = Some(next),
                    _ => return Ok(arns),
                }
            }
        };
        let command = self.list_role_policies_cli(name);
        self.log
            .track("iam.listAttachedRolePolicies", name, &command, call.await)
    }

    pub fn attach_role_policy_cli(&self, name: &str, policy_arn: &str) -> CliCommand {
        self.cli("attach-role-policy")
            .opt("--role-name", name)
            .opt("--policy-arn", policy_arn)
    }

    pub async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> Result<()> {
        let result = self
            .client
            .attach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:AttachRolePolicy"));
        let command = self.attach_role_policy_cli(name, policy_arn);
        self.log
            .track("iam.attachRolePolicy", name, &command, result)
    }

    /// Deletes a role (that has no policies attached).
    pub async fn delete_role(&self, name: &str) -> Result<()> {
        let result = self
            .client
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:DeleteRole"));
        let command = self.cli("delete-role").opt("--role-name", name);
        self.log.track("iam.deleteRole", name, &command, result)
    }

    // ---------------------------------------------------------------- users

    /// The user, or `None` when there is no user of that name.
    pub async fn get_user(&self, name: &str) -> Result<Option<User>> {
        let call = async {
            let out = self
                .client
                .get_user()
                .user_name(name)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:GetUser"))?;
            let user = out
                .user
                .ok_or_else(|| BerthError::internal("GetUser answered without a user"))?;
            Ok(User {
                name: user.user_name,
                arn: user.arn,
                tags: tag_pairs(user.tags.as_deref().unwrap_or_default()),
            })
        };
        let result = call.await.map_err(|e| not_found(e, "user", name));
        let outcome = match &result {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            other => other.as_ref().map(|_| ()),
        };
        let command = self.cli("get-user").opt("--user-name", name);
        self.log.record("iam.getUser", name, &command, outcome);
        found(result)
    }

    pub fn create_user_cli(&self, name: &str, tags: &[(String, String)]) -> CliCommand {
        with_tags(self.cli("create-user").opt("--user-name", name), tags)
    }

    pub async fn create_user(&self, name: &str, tags: &[(String, String)]) -> Result<String> {
        let call = async {
            let out = self
                .client
                .create_user()
                .user_name(name)
                .set_tags(Some(sdk_tags(tags)?))
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:CreateUser"))?;
            out.user
                .map(|u| u.arn)
                .ok_or_else(|| BerthError::internal("CreateUser answered without a user"))
        };
        let command = self.create_user_cli(name, tags);
        self.log
            .track("iam.createUser", name, &command, call.await)
            .map_err(|e| exists(e, "user", name))
    }

    pub async fn delete_user(&self, name: &str) -> Result<()> {
        let result = self
            .client
            .delete_user()
            .user_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:DeleteUser"));
        let command = self.cli("delete-user").opt("--user-name", name);
        self.log.track("iam.deleteUser", name, &command, result)
    }

    pub fn attach_user_policy_cli(&self, user: &str, policy_arn: &str) -> CliCommand {
        self.cli("attach-user-policy")
            .opt("--user-name", user)
            .opt("--policy-arn", policy_arn)
    }

    pub async fn attach_user_policy(&self, user: &str, policy_arn: &str) -> Result<()> {
        let result = self
            .client
            .attach_user_policy()
            .user_name(user)
            .policy_arn(policy_arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:AttachUserPolicy"));
        let command = self.attach_user_policy_cli(user, policy_arn);
        self.log
            .track("iam.attachUserPolicy", user, &command, result)
    }

    pub async fn detach_user_policy(&self, user: &str, policy_arn: &str) -> Result<()> {
        let result = self
            .client
            .detach_user_policy()
            .user_name(user)
            .policy_arn(policy_arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:DetachUserPolicy"));
        let command = self
            .cli("detach-user-policy")
            .opt("--user-name", user)
            .opt("--policy-arn", policy_arn);
        self.log
            .track("iam.detachUserPolicy", user, &command, result)
    }

    /// The ARNs of the managed policies attached to a user.
    pub async fn attached_user_policies(&self, user: &str) -> Result<Vec<String>> {
        let call = async {
            let mut arns = Vec::new();
            let mut marker = None;
            loop {
                let out = self
                    .client
                    .list_attached_user_policies()
                    .user_name(user)
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| errors::from_sdk(e, "iam:ListAttachedUserPolicies"))?;
                arns.extend(
                    out.attached_policies
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|p| p.policy_arn),
                );
                match (out.is_truncated, out.marker) {
                    (true, Some(next)) => marker = Some(next),
                    _ => return Ok(arns),
                }
            }
        };
        let command = self
            .cli("list-attached-user-policies")
            .opt("--user-name", user);
        self.log
            .track("iam.listAttachedUserPolicies", user, &command, call.await)
    }

    // ---------------------------------------------------------------- managed policies

    /// The policy, or `None` when there is none at that ARN.
    pub async fn get_policy(&self, arn: &str) -> Result<Option<ManagedPolicy>> {
        let call = async {
            let out = self
                .client
                .get_policy()
                .policy_arn(arn)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:GetPolicy"))?;
            let policy = out
                .policy
                .ok_or_else(|| BerthError::internal("GetPolicy answered without a policy"))?;
            Ok(ManagedPolicy {
                arn: policy.arn.unwrap_or_else(|| arn.to_owned()),
                default_version: policy.default_version_id.unwrap_or_default(),
                tags: tag_pairs(policy.tags.as_deref().unwrap_or_default()),
            })
        };
        let result = call.await.map_err(|e| not_found(e, "policy", arn));
        let outcome = match &result {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            other => other.as_ref().map(|_| ()),
        };
        let command = self.cli("get-policy").opt("--policy-arn", arn);
        self.log.record("iam.getPolicy", arn, &command, outcome);
        found(result)
    }

    /// The JSON text of one version of a managed policy.
    pub async fn policy_document(&self, arn: &str, version: &str) -> Result<String> {
        let call = async {
            let out = self
                .client
                .get_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:GetPolicyVersion"))?;
            Ok(out
                .policy_version
                .and_then(|v| v.document)
                .map(|d| decode_policy(&d))
                .unwrap_or_default())
        };
        let command = self
            .cli("get-policy-version")
            .opt("--policy-arn", arn)
            .opt("--version-id", version);
        self.log
            .track("iam.getPolicyVersion", arn, &command, call.await)
    }

    /// `aws iam create-policy`, naming the document as `document_arg` (inline JSON, or
    /// `file://…` for a document too long to read on one command line).
    pub fn create_policy_cli(
        &self,
        name: &str,
        document_arg: &str,
        tags: &[(String, String)],
    ) -> CliCommand {
        let command = self
            .cli("create-policy")
            .opt("--policy-name", name)
            .opt("--policy-document", document_arg);
        with_tags(command, tags)
    }

    /// Creates a customer managed policy; answers its ARN. The command line names the document
    /// as `document_arg`.
    pub async fn create_policy(
        &self,
        name: &str,
        document: &str,
        document_arg: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        let call = async {
            let out = self
                .client
                .create_policy()
                .policy_name(name)
                .policy_document(document)
                .set_tags(Some(sdk_tags(tags)?))
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:CreatePolicy"))?;
            out.policy
                .and_then(|p| p.arn)
                .ok_or_else(|| BerthError::internal("CreatePolicy answered without an ARN"))
        };
        let command = self.create_policy_cli(name, document_arg, tags);
        self.log
            .track("iam.createPolicy", name, &command, call.await)
            .map_err(|e| exists(e, "policy", name))
    }

    pub fn create_policy_version_cli(&self, arn: &str, document_arg: &str) -> CliCommand {
        self.cli("create-policy-version")
            .opt("--policy-arn", arn)
            .opt("--policy-document", document_arg)
            .arg("--set-as-default")
    }

    /// Makes `document` the policy's default version.
    pub async fn create_policy_version(
        &self,
        arn: &str,
        document: &str,
        document_arg: &str,
    ) -> Result<()> {
        let result = self
            .client
            .create_policy_version()
            .policy_arn(arn)
            .policy_document(document)
            .set_as_default(true)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:CreatePolicyVersion"));
        let command = self.create_policy_version_cli(arn, document_arg);
        self.log
            .track("iam.createPolicyVersion", arn, &command, result)
    }

    pub async fn policy_versions(&self, arn: &str) -> Result<Vec<PolicyVersion>> {
        let call = async {
            let out = self
                .client
                .list_policy_versions()
                .policy_arn(arn)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:ListPolicyVersions"))?;
            // Oldest last, as IAM lists them (newest first).
            Ok(out
                .versions
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| {
                    v.version_id.map(|id| PolicyVersion {
                        id,
                        is_default: v.is_default_version,
                    })
                })
                .collect())
        };
        let command = self.cli("list-policy-versions").opt("--policy-arn", arn);
        self.log
            .track("iam.listPolicyVersions", arn, &command, call.await)
    }

    pub async fn delete_policy_version(&self, arn: &str, version: &str) -> Result<()> {
        let result = self
            .client
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:DeletePolicyVersion"));
        let command = self
            .cli("delete-policy-version")
            .opt("--policy-arn", arn)
            .opt("--version-id", version);
        self.log
            .track("iam.deletePolicyVersion", arn, &command, result)
    }

    pub async fn delete_policy(&self, arn: &str) -> Result<()> {
        let result = self
            .client
            .delete_policy()
            .policy_arn(arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:DeletePolicy"));
        let command = self.cli("delete-policy").opt("--policy-arn", arn);
        self.log.track("iam.deletePolicy", arn, &command, result)
    }

    // ---------------------------------------------------------------- access keys

    /// The ids of the user's access keys.
    pub async fn access_key_ids(&self, user: &str) -> Result<Vec<String>> {
        let call = async {
            let out = self
                .client
                .list_access_keys()
                .user_name(user)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:ListAccessKeys"))?;
            Ok(out
                .access_key_metadata
                .into_iter()
                .filter_map(|k| k.access_key_id)
                .collect())
        };
        let command = self.cli("list-access-keys").opt("--user-name", user);
        self.log
            .track("iam.listAccessKeys", user, &command, call.await)
    }

    pub fn create_access_key_cli(&self, user: &str) -> CliCommand {
        self.cli("create-access-key").opt("--user-name", user)
    }

    /// Creates an access key. The answer holds the secret: it must go straight to the keychain.
    pub async fn create_access_key(&self, user: &str) -> Result<AccessKeys> {
        let call = async {
            let out = self
                .client
                .create_access_key()
                .user_name(user)
                .send()
                .await
                .map_err(|e| errors::from_sdk(e, "iam:CreateAccessKey"))?;
            let key = out.access_key.ok_or_else(|| {
                BerthError::internal("CreateAccessKey answered without an access key")
            })?;
            Ok(AccessKeys {
                access_key_id: key.access_key_id,
                secret_access_key: key.secret_access_key,
                session_token: None,
            })
        };
        let command = self.create_access_key_cli(user);
        self.log
            .track("iam.createAccessKey", user, &command, call.await)
    }

    pub async fn delete_access_key(&self, user: &str, key_id: &str) -> Result<()> {
        let result = self
            .client
            .delete_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| errors::from_sdk(e, "iam:DeleteAccessKey"));
        let command = self
            .cli("delete-access-key")
            .opt("--user-name", user)
            .opt("--access-key-id", key_id);
        self.log
            .track("iam.deleteAccessKey", user, &command, result)
    }

    // ---------------------------------------------------------------- simulator

    /// Asks IAM's policy simulator whether `principal_arn` may perform `actions` on `resource`.
    pub async fn simulate(
        &self,
        principal_arn: &str,
        actions: &[&str],
        resource: &str,
        context: &[ContextValue],
    ) -> Result<Vec<EvaluationResult>> {
        let entries: Vec<ContextEntry> = context
            .iter()
            .map(|c| {
                ContextEntry::builder()
                    .context_key_name(&c.key)
                    .context_key_values(&c.value)
                    .context_key_type(ContextKeyTypeEnum::String)
                    .build()
            })
            .collect();
        let call = async {
            let mut results = Vec::new();
            let mut marker = None;
            loop {
                let out = self
                    .client
                    .simulate_principal_policy()
                    .policy_source_arn(principal_arn)
                    .set_action_names(Some(actions.iter().map(|a| (*a).to_owned()).collect()))
                    .resource_arns(resource)
                    .set_context_entries(Some(entries.clone()))
                    .set_marker(marker)
                    .send()
                    .await
                    .map_err(|e| errors::from_sdk(e, "iam:SimulatePrincipalPolicy"))?;
                results.extend(out.evaluation_results.unwrap_or_default());
                match (out.is_truncated, out.marker) {
                    (true, Some(next)) => marker = Some(next),
                    _ => return Ok(results),
                }
            }
        };
        let mut command = self
            .cli("simulate-principal-policy")
            .opt("--policy-source-arn", principal_arn)
            .arg("--action-names");
        for action in actions {
            command = command.arg(*action);
        }
        command = command.opt("--resource-arns", resource);
        if !context.is_empty() {
            command = command.arg("--context-entries");
            for c in context {
                command = command.arg(format!(
                    "ContextKeyName={},ContextKeyValues={},ContextKeyType=string",
                    c.key, c.value
                ));
            }
        }
        self.log.track(
            "iam.simulatePrincipalPolicy",
            principal_arn,
            &command,
            call.await,
        )
    }
}

/// Names the resource in a NotFound error (the UI's message says which).
fn not_found(err: BerthError, resource: &str, name: &str) -> BerthError {
    if err.kind == ErrorKind::NotFound {
        err.with("resource", resource).with("name", name)
    } else {
        err
    }
}

/// Names the resource in an AlreadyExists error.
fn exists(err: BerthError, resource: &str, name: &str) -> BerthError {
    if err.kind == ErrorKind::AlreadyExists {
        err.with("resource", resource).with("name", name)
    } else {
        err
    }
}

/// IAM returns policy documents URL-encoded (RFC 3986); some emulators send them as they are.
pub fn decode_policy(document: &str) -> String {
    if document.trim_start().starts_with('{') {
        return document.to_owned();
    }
    percent_decode(document)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_policy_documents_are_decoded_and_plain_ones_kept() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_policy(encoded),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
        let plain = r#"{"Version":"2012-10-17"}"#;
        assert_eq!(decode_policy(plain), plain);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
    }
}
