//! The AWS SDK's own clients, for setting resources up — or reading them back — as another tool
//! would, beside Berth rather than through it: nothing they do is recorded in the activity log,
//! and a test's check does not rest on the code it checks.

use berth_core::aws::AwsClients;

pub fn sts(clients: &AwsClients) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::new(clients.sdk_config())
}

pub fn iam(clients: &AwsClients) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(clients.sdk_config())
}

pub fn ecr(clients: &AwsClients) -> aws_sdk_ecr::Client {
    aws_sdk_ecr::Client::new(clients.sdk_config())
}

pub fn ecs(clients: &AwsClients) -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(clients.sdk_config())
}

pub fn ec2(clients: &AwsClients) -> aws_sdk_ec2::Client {
    aws_sdk_ec2::Client::new(clients.sdk_config())
}

pub fn logs(clients: &AwsClients) -> aws_sdk_cloudwatchlogs::Client {
    aws_sdk_cloudwatchlogs::Client::new(clients.sdk_config())
}

pub fn cloudwatch(clients: &AwsClients) -> aws_sdk_cloudwatch::Client {
    aws_sdk_cloudwatch::Client::new(clients.sdk_config())
}

/// A new access key of the IAM user `user`, made by `admin` (usable after IAM's propagation
/// delay: see `support::wait_until_usable`).
pub async fn new_access_key(admin: &AwsClients, user: &str) -> aws_sdk_iam::types::AccessKey {
    iam(admin)
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .expect("CreateAccessKey")
        .access_key
        .expect("an access key")
}

/// Makes an enabled KMS key named by `alias` (e.g. `alias/berth-test`) in the clients' account and
/// region, as the console would. Berth has no KMS client and the tests need a key only here, so
/// the request is sent by curl, signed with the account's own credentials (`--aws-sigv4`).
pub async fn kms_key_with_alias(clients: &AwsClients, alias: &str) {
    use aws_credential_types::provider::ProvideCredentials;
    let config = clients.sdk_config();
    let creds = config
        .credentials_provider()
        .expect("the clients have credentials")
        .provide_credentials()
        .await
        .expect("the account's credentials");
    let region = config.region().expect("a region").to_string();
    let call = |target: &str, body: String| {
        let mut cmd = std::process::Command::new("curl");
        cmd.args(["-sf", "--noproxy", "*", "--aws-sigv4"])
            .arg(format!("aws:amz:{region}:kms"))
            .arg("-u")
            .arg(format!(
                "{}:{}",
                creds.access_key_id(),
                creds.secret_access_key()
            ))
            .arg("-H")
            .arg(format!("X-Amz-Target: TrentService.{target}"))
            .args(["-H", "Content-Type: application/x-amz-json-1.1"]);
        if let Some(token) = creds.session_token() {
            cmd.arg("-H").arg(format!("X-Amz-Security-Token: {token}"));
        }
        let out = cmd
            .arg("--data")
            .arg(body)
            .arg(super::moto_url())
            .output()
            .expect("curl runs");
        assert!(out.status.success(), "KMS {target} failed: {out:?}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or_default()
    };
    let made = call("CreateKey", "{}".into());
    let key_id = made["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("CreateKey answers the key's id")
        .to_owned();
    call(
        "CreateAlias",
        serde_json::json!({ "AliasName": alias, "TargetKeyId": key_id }).to_string(),
    );
}

pub fn ssm(clients: &AwsClients) -> aws_sdk_ssm::Client {
    aws_sdk_ssm::Client::new(clients.sdk_config())
}
