//! IAM: roles, users, managed policies, access keys and the policy simulator. Each `…_call`
//! function is the call (with its `aws iam …` equivalent) that the IAM step shows before running
//! it; the function of the same name without `_call` sends it.

use super::call::Call;
use super::catalogue::iam;
use super::AwsClients;
use crate::activity::ActivityLog;
use crate::credentials::AccessKeys;
use crate::error::{BerthError, ErrorKind, Result};
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

/// IAM calls on behalf of one identity.
pub struct Iam<'a> {
    clients: &'a AwsClients,
    client: aws_sdk_iam::Client,
}

impl<'a> Iam<'a> {
    pub fn new(clients: &'a AwsClients) -> Self {
        Iam {
            clients,
            client: clients.iam(),
        }
    }

    /// The activity log the calls are recorded in.
    pub fn log(&self) -> &'a ActivityLog {
        self.clients.activity()
    }

    // ---------------------------------------------------------------- roles

    pub fn get_role_call(&self, name: &str) -> Call<'a> {
        self.clients
            .call(&iam::GET_ROLE, name)
            .opt("--role-name", name)
    }

    /// The role, or `None` when there is no role of that name.
    pub async fn get_role(&self, name: &str) -> Result<Option<Role>> {
        let request = self.client.get_role().role_name(name).send();
        self.get_role_call(name)
            .send_found(request, |out| {
                let role = out
                    .role
                    .ok_or_else(|| BerthError::internal("GetRole answered without a role"))?;
                Ok(Role {
                    name: role.role_name,
                    arn: role.arn,
                    trust_policy: role.assume_role_policy_document.map(|d| decode_policy(&d)),
                    tags: tag_pairs(role.tags.as_deref().unwrap_or_default()),
                })
            })
            .await
    }

    pub fn create_role_call(
        &self,
        name: &str,
        trust_policy: &str,
        tags: &[(String, String)],
    ) -> Call<'a> {
        self.clients
            .call(&iam::CREATE_ROLE, name)
            .opt("--role-name", name)
            .opt("--assume-role-policy-document", trust_policy)
            .tags(tags)
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
        let request = self
            .client
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust_policy)
            .set_tags(Some(sdk_tags(tags)?))
            .send();
        self.create_role_call(name, trust_policy, tags)
            .send(request, |out| {
                out.role
                    .map(|r| r.arn)
                    .ok_or_else(|| BerthError::internal("CreateRole answered without a role"))
            })
            .await
            .map_err(|e| exists(e, "role", name))
    }

    pub fn update_trust_policy_call(&self, name: &str, trust_policy: &str) -> Call<'a> {
        self.clients
            .call(&iam::UPDATE_ASSUME_ROLE_POLICY, name)
            .opt("--role-name", name)
            .opt("--policy-document", trust_policy)
    }

    /// Replaces a role's trust policy.
    pub async fn update_trust_policy(&self, name: &str, trust_policy: &str) -> Result<()> {
        let request = self
            .client
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust_policy)
            .send();
        self.update_trust_policy_call(name, trust_policy)
            .send(request, |_| Ok(()))
            .await
    }

    pub fn list_role_policies_call(&self, name: &str) -> Call<'a> {
        self.clients
            .call(&iam::LIST_ATTACHED_ROLE_POLICIES, name)
            .opt("--role-name", name)
    }

    /// The ARNs of the managed policies attached to a role.
    pub async fn attached_role_policies(&self, name: &str) -> Result<Vec<String>> {
        let request = self
            .client
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect();
        self.list_role_policies_call(name)
            .send(request, |policies| {
                Ok(policies.into_iter().filter_map(|p| p.policy_arn).collect())
            })
            .await
    }

    pub fn attach_role_policy_call(&self, name: &str, policy_arn: &str) -> Call<'a> {
        self.clients
            .call(&iam::ATTACH_ROLE_POLICY, name)
            .opt("--role-name", name)
            .opt("--policy-arn", policy_arn)
    }

    pub async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> Result<()> {
        let request = self
            .client
            .attach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send();
        self.attach_role_policy_call(name, policy_arn)
            .send(request, |_| Ok(()))
            .await
    }

    /// Deletes a role (that has no policies attached).
    pub async fn delete_role(&self, name: &str) -> Result<()> {
        let request = self.client.delete_role().role_name(name).send();
        self.clients
            .call(&iam::DELETE_ROLE, name)
            .opt("--role-name", name)
            .send(request, |_| Ok(()))
            .await
    }

    // ---------------------------------------------------------------- users

    /// The user, or `None` when there is no user of that name.
    pub async fn get_user(&self, name: &str) -> Result<Option<User>> {
        let request = self.client.get_user().user_name(name).send();
        self.clients
            .call(&iam::GET_USER, name)
            .opt("--user-name", name)
            .send_found(request, |out| {
                let user = out
                    .user
                    .ok_or_else(|| BerthError::internal("GetUser answered without a user"))?;
                Ok(User {
                    name: user.user_name,
                    arn: user.arn,
                    tags: tag_pairs(user.tags.as_deref().unwrap_or_default()),
                })
            })
            .await
    }

    pub fn create_user_call(&self, name: &str, tags: &[(String, String)]) -> Call<'a> {
        self.clients
            .call(&iam::CREATE_USER, name)
            .opt("--user-name", name)
            .tags(tags)
    }

    pub async fn create_user(&self, name: &str, tags: &[(String, String)]) -> Result<String> {
        let request = self
            .client
            .create_user()
            .user_name(name)
            .set_tags(Some(sdk_tags(tags)?))
            .send();
        self.create_user_call(name, tags)
            .send(request, |out| {
                out.user
                    .map(|u| u.arn)
                    .ok_or_else(|| BerthError::internal("CreateUser answered without a user"))
            })
            .await
            .map_err(|e| exists(e, "user", name))
    }

    pub async fn delete_user(&self, name: &str) -> Result<()> {
        let request = self.client.delete_user().user_name(name).send();
        self.clients
            .call(&iam::DELETE_USER, name)
            .opt("--user-name", name)
            .send(request, |_| Ok(()))
            .await
    }

    pub fn attach_user_policy_call(&self, user: &str, policy_arn: &str) -> Call<'a> {
        self.clients
            .call(&iam::ATTACH_USER_POLICY, user)
            .opt("--user-name", user)
            .opt("--policy-arn", policy_arn)
    }

    pub async fn attach_user_policy(&self, user: &str, policy_arn: &str) -> Result<()> {
        let request = self
            .client
            .attach_user_policy()
            .user_name(user)
            .policy_arn(policy_arn)
            .send();
        self.attach_user_policy_call(user, policy_arn)
            .send(request, |_| Ok(()))
            .await
    }

    pub async fn detach_user_policy(&self, user: &str, policy_arn: &str) -> Result<()> {
        let request = self
            .client
            .detach_user_policy()
            .user_name(user)
            .policy_arn(policy_arn)
            .send();
        self.clients
            .call(&iam::DETACH_USER_POLICY, user)
            .opt("--user-name", user)
            .opt("--policy-arn", policy_arn)
            .send(request, |_| Ok(()))
            .await
    }

    /// The ARNs of the managed policies attached to a user.
    pub async fn attached_user_policies(&self, user: &str) -> Result<Vec<String>> {
        let request = self
            .client
            .list_attached_user_policies()
            .user_name(user)
            .into_paginator()
            .items()
            .send()
            .try_collect();
        self.clients
            .call(&iam::LIST_ATTACHED_USER_POLICIES, user)
            .opt("--user-name", user)
            .send(request, |policies| {
                Ok(policies.into_iter().filter_map(|p| p.policy_arn).collect())
            })
            .await
    }

    // ---------------------------------------------------------------- managed policies

    /// The policy, or `None` when there is none at that ARN.
    pub async fn get_policy(&self, arn: &str) -> Result<Option<ManagedPolicy>> {
        let request = self.client.get_policy().policy_arn(arn).send();
        self.clients
            .call(&iam::GET_POLICY, arn)
            .opt("--policy-arn", arn)
            .send_found(request, |out| {
                let policy = out
                    .policy
                    .ok_or_else(|| BerthError::internal("GetPolicy answered without a policy"))?;
                Ok(ManagedPolicy {
                    arn: policy.arn.unwrap_or_else(|| arn.to_owned()),
                    default_version: policy.default_version_id.unwrap_or_default(),
                    tags: tag_pairs(policy.tags.as_deref().unwrap_or_default()),
                })
            })
            .await
    }

    /// The JSON text of one version of a managed policy.
    pub async fn policy_document(&self, arn: &str, version: &str) -> Result<String> {
        let request = self
            .client
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send();
        self.clients
            .call(&iam::GET_POLICY_VERSION, arn)
            .opt("--policy-arn", arn)
            .opt("--version-id", version)
            .send(request, |out| {
                Ok(out
                    .policy_version
                    .and_then(|v| v.document)
                    .map(|d| decode_policy(&d))
                    .unwrap_or_default())
            })
            .await
    }

    /// `aws iam create-policy`, naming the document as `document_arg` (inline JSON, or
    /// `file://…` for a document too long to read on one command line).
    pub fn create_policy_call(
        &self,
        name: &str,
        document_arg: &str,
        tags: &[(String, String)],
    ) -> Call<'a> {
        self.clients
            .call(&iam::CREATE_POLICY, name)
            .opt("--policy-name", name)
            .opt("--policy-document", document_arg)
            .tags(tags)
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
        let request = self
            .client
            .create_policy()
            .policy_name(name)
            .policy_document(document)
            .set_tags(Some(sdk_tags(tags)?))
            .send();
        self.create_policy_call(name, document_arg, tags)
            .send(request, |out| {
                out.policy
                    .and_then(|p| p.arn)
                    .ok_or_else(|| BerthError::internal("CreatePolicy answered without an ARN"))
            })
            .await
            .map_err(|e| exists(e, "policy", name))
    }

    pub fn create_policy_version_call(&self, arn: &str, document_arg: &str) -> Call<'a> {
        self.clients
            .call(&iam::CREATE_POLICY_VERSION, arn)
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
        let request = self
            .client
            .create_policy_version()
            .policy_arn(arn)
            .policy_document(document)
            .set_as_default(true)
            .send();
        self.create_policy_version_call(arn, document_arg)
            .send(request, |_| Ok(()))
            .await
    }

    /// The policy's versions, newest first (as IAM lists them).
    pub async fn policy_versions(&self, arn: &str) -> Result<Vec<PolicyVersion>> {
        let request = self
            .client
            .list_policy_versions()
            .policy_arn(arn)
            .into_paginator()
            .items()
            .send()
            .try_collect();
        self.clients
            .call(&iam::LIST_POLICY_VERSIONS, arn)
            .opt("--policy-arn", arn)
            .send(request, |versions| {
                Ok(versions
                    .into_iter()
                    .filter_map(|v| {
                        v.version_id.map(|id| PolicyVersion {
                            id,
                            is_default: v.is_default_version,
                        })
                    })
                    .collect())
            })
            .await
    }

    pub async fn delete_policy_version(&self, arn: &str, version: &str) -> Result<()> {
        let request = self
            .client
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send();
        self.clients
            .call(&iam::DELETE_POLICY_VERSION, arn)
            .opt("--policy-arn", arn)
            .opt("--version-id", version)
            .send(request, |_| Ok(()))
            .await
    }

    pub async fn delete_policy(&self, arn: &str) -> Result<()> {
        let request = self.client.delete_policy().policy_arn(arn).send();
        self.clients
            .call(&iam::DELETE_POLICY, arn)
            .opt("--policy-arn", arn)
            .send(request, |_| Ok(()))
            .await
    }

    // ---------------------------------------------------------------- access keys

    /// The ids of the user's access keys.
    pub async fn access_key_ids(&self, user: &str) -> Result<Vec<String>> {
        let request = self
            .client
            .list_access_keys()
            .user_name(user)
            .into_paginator()
            .items()
            .send()
            .try_collect();
        self.clients
            .call(&iam::LIST_ACCESS_KEYS, user)
            .opt("--user-name", user)
            .send(request, |keys| {
                Ok(keys.into_iter().filter_map(|k| k.access_key_id).collect())
            })
            .await
    }

    pub fn create_access_key_call(&self, user: &str) -> Call<'a> {
        self.clients
            .call(&iam::CREATE_ACCESS_KEY, user)
            .opt("--user-name", user)
    }

    /// Creates an access key. The answer holds the secret: it must go straight to the keychain.
    pub async fn create_access_key(&self, user: &str) -> Result<AccessKeys> {
        let request = self.client.create_access_key().user_name(user).send();
        self.create_access_key_call(user)
            .send(request, |out| {
                let key = out.access_key.ok_or_else(|| {
                    BerthError::internal("CreateAccessKey answered without an access key")
                })?;
                Ok(AccessKeys {
                    access_key_id: key.access_key_id,
                    secret_access_key: key.secret_access_key,
                    session_token: None,
                })
            })
            .await
    }

    pub async fn delete_access_key(&self, user: &str, key_id: &str) -> Result<()> {
        let request = self
            .client
            .delete_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .send();
        self.clients
            .call(&iam::DELETE_ACCESS_KEY, user)
            .opt("--user-name", user)
            .opt("--access-key-id", key_id)
            .send(request, |_| Ok(()))
            .await
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
        let request = self
            .client
            .simulate_principal_policy()
            .policy_source_arn(principal_arn)
            .set_action_names(Some(actions.iter().map(|a| (*a).to_owned()).collect()))
            .resource_arns(resource)
            .set_context_entries(Some(entries))
            .into_paginator()
            .items()
            .send()
            .try_collect();
        let mut call = self
            .clients
            .call(&iam::SIMULATE_PRINCIPAL_POLICY, principal_arn)
            .opt("--policy-source-arn", principal_arn)
            .list("--action-names", actions.iter().copied())
            .opt("--resource-arns", resource);
        if !context.is_empty() {
            call = call.list(
                "--context-entries",
                context.iter().map(|c| {
                    format!(
                        "ContextKeyName={},ContextKeyValues={},ContextKeyType=string",
                        c.key, c.value
                    )
                }),
            );
        }
        call.send(request, Ok).await
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
