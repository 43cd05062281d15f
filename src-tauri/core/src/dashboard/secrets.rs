//! The secrets a service uses (names only: the values stay in SSM Parameter Store), and changing
//! one: a new version of the parameter, then a new deployment, since a task reads its secrets
//! only when it starts.

use crate::aws::ecs;
use crate::aws::ssm;
use crate::aws::AwsClients;
use crate::error::{BerthError, Result};
use secrecy::ExposeSecret;
/// The value of a changed secret, as the app holds it from the moment it arrives.
pub use secrecy::SecretString;
use serde::Serialize;
use ts_rs::TS;

/// One secret of a service's container: the variable and where ECS reads it from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSecret {
    /// The environment variable's name.
    pub name: String,
    /// The parameter's name (`/berth/<app>/<NAME>`) when it is one of Berth's, else the
    /// `valueFrom` as the task definition has it.
    pub parameter: String,
    /// Whether Berth can change it (an SSM parameter under `/berth/`).
    pub changeable: bool,
}

/// `/berth/web/DB` from `arn:aws:ssm:…:parameter/berth/web/DB`, if it is one of Berth's.
fn berth_parameter(value_from: &str) -> Option<String> {
    let (_, path) = value_from.split_once(":parameter/")?;
    if !value_from.starts_with("arn:") || !value_from.contains(":ssm:") {
        return None;
    }
    path.starts_with("berth/").then(|| format!("/{path}"))
}

/// The secrets of the task definition `service` runs now, sorted by variable name.
pub async fn service_secrets(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
) -> Result<Vec<ServiceSecret>> {
    secrets_of(
        clients,
        &ecs::existing_service(clients, cluster, service).await?,
    )
    .await
}

async fn secrets_of(clients: &AwsClients, s: &ecs::Service) -> Result<Vec<ServiceSecret>> {
    let td = ecs::describe_task_definition(clients, &s.task_definition).await?;
    let mut out: Vec<ServiceSecret> = td
        .registered
        .container_definitions()
        .iter()
        .flat_map(|c| c.secrets())
        .map(|secret| {
            let parameter = berth_parameter(secret.value_from());
            ServiceSecret {
                name: secret.name().to_owned(),
                changeable: parameter.is_some(),
                parameter: parameter.unwrap_or_else(|| secret.value_from().to_owned()),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Stores a new value of the service's secret `name` and starts a new deployment, whose tasks
/// read it (for a service of ECS Express Mode, a new revision through Express Mode). Refused
/// (before any change) when the service has no such secret of Berth's.
pub async fn change_secret(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    name: &str,
    value: SecretString,
) -> Result<()> {
    if value.expose_secret().is_empty() {
        return Err(BerthError::invalid("envValue", "secretRequired").with("name", name));
    }
    let s = ecs::existing_service(clients, cluster, service).await?;
    let secret = secrets_of(clients, &s)
        .await?
        .into_iter()
        .find(|s| s.name == name && s.changeable)
        .ok_or_else(|| BerthError::invalid("secret", "unknown").with("name", name))?;
    ssm::put_parameter(clients, &secret.parameter, &value, true, &[]).await?;
    if s.express {
        ecs::redeploy_express_service(clients, &s.arn, service).await
    } else {
        ecs::force_new_deployment(clients, cluster, service).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_berths_ssm_parameters_can_be_changed() {
        assert_eq!(
            berth_parameter("arn:aws:ssm:us-east-1:123456789012:parameter/berth/web/DB"),
            Some("/berth/web/DB".into())
        );
        assert_eq!(
            berth_parameter("arn:aws:ssm:us-east-1:123456789012:parameter/other/DB"),
            None
        );
        assert_eq!(
            berth_parameter("arn:aws:secretsmanager:us-east-1:1:secret:berth/x"),
            None
        );
    }
}
