//! What the wizard made for every app rather than for one — the ECR repository with its images,
//! the task execution role and the deploy user. Teardown of an app leaves them by default and says
//! so, with what the repository costs per month; each can be removed on request, in the order
//! IAM and ECR require (DeleteRepository with `force`; a role's policies detached before
//! DeleteRole; a user's access keys and policies gone before DeleteUser).

use super::desired::is_berths;
use super::kinds::ResourceKind;
use super::record::LaunchStore;
use super::teardown::{KeepReason, TeardownAction, TeardownItem};
use crate::aws::iam::Iam;
use crate::aws::{ecr, AwsClients};
use crate::error::{ErrorKind, Result};
use crate::permissions::deploy_policy_name;
use crate::pricing::ecr_storage_monthly_usd;
use crate::settings::WizardSettings;
use crate::wizard::iam::caller;
use serde::Deserialize;
use ts_rs::TS;

/// The shared resources an app's teardown looks at, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedNames {
    pub repository: Option<String>,
    pub execution_role: Option<String>,
    pub deploy_user: Option<String>,
    /// Other apps Berth launched from the same repository, and with the same role.
    pub repository_used_by: Vec<String>,
    pub role_used_by: Vec<String>,
}

fn role_name_of(arn: &str) -> Option<String> {
    arn.rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
}

impl SharedNames {
    /// From `app`'s launch record (else the wizard's choices), and the other apps' records.
    pub fn of(app: &str, store: &LaunchStore, wizard: &WizardSettings) -> Result<SharedNames> {
        let record = store.load(app)?;
        let repository = record
            .as_ref()
            .and_then(|r| r.config.repository.clone())
            .or_else(|| wizard.repository.clone());
        let execution_role = record
            .as_ref()
            .map(|r| r.config.execution_role_arn.clone())
            .or_else(|| wizard.execution_role_arn.clone())
            .and_then(|arn| role_name_of(&arn));
        let mut names = SharedNames {
            repository,
            execution_role,
            deploy_user: wizard.deploy_user.clone(),
            ..SharedNames::default()
        };
        for other in store.list().into_iter().filter(|r| r.app != app) {
            if other.config.repository.is_some() && other.config.repository == names.repository {
                names.repository_used_by.push(other.app.clone());
            }
            let role = role_name_of(&other.config.execution_role_arn);
            if role.is_some() && role == names.execution_role {
                names.role_used_by.push(other.app);
            }
        }
        Ok(names)
    }
}

/// Which shared resources the user asked teardown to remove (each off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SharedRemovals {
    pub repository: bool,
    pub execution_role: bool,
    pub deploy_user: bool,
}

impl SharedRemovals {
    pub fn includes(&self, kind: ResourceKind) -> bool {
        match kind {
            ResourceKind::Repository => self.repository,
            ResourceKind::ExecutionRole => self.execution_role,
            ResourceKind::DeployUser => self.deploy_user,
            _ => false,
        }
    }
}

fn item(kind: ResourceKind, name: &str, id: Option<String>) -> TeardownItem {
    TeardownItem {
        resource: kind,
        name: name.to_owned(),
        id,
        action: TeardownAction::Delete,
        reason: None,
        commands: Vec::new(),
        images: None,
        size_bytes: None,
        monthly_usd: None,
    }
}

fn kept(mut item: TeardownItem, reason: KeepReason) -> TeardownItem {
    item.action = TeardownAction::Keep;
    item.reason = Some(reason);
    item.commands.clear();
    item
}

/// The shared resources that exist, each as a removal (its commands in order) or a keep with the
/// reason it cannot be removed. Read-only.
pub async fn plan_shared(clients: &AwsClients, names: &SharedNames) -> Result<Vec<TeardownItem>> {
    let mut items = Vec::new();
    if let Some(name) = &names.repository {
        if let Some(found) = plan_repository(clients, name, &names.repository_used_by).await? {
            items.push(found);
        }
    }
    let iam = Iam::new(clients);
    if let Some(name) = &names.execution_role {
        if let Some(role) = iam.get_role(name).await? {
            let mut it = item(ResourceKind::ExecutionRole, name, Some(role.arn));
            it.monthly_usd = Some(0.0);
            for policy in iam.attached_role_policies(name).await? {
                it.commands.push(
                    iam.detach_role_policy_call(name, &policy)
                        .into_command()
                        .render(),
                );
            }
            it.commands
                .push(iam.delete_role_call(name).into_command().render());
            items.push(if !is_berths(&role.tags) {
                kept(it, KeepReason::NotBerths)
            } else if !names.role_used_by.is_empty() {
                kept(it, KeepReason::OtherApps)
            } else {
                it
            });
        }
    }
    if let Some(name) = &names.deploy_user {
        if let Some(user) = iam.get_user(name).await? {
            let signed_in = caller(clients)
                .await
                .is_ok_and(|who| who.identity.arn == user.arn);
            let mut it = item(ResourceKind::DeployUser, name, Some(user.arn.clone()));
            it.monthly_usd = Some(0.0);
            items.push(if !is_berths(&user.tags) {
                kept(it, KeepReason::NotBerths)
            } else if signed_in {
                // Its own key signs the requests: deleting the key mid-way would cut the removal
                // off, and leave Berth with no identity.
                kept(it, KeepReason::SignedIn)
            } else {
                it.commands = user_removal(&iam, name, &user.arn).await?.commands();
                it
            });
        }
    }
    Ok(items)
}

async fn plan_repository(
    clients: &AwsClients,
    name: &str,
    used_by: &[String],
) -> Result<Option<TeardownItem>> {
    let repo = match ecr::describe_repository(clients, name).await {
        Ok(r) => r,
        Err(e) if ecr::is_repository_missing(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let images = ecr::describe_images(clients, name).await?;
    let bytes: u64 = images.iter().map(|i| i.size_bytes).sum();
    let tags = ecr::list_tags(clients, &repo.arn).await?;
    let mut it = item(ResourceKind::Repository, name, Some(repo.arn));
    it.images = Some(u32::try_from(images.len()).unwrap_or(u32::MAX));
    it.size_bytes = Some(bytes);
    it.monthly_usd = Some(ecr_storage_monthly_usd(bytes));
    it.commands.push(
        ecr::delete_repository_call(clients, name, true)
            .into_command()
            .render(),
    );
    Ok(Some(if !is_berths(&tags) {
        kept(it, KeepReason::NotBerths)
    } else if !used_by.is_empty() {
        kept(it, KeepReason::OtherApps)
    } else {
        it
    }))
}

/// What removing a deploy user takes, in IAM's order: its access keys, its policies detached,
/// the user, then the policy Berth made for it (its older versions first).
struct UserRemoval {
    user: String,
    keys: Vec<String>,
    attached: Vec<String>,
    /// Berth's own policy of the user, with its non-default versions.
    own_policy: Option<(String, Vec<String>)>,
    calls: Vec<String>,
}

impl UserRemoval {
    fn commands(self) -> Vec<String> {
        self.calls
    }
}

async fn user_removal(iam: &Iam<'_>, user: &str, user_arn: &str) -> Result<UserRemoval> {
    let keys = iam.access_key_ids(user).await?;
    let attached = iam.attached_user_policies(user).await?;
    // The policy Berth made is named after the user, in the user's account.
    let account = user_arn.split(':').nth(4).unwrap_or_default();
    let partition = user_arn.split(':').nth(1).unwrap_or("aws");
    let policy_arn = format!(
        "arn:{partition}:iam::{account}:policy/{}",
        deploy_policy_name(user)
    );
    let own_policy = match iam.get_policy(&policy_arn).await? {
        Some(p) if is_berths(&p.tags) => {
            let versions = iam
                .policy_versions(&policy_arn)
                .await?
                .into_iter()
                .filter(|v| !v.is_default)
                .map(|v| v.id)
                .collect::<Vec<String>>();
            Some((policy_arn, versions))
        }
        _ => None,
    };
    let mut calls = Vec::new();
    for key in &keys {
        calls.push(
            iam.delete_access_key_call(user, key)
                .into_command()
                .render(),
        );
    }
    for policy in &attached {
        calls.push(
            iam.detach_user_policy_call(user, policy)
                .into_command()
                .render(),
        );
    }
    calls.push(iam.delete_user_call(user).into_command().render());
    if let Some((arn, versions)) = &own_policy {
        for v in versions {
            calls.push(
                iam.delete_policy_version_call(arn, v)
                    .into_command()
                    .render(),
            );
        }
        calls.push(iam.delete_policy_call(arn).into_command().render());
    }
    Ok(UserRemoval {
        user: user.to_owned(),
        keys,
        attached,
        own_policy,
        calls,
    })
}

/// Removes one shared resource the plan offered (its action Delete). Each step is its own
/// activity entry; the first refusal stops it and is the error.
pub async fn remove_shared(clients: &AwsClients, item: &TeardownItem) -> Result<()> {
    let iam = Iam::new(clients);
    match item.resource {
        ResourceKind::Repository => {
            // force: ECR deletes the images with it (else RepositoryNotEmptyException).
            match ecr::delete_repository(clients, &item.name, true).await {
                Err(e) if ecr::is_repository_missing(&e) => Ok(()),
                other => other,
            }
        }
        ResourceKind::ExecutionRole => {
            for policy in iam.attached_role_policies(&item.name).await? {
                iam.detach_role_policy(&item.name, &policy).await?;
            }
            iam.delete_role(&item.name).await
        }
        ResourceKind::DeployUser => {
            let arn = item.id.clone().unwrap_or_default();
            let plan = user_removal(&iam, &item.name, &arn).await?;
            for key in &plan.keys {
                iam.delete_access_key(&plan.user, key).await?;
            }
            for policy in &plan.attached {
                iam.detach_user_policy(&plan.user, policy).await?;
            }
            iam.delete_user(&plan.user).await?;
            if let Some((arn, versions)) = &plan.own_policy {
                for v in versions {
                    iam.delete_policy_version(arn, v).await?;
                }
                match iam.delete_policy(arn).await {
                    Err(e) if e.kind == ErrorKind::NotFound => {}
                    other => other?,
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_are_off_by_default_and_match_their_kind() {
        let none = SharedRemovals::default();
        assert!(!none.includes(ResourceKind::Repository));
        let repo: SharedRemovals = serde_json::from_str(r#"{"repository":true}"#).unwrap();
        assert!(repo.includes(ResourceKind::Repository));
        assert!(!repo.includes(ResourceKind::ExecutionRole));
        assert!(!repo.includes(ResourceKind::DeployUser));
        assert!(!repo.includes(ResourceKind::Cluster));
        assert_eq!(
            role_name_of("arn:aws:iam::123456789012:role/ecsTaskExecutionRole").as_deref(),
            Some("ecsTaskExecutionRole")
        );
    }
}
