//! The classic builder, for an engine without BuildKit: the context streamed as a tar from
//! [`super::context`] (its size shown while it is sent), the engine's output line by line, the
//! Dockerfile step it is on, and, on failure, the step that failed with its output.

use super::build::{BuildSpec, Builder, Built};
use super::context::BuildContext;
use super::platform::describe;
use crate::docker::Engine;
use crate::error::{BerthError, ErrorKind, Result};
use crate::progress::{Operation, Progress};
use bollard::query_parameters::BuildImageOptionsBuilder;
use futures_util::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the bytes sent of the context are reported.
const CONTEXT_TICK: Duration = Duration::from_millis(100);
/// Lines of the failing step kept for the error's details.
const FAILED_STEP_LINES: usize = 60;

/// Builds `context` with `spec`. Cancelling drops the request, which stops the engine's build.
pub async fn build(
    engine: &Engine,
    context: BuildContext,
    spec: &BuildSpec,
    op: &Operation,
) -> Result<Built> {
    let total = context.tar_size;
    let tar_bytes = total;
    let sent = Arc::new(AtomicU64::new(0));
    let mut options = BuildImageOptionsBuilder::default()
        .dockerfile(&context.dockerfile)
        .t(&spec.reference)
        .platform(spec.platform.as_str())
        .rm(true)
        .nocache(spec.no_cache);
    if !spec.build_args.is_empty() {
        let args: HashMap<String, String> = spec.build_args.clone().into_iter().collect();
        options = options.buildargs(&args);
    }
    if let Some(target) = spec.target.as_deref().filter(|t| !t.is_empty()) {
        options = options.target(target);
    }
    let body = bollard::body_try_stream(context.into_stream(sent.clone()));
    let mut stream = engine.docker.build_image(options.build(), None, Some(body));

    let mut output = StepOutput::default();
    let mut image_id: Option<String> = None;
    let mut ticker = tokio::time::interval(CONTEXT_TICK);
    let mut context_done = false;
    let mut reported = 0;
    loop {
        tokio::select! {
            _ = ticker.tick(), if !context_done => {
                let now = sent.load(Ordering::Relaxed);
                if now != reported {
                    reported = now;
                    op.emit(context_bytes(now, total));
                }
                context_done = now >= total;
            }
            item = stream.next() => {
                let Some(item) = item else { break };
                if !context_done {
                    // The engine answers only once it has the whole context.
                    context_done = true;
                    op.emit(context_bytes(sent.load(Ordering::Relaxed), total));
                }
                let info = item.map_err(|e| from_bollard(e, &output))?;
                if let Some(detail) = info.error_detail.and_then(|d| d.message) {
                    return Err(output.failure(&detail));
                }
                if let Some(aux) = info.aux.and_then(|a| a.id) {
                    image_id = Some(aux);
                }
                if let Some(text) = info.stream {
                    // The engine sends line breaks as messages of their own: no empty lines.
                    for line in text.lines().filter(|l| !l.trim().is_empty()) {
                        output.line(line, op);
                    }
                }
            }
        }
    }
    let id = match image_id {
        Some(id) => id,
        // Older engines only print "Successfully built <id>".
        None => output.built_id.clone().ok_or_else(|| {
            BerthError::new(ErrorKind::BuildFailed)
                .with("message", "the engine ended the build without an image")
                .details(output.tail())
        })?,
    };
    let inspect = engine
        .docker
        .inspect_image(&spec.reference)
        .await
        .map_err(|e| BerthError::new(ErrorKind::DockerRejected).details(e))?;
    Ok(Built {
        id: inspect.id.unwrap_or(id),
        platform: describe(
            inspect.os.as_deref().unwrap_or("linux"),
            inspect.architecture.as_deref().unwrap_or_default(),
            inspect.variant.as_deref(),
        ),
        size: inspect.size.unwrap_or_default().max(0) as u64,
        context_bytes: tar_bytes,
        builder: Builder::Classic,
    })
}

fn context_bytes(done: u64, total: u64) -> Progress {
    Progress::Bytes {
        item: "context".to_owned(),
        done,
        total: Some(total),
    }
}

/// The engine's output, followed step by step.
#[derive(Default)]
struct StepOutput {
    /// (number, count, instruction) of the current step.
    step: Option<(u32, u32, String)>,
    /// Output lines of the current step.
    lines: VecDeque<String>,
    built_id: Option<String>,
}

impl StepOutput {
    fn line(&mut self, line: &str, op: &Operation) {
        if let Some(step) = parse_step(line) {
            self.lines.clear();
            op.emit(Progress::BuildStep {
                number: step.0,
                count: step.1,
                instruction: step.2.clone(),
            });
            self.step = Some(step);
        } else {
            if let Some(id) = line.strip_prefix("Successfully built ") {
                self.built_id = Some(id.trim().to_owned());
            }
            self.lines.push_back(line.to_owned());
            if self.lines.len() > FAILED_STEP_LINES {
                self.lines.pop_front();
            }
        }
        op.emit(Progress::Log {
            line: line.to_owned(),
        });
    }

    fn tail(&self) -> String {
        self.lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// The build failed with `message` during the current step.
    fn failure(&self, message: &str) -> BerthError {
        let mut err = BerthError::new(ErrorKind::BuildFailed).with("message", message.trim());
        if let Some((number, count, instruction)) = &self.step {
            err = err
                .with("step", number.to_string())
                .with("steps", count.to_string())
                .with("instruction", instruction);
        }
        let tail = self.tail();
        if tail.trim().is_empty() {
            err.details(message.trim())
        } else {
            err.details(format!("{tail}\n{}", message.trim()))
        }
    }
}

/// `Step 2/5 : COPY . /app` → (2, 5, "COPY . /app").
pub fn parse_step(line: &str) -> Option<(u32, u32, String)> {
    let rest = line.strip_prefix("Step ")?;
    let (numbers, instruction) = rest.split_once(" : ")?;
    let (number, count) = numbers.split_once('/')?;
    Some((
        number.trim().parse().ok()?,
        count.trim().parse().ok()?,
        instruction.trim().to_owned(),
    ))
}

fn from_bollard(err: bollard::errors::Error, output: &StepOutput) -> BerthError {
    use bollard::errors::Error as E;
    match err {
        // A Dockerfile the engine cannot parse, a missing base image, a failing step...
        E::DockerStreamError { error } => output.failure(&error),
        E::DockerResponseServerError { message, .. } => output.failure(&message),
        other => BerthError::new(ErrorKind::DockerRejected).details(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_lines_are_recognised() {
        assert_eq!(
            parse_step("Step 2/5 : COPY . /app"),
            Some((2, 5, "COPY . /app".into()))
        );
        assert_eq!(parse_step(" ---> Running in 1234"), None);
        assert_eq!(parse_step("Step x/5 : RUN"), None);
    }
}
