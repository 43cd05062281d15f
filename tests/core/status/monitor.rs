//! The refresh loop that keeps the tray and the notifications current, run against moto: it
//! delivers snapshots, tells each event once, pauses while nothing shows its results, and backs
//! off when AWS cannot be reached.

use crate::support::status as status_support;

use berth_core::aws::AwsClients;
use berth_core::dashboard::deployments::{take_snapshot, FollowedTask, StatusCache, StatusEvent};
use berth_core::dashboard::monitor::{
    Monitor, MonitorControls, MonitorSink, MonitorState, SnapshotFuture, SnapshotSource,
};
use berth_core::ErrorKind;
use status_support::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

struct Moto {
    clients: AwsClients,
    cache: StatusCache,
}

impl SnapshotSource for Moto {
    fn snapshot<'a>(&'a self, followed: &'a [FollowedTask]) -> SnapshotFuture<'a> {
        Box::pin(take_snapshot(&self.clients, &self.cache, followed))
    }
}

enum Seen {
    State(Box<MonitorState>),
    Events(Vec<StatusEvent>),
}

struct Channel(UnboundedSender<Seen>);

impl MonitorSink for Channel {
    fn state(&self, state: &MonitorState) {
        let _ = self.0.send(Seen::State(Box::new(state.clone())));
    }
    fn events(&self, events: &[StatusEvent]) {
        let _ = self.0.send(Seen::Events(events.to_vec()));
    }
}

/// Waits for the next state that `pick` accepts; events seen meanwhile are collected.
async fn next_state(
    rx: &mut UnboundedReceiver<Seen>,
    events: &mut Vec<StatusEvent>,
    mut pick: impl FnMut(&MonitorState) -> bool,
) -> MonitorState {
    let wait = async {
        loop {
            match rx.recv().await.expect("the loop is running") {
                Seen::State(state) if pick(&state) => return *state,
                Seen::State(_) => {}
                Seen::Events(e) => events.extend(e),
            }
        }
    };
    // Generous: a bound for a hang, not a timing assertion.
    tokio::time::timeout(Duration::from_secs(60), wait)
        .await
        .expect("the monitor never reached the awaited state")
}

fn start(clients: AwsClients, controls: MonitorControls) -> (Monitor, UnboundedReceiver<Seen>) {
    let (tx, rx) = unbounded_channel();
    let source = Arc::new(Moto {
        clients,
        cache: StatusCache::default(),
    });
    let (monitor, run) = Monitor::new(controls, source, Arc::new(Channel(tx)));
    tokio::spawn(run);
    (monitor, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_waits_while_nothing_shows_it_then_tells_a_stop_exactly_once() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "web").await;
    let definition = register_definition(&clients, "api", "/berth/api").await;
    let tasks = run_tasks(&clients, &cluster, &definition, None, 2, &net).await;
    snapshot_when(&clients, "both tasks running", |s| s.running_tasks == 2).await;

    // Window hidden and tray off: the loop is paused and refreshes only on request.
    let (monitor, mut rx) = start(
        clients.clone(),
        MonitorControls {
            interval: Duration::from_millis(100),
            view_visible: false,
            tray: false,
        },
    );
    let mut events = Vec::new();
    assert!(monitor.state().paused);
    monitor.refresh_now();
    let first = next_state(&mut rx, &mut events, |s| {
        s.snapshot.is_some() && !s.refreshing
    })
    .await;
    assert_eq!(first.snapshot.as_ref().unwrap().running_tasks, 2);
    assert!(first.paused, "a refresh on request does not end the pause");
    let taken = first.snapshot.unwrap().taken_at;
    assert_eq!(
        monitor.state().snapshot.unwrap().taken_at,
        taken,
        "no refresh while paused"
    );

    // The tray keeps it going: one task stops elsewhere and is told once over many refreshes.
    monitor.set_controls(|c| c.tray = true);
    stop_elsewhere(
        &clients,
        &cluster,
        &tasks[0],
        "OutOfMemoryError: Container killed",
    )
    .await;
    // The task takes a while to stop; then five more refreshes see it stopped.
    let stopped_id = tasks[0].rsplit('/').next().unwrap().to_owned();
    let mut refreshes = 0;
    next_state(&mut rx, &mut events, |s| {
        if s.snapshot.as_ref().is_some_and(|snap| {
            snap.taken_at > taken && snap.recently_stopped.iter().any(|t| t.id == stopped_id)
        }) && !s.refreshing
        {
            refreshes += 1;
        }
        refreshes >= 5
    })
    .await;
    monitor.stop();
    let stops: Vec<&StatusEvent> = events
        .iter()
        .filter(|e| matches!(e, StatusEvent::TaskStopped { .. }))
        .collect();
    assert_eq!(stops.len(), 1, "{events:?}");
    assert!(
        matches!(stops[0], StatusEvent::TaskStopped { reason, .. } if reason == "OutOfMemoryError: Container killed")
    );
    assert_eq!(monitor.state().snapshot.unwrap().running_tasks, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_reported_and_retried_later_and_later() {
    let (monitor, mut rx) = start(
        crate::support::unreachable().await,
        MonitorControls {
            interval: Duration::from_millis(20),
            view_visible: true,
            tray: false,
        },
    );
    let mut events = Vec::new();
    let first = next_state(&mut rx, &mut events, |s| s.failures == 1 && !s.refreshing).await;
    assert_eq!(
        first.error.as_ref().unwrap().kind,
        ErrorKind::AwsEndpointUnreachable
    );
    assert!(first.snapshot.is_none());
    let second = next_state(&mut rx, &mut events, |s| s.failures == 2 && !s.refreshing).await;
    let third = next_state(&mut rx, &mut events, |s| s.failures == 3 && !s.refreshing).await;
    monitor.stop();
    // Each failure doubles the wait before the next try: 40 ms, 80, 160 …
    assert_eq!(first.backoff_ms, 40);
    assert_eq!(second.backoff_ms, 80);
    assert_eq!(third.backoff_ms, 160);
    assert!(events.is_empty());
}
