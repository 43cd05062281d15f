//! IAM roles: the task execution role is looked up, created, repaired and (when its setup fails
//! half way) removed.

use super::{decode_policy, exists, sdk_tags, tag_pairs, Iam, Role};
use crate::aws::action::Action;
use crate::aws::call::Call;
use crate::aws::catalogue::{ecs_setup, iam};
use crate::error::{BerthError, Result};

impl<'a> Iam<'a> {
    pub fn get_role_call(&self, name: &str) -> Call<'a> {
        self.get_role_call_as(&iam::GET_ROLE, name)
    }

    /// GetRole as `action` declares it (the execution role's or the infrastructure role's: one
    /// IAM action, granted on each role).
    pub fn get_role_call_as(&self, action: &'static Action, name: &str) -> Call<'a> {
        self.clients.call(action, name).opt("--role-name", name)
    }

    /// The role, or `None` when there is no role of that name.
    pub async fn get_role(&self, name: &str) -> Result<Option<Role>> {
        self.get_role_as(&iam::GET_ROLE, name).await
    }

    pub async fn get_role_as(&self, action: &'static Action, name: &str) -> Result<Option<Role>> {
        let request = self.client.get_role().role_name(name).send();
        self.get_role_call_as(action, name)
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
        self.create_role_call_as(&iam::CREATE_ROLE, name, trust_policy, tags)
    }

    pub fn create_role_call_as(
        &self,
        action: &'static Action,
        name: &str,
        trust_policy: &str,
        tags: &[(String, String)],
    ) -> Call<'a> {
        self.clients
            .call(action, name)
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
        self.create_role_as(&iam::CREATE_ROLE, name, trust_policy, tags)
            .await
    }

    pub async fn create_role_as(
        &self,
        action: &'static Action,
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
        self.create_role_call_as(action, name, trust_policy, tags)
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
        self.list_role_policies_call_as(&iam::LIST_ATTACHED_ROLE_POLICIES, name)
    }

    pub fn list_role_policies_call_as(&self, action: &'static Action, name: &str) -> Call<'a> {
        self.clients.call(action, name).opt("--role-name", name)
    }

    /// The ARNs of the managed policies attached to a role.
    pub async fn attached_role_policies(&self, name: &str) -> Result<Vec<String>> {
        self.attached_role_policies_as(&iam::LIST_ATTACHED_ROLE_POLICIES, name)
            .await
    }

    pub async fn attached_role_policies_as(
        &self,
        action: &'static Action,
        name: &str,
    ) -> Result<Vec<String>> {
        let request = self
            .client
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect();
        self.list_role_policies_call_as(action, name)
            .send(request, |policies| {
                Ok(policies.into_iter().filter_map(|p| p.policy_arn).collect())
            })
            .await
    }

    pub fn attach_role_policy_call(&self, name: &str, policy_arn: &str) -> Call<'a> {
        self.attach_role_policy_call_as(&iam::ATTACH_ROLE_POLICY, name, policy_arn)
    }

    pub fn attach_role_policy_call_as(
        &self,
        action: &'static Action,
        name: &str,
        policy_arn: &str,
    ) -> Call<'a> {
        self.clients
            .call(action, name)
            .opt("--role-name", name)
            .opt("--policy-arn", policy_arn)
    }

    pub async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> Result<()> {
        self.attach_role_policy_as(&iam::ATTACH_ROLE_POLICY, name, policy_arn)
            .await
    }

    pub async fn attach_role_policy_as(
        &self,
        action: &'static Action,
        name: &str,
        policy_arn: &str,
    ) -> Result<()> {
        let request = self
            .client
            .attach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send();
        self.attach_role_policy_call_as(action, name, policy_arn)
            .send(request, |_| Ok(()))
            .await
    }

    pub fn detach_role_policy_call(&self, name: &str, policy_arn: &str) -> Call<'a> {
        self.clients
            .call(&iam::DETACH_ROLE_POLICY, name)
            .opt("--role-name", name)
            .opt("--policy-arn", policy_arn)
    }

    pub async fn detach_role_policy(&self, name: &str, policy_arn: &str) -> Result<()> {
        let request = self
            .client
            .detach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send();
        self.detach_role_policy_call(name, policy_arn)
            .send(request, |_| Ok(()))
            .await
    }

    pub fn delete_role_call(&self, name: &str) -> Call<'a> {
        self.clients
            .call(&iam::DELETE_ROLE, name)
            .opt("--role-name", name)
    }

    /// Deletes a role (that has no policies attached).
    pub async fn delete_role(&self, name: &str) -> Result<()> {
        let request = self.client.delete_role().role_name(name).send();
        self.delete_role_call(name).send(request, |_| Ok(())).await
    }

    pub fn ecs_service_linked_role_call(&self) -> Call<'a> {
        self.clients
            .call(
                &ecs_setup::CREATE_SERVICE_LINKED_ROLE,
                ECS_SERVICE_LINKED_ROLE,
            )
            .opt("--aws-service-name", ECS_SERVICE)
    }

    /// Whether the account has ECS's service-linked role; `None` when IAM would not say (the
    /// catalogue grants GetRole on the execution role only, so a deploy user may be refused).
    pub async fn has_ecs_service_linked_role(&self) -> Option<bool> {
        self.get_role(ECS_SERVICE_LINKED_ROLE)
            .await
            .ok()
            .map(|role| role.is_some())
    }

    /// Makes sure the account has ECS's service-linked role (`AWSServiceRoleForECS`): looked up
    /// first, made only when missing (or when IAM would not say). Creating it when it exists
    /// answers "…has been taken in this account" — another launch made it between the look and
    /// the create: that too is the answer "it exists". Answers whether it was created now.
    pub async fn ensure_ecs_service_linked_role(&self) -> Result<bool> {
        if self.has_ecs_service_linked_role().await == Some(true) {
            return Ok(false);
        }
        let request = self
            .client
            .create_service_linked_role()
            .aws_service_name(ECS_SERVICE)
            .send();
        let created = self
            .ecs_service_linked_role_call()
            .send(request, |_| Ok(()))
            .await;
        match created {
            Ok(()) => Ok(true),
            Err(e) if is_taken(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// The service ECS's service-linked role is for.
const ECS_SERVICE: &str = "ecs.amazonaws.com";
/// Its name.
pub const ECS_SERVICE_LINKED_ROLE: &str = "AWSServiceRoleForECS";

/// IAM's answer to creating a service-linked role that exists: InvalidInput, "Service role name
/// AWSServiceRoleForECS has been taken in this account, please try a different suffix."
fn is_taken(err: &crate::BerthError) -> bool {
    err.param("code") == Some("InvalidInput")
        && err
            .details
            .as_deref()
            .is_some_and(|d| d.contains("has been taken"))
}
