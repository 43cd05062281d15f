//! IAM users and their access keys: the optional least-privilege deploy user.

use super::{exists, sdk_tags, tag_pairs, Iam, User};
use crate::aws::call::Call;
use crate::aws::catalogue::iam;
use crate::credentials::AccessKeys;
use crate::error::{BerthError, Result};

impl<'a> Iam<'a> {
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

    pub fn delete_user_call(&self, name: &str) -> Call<'a> {
        self.clients
            .call(&iam::DELETE_USER, name)
            .opt("--user-name", name)
    }

    pub async fn delete_user(&self, name: &str) -> Result<()> {
        let request = self.client.delete_user().user_name(name).send();
        self.delete_user_call(name).send(request, |_| Ok(())).await
    }

    pub fn detach_user_policy_call(&self, user: &str, policy_arn: &str) -> Call<'a> {
        self.clients
            .call(&iam::DETACH_USER_POLICY, user)
            .opt("--user-name", user)
            .opt("--policy-arn", policy_arn)
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
        self.detach_user_policy_call(user, policy_arn)
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
                    secret_access_key: key.secret_access_key.into(),
                    session_token: None,
                })
            })
            .await
    }

    pub fn delete_access_key_call(&self, user: &str, key_id: &str) -> Call<'a> {
        self.clients
            .call(&iam::DELETE_ACCESS_KEY, user)
            .opt("--user-name", user)
            .opt("--access-key-id", key_id)
    }

    pub async fn delete_access_key(&self, user: &str, key_id: &str) -> Result<()> {
        let request = self
            .client
            .delete_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .send();
        self.delete_access_key_call(user, key_id)
            .send(request, |_| Ok(()))
            .await
    }
}
