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
