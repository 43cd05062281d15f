//! SSM Parameter Store: the SecureString parameters that hold the environment values a user
//! marked secret (`/berth/<app>/<NAME>`). Berth writes a value and deletes parameters; it never
//! reads a value back (DescribeParameters answers metadata only), and the value is never part of
//! a call's activity entry or CLI equivalent: those show [`VALUE_PLACEHOLDER`].

use super::call::Call;
use super::catalogue::ssm;
use super::AwsClients;
use crate::error::{BerthError, Result};
use aws_sdk_ssm::types::{ParameterStringFilter, ParameterType, ResourceTypeForTagging, Tag};
use secrecy::{ExposeSecret, SecretString};

/// What the activity log and the CLI equivalent show instead of a secret value.
pub const VALUE_PLACEHOLDER: &str = "<secret value>";

/// A parameter as Berth sees it: never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    /// `SecureString` for Berth's.
    pub kind: String,
    pub version: i64,
}

/// The parameter's ARN. `partition` and `account` come from the execution role's ARN, so the
/// ARN is known before the parameter exists (PutParameter does not answer it).
pub fn parameter_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!(
        "arn:{partition}:ssm:{region}:{account}:parameter/{}",
        name.trim_start_matches('/')
    )
}

pub fn put_parameter_call<'a>(
    clients: &'a AwsClients,
    name: &str,
    overwrite: bool,
    tags: &[(String, String)],
) -> Call<'a> {
    let call = clients
        .call(&ssm::PUT_PARAMETER, name)
        .opt("--name", name)
        .opt("--type", "SecureString")
        .opt("--value", VALUE_PLACEHOLDER);
    if overwrite {
        // PutParameter refuses tags together with Overwrite: an existing one keeps its tags.
        call.arg("--overwrite")
    } else {
        call.tags(tags)
    }
}

/// Writes `value` as a SecureString with the account's default key (`aws/ssm`). A new parameter
/// gets `tags`; an existing one (`overwrite`) gets a new version of its value.
pub async fn put_parameter(
    clients: &AwsClients,
    name: &str,
    value: &SecretString,
    overwrite: bool,
    tags: &[(String, String)],
) -> Result<i64> {
    let mut request = clients
        .ssm()
        .put_parameter()
        .name(name)
        .r#type(ParameterType::SecureString)
        .value(value.expose_secret());
    if overwrite {
        request = request.overwrite(true);
    } else {
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(BerthError::internal)?;
        request = request.set_tags(Some(tags));
    }
    let call = put_parameter_call(clients, name, overwrite, tags);
    // An error is scrubbed of the value before it is recorded or returned: a service (or an
    // emulator) that echoes the request in its message must not carry it further.
    let result = call
        .request(request.send(), |out| Ok(out.version()))
        .await
        .map_err(|e| without_value(e, value.expose_secret()));
    call.recorded(result)
}

/// `err` with every occurrence of `value` replaced by [`VALUE_PLACEHOLDER`].
fn without_value(mut err: BerthError, value: &str) -> BerthError {
    if value.is_empty() {
        return err;
    }
    if let Some(details) = &mut err.details {
        *details = details.replace(value, VALUE_PLACEHOLDER);
    }
    for v in err.params.values_mut() {
        *v = v.replace(value, VALUE_PLACEHOLDER);
    }
    err
}

/// The parameters under `path` (e.g. `/berth/web/`), names and types only.
pub async fn parameters_under(clients: &AwsClients, path: &str) -> Result<Vec<Parameter>> {
    let filter = ParameterStringFilter::builder()
        .key("Path")
        .option("OneLevel")
        .values(path.trim_end_matches('/'))
        .build()
        .map_err(BerthError::internal)?;
    let request = clients
        .ssm()
        .describe_parameters()
        .parameter_filters(filter)
        .into_paginator()
        .send()
        .try_collect();
    let mut found: Vec<Parameter> = clients
        .call(&ssm::DESCRIBE_PARAMETERS, path)
        .opt(
            "--parameter-filters",
            format!(
                "Key=Path,Option=OneLevel,Values={}",
                path.trim_end_matches('/')
            ),
        )
        .send(request, |pages| {
            Ok(pages
                .iter()
                .flat_map(|page| page.parameters())
                .map(|p| Parameter {
                    name: p.name().unwrap_or_default().to_owned(),
                    kind: p
                        .r#type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    version: p.version(),
                })
                .collect())
        })
        .await?;
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// A parameter's tags.
pub async fn parameter_tags(clients: &AwsClients, name: &str) -> Result<Vec<(String, String)>> {
    let request = clients
        .ssm()
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(name)
        .send();
    clients
        .call(&ssm::LIST_TAGS_FOR_RESOURCE, name)
        .opt("--resource-type", "Parameter")
        .opt("--resource-id", name)
        .send(request, |out| {
            Ok(out
                .tag_list()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect())
        })
        .await
}

pub fn delete_parameters_call<'a>(clients: &'a AwsClients, names: &[String]) -> Call<'a> {
    clients
        .call(&ssm::DELETE_PARAMETERS, names.join(", "))
        .list("--names", names.iter().cloned())
}

/// Deletes `names` (at most 10, as one DeleteParameters takes); a name already gone is no error.
pub async fn delete_parameters(clients: &AwsClients, names: &[String]) -> Result<()> {
    for chunk in names.chunks(10) {
        let request = clients
            .ssm()
            .delete_parameters()
            .set_names(Some(chunk.to_vec()))
            .send();
        delete_parameters_call(clients, chunk)
            .send(request, |_| Ok(()))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_carry_the_value() {
        let err = BerthError::new(crate::error::ErrorKind::AwsRejected)
            .with("code", "ValidationException")
            .with("message", "Value 'hunter2' is too long")
            .details("Value 'hunter2' at 'value' failed");
        let shown = format!("{:?}", without_value(err, "hunter2"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains(VALUE_PLACEHOLDER));
    }

    #[test]
    fn arns_name_the_parameter_without_its_leading_slash() {
        assert_eq!(
            parameter_arn("aws", "eu-west-1", "123456789012", "/berth/web/DB_PASSWORD"),
            "arn:aws:ssm:eu-west-1:123456789012:parameter/berth/web/DB_PASSWORD"
        );
    }
}
