//! How many registry requests may be in flight: per registry, and in all.
//!
//! One inspection of a large index fans out into dozens of requests, and a
//! page (or a script driving the API) can start many inspections at once.
//! Without a bound, the proxy would open as many connections to one registry
//! as it is asked to, which gets it rate-limited or banned, and use memory
//! without limit. A permit is held from sending a request until its answer's
//! headers arrive (bodies are read after), so nested requests (a token fetch
//! inside a manifest fetch) never wait on each other.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::RegistryError;

/// Registries tracked before idle entries are forgotten.
const TRACKED_HOSTS: usize = 1024;

/// The two bounds.
#[derive(Debug)]
pub struct Limits {
    global: Arc<Semaphore>,
    per_host: Mutex<HashMap<String, Arc<Semaphore>>>,
    per_host_max: usize,
}

/// Held while a request is in flight; released on drop.
#[derive(Debug)]
pub struct Permit {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limits {
    /// At most `per_host` requests to one `host[:port]`, `global` in all
    /// (each at least 1).
    pub fn new(per_host: usize, global: usize) -> Self {
        Limits {
            global: Arc::new(Semaphore::new(global.max(1))),
            per_host: Mutex::new(HashMap::new()),
            per_host_max: per_host.max(1),
        }
    }

    /// Wait for a slot for `host` (the host's first, so a busy registry does
    /// not hold global slots while it waits).
    pub async fn acquire(&self, host: &str) -> Permit {
        let host_semaphore = self.semaphore_for(host);
        // The semaphores are never closed, so acquiring cannot fail.
        let host_permit = match host_semaphore.acquire_owned().await {
            Ok(p) => p,
            Err(_) => unreachable!("registry semaphores are never closed"),
        };
        let global_permit = match self.global.clone().acquire_owned().await {
            Ok(p) => p,
            Err(_) => unreachable!("registry semaphores are never closed"),
        };
        Permit {
            _host: host_permit,
            _global: global_permit,
        }
    }

    /// Requests that could start now without waiting, in all.
    pub fn available(&self) -> usize {
        self.global.available_permits()
    }

    fn semaphore_for(&self, host: &str) -> Arc<Semaphore> {
        let mut map = self.per_host.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = map.get(host) {
            return s.clone();
        }
        if map.len() >= TRACKED_HOSTS {
            // Forget hosts nobody is using right now.
            let max = self.per_host_max;
            map.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < max);
        }
        let s = Arc::new(Semaphore::new(self.per_host_max));
        map.insert(host.to_string(), s.clone());
        s
    }
}

/// Run one whole operation (all its requests and retries) against
/// `registry`, giving up after `limit`: per-request timeouts alone do not
/// bound an inspection of a large index on a slow registry.
pub async fn within<T, E: From<RegistryError>>(
    limit: Duration,
    registry: &str,
    operation: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    match tokio::time::timeout(limit, operation).await {
        Ok(result) => result,
        Err(_) => Err(E::from(RegistryError::Unreachable {
            host: registry.to_string(),
            detail: format!(
                "the operation did not finish within {} seconds",
                limit.as_secs_f32()
            ),
            transient: false,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn per_host_and_global_bounds_hold() {
        let limits = Arc::new(Limits::new(2, 3));
        let a1 = limits.acquire("a").await;
        let _a2 = limits.acquire("a").await;
        // A third request to `a` waits although global slots are left.
        let waiting = {
            let limits = limits.clone();
            tokio::spawn(async move { limits.acquire("a").await })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        assert_eq!(limits.available(), 1);
        // Another host gets the last global slot; a fourth request waits.
        let _b1 = limits.acquire("b").await;
        assert_eq!(limits.available(), 0);
        drop(a1);
        let a3 = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the waiting request gets the freed slot")
            .expect("task");
        assert_eq!(limits.available(), 0);
        drop(a3);
        assert_eq!(limits.available(), 1);
    }

    #[tokio::test]
    async fn operations_past_their_time_are_unreachable() {
        let slow = within::<(), RegistryError>(Duration::from_millis(10), "r.example", async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(matches!(slow, RegistryError::Unreachable { ref host, .. } if host == "r.example"));
        assert!(slow.to_string().contains("did not finish within"), "{slow}");
        let fast = within::<_, RegistryError>(Duration::from_secs(60), "r", async { Ok(7) }).await;
        assert_eq!(fast.unwrap(), 7);
    }

    #[tokio::test]
    async fn idle_hosts_are_forgotten_when_many_are_tracked() {
        let limits = Limits::new(1, 4);
        for i in 0..TRACKED_HOSTS {
            drop(limits.acquire(&format!("h{i}")).await);
        }
        let busy = limits.acquire("busy").await;
        let map_len = limits.per_host.lock().unwrap().len();
        assert!(map_len <= 2, "idle hosts were dropped: {map_len} left");
        drop(busy);
    }
}
