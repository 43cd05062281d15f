//! BuildKit's status stream (`moby.buildkit.trace`: protobuf `StatusResponse`s) turned into the
//! build log as `docker build --progress=plain` writes it — `#3 [2/4] RUN npm ci`, its output
//! lines as `#3 …`, then `#3 CACHED`, `#3 DONE 1.2s` or `#3 ERROR: …` — plus a
//! [`Progress::BuildVertex`] per change of a step, and, on failure, the step that failed with
//! the output it printed.

use crate::error::{BerthError, ErrorKind};
use crate::progress::{BuildVertex, Operation, Progress, VertexState};
use bollard_buildkit_proto::google::protobuf::Timestamp;
use bollard_buildkit_proto::moby::buildkit::v1::StatusResponse;
use std::collections::{HashMap, VecDeque};

/// Output lines kept per step for the failure's details.
const KEPT_LINES: usize = 60;

/// What is known of one step.
#[derive(Debug, Clone)]
struct Vertex {
    info: BuildVertex,
    announced: bool,
    ended: bool,
    error: String,
    started: Option<Timestamp>,
    lines: VecDeque<String>,
    /// Output not yet ended by a newline, per stream (1 stdout, 2 stderr).
    partial: HashMap<i64, String>,
}

/// The steps of one build, in the order the engine reported them.
#[derive(Debug, Default)]
pub struct Tracker {
    by_digest: HashMap<String, usize>,
    vertexes: Vec<Vertex>,
    /// Messages of the build as a whole (statuses without a step, warnings).
    warnings: Vec<String>,
}

impl Tracker {
    /// Applies one status message, emitting log lines and step events.
    pub fn apply(&mut self, status: StatusResponse, op: &Operation) {
        for v in status.vertexes {
            let index = match self.by_digest.get(&v.digest) {
                Some(i) => *i,
                None => {
                    let number = self.vertexes.len() as u32 + 1;
                    self.by_digest.insert(v.digest.clone(), self.vertexes.len());
                    self.vertexes.push(Vertex {
                        info: describe(number, &v.name),
                        announced: false,
                        ended: false,
                        error: String::new(),
                        started: None,
                        lines: VecDeque::new(),
                        partial: HashMap::new(),
                    });
                    self.vertexes.len() - 1
                }
            };
            let vertex = &mut self.vertexes[index];
            let number = vertex.info.number;
            if (v.started.is_some() || v.cached) && !vertex.announced {
                vertex.announced = true;
                vertex.started = v.started;
                op.emit(Progress::Log {
                    line: format!("#{number} {}", vertex.info.name),
                });
                if !v.cached && v.completed.is_none() {
                    vertex.info.state = VertexState::Running;
                    op.emit(Progress::BuildVertex {
                        vertex: vertex.info.clone(),
                    });
                }
            }
            if vertex.ended {
                continue;
            }
            if v.cached {
                vertex.ended = true;
                vertex.info.state = VertexState::Cached;
                op.emit(Progress::Log {
                    line: format!("#{number} CACHED"),
                });
                op.emit(Progress::BuildVertex {
                    vertex: vertex.info.clone(),
                });
            } else if let Some(completed) = &v.completed {
                vertex.ended = true;
                flush_partial(vertex, op);
                vertex.info.millis = v
                    .started
                    .as_ref()
                    .or(vertex.started.as_ref())
                    .map(|s| millis_between(s, completed));
                if v.error.is_empty() {
                    vertex.info.state = VertexState::Done;
                    let secs = vertex.info.millis.unwrap_or(0) as f64 / 1000.0;
                    op.emit(Progress::Log {
                        line: format!("#{number} DONE {secs:.1}s"),
                    });
                } else {
                    vertex.info.state = VertexState::Failed;
                    vertex.error = v.error.clone();
                    op.emit(Progress::Log {
                        line: format!("#{number} ERROR: {}", v.error),
                    });
                }
                op.emit(Progress::BuildVertex {
                    vertex: vertex.info.clone(),
                });
            }
        }
        for s in status.statuses {
            // Transfers and pulls (`transferring context: 2.1MB`): shown once they complete.
            let Some(index) = self.by_digest.get(&s.vertex).copied() else {
                continue;
            };
            if s.completed.is_some() && !s.id.is_empty() {
                let number = self.vertexes[index].info.number;
                let amount = if s.total > 0 {
                    format!(" {}", human_bytes(s.total))
                } else if s.current > 0 {
                    format!(" {}", human_bytes(s.current))
                } else {
                    String::new()
                };
                op.emit(Progress::Log {
                    line: format!("#{number} {}{amount} done", s.id),
                });
            }
        }
        for log in status.logs {
            let Some(index) = self.by_digest.get(&log.vertex).copied() else {
                continue;
            };
            let vertex = &mut self.vertexes[index];
            let text = String::from_utf8_lossy(&log.msg);
            let pending = vertex.partial.entry(log.stream).or_default();
            pending.push_str(&text);
            let mut complete = Vec::new();
            while let Some(pos) = pending.find('\n') {
                let line: String = pending.drain(..=pos).collect();
                complete.push(line.trim_end_matches(['\n', '\r']).to_owned());
            }
            for line in complete {
                push_line(vertex, line, op);
            }
        }
        for warning in status.warnings {
            let short = String::from_utf8_lossy(&warning.short).into_owned();
            let number = self
                .by_digest
                .get(&warning.vertex)
                .map(|i| format!("#{} ", self.vertexes[*i].info.number))
                .unwrap_or_default();
            op.emit(Progress::Log {
                line: format!("{number}WARN: {short}"),
            });
            self.warnings.push(short);
        }
    }

    /// The step that failed, if one did.
    fn failed(&self) -> Option<&Vertex> {
        self.vertexes
            .iter()
            .rev()
            .find(|v| v.info.state == VertexState::Failed)
    }

    /// The name of the step that failed, if one did.
    pub fn failed_name(&self) -> Option<&str> {
        self.failed().map(|v| v.info.name.as_str())
    }

    /// The error for a build that ended with `message`: the failing step with its number, its
    /// instruction and the output it printed, when the engine reported one.
    pub fn failure(&self, message: &str) -> BerthError {
        let message = message.trim();
        let Some(vertex) = self.failed() else {
            return BerthError::new(ErrorKind::BuildFailed)
                .with("message", message)
                .details(message);
        };
        let reason = if vertex.error.trim().is_empty() {
            message
        } else {
            vertex.error.trim()
        };
        let mut err = BerthError::new(ErrorKind::BuildFailed)
            .with("message", reason)
            .with("instruction", &vertex.info.instruction)
            .with("vertex", vertex.info.number.to_string());
        if let (Some(step), Some(steps)) = (vertex.info.step, vertex.info.steps) {
            err = err
                .with("step", step.to_string())
                .with("steps", steps.to_string());
        }
        if let Some(stage) = &vertex.info.stage {
            err = err.with("stage", stage);
        }
        let mut details: Vec<String> = vertex.lines.iter().cloned().collect();
        details.extend(vertex.partial.values().filter(|p| !p.is_empty()).cloned());
        details.push(message.to_owned());
        err.details(details.join("\n"))
    }

    /// How many steps were taken from the cache, and how many in all (internal ones left out).
    pub fn cache_counts(&self) -> (usize, usize) {
        let steps = self.vertexes.iter().filter(|v| !v.info.internal);
        let (cached, all) = steps.fold((0, 0), |(c, a), v| {
            (c + usize::from(v.info.state == VertexState::Cached), a + 1)
        });
        (cached, all)
    }
}

fn push_line(vertex: &mut Vertex, line: String, op: &Operation) {
    op.emit(Progress::Log {
        line: format!("#{} {line}", vertex.info.number),
    });
    vertex.lines.push_back(line);
    if vertex.lines.len() > KEPT_LINES {
        vertex.lines.pop_front();
    }
}

fn flush_partial(vertex: &mut Vertex, op: &Operation) {
    let mut streams: Vec<i64> = vertex.partial.keys().copied().collect();
    streams.sort_unstable();
    for stream in streams {
        let rest = vertex.partial.remove(&stream).unwrap_or_default();
        if !rest.trim().is_empty() {
            push_line(vertex, rest.trim_end().to_owned(), op);
        }
    }
}

fn millis_between(start: &Timestamp, end: &Timestamp) -> u64 {
    let ms = |t: &Timestamp| t.seconds as i128 * 1000 + t.nanos as i128 / 1_000_000;
    (ms(end) - ms(start)).max(0) as u64
}

fn human_bytes(n: i64) -> String {
    let n = n.max(0) as f64;
    if n >= 1e9 {
        format!("{:.2}GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.2}MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.2}kB", n / 1e3)
    } else {
        format!("{n}B")
    }
}

/// Reads a BuildKit step name: `[build 2/5] RUN cargo build`, `[2/3] COPY . .`,
/// `[internal] load .dockerignore`, `[linux/amd64 build 1/3] FROM …`.
pub fn describe(number: u32, name: &str) -> BuildVertex {
    let mut info = BuildVertex {
        number,
        name: name.to_owned(),
        instruction: name.to_owned(),
        stage: None,
        step: None,
        steps: None,
        internal: false,
        state: VertexState::Running,
        millis: None,
    };
    let Some(rest) = name.strip_prefix('[') else {
        return info;
    };
    let Some((inside, instruction)) = rest.split_once(']') else {
        return info;
    };
    info.instruction = instruction.trim().to_owned();
    if inside == "internal" {
        info.internal = true;
        return info;
    }
    let mut words: Vec<&str> = inside.split_whitespace().collect();
    if let Some((step, steps)) = words.last().and_then(|w| w.split_once('/')) {
        if let (Ok(step), Ok(steps)) = (step.parse(), steps.parse()) {
            info.step = Some(step);
            info.steps = Some(steps);
            words.pop();
        }
    }
    // A platform comes first in multi-platform builds: `linux/amd64`.
    if words.first().is_some_and(|w| w.contains('/')) {
        words.remove(0);
    }
    if let Some(stage) = words.first() {
        info.stage = Some((*stage).to_owned());
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard_buildkit_proto::moby::buildkit::v1::{Vertex as PbVertex, VertexLog};
    use std::sync::{Arc, Mutex};
    use tokio_util::sync::CancellationToken;

    fn collect() -> (Operation, Arc<Mutex<Vec<Progress>>>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let op = Operation::new(
            Arc::new(move |e| sink.lock().unwrap().push(e)),
            CancellationToken::new(),
        );
        (op, events)
    }

    fn ts(seconds: i64, nanos: i32) -> Option<Timestamp> {
        Some(Timestamp { seconds, nanos })
    }

    fn vertex(digest: &str, name: &str) -> PbVertex {
        PbVertex {
            digest: digest.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    fn lines(events: &[Progress]) -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                Progress::Log { line } => Some(line.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn step_names_are_read() {
        let v = describe(4, "[build 2/5] RUN cargo build --release");
        assert_eq!(v.stage.as_deref(), Some("build"));
        assert_eq!((v.step, v.steps), (Some(2), Some(5)));
        assert_eq!(v.instruction, "RUN cargo build --release");
        let v = describe(2, "[2/3] COPY . /app/");
        assert_eq!((v.stage, v.step, v.steps), (None, Some(2), Some(3)));
        let v = describe(1, "[internal] load build definition from Dockerfile");
        assert!(v.internal);
        let v = describe(5, "[linux/arm64 final 1/3] FROM docker.io/library/alpine");
        assert_eq!(v.stage.as_deref(), Some("final"));
        assert_eq!(
            describe(6, "exporting to image").instruction,
            "exporting to image"
        );
    }

    #[test]
    fn the_log_reads_like_plain_progress_and_a_failure_names_its_step() {
        let (op, events) = collect();
        let mut tracker = Tracker::default();
        let mut cached = vertex("a", "[1/3] FROM docker.io/library/busybox");
        cached.cached = true;
        cached.started = ts(10, 0);
        cached.completed = ts(10, 0);
        let mut run = vertex("b", "[2/3] RUN npm ci");
        run.started = ts(10, 0);
        tracker.apply(
            StatusResponse {
                vertexes: vec![cached, run.clone()],
                ..Default::default()
            },
            &op,
        );
        tracker.apply(
            StatusResponse {
                logs: vec![
                    VertexLog {
                        vertex: "b".into(),
                        stream: 1,
                        msg: b"added 3 packages\nnpm ERR! miss".to_vec(),
                        ..Default::default()
                    },
                    VertexLog {
                        vertex: "b".into(),
                        stream: 1,
                        msg: b"ing script: build\n".to_vec(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
            &op,
        );
        run.completed = ts(11, 500_000_000);
        run.error =
            "process \"/bin/sh -c npm ci\" did not complete successfully: exit code: 3".into();
        tracker.apply(
            StatusResponse {
                vertexes: vec![run],
                ..Default::default()
            },
            &op,
        );
        let events = events.lock().unwrap().clone();
        assert_eq!(
            lines(&events),
            [
                "#1 [1/3] FROM docker.io/library/busybox",
                "#1 CACHED",
                "#2 [2/3] RUN npm ci",
                "#2 added 3 packages",
                "#2 npm ERR! missing script: build",
                "#2 ERROR: process \"/bin/sh -c npm ci\" did not complete successfully: exit code: 3",
            ]
        );
        let states: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Progress::BuildVertex { vertex } => Some((vertex.number, vertex.state)),
                _ => None,
            })
            .collect();
        assert_eq!(
            states,
            [
                (1, VertexState::Cached),
                (2, VertexState::Running),
                (2, VertexState::Failed)
            ]
        );
        let err = tracker.failure("executor failed");
        assert_eq!(err.kind, ErrorKind::BuildFailed);
        assert_eq!(err.param("step"), Some("2"));
        assert_eq!(err.param("steps"), Some("3"));
        assert_eq!(err.param("instruction"), Some("RUN npm ci"));
        assert!(err.param("message").unwrap().contains("exit code: 3"));
        assert!(err
            .details
            .unwrap()
            .contains("npm ERR! missing script: build"));
        assert_eq!(tracker.cache_counts(), (1, 2));
    }
}
