//! Long operations the window can cancel by id (a build, a push, following a container's logs).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

#[derive(Default, Clone)]
pub struct Operations {
    running: Arc<Mutex<HashMap<String, (u64, CancellationToken)>>>,
    next: Arc<AtomicU64>,
}

/// Forgets the operation when dropped (when its command returns).
pub struct Running {
    operations: Operations,
    id: String,
    serial: u64,
    pub token: CancellationToken,
}

impl Operations {
    /// Registers `id`. An operation still running under the same id is cancelled first: the
    /// window only starts a new one with an old id after a reload.
    pub fn start(&self, id: &str) -> Running {
        let token = CancellationToken::new();
        let serial = self.next.fetch_add(1, Ordering::Relaxed);
        if let Some((_, previous)) = self.lock().insert(id.to_owned(), (serial, token.clone())) {
            previous.cancel();
        }
        Running {
            operations: self.clone(),
            id: id.to_owned(),
            serial,
            token,
        }
    }

    /// Cancels `id`; false when nothing runs under it (it finished already).
    pub fn cancel(&self, id: &str) -> bool {
        match self.lock().get(id) {
            Some((_, token)) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, CancellationToken)>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut running = self.operations.lock();
        // Only if it is still ours (a newer operation may have taken the id).
        if running
            .get(&self.id)
            .is_some_and(|(serial, _)| *serial == self.serial)
        {
            running.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_reaches_the_running_operation_and_ends_with_it() {
        let ops = Operations::default();
        let running = ops.start("push-1");
        assert!(ops.cancel("push-1"));
        assert!(running.token.is_cancelled());
        drop(running);
        assert!(!ops.cancel("push-1"), "finished operations are forgotten");
    }

    #[test]
    fn reusing_an_id_cancels_the_older_operation() {
        let ops = Operations::default();
        let old = ops.start("build");
        let new = ops.start("build");
        assert!(old.token.is_cancelled());
        drop(old);
        assert!(
            ops.cancel("build"),
            "dropping the old one keeps the new one"
        );
        assert!(new.token.is_cancelled());
    }
}
