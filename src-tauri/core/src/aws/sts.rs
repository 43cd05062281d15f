//! STS: who the credentials belong to.

use super::catalogue::sts;
use super::AwsClients;
use crate::error::Result;
use serde::Serialize;
use ts_rs::TS;

/// The answer of GetCallerIdentity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

pub async fn caller_identity(clients: &AwsClients) -> Result<CallerIdentity> {
    clients
        .call(&sts::GET_CALLER_IDENTITY, "")
        .send(clients.sts().get_caller_identity().send(), |out| {
            Ok(CallerIdentity {
                account: out.account.unwrap_or_default(),
                arn: out.arn.unwrap_or_default(),
                user_id: out.user_id.unwrap_or_default(),
            })
        })
        .await
}
