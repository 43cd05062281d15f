//! Inline policies of the task execution role: `berth-secrets-<app>` lets ECS read exactly the
//! app's secret parameters when it starts a task.

use super::{decode_policy, Iam};
use crate::aws::call::Call;
use crate::aws::catalogue::secrets_policy;
use crate::error::{ErrorKind, Result};

impl<'a> Iam<'a> {
    pub fn get_role_policy_call(&self, role: &str, policy: &str) -> Call<'a> {
        self.clients
            .call(&secrets_policy::GET_ROLE_POLICY, format!("{role}/{policy}"))
            .opt("--role-name", role)
            .opt("--policy-name", policy)
    }

    /// The inline policy's document (decoded JSON text), or `None` when the role has none of
    /// that name (or the role is gone).
    pub async fn get_role_policy(&self, role: &str, policy: &str) -> Result<Option<String>> {
        let request = self
            .client
            .get_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send();
        self.get_role_policy_call(role, policy)
            .send_found(request, |out| Ok(decode_policy(&out.policy_document)))
            .await
    }

    pub fn put_role_policy_call(&self, role: &str, policy: &str, document: &str) -> Call<'a> {
        self.clients
            .call(&secrets_policy::PUT_ROLE_POLICY, format!("{role}/{policy}"))
            .opt("--role-name", role)
            .opt("--policy-name", policy)
            .opt("--policy-document", document)
    }

    /// Creates or replaces the inline policy.
    pub async fn put_role_policy(&self, role: &str, policy: &str, document: &str) -> Result<()> {
        let request = self
            .client
            .put_role_policy()
            .role_name(role)
            .policy_name(policy)
            .policy_document(document)
            .send();
        self.put_role_policy_call(role, policy, document)
            .send(request, |_| Ok(()))
            .await
    }

    pub fn delete_role_policy_call(&self, role: &str, policy: &str) -> Call<'a> {
        self.clients
            .call(
                &secrets_policy::DELETE_ROLE_POLICY,
                format!("{role}/{policy}"),
            )
            .opt("--role-name", role)
            .opt("--policy-name", policy)
    }

    /// Deletes the inline policy; one already gone is no error.
    pub async fn delete_role_policy(&self, role: &str, policy: &str) -> Result<()> {
        let request = self
            .client
            .delete_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send();
        match self
            .delete_role_policy_call(role, policy)
            .send(request, |_| Ok(()))
            .await
        {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}
