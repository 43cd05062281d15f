//! Environment values kept secret. A variable marked secret on the Launch page is stored as an
//! SSM Parameter Store SecureString `/berth/<app>/<NAME>` (tagged like Berth's other resources,
//! encrypted with the account's default `aws/ssm` key), the task definition names it under
//! `secrets` with the parameter's ARN as `valueFrom`, and the execution role gets an inline
//! policy `berth-secrets-<app>` that allows `ssm:GetParameters` on exactly those ARNs (the
//! default key needs no `kms:Decrypt` grant). The value itself stays in Rust as a
//! [`SecretString`]: it is taken out of the choices as soon as they are read, so the plan, the
//! launch record, the timeline, the activity log and the webview never get it back.

use super::context::{name_taken, LaunchContext};
use super::desired::is_berths;
use super::kinds::{Outcome, PlanAction, PlanItem, ResourceKind};
use super::record::LaunchRecord;
use super::{LaunchChoices, LaunchConfig};
use crate::aws::iam::Iam;
use crate::aws::ssm::{self, Parameter};
use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use crate::tags;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

/// The values typed for secret variables, by variable name. Equal to any other: the values are
/// not part of what a launch is (a resumed launch has none, and matches the one that had them).
#[derive(Default)]
pub struct SecretValues(Vec<(String, SecretString)>);

impl SecretValues {
    pub fn get(&self, name: &str) -> Option<&SecretString> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Clone for SecretValues {
    fn clone(&self) -> Self {
        SecretValues(
            self.0
                .iter()
                .map(|(n, v)| (n.clone(), SecretString::from(v.expose_secret())))
                .collect(),
        )
    }
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| format!("{n}=[REDACTED]")))
            .finish()
    }
}

impl PartialEq for SecretValues {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SecretValues {}

/// Moves the values of secret variables out of `choices`: the choices keep the name (and an
/// empty value); an empty value typed for a secret means "keep the stored one".
pub fn take_values(mut choices: LaunchChoices) -> (LaunchChoices, SecretValues) {
    let mut values = Vec::new();
    for var in choices.environment.iter_mut().filter(|v| v.secret) {
        let value = std::mem::take(&mut var.value);
        if !value.is_empty() {
            values.push((var.name.clone(), SecretString::from(value)));
        }
    }
    (choices, SecretValues(values))
}

/// `/berth/<app>/<NAME>`.
pub fn parameter_name(app: &str, var: &str) -> String {
    format!("{}{var}", parameter_path(app))
}

/// `/berth/<app>/`: where every secret of the app is kept.
pub fn parameter_path(app: &str) -> String {
    format!("/berth/{app}/")
}

/// The execution role's inline policy for the app's secrets.
pub fn policy_name(app: &str) -> String {
    format!("berth-secrets-{app}")
}

/// Partition, account and role name from a role ARN (`arn:aws:iam::123:role/path/name`).
pub fn role_parts(role_arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = role_arn.splitn(6, ':');
    let (_, partition, _, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    Some((partition, account, name))
}

/// The app's secret variables as the task definition names them: `(NAME, parameter ARN)`,
/// sorted by name.
pub fn value_froms(region: &str, config: &LaunchConfig) -> Vec<(String, String)> {
    let Some((partition, account, _)) = role_parts(&config.execution_role_arn) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = config
        .choices
        .environment
        .iter()
        .filter(|v| v.secret)
        .map(|v| {
            let name = parameter_name(&config.choices.app, &v.name);
            (
                v.name.clone(),
                ssm::parameter_arn(partition, region, account, &name),
            )
        })
        .collect();
    out.sort();
    out
}

/// The inline policy: `ssm:GetParameters` on exactly `arns`. No `kms:Decrypt`: the parameters
/// use the default `aws/ssm` key, which ECS may use through SSM without a grant.
pub fn policy_document(arns: &[String]) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadBerthSecrets",
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": arns,
        }]
    })
    .to_string()
}

fn same_policy(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// What exists of the app's secrets.
pub struct SecretsState {
    /// The app's parameters, with whether each carries Berth's tags.
    pub parameters: Vec<(Parameter, bool)>,
    /// The execution role's inline policy document, when it has one.
    pub policy: Option<String>,
}

pub async fn state(clients: &AwsClients, config: &LaunchConfig) -> Result<SecretsState> {
    let wanted = config.choices.environment.iter().any(|v| v.secret);
    let role = role_parts(&config.execution_role_arn).map(|(_, _, name)| name.to_owned());
    let mut parameters = Vec::new();
    if wanted {
        for p in ssm::parameters_under(clients, &parameter_path(&config.choices.app)).await? {
            let tags = ssm::parameter_tags(clients, &p.name).await?;
            parameters.push((p, is_berths(&tags)));
        }
    }
    let policy = match role.filter(|_| wanted) {
        Some(role) => {
            Iam::new(clients)
                .get_role_policy(&role, &policy_name(&config.choices.app))
                .await?
        }
        None => None,
    };
    Ok(SecretsState { parameters, policy })
}

/// A secret the plan cannot carry out: no value typed, and none stored.
pub struct MissingValue(pub String);

/// The plan's lines for the app's secrets (one per parameter, then the role's policy), the
/// parameters someone else made, and the secrets that have no value.
pub fn inspect(
    clients: &AwsClients,
    config: &LaunchConfig,
    state: &SecretsState,
) -> (Vec<PlanItem>, Vec<String>, Vec<MissingValue>) {
    let app = &config.choices.app;
    let tags = tags::berth_tags(Some(app));
    let mut items = Vec::new();
    let mut foreign = Vec::new();
    let mut missing = Vec::new();
    for var in config.choices.environment.iter().filter(|v| v.secret) {
        let name = parameter_name(app, &var.name);
        let existing = state.parameters.iter().find(|(p, _)| p.name == name);
        if existing.is_some_and(|(_, berths)| !berths) {
            foreign.push(name.clone());
        }
        let typed = config.secret_values.get(&var.name).is_some();
        let (action, commands) = match (existing, typed) {
            (Some(_), false) => (PlanAction::Reuse, Vec::new()),
            (Some(_), true) => (
                PlanAction::Update,
                vec![put_command(clients, &name, true, &tags)],
            ),
            (None, true) => (
                PlanAction::Create,
                vec![put_command(clients, &name, false, &tags)],
            ),
            (None, false) => {
                missing.push(MissingValue(var.name.clone()));
                (PlanAction::Create, Vec::new())
            }
        };
        items.push(PlanItem {
            resource: ResourceKind::Secret,
            name,
            action,
            id: None,
            changes: Vec::new(),
            commands,
        });
    }
    if let Some(item) = inspect_policy(clients, config, state) {
        items.push(item);
    }
    (items, foreign, missing)
}

fn put_command(
    clients: &AwsClients,
    name: &str,
    overwrite: bool,
    tags: &[(String, String)],
) -> String {
    ssm::put_parameter_call(clients, name, overwrite, tags)
        .command()
        .render()
}

fn inspect_policy(
    clients: &AwsClients,
    config: &LaunchConfig,
    state: &SecretsState,
) -> Option<PlanItem> {
    let (_, _, role) = role_parts(&config.execution_role_arn)?;
    let policy = policy_name(&config.choices.app);
    let arns: Vec<String> = value_froms(clients.region(), config)
        .into_iter()
        .map(|(_, arn)| arn)
        .collect();
    let iam = Iam::new(clients);
    let name = format!("{role}/{policy}");
    if arns.is_empty() {
        // No secret any more: the policy that allowed reading the old ones goes.
        return state.policy.as_ref().map(|_| PlanItem {
            resource: ResourceKind::SecretPolicy,
            name,
            action: PlanAction::Update,
            id: None,
            changes: Vec::new(),
            commands: vec![iam
                .delete_role_policy_call(role, &policy)
                .command()
                .render()],
        });
    }
    let document = policy_document(&arns);
    let (action, commands) = match &state.policy {
        Some(current) if same_policy(current, &document) => (PlanAction::Reuse, Vec::new()),
        current => (
            if current.is_some() {
                PlanAction::Update
            } else {
                PlanAction::Create
            },
            vec![iam
                .put_role_policy_call(role, &policy, &document)
                .command()
                .render()],
        ),
    };
    Some(PlanItem {
        resource: ResourceKind::SecretPolicy,
        name,
        action,
        id: None,
        changes: Vec::new(),
        commands,
    })
}

fn missing_error(name: &str) -> BerthError {
    BerthError::invalid("envValue", "secretRequired").with("name", name)
}

/// Stores the typed values and gives the execution role exactly the permission to read them.
/// Answers whether a stored value changed (a running service must then start new tasks, which
/// read the secrets when they start).
pub async fn ensure(
    ctx: &LaunchContext<'_>,
    config: &LaunchConfig,
    record: &mut LaunchRecord,
) -> Result<bool> {
    let clients = ctx.clients;
    let state = state(clients, config).await?;
    let (items, foreign, missing) = inspect(clients, config, &state);
    if let Some(name) = foreign.first() {
        return Err(name_taken("SSM parameter", name));
    }
    if let Some(MissingValue(name)) = missing.first() {
        return Err(missing_error(name));
    }
    let app = &config.choices.app;
    let tags = tags::berth_tags(Some(app));
    let mut changed = false;
    for item in items.iter().filter(|i| i.resource == ResourceKind::Secret) {
        let var = item.name.rsplit('/').next().unwrap_or_default();
        match (item.action, config.secret_values.get(var)) {
            (PlanAction::Create | PlanAction::Update, Some(value)) => {
                let overwrite = item.action == PlanAction::Update;
                ssm::put_parameter(clients, &item.name, value, overwrite, &tags).await?;
                changed |= overwrite;
                let call = ssm::put_parameter_call(clients, &item.name, overwrite, &tags);
                let outcome = if overwrite {
                    Outcome::Updated
                } else {
                    Outcome::Created
                };
                ctx.done(
                    record,
                    ResourceKind::Secret,
                    &item.name,
                    outcome,
                    None,
                    Some(call.command()),
                )?;
            }
            _ => ctx.done(
                record,
                ResourceKind::Secret,
                &item.name,
                Outcome::Reused,
                None,
                None,
            )?,
        }
    }
    ensure_policy(ctx, config, &state, record).await?;
    Ok(changed)
}

async fn ensure_policy(
    ctx: &LaunchContext<'_>,
    config: &LaunchConfig,
    state: &SecretsState,
    record: &mut LaunchRecord,
) -> Result<()> {
    let clients = ctx.clients;
    let Some(item) = inspect_policy(clients, config, state) else {
        return Ok(());
    };
    let Some((_, _, role)) = role_parts(&config.execution_role_arn) else {
        return Ok(());
    };
    let policy = policy_name(&config.choices.app);
    let iam = Iam::new(clients);
    let arns: Vec<String> = value_froms(clients.region(), config)
        .into_iter()
        .map(|(_, arn)| arn)
        .collect();
    let (outcome, command) = match item.action {
        PlanAction::Reuse => (Outcome::Reused, None),
        _ if arns.is_empty() => {
            iam.delete_role_policy(role, &policy).await?;
            (
                Outcome::Deleted,
                Some(iam.delete_role_policy_call(role, &policy).into_command()),
            )
        }
        action => {
            let document = policy_document(&arns);
            iam.put_role_policy(role, &policy, &document).await?;
            (
                if action == PlanAction::Create {
                    Outcome::Created
                } else {
                    Outcome::Updated
                },
                Some(
                    iam.put_role_policy_call(role, &policy, &document)
                        .into_command(),
                ),
            )
        }
    };
    ctx.done(
        record,
        ResourceKind::SecretPolicy,
        &item.name,
        outcome,
        None,
        command.as_ref(),
    )
}

/// A stored value changed but the service kept its task definition (the ARNs it names are the
/// same): its tasks still hold the old value, read when they started. A new deployment replaces
/// them. A service just created or moved to a new revision starts new tasks anyway.
pub async fn redeploy_if_unchanged(
    ctx: &LaunchContext<'_>,
    d: &super::desired::Desired,
    record: &mut LaunchRecord,
) -> Result<()> {
    let reused = record.resources.iter().any(|r| {
        r.resource == ResourceKind::Service
            && r.name == d.names.service
            && r.outcome == Outcome::Reused
    });
    if !reused {
        return Ok(());
    }
    let (cluster, service) = (&d.names.cluster, &d.names.service);
    crate::aws::ecs::force_new_deployment(ctx.clients, cluster, service).await?;
    let call = crate::aws::ecs::force_new_deployment_call(ctx.clients, cluster, service);
    let id = record
        .resources
        .iter()
        .find(|r| r.resource == ResourceKind::Service && r.name == *service)
        .and_then(|r| r.id.clone());
    ctx.done(
        record,
        ResourceKind::Service,
        service,
        Outcome::Updated,
        id,
        Some(call.command()),
    )
}

/// Teardown's lines for the app's secrets: each parameter under `/berth/<app>/` (deleted when it
/// carries Berth's tags), and the execution role's inline policy for them.
pub async fn teardown_items(
    clients: &AwsClients,
    app: &str,
    role: Option<&str>,
) -> Result<Vec<super::teardown::TeardownItem>> {
    use super::teardown::{KeepReason, TeardownAction, TeardownItem};
    let item = |resource, name: String, action, reason, commands| TeardownItem {
        resource,
        name,
        id: None,
        action,
        reason,
        commands,
        images: None,
        size_bytes: None,
        monthly_usd: None,
    };
    let mut items = Vec::new();
    for p in ssm::parameters_under(clients, &parameter_path(app)).await? {
        let tags = ssm::parameter_tags(clients, &p.name).await?;
        items.push(if is_berths(&tags) {
            let command = ssm::delete_parameters_call(clients, std::slice::from_ref(&p.name))
                .command()
                .render();
            item(
                ResourceKind::Secret,
                p.name,
                TeardownAction::Delete,
                None,
                vec![command],
            )
        } else {
            item(
                ResourceKind::Secret,
                p.name,
                TeardownAction::Keep,
                Some(KeepReason::NotBerths),
                Vec::new(),
            )
        });
    }
    if let Some(role) = role {
        let iam = Iam::new(clients);
        let policy = policy_name(app);
        if iam.get_role_policy(role, &policy).await?.is_some() {
            let command = iam
                .delete_role_policy_call(role, &policy)
                .command()
                .render();
            items.push(item(
                ResourceKind::SecretPolicy,
                format!("{role}/{policy}"),
                TeardownAction::Delete,
                None,
                vec![command],
            ));
        }
    }
    Ok(items)
}

/// Carries out one of [`teardown_items`]; answers the command it ran.
pub async fn tear_down_item(
    clients: &AwsClients,
    item: &super::teardown::TeardownItem,
) -> Result<Option<crate::cli::CliCommand>> {
    match item.resource {
        ResourceKind::Secret => {
            let names = std::slice::from_ref(&item.name);
            ssm::delete_parameters(clients, names).await?;
            Ok(Some(
                ssm::delete_parameters_call(clients, names).into_command(),
            ))
        }
        ResourceKind::SecretPolicy => {
            let Some((role, policy)) = item.name.split_once('/') else {
                return Ok(None);
            };
            let iam = Iam::new(clients);
            iam.delete_role_policy(role, policy).await?;
            Ok(Some(
                iam.delete_role_policy_call(role, policy).into_command(),
            ))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::launch::{default_choices, EnvVar};

    #[test]
    fn secret_values_leave_the_choices() {
        let mut c = default_choices("web", None);
        c.environment = vec![
            EnvVar {
                name: "PORT".into(),
                value: "80".into(),
                secret: false,
            },
            EnvVar {
                name: "DB_PASSWORD".into(),
                value: "hunter2".into(),
                secret: true,
            },
            EnvVar {
                name: "KEPT".into(),
                value: String::new(),
                secret: true,
            },
        ];
        let (c, values) = take_values(c);
        assert_eq!(c.environment[0].value, "80");
        assert_eq!(c.environment[1].value, "");
        assert_eq!(
            values.get("DB_PASSWORD").map(|v| v.expose_secret()),
            Some("hunter2")
        );
        assert!(values.get("KEPT").is_none());
        let shown = format!("{values:?} {:?}", values.clone());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!serde_json::to_string(&c).unwrap().contains("hunter2"));
    }

    #[test]
    fn the_policy_allows_exactly_the_parameters() {
        assert_eq!(
            role_parts("arn:aws:iam::123456789012:role/service/ecsTaskExecutionRole"),
            Some(("aws", "123456789012", "ecsTaskExecutionRole"))
        );
        let doc: serde_json::Value = serde_json::from_str(&policy_document(&[
            "arn:aws:ssm:us-east-1:123456789012:parameter/berth/web/A".into(),
        ]))
        .unwrap();
        assert_eq!(doc["Statement"][0]["Action"], "ssm:GetParameters");
        assert_eq!(
            doc["Statement"][0]["Resource"],
            json!(["arn:aws:ssm:us-east-1:123456789012:parameter/berth/web/A"])
        );
    }
}
