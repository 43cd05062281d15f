//! The refresh loop behind the Deployments view, the tray and the notifications. It runs without
//! a window: every `interval` it takes a snapshot, finds the events worth telling, and hands both
//! to a [`MonitorSink`]. It waits longer after failures (more after throttling), pauses while
//! nothing would show the result (window hidden and tray off), and refreshes at once on request.

use crate::dashboard::deployments::{
    now_millis, DeploymentsSnapshot, FollowedTask, StatusEvent, StatusWatch,
};
use crate::error::BerthError;
use crate::error::ErrorKind;
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;
use ts_rs::TS;

/// The shortest and longest refresh interval a user can choose.
pub const MIN_INTERVAL_SECS: u32 = 5;
pub const MAX_INTERVAL_SECS: u32 = 3600;
pub const DEFAULT_INTERVAL_SECS: u32 = 30;

pub type SnapshotFuture<'a> =
    Pin<Box<dyn Future<Output = crate::Result<DeploymentsSnapshot>> + Send + 'a>>;

/// Takes one snapshot (the app builds AWS clients from the current settings each time, so a
/// change of account or region is picked up by the next refresh).
pub trait SnapshotSource: Send + Sync + 'static {
    fn snapshot<'a>(&'a self, followed: &'a [FollowedTask]) -> SnapshotFuture<'a>;
}

/// Where the loop's results go: the window, the tray, the notifications.
pub trait MonitorSink: Send + Sync + 'static {
    /// The monitor's state changed (a refresh started, finished or failed).
    fn state(&self, state: &MonitorState);
    /// New events, each exactly once.
    fn events(&self, events: &[StatusEvent]);
}

/// What the Deployments view shows about the loop itself.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MonitorState {
    /// The last successful snapshot (kept while later refreshes fail).
    pub snapshot: Option<DeploymentsSnapshot>,
    pub refreshing: bool,
    /// Why the last refresh failed, if it did.
    pub error: Option<BerthError>,
    pub failures: u32,
    /// How long the loop waits after the failures so far (0 while healthy).
    #[ts(type = "number")]
    pub backoff_ms: u64,
    /// When the next refresh is due (ms since the epoch), unless paused.
    #[ts(type = "number | null")]
    pub next_refresh_at: Option<u64>,
    /// Nothing shows the results (window hidden, tray off): no refresh until something does.
    pub paused: bool,
    pub interval_secs: u32,
}

/// What the loop is told by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitorControls {
    pub interval: Duration,
    /// The Deployments view is on screen.
    pub view_visible: bool,
    /// The tray icon is on (the app keeps watching with the window closed).
    pub tray: bool,
}

impl MonitorControls {
    fn active(&self) -> bool {
        self.view_visible || self.tray
    }
}

struct Shared {
    controls: MonitorControls,
    refresh_requested: bool,
    stopped: bool,
    state: MonitorState,
}

/// The app's handle on the loop. Cheap to clone.
#[derive(Clone)]
pub struct Monitor {
    shared: Arc<Mutex<Shared>>,
    wake: Arc<Notify>,
}

impl Monitor {
    /// A monitor and the loop to spawn on the async runtime. The loop ends after [`Monitor::stop`].
    pub fn new(
        controls: MonitorControls,
        source: Arc<dyn SnapshotSource>,
        sink: Arc<dyn MonitorSink>,
    ) -> (Monitor, impl Future<Output = ()> + Send + 'static) {
        let monitor = Monitor {
            shared: Arc::new(Mutex::new(Shared {
                controls,
                refresh_requested: false,
                stopped: false,
                state: MonitorState {
                    snapshot: None,
                    refreshing: false,
                    error: None,
                    failures: 0,
                    backoff_ms: 0,
                    next_refresh_at: None,
                    paused: !controls.active(),
                    interval_secs: controls.interval.as_secs() as u32,
                },
            })),
            wake: Arc::new(Notify::new()),
        };
        let looped = monitor.clone();
        (monitor, async move { looped.run(source, sink).await })
    }

    /// Refreshes now, even while paused.
    pub fn refresh_now(&self) {
        self.lock().refresh_requested = true;
        self.wake.notify_one();
    }

    pub fn set_controls(&self, change: impl FnOnce(&mut MonitorControls)) {
        change(&mut self.lock().controls);
        self.wake.notify_one();
    }

    pub fn controls(&self) -> MonitorControls {
        self.lock().controls
    }

    pub fn state(&self) -> MonitorState {
        self.lock().state.clone()
    }

    pub fn stop(&self) {
        self.lock().stopped = true;
        self.wake.notify_one();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, sink: &dyn MonitorSink, change: impl FnOnce(&mut MonitorState)) {
        let state = {
            let mut shared = self.lock();
            change(&mut shared.state);
            shared.state.clone()
        };
        sink.state(&state);
    }

    async fn run(self, source: Arc<dyn SnapshotSource>, sink: Arc<dyn MonitorSink>) {
        let mut watch = StatusWatch::default();
        let mut failures = 0u32;
        let mut last_error: Option<BerthError> = None;
        // The first refresh is due at once.
        let mut due = Instant::now();
        loop {
            let (controls, requested, stopped) = {
                let shared = self.lock();
                (shared.controls, shared.refresh_requested, shared.stopped)
            };
            if stopped {
                return;
            }
            let paused = !controls.active();
            let next_at = (!paused).then(|| {
                now_millis() + due.saturating_duration_since(Instant::now()).as_millis() as u64
            });
            {
                let state = self.state();
                if state.paused != paused
                    || state.next_refresh_at != next_at
                    || state.interval_secs != controls.interval.as_secs() as u32
                {
                    self.publish(sink.as_ref(), |s| {
                        s.paused = paused;
                        s.next_refresh_at = next_at;
                        s.interval_secs = controls.interval.as_secs() as u32;
                    });
                }
            }
            if !requested && (paused || Instant::now() < due) {
                if paused {
                    self.wake.notified().await;
                } else {
                    tokio::select! {
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep_until(due) => {}
                    }
                }
                // A shorter interval chosen meanwhile brings the next refresh closer.
                let controls = self.controls();
                let latest =
                    Instant::now() + retry_delay(controls.interval, failures, last_error.as_ref());
                if due > latest {
                    due = latest;
                }
                continue;
            }

            self.lock().refresh_requested = false;
            self.publish(sink.as_ref(), |s| s.refreshing = true);
            let followed = watch.followed();
            match source.snapshot(&followed).await {
                Ok(snapshot) => {
                    failures = 0;
                    last_error = None;
                    let events = watch.observe(snapshot);
                    let snapshot = watch.latest().cloned();
                    due = Instant::now() + controls.interval;
                    self.publish(sink.as_ref(), |s| {
                        s.snapshot = snapshot;
                        s.refreshing = false;
                        s.error = None;
                        s.failures = 0;
                        s.backoff_ms = 0;
                    });
                    if !events.is_empty() {
                        sink.events(&events);
                    }
                }
                Err(error) => {
                    failures += 1;
                    let delay = retry_delay(controls.interval, failures, Some(&error));
                    due = Instant::now() + delay;
                    last_error = Some(error.clone());
                    self.publish(sink.as_ref(), |s| {
                        s.refreshing = false;
                        s.error = Some(error);
                        s.failures = failures;
                        s.backoff_ms = delay.as_millis() as u64;
                    });
                }
            }
        }
    }
}

/// How long to wait before the next refresh after `failures` failed ones in a row: the interval
/// doubles with each failure (four times as fast when AWS asked to slow down), up to 10 minutes.
pub fn retry_delay(interval: Duration, failures: u32, last_error: Option<&BerthError>) -> Duration {
    const MAX: Duration = Duration::from_secs(600);
    if failures == 0 {
        return interval;
    }
    let throttled = last_error.is_some_and(|e| e.kind == ErrorKind::Throttled);
    let exponent = failures.min(10) + if throttled { 2 } else { 0 };
    interval
        .saturating_mul(1u32 << exponent.min(16))
        .min(MAX)
        .max(interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_double_the_wait_throttling_more_and_never_past_ten_minutes() {
        let base = Duration::from_secs(15);
        assert_eq!(retry_delay(base, 0, None), base);
        let err = BerthError::new(ErrorKind::AwsEndpointUnreachable);
        assert_eq!(retry_delay(base, 1, Some(&err)), Duration::from_secs(30));
        assert_eq!(retry_delay(base, 2, Some(&err)), Duration::from_secs(60));
        let throttled = BerthError::new(ErrorKind::Throttled);
        assert_eq!(
            retry_delay(base, 1, Some(&throttled)),
            Duration::from_secs(120)
        );
        assert_eq!(retry_delay(base, 30, Some(&err)), Duration::from_secs(600));
        // An interval longer than the cap is never shortened by a failure.
        let slow = Duration::from_secs(900);
        assert_eq!(retry_delay(slow, 3, Some(&err)), slow);
    }
}
