//! One model for all long work — a build, a push, a local run, a launch, a teardown, the
//! Deployments watch and the activity feed. Work gets a [`Job`] handle: it emits events and can
//! be cancelled from elsewhere. The [`Jobs`] registry gives each job an id, keeps a buffer of its
//! events, and lets any number of watchers attach and detach: a page that is left and re-entered,
//! or a window that reloads, picks the running job up where it is. Leaving a page only detaches;
//! only [`Jobs::cancel`] stops work.

use crate::error::{BerthError, ErrorKind, Result};
use serde::Serialize;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// Where a job's events go.
pub type Sink<E> = Arc<dyn Fn(E) + Send + Sync>;

/// What running work holds: it emits events and can be cancelled from elsewhere.
pub struct Job<E> {
    sink: Sink<E>,
    cancel: CancellationToken,
}

impl<E> std::fmt::Debug for Job<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl<E> Clone for Job<E> {
    fn clone(&self) -> Self {
        Job {
            sink: self.sink.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

impl<E: 'static> Job<E> {
    pub fn new(sink: Sink<E>, cancel: CancellationToken) -> Self {
        Job { sink, cancel }
    }

    pub fn emit(&self, event: E) {
        (self.sink)(event);
    }

    /// The same job, taking events of another type (a part of the work that speaks its own
    /// events, such as a push inside a launch).
    pub fn map<F: 'static>(&self, into: impl Fn(F) -> E + Send + Sync + 'static) -> Job<F> {
        let sink = self.sink.clone();
        Job {
            sink: Arc::new(move |event| sink(into(event))),
            cancel: self.cancel.clone(),
        }
    }

    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Runs `work` unless cancelled first; a cancelled job drops `work` at its next await point
    /// (so an AWS call in flight may still complete on AWS's side: the ensure-steps tolerate it).
    pub async fn guard<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(BerthError::new(ErrorKind::Cancelled)),
            result = work => result,
        }
    }

    /// Waits `period`, or less if cancelled.
    pub async fn sleep(&self, period: Duration) -> Result<()> {
        self.guard(async {
            tokio::time::sleep(period).await;
            Ok(())
        })
        .await
    }

    /// Asks `done` again every `every` until it answers true (then `Ok(true)`), or until
    /// `give_up_after` has passed since the first look (then `Ok(false)`: the caller says what
    /// took too long). An error of `done`, or cancelling the job, ends the wait with that error.
    pub async fn poll_until<F, Fut>(
        &self,
        every: Duration,
        give_up_after: Duration,
        mut done: F,
    ) -> Result<bool>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<bool>>,
    {
        let started = std::time::Instant::now();
        loop {
            if self.guard(done()).await? {
                return Ok(true);
            }
            if started.elapsed() >= give_up_after {
                return Ok(false);
            }
            self.sleep(every).await?;
        }
    }
}

/// A job's id, unique while the app runs (`build-3`).
pub type JobId = String;

/// How much of a job's past a watcher that attaches late is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Every event, up to this many (the oldest are dropped first).
    All(usize),
    /// Only the newest event (a state that replaces the one before, such as the Deployments
    /// snapshot).
    Latest,
    /// Nothing: the watcher reads the past elsewhere (the activity log).
    Nothing,
}

/// What a watcher sees of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub id: JobId,
    /// What kind of work: `build`, `push`, `localRun`, `launch`, `teardown`, `deployments`,
    /// `activity`.
    pub kind: String,
    /// What it works on (an app, an image); a new job of the same kind and key replaces it.
    pub key: String,
    pub running: bool,
}

/// Receives a job's events; answers false once it is gone (a closed window), to be dropped.
pub type Watcher<E> = Arc<dyn Fn(&E) -> bool + Send + Sync>;

struct Entry<E> {
    summary: JobSummary,
    replay: Replay,
    events: VecDeque<E>,
    cancel: CancellationToken,
    /// Cancelled once the job has finished: what [`Jobs::ended`] waits for.
    ended: CancellationToken,
    /// Watchers by the name they attached under (a page): attaching again replaces.
    watchers: Vec<(String, Watcher<E>)>,
}

/// The jobs of the app. Cheap to clone; clones share the same jobs.
pub struct Jobs<E> {
    entries: Arc<Mutex<Vec<Entry<E>>>>,
    next: Arc<AtomicU64>,
}

impl<E> Clone for Jobs<E> {
    fn clone(&self) -> Self {
        Jobs {
            entries: self.entries.clone(),
            next: self.next.clone(),
        }
    }
}

impl<E> Default for Jobs<E> {
    fn default() -> Self {
        Jobs {
            entries: Arc::new(Mutex::new(Vec::new())),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

/// Finished jobs kept for a watcher that comes back: enough for every kind to have its last.
const FINISHED_KEPT: usize = 16;

impl<E: Clone + Send + 'static> Jobs<E> {
    /// Starts a job of `kind` on `key`. A finished job of the same kind and key is forgotten; a
    /// running one is refused with `busy` (the UI offers to watch it instead).
    pub fn start(&self, kind: &str, key: &str, replay: Replay) -> Result<(JobId, Job<E>)> {
        self.start_unless(kind, key, replay, &[])
    }

    /// Starts a job of `kind` on `key` unless a job of `kind` or of one of the `rivals` kinds
    /// runs on the same key (a launch refuses to start while a teardown of its app runs). The
    /// look and the start are one step, so two commands arriving together cannot both start.
    pub fn start_unless(
        &self,
        kind: &str,
        key: &str,
        replay: Replay,
        rivals: &[&str],
    ) -> Result<(JobId, Job<E>)> {
        let mut entries = self.lock();
        if let Some(running) = entries.iter().find(|e| {
            e.summary.running
                && e.summary.key == key
                && (e.summary.kind == kind || rivals.contains(&e.summary.kind.as_str()))
        }) {
            return Err(BerthError::invalid("job", "busy")
                .with("kind", &running.summary.kind)
                .with("id", &running.summary.id));
        }
        entries.retain(|e| !(e.summary.kind == kind && e.summary.key == key));
        let finished = entries.iter().filter(|e| !e.summary.running).count();
        if finished >= FINISHED_KEPT {
            if let Some(oldest) = entries.iter().position(|e| !e.summary.running) {
                entries.remove(oldest);
            }
        }
        let id = format!("{kind}-{}", self.next.fetch_add(1, Ordering::Relaxed));
        let cancel = CancellationToken::new();
        entries.push(Entry {
            summary: JobSummary {
                id: id.clone(),
                kind: kind.to_owned(),
                key: key.to_owned(),
                running: true,
            },
            replay,
            events: VecDeque::new(),
            cancel: cancel.clone(),
            ended: CancellationToken::new(),
            watchers: Vec::new(),
        });
        let jobs = self.clone();
        let job_id = id.clone();
        let sink: Sink<E> = Arc::new(move |event| jobs.publish(&job_id, event));
        Ok((id, Job::new(sink, cancel)))
    }

    /// Keeps `event` in the job's buffer and sends it to its watchers.
    fn publish(&self, id: &str, event: E) {
        let watchers = {
            let mut entries = self.lock();
            let Some(entry) = entries.iter_mut().find(|e| e.summary.id == id) else {
                return;
            };
            match entry.replay {
                Replay::All(max) => {
                    entry.events.push_back(event.clone());
                    while entry.events.len() > max {
                        entry.events.pop_front();
                    }
                }
                Replay::Latest => {
                    entry.events.clear();
                    entry.events.push_back(event.clone());
                }
                Replay::Nothing => {}
            }
            entry.watchers.clone()
        };
        // Outside the lock: a watcher may take its time (a channel to the window).
        let mut gone = Vec::new();
        for (name, watch) in watchers {
            if !watch(&event) {
                gone.push(name);
            }
        }
        if !gone.is_empty() {
            if let Some(entry) = self.lock().iter_mut().find(|e| e.summary.id == id) {
                entry.watchers.retain(|(n, _)| !gone.contains(n));
            }
        }
    }

    /// Marks the job finished: it keeps its events for watchers that come back.
    pub fn finish(&self, id: &str) {
        if let Some(entry) = self.lock().iter_mut().find(|e| e.summary.id == id) {
            entry.summary.running = false;
            entry.ended.cancel();
        }
    }

    /// The running job of `kind` on `key`, if any.
    pub fn running(&self, kind: &str, key: &str) -> Option<JobId> {
        self.lock()
            .iter()
            .find(|e| e.summary.running && e.summary.kind == kind && e.summary.key == key)
            .map(|e| e.summary.id.clone())
    }

    /// Waits until the job has finished (at once when it has, or is unknown); false when it
    /// still runs after `limit`.
    pub async fn ended(&self, id: &str, limit: Duration) -> bool {
        let ended = match self.lock().iter().find(|e| e.summary.id == id) {
            Some(entry) => entry.ended.clone(),
            None => return true,
        };
        tokio::time::timeout(limit, ended.cancelled()).await.is_ok()
    }

    /// Cancels the running job of `kind` on `key` and waits (up to `limit`) until its work has
    /// ended — not only until it was asked to stop: work that still runs could make again what
    /// the caller is about to remove. Answers the job's id when there was one; an error naming
    /// it when it did not end in time.
    pub async fn stop_and_wait(
        &self,
        kind: &str,
        key: &str,
        limit: Duration,
    ) -> Result<Option<JobId>> {
        let Some(id) = self.running(kind, key) else {
            return Ok(None);
        };
        self.cancel(&id);
        if self.ended(&id, limit).await {
            Ok(Some(id))
        } else {
            Err(BerthError::invalid("job", "busy")
                .with("kind", kind)
                .with("id", &id))
        }
    }

    /// Sends the job's past (as its replay keeps it) to `watcher`, then every new event. A
    /// watcher already attached under `name` is replaced. `None` when there is no such job.
    pub fn attach(&self, id: &str, name: &str, watcher: Watcher<E>) -> Option<JobSummary> {
        // Under the lock, so no event slips between the replay and the first live one.
        let mut entries = self.lock();
        let entry = entries.iter_mut().find(|e| e.summary.id == id)?;
        entry.watchers.retain(|(n, _)| n != name);
        for event in &entry.events {
            if !watcher(event) {
                return Some(entry.summary.clone());
            }
        }
        entry.watchers.push((name.to_owned(), watcher));
        Some(entry.summary.clone())
    }

    /// Stops sending the job's events to the watcher attached under `name`.
    pub fn detach(&self, id: &str, name: &str) {
        if let Some(entry) = self.lock().iter_mut().find(|e| e.summary.id == id) {
            entry.watchers.retain(|(n, _)| n != name);
        }
    }

    /// Forgets every watcher (the window reloaded: its pages attach again).
    pub fn detach_all(&self) {
        for entry in self.lock().iter_mut() {
            entry.watchers.clear();
        }
    }

    /// Cancels a running job; false when there is none of that id running.
    pub fn cancel(&self, id: &str) -> bool {
        match self
            .lock()
            .iter()
            .find(|e| e.summary.id == id && e.summary.running)
        {
            Some(entry) => {
                entry.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Every job still known, oldest first.
    pub fn list(&self) -> Vec<JobSummary> {
        self.lock().iter().map(|e| e.summary.clone()).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry<E>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collector() -> (Watcher<u32>, Arc<Mutex<Vec<u32>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        (
            Arc::new(move |e: &u32| {
                sink.lock().unwrap().push(*e);
                true
            }),
            seen,
        )
    }

    #[tokio::test]
    async fn polling_stops_when_done_when_it_takes_too_long_or_when_cancelled() {
        let cancel = CancellationToken::new();
        let job: Job<u32> = Job::new(Arc::new(|_| {}), cancel.clone());
        let every = Duration::from_millis(1);
        let mut looks = 0;
        let done = job
            .poll_until(every, Duration::from_secs(5), || {
                looks += 1;
                let now = looks;
                async move { Ok(now == 3) }
            })
            .await;
        assert_eq!((done.unwrap(), looks), (true, 3));

        let gave_up = job
            .poll_until(every, Duration::from_millis(20), || async { Ok(false) })
            .await;
        assert!(!gave_up.unwrap());

        let failed = job
            .poll_until(every, Duration::from_secs(5), || async {
                Err::<bool, _>(BerthError::new(ErrorKind::Throttled))
            })
            .await;
        assert_eq!(failed.unwrap_err().kind, ErrorKind::Throttled);

        cancel.cancel();
        let cancelled = job
            .poll_until(every, Duration::from_secs(5), || async { Ok(false) })
            .await;
        assert_eq!(cancelled.unwrap_err().kind, ErrorKind::Cancelled);
    }

    #[test]
    fn a_watcher_attaching_late_gets_the_past_then_the_rest_once() {
        let jobs: Jobs<u32> = Jobs::default();
        let (id, job) = jobs.start("build", "web", Replay::All(100)).unwrap();
        job.emit(1);
        job.emit(2);
        let (watcher, seen) = collector();
        jobs.attach(&id, "image-page", watcher.clone()).unwrap();
        job.emit(3);
        // The page comes back: attaching again replaces the first watcher, no double events.
        let (again, seen_again) = collector();
        jobs.attach(&id, "image-page", again).unwrap();
        job.emit(4);
        assert_eq!(*seen.lock().unwrap(), [1, 2, 3]);
        assert_eq!(*seen_again.lock().unwrap(), [1, 2, 3, 4]);
    }

    #[test]
    fn detaching_never_cancels_and_cancel_reaches_the_work() {
        let jobs: Jobs<u32> = Jobs::default();
        let (id, job) = jobs.start("push", "web", Replay::All(10)).unwrap();
        let (watcher, seen) = collector();
        jobs.attach(&id, "page", watcher).unwrap();
        jobs.detach(&id, "page");
        job.emit(7);
        assert!(seen.lock().unwrap().is_empty());
        assert!(!job.is_cancelled(), "leaving a page does not stop the work");
        assert!(jobs.cancel(&id));
        assert!(job.is_cancelled());
        jobs.finish(&id);
        assert!(!jobs.cancel(&id), "a finished job cannot be cancelled");
    }

    #[test]
    fn one_running_job_per_kind_and_key_and_finished_ones_are_replaced() {
        let jobs: Jobs<u32> = Jobs::default();
        let (first, _) = jobs.start("launch", "web", Replay::All(10)).unwrap();
        let Err(busy) = jobs.start("launch", "web", Replay::All(10)) else {
            panic!("a second launch of web was started");
        };
        assert_eq!(busy.param("id"), Some(first.as_str()));
        jobs.start("launch", "api", Replay::All(10)).unwrap();
        jobs.finish(&first);
        let (second, _) = jobs.start("launch", "web", Replay::All(10)).unwrap();
        let ids: Vec<String> = jobs.list().into_iter().map(|j| j.id).collect();
        assert!(!ids.contains(&first) && ids.contains(&second));
    }

    #[test]
    fn latest_replay_keeps_one_event_and_all_replay_drops_the_oldest() {
        let jobs: Jobs<u32> = Jobs::default();
        let (state, job) = jobs.start("deployments", "", Replay::Latest).unwrap();
        for n in 0..5 {
            job.emit(n);
        }
        let (watcher, seen) = collector();
        jobs.attach(&state, "view", watcher).unwrap();
        assert_eq!(*seen.lock().unwrap(), [4]);

        let (log, job) = jobs.start("build", "x", Replay::All(3)).unwrap();
        for n in 0..5 {
            job.emit(n);
        }
        let (watcher, seen) = collector();
        jobs.attach(&log, "page", watcher).unwrap();
        assert_eq!(*seen.lock().unwrap(), [2, 3, 4]);
    }

    #[test]
    fn a_gone_watcher_is_dropped_and_a_reload_detaches_everyone() {
        let jobs: Jobs<u32> = Jobs::default();
        let (id, job) = jobs.start("activity", "", Replay::Nothing).unwrap();
        let calls = Arc::new(AtomicU64::new(0));
        let counted = calls.clone();
        jobs.attach(
            &id,
            "closed-window",
            Arc::new(move |_| {
                counted.fetch_add(1, Ordering::Relaxed);
                false
            }),
        )
        .unwrap();
        job.emit(1);
        job.emit(2);
        assert_eq!(
            calls.load(Ordering::Relaxed),
            1,
            "dropped after its first failed send"
        );
        let (watcher, seen) = collector();
        jobs.attach(&id, "page", watcher).unwrap();
        jobs.detach_all();
        job.emit(3);
        assert!(seen.lock().unwrap().is_empty());
    }

    #[test]
    fn a_rival_job_on_the_same_key_refuses_the_start() {
        let jobs: Jobs<u32> = Jobs::default();
        let (teardown, _) = jobs.start("teardown", "web", Replay::All(10)).unwrap();
        let busy = jobs
            .start_unless("launch", "web", Replay::All(10), &["teardown"])
            .unwrap_err();
        assert_eq!(busy.param("kind"), Some("teardown"));
        assert_eq!(busy.param("id"), Some(teardown.as_str()));
        // Another app, or no rival named: not refused.
        jobs.start_unless("launch", "api", Replay::All(10), &["teardown"])
            .unwrap();
        jobs.start("launch", "web", Replay::All(10)).unwrap();
        jobs.finish(&teardown);
        assert_eq!(jobs.running("teardown", "web"), None);
    }

    #[tokio::test]
    async fn stop_and_wait_returns_only_once_the_work_has_ended() {
        let jobs: Jobs<u32> = Jobs::default();
        let (id, job) = jobs.start("launch", "web", Replay::All(10)).unwrap();
        let work_ended = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let worker = {
            let (jobs, id, ended) = (jobs.clone(), id.clone(), work_ended.clone());
            tokio::spawn(async move {
                let _ = job.sleep(Duration::from_secs(60)).await;
                // Work after the cancel (a request in flight completing) still belongs to it.
                tokio::time::sleep(Duration::from_millis(50)).await;
                ended.store(true, Ordering::SeqCst);
                jobs.finish(&id);
            })
        };
        let stopped = jobs
            .stop_and_wait("launch", "web", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(stopped, Some(id));
        assert!(
            work_ended.load(Ordering::SeqCst),
            "returned before the work ended"
        );
        worker.await.unwrap();
        assert_eq!(
            jobs.stop_and_wait("launch", "web", Duration::from_secs(5))
                .await
                .unwrap(),
            None
        );

        // Work that does not end in time: an error naming it, not a silent go-ahead.
        let (stuck, _job) = jobs.start("launch", "api", Replay::All(10)).unwrap();
        let err = jobs
            .stop_and_wait("launch", "api", Duration::from_millis(30))
            .await
            .unwrap_err();
        assert_eq!(err.param("id"), Some(stuck.as_str()));
    }

    #[tokio::test]
    async fn a_cancelled_job_stops_its_work_with_the_cancelled_kind() {
        let jobs: Jobs<u32> = Jobs::default();
        let (id, job) = jobs.start("build", "x", Replay::All(1)).unwrap();
        let canceller = {
            let jobs = jobs.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                jobs.cancel(&id);
            })
        };
        let result = job.sleep(Duration::from_secs(60)).await;
        canceller.await.unwrap();
        assert_eq!(result.unwrap_err().kind, ErrorKind::Cancelled);
    }
}
