//! Progress of a build, a push or a local run, as the events of its [`Job`](crate::jobs::Job).

use crate::error::{BerthError, Result};
use crate::jobs::Job;
use serde::Serialize;
use std::future::Future;
use ts_rs::TS;

/// One event of a long operation. Tagged by `event` so the UI can `switch` on it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Progress {
    /// The operation began.
    Started { operation: String },
    /// A line of output (build log, engine message).
    Log { line: String },
    /// Bytes done of one item (a layer, the build context). `total` is unknown for some streams.
    Bytes {
        item: String,
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number | null")]
        total: Option<u64>,
    },
    /// The engine is retrying an item after a transient failure.
    Retrying { item: String, message: String },
    /// A named step of the operation completed.
    StepDone { step: String },
    /// A build reached an instruction of its Dockerfile (`Step 2/5 : COPY . /app`).
    BuildStep {
        number: u32,
        count: u32,
        instruction: String,
    },
    /// Layers of a push whose state changed since the previous event (sent at most ten times a
    /// second, so a fast push does not flood the window).
    Layers { layers: Vec<LayerProgress> },
    /// The operation completed.
    Finished,
    /// The operation ended with an error (including cancellation).
    Failed { error: BerthError },
}

/// Where one layer of a push stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LayerProgress {
    /// The short id the engine gives the layer (12 hex digits).
    pub id: String,
    pub state: LayerState,
    /// Bytes uploaded so far.
    #[ts(type = "number")]
    pub done: u64,
    /// The layer's size, once the engine starts uploading it.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LayerState {
    Preparing,
    Waiting,
    Pushing,
    Pushed,
    /// The registry had it already; nothing was uploaded.
    Exists,
    /// The upload failed and the engine tries again after a pause.
    Retrying,
}

/// A build, push or local run: a [`Job`] that speaks [`Progress`].
pub type Operation = Job<Progress>;

impl Job<Progress> {
    /// Runs `work` as the operation `name`: emits `Started`, then `Finished` or `Failed`. If the
    /// operation is cancelled first, `work` is dropped (which stops it at its next await point)
    /// and the result is the `Cancelled` kind.
    pub async fn run<T>(&self, name: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
        self.emit(Progress::Started {
            operation: name.to_owned(),
        });
        let result = self.guard(work).await;
        match &result {
            Ok(_) => self.emit(Progress::Finished),
            Err(error) => self.emit(Progress::Failed {
                error: error.clone(),
            }),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    fn collecting() -> (Operation, Arc<Mutex<Vec<Progress>>>, CancellationToken) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let cancel = CancellationToken::new();
        let op = Operation::new(
            Arc::new(move |e| sink.lock().unwrap().push(e)),
            cancel.clone(),
        );
        (op, events, cancel)
    }

    #[tokio::test]
    async fn successful_work_is_framed_by_started_and_finished() {
        let (op, events, _) = collecting();
        let inner = op.clone();
        let value = op
            .run("push", async move {
                inner.emit(Progress::StepDone {
                    step: "login".into(),
                });
                Ok(7)
            })
            .await
            .unwrap();
        assert_eq!(value, 7);
        assert_eq!(
            *events.lock().unwrap(),
            vec![
                Progress::Started {
                    operation: "push".into()
                },
                Progress::StepDone {
                    step: "login".into()
                },
                Progress::Finished
            ]
        );
    }

    #[tokio::test]
    async fn cancelling_stops_pending_work_with_the_cancelled_kind() {
        let (op, events, cancel) = collecting();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            cancel.cancel();
        });
        let result: Result<()> = op
            .run("build", async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(())
            })
            .await;
        canceller.await.unwrap();
        assert_eq!(result.unwrap_err().kind, ErrorKind::Cancelled);
        let events = events.lock().unwrap();
        assert!(matches!(
            events.last(),
            Some(Progress::Failed { error }) if error.kind == ErrorKind::Cancelled
        ));
    }

    #[test]
    fn events_are_tagged_for_the_ui() {
        let json = serde_json::to_value(Progress::Bytes {
            item: "layer 3f2a".into(),
            done: 10,
            total: Some(20),
        })
        .unwrap();
        assert_eq!(json["event"], "bytes");
        assert_eq!(json["done"], 10);
        assert_eq!(
            serde_json::to_value(Progress::StepDone { step: "x".into() }).unwrap()["event"],
            "stepDone"
        );
    }
}
