//! Customer managed policies (the deploy user's), and the policy simulator the permission
//! checklist asks.

use super::{
    decode_policy, exists, sdk_tags, tag_pairs, ContextValue, Iam, ManagedPolicy, PolicyVersion,
};
use crate::aws::call::Call;
use crate::aws::catalogue::iam;
use crate::error::{BerthError, Result};
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, EvaluationResult};

impl<'a> Iam<'a> {
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

    pub fn delete_policy_version_call(&self, arn: &str, version: &str) -> Call<'a> {
        self.clients
            .call(&iam::DELETE_POLICY_VERSION, arn)
            .opt("--policy-arn", arn)
            .opt("--version-id", version)
    }

    pub fn delete_policy_call(&self, arn: &str) -> Call<'a> {
        self.clients
            .call(&iam::DELETE_POLICY, arn)
            .opt("--policy-arn", arn)
    }

    pub async fn delete_policy(&self, arn: &str) -> Result<()> {
        let request = self.client.delete_policy().policy_arn(arn).send();
        self.delete_policy_call(arn).send(request, |_| Ok(())).await
    }

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
