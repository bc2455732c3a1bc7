//! Starting to stop: once the process is asked to stop (SIGTERM), the
//! server says it is not ready, takes no new connections (`serve`), and
//! waits, up to a deadline, for the pushes still running. A push outlives
//! the request that started it (it keeps going when its client goes away),
//! so waiting for connections alone would cut pushes off half written.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

/// Shared by the app (readiness, `/metrics`) and the binary (shutdown).
#[derive(Debug)]
pub struct Lifecycle {
    draining: AtomicBool,
    draining_since: OnceLock<Instant>,
    /// The pushes' admission (running or queued): all permits back = none left.
    push_queue: Arc<Semaphore>,
    push_capacity: usize,
}

impl Lifecycle {
    pub fn new(push_queue: Arc<Semaphore>, push_capacity: usize) -> Self {
        Lifecycle {
            draining: AtomicBool::new(false),
            draining_since: OnceLock::new(),
            push_queue,
            push_capacity,
        }
    }

    /// From now on, not ready.
    pub fn start_draining(&self) {
        let _ = self.draining_since.set(Instant::now());
        self.draining.store(true, Ordering::Release);
    }

    /// What is left of `grace` since draining started (all of it before).
    pub fn remaining(&self, grace: Duration) -> Duration {
        self.draining_since
            .get()
            .map_or(grace, |since| grace.saturating_sub(since.elapsed()))
    }

    pub fn is_ready(&self) -> bool {
        !self.draining.load(Ordering::Acquire)
    }

    /// Pushes running or waiting for a slot.
    pub fn pushes_in_flight(&self) -> usize {
        self.push_capacity
            .saturating_sub(self.push_queue.available_permits())
    }

    /// Wait until no push is left, at most `deadline`; `false` when some
    /// were still running then.
    pub async fn pushes_finished(&self, deadline: Duration) -> bool {
        tokio::time::timeout(deadline, async {
            while self.pushes_in_flight() > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .is_ok()
    }
}

/// `shutdown`, then mark `lifecycle` as draining.
pub async fn drain_on(shutdown: impl std::future::Future<Output = ()>, lifecycle: Arc<Lifecycle>) {
    shutdown.await;
    lifecycle.start_draining();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_pushes_up_to_the_deadline() {
        let queue = Arc::new(Semaphore::new(2));
        let life = Lifecycle::new(queue.clone(), 2);
        assert!(life.is_ready());
        let push = queue.clone().try_acquire_owned().unwrap();
        assert_eq!(life.pushes_in_flight(), 1);
        life.start_draining();
        assert!(!life.is_ready());
        assert!(!life.pushes_finished(Duration::from_millis(100)).await);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(push);
        });
        assert!(life.pushes_finished(Duration::from_secs(10)).await);
    }
}
