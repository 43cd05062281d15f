//! One call of a declared AWS action. The service wrappers build a [`Call`] — the action, what it
//! acts on, and its `aws` CLI equivalent — and send the SDK request through it, which turns an SDK
//! failure into Berth's error (naming the IAM action) and records the call in the activity log.
//! A plan shows the same `Call`'s command before anything runs, so the command shown is always
//! the request sent.

use super::action::{Action, Effect, Service};
use super::{errors, AwsClients};
use crate::cli::CliCommand;
use crate::error::{ErrorKind, Result};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::future::Future;

/// A call about to be made (or shown in a plan).
#[derive(Debug, Clone)]
pub struct Call<'a> {
    clients: &'a AwsClients,
    action: &'static Action,
    target: String,
    command: CliCommand,
}

impl AwsClients {
    /// A call of `action` on `target` (a name, ARN or id the activity log shows), with the CLI's
    /// `--region`, `--profile` and (practice mode) `--endpoint-url`.
    pub fn call(&self, action: &'static Action, target: impl Into<String>) -> Call<'_> {
        let command = CliCommand::new([
            "aws",
            action.service.prefix(),
            action.cli_operation().as_ref(),
        ])
        .trailing("--region", self.region())
        .trailing_some("--profile", self.profile())
        .trailing_some("--endpoint-url", self.endpoint_url());
        Call {
            clients: self,
            action,
            target: target.into(),
            command,
        }
    }
}

impl<'a> Call<'a> {
    /// Adds `--flag value` to the command.
    pub fn opt(mut self, flag: &str, value: impl Into<String>) -> Self {
        self.command = self.command.opt(flag, value);
        self
    }

    /// Adds `--flag value` when there is a value.
    pub fn opt_some(mut self, flag: &str, value: Option<impl Into<String>>) -> Self {
        self.command = self.command.opt_some(flag, value);
        self
    }

    /// Adds one bare word (a flag without value, or one value of a list).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.command = self.command.arg(arg);
        self
    }

    /// Adds `flag` followed by one word per value (`--action-names a b c`).
    pub fn list(mut self, flag: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.command = self.command.arg(flag);
        for v in values {
            self.command = self.command.arg(v);
        }
        self
    }

    /// Adds the tags of a new resource, in the form this service's CLI command takes them.
    pub fn tags(self, tags: &[(String, String)]) -> Self {
        if tags.is_empty() {
            return self;
        }
        match self.action.service {
            // `--tags key=a,value=b …`
            Service::Ecs => self.list(
                "--tags",
                tags.iter().map(|(k, v)| format!("key={k},value={v}")),
            ),
            // `--tags a=b,c=d`
            Service::Logs => {
                let map: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                self.opt("--tags", map.join(","))
            }
            // `--tag-specifications ResourceType=…,Tags=[{Key=a,Value=b},…]`: the only EC2
            // resource Berth creates is a security group.
            Service::Ec2 => {
                let list: Vec<String> = tags
                    .iter()
                    .map(|(k, v)| format!("{{Key={k},Value={v}}}"))
                    .collect();
                self.opt(
                    "--tag-specifications",
                    format!("ResourceType=security-group,Tags=[{}]", list.join(",")),
                )
            }
            // `--tags Key=a,Value=b …`
            _ => self.list(
                "--tags",
                tags.iter().map(|(k, v)| format!("Key={k},Value={v}")),
            ),
        }
    }

    /// Pipes the command's output into `next` (`aws ecr get-login-password | docker login …`).
    pub fn pipe(mut self, next: CliCommand) -> Self {
        self.command = self.command.pipe(next);
        self
    }

    pub fn command(&self) -> &CliCommand {
        &self.command
    }

    pub fn into_command(self) -> CliCommand {
        self.command
    }

    pub fn action(&self) -> &'static Action {
        self.action
    }

    /// Sends `request` (the SDK request this call stands for) and reads its output with `read`.
    /// The outcome — including a failure of `read`, such as RunTask's placement failures — is
    /// recorded in the activity log.
    pub async fn send<O, E, T>(
        self,
        request: impl Future<Output = std::result::Result<O, SdkError<E, HttpResponse>>>,
        read: impl FnOnce(O) -> Result<T>,
    ) -> Result<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let result = self.request(request, read).await;
        self.recorded(result)
    }

    /// Sends `request` without recording it yet: for a call whose command is completed from the
    /// answer (see [`Call::recorded`]).
    pub async fn request<O, E, T>(
        &self,
        request: impl Future<Output = std::result::Result<O, SdkError<E, HttpResponse>>>,
        read: impl FnOnce(O) -> Result<T>,
    ) -> Result<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match request.await {
            Ok(out) => read(out),
            Err(e) => Err(self
                .explained(errors::from_sdk(e, &self.action.iam_name()))
                .await),
        }
    }

    /// Records the outcome of a call sent with [`Call::request`], and passes it on.
    pub fn recorded<T>(self, result: Result<T>) -> Result<T> {
        self.record(result.as_ref().map(|_| ()));
        result
    }

    /// Sends the request `make` builds, again each time `retry` answers true for the error (it
    /// waits before answering, and answers false to give up); recorded once, with the final
    /// outcome. For what AWS refuses for a while and then allows (a security group still used by
    /// the network interfaces of stopped tasks, a role not yet visible to ECS).
    pub async fn send_retrying<O, E, T, R, W>(
        self,
        mut make: impl FnMut() -> R,
        read: impl Fn(O) -> Result<T>,
        mut retry: impl FnMut(&crate::BerthError) -> W,
    ) -> Result<T>
    where
        R: Future<Output = std::result::Result<O, SdkError<E, HttpResponse>>>,
        W: Future<Output = Result<bool>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        loop {
            match self.request(make(), &read).await {
                Err(err) => match retry(&err).await {
                    Ok(true) => continue,
                    Ok(false) => return self.recorded(Err(err)),
                    Err(stop) => return self.recorded(Err(stop)),
                },
                done => return self.recorded(done),
            }
        }
    }

    /// Like [`Call::send`], but a resource that is not there is an answer (`None`), not a failure.
    pub async fn send_found<O, E, T>(
        self,
        request: impl Future<Output = std::result::Result<O, SdkError<E, HttpResponse>>>,
        read: impl FnOnce(O) -> Result<T>,
    ) -> Result<Option<T>>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let result = match request.await {
            Ok(out) => read(out).map(Some),
            Err(e) => match self
                .explained(errors::from_sdk(e, &self.action.iam_name()))
                .await
            {
                err if err.kind == ErrorKind::NotFound => Ok(None),
                err => Err(err),
            },
        };
        self.recorded(result)
    }

    /// An opt-in region the account has not enabled answers every call as if the credentials
    /// were wrong ("The security token included in the request is invalid"). Which of the two it
    /// is, the same keys tell by asking STS who they are in a Region every account has: if STS
    /// knows them, the region is what refused (docs/aws-facts.md#regions).
    async fn explained(&self, err: crate::BerthError) -> crate::BerthError {
        let region = self.clients.region();
        if err.kind != ErrorKind::InvalidCredentials || !super::regions::is_opt_in(region) {
            return err;
        }
        let elsewhere = self
            .clients
            .in_region(super::regions::ENABLED_IN_EVERY_ACCOUNT);
        // Boxed: this call's own future would otherwise contain itself.
        match Box::pin(super::sts::caller_identity(&elsewhere)).await {
            Ok(_) => crate::BerthError {
                kind: ErrorKind::RegionNotEnabled,
                ..err
            }
            .with("region", region),
            Err(_) => err,
        }
    }

    /// Records the outcome: changes as entries of the activity log, reads only as a tally.
    fn record(&self, outcome: std::result::Result<(), &crate::BerthError>) {
        let log = self.clients.activity();
        let key = self.action.key();
        match self.action.effect {
            Effect::Change => {
                log.record(&key, &self.target, &self.command, outcome);
            }
            Effect::Read => log.tally_read(&key, &self.target, &self.command, outcome),
        }
    }
}
