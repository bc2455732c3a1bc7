//! Round trips counted as they happen, so that a push can say where its
//! time went ("blobs: 1 round trip, 12 requests") without a clock.
//!
//! Inside `counted`, every request sent through the one request path (a
//! token request, a retry, a redirect hop included) adds one to the chain
//! the current task is on. Requests sent at once are branches of it
//! (`branch`): each branch counts from where the chain was, and the chain
//! continues from the longest branch (`rejoin`). So the number is the
//! longest sequence of requests that waited on each other: the round trips
//! the work took on any network. Outside `counted` nothing is counted.

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where the current task is: round trips on its chain so far, and every
/// request of the whole `counted` work (branches and asides included).
struct Chain {
    trips: Cell<usize>,
    requests: Arc<AtomicUsize>,
}

tokio::task_local! {
    static CHAIN: Chain;
}

/// What some work cost on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    /// The longest sequence of requests that waited on each other.
    pub round_trips: usize,
    /// Every request sent.
    pub requests: usize,
}

/// Run `work`, answering what it returns and what it cost.
pub async fn counted<F: Future>(work: F) -> (F::Output, Count) {
    let requests = Arc::new(AtomicUsize::new(0));
    let chain = Chain {
        trips: Cell::new(0),
        requests: requests.clone(),
    };
    CHAIN
        .scope(chain, async {
            let out = work.await;
            let count = Count {
                round_trips: CHAIN.with(|c| c.trips.get()),
                requests: requests.load(Ordering::Relaxed),
            };
            (out, count)
        })
        .await
}

/// A chain starting at `trips` within the current `counted` work, if any.
fn fork(trips: usize) -> Option<Chain> {
    CHAIN
        .try_with(|c| Chain {
            trips: Cell::new(trips),
            requests: c.requests.clone(),
        })
        .ok()
}

/// `work` as one of several requests (or chains of them) sent at once:
/// answers its output and where its chain ended, for `rejoin`.
pub async fn branch<F: Future>(work: F) -> (F::Output, usize) {
    let start = CHAIN.try_with(|c| c.trips.get()).unwrap_or(0);
    match fork(start) {
        Some(chain) => {
            CHAIN
                .scope(chain, async {
                    let out = work.await;
                    (out, CHAIN.with(|c| c.trips.get()))
                })
                .await
        }
        None => (work.await, 0),
    }
}

/// After branches: the chain goes on from the longest of them.
pub fn rejoin(ends: impl IntoIterator<Item = usize>) {
    let longest = ends.into_iter().max().unwrap_or(0);
    let _ = CHAIN.try_with(|c| c.trips.set(c.trips.get().max(longest)));
}

/// Run `work` at most `at_once` at a time, as branches of the current
/// chain (answers in order): one wave when `at_once` covers them all.
pub async fn wave<F: Future>(work: Vec<F>, at_once: usize) -> Vec<F::Output> {
    use futures::stream::{self, StreamExt};
    let ended: Vec<(F::Output, usize)> = stream::iter(work.into_iter().map(branch))
        .buffered(at_once.max(1))
        .collect()
        .await;
    rejoin(ended.iter().map(|(_, end)| *end));
    ended.into_iter().map(|(out, _)| out).collect()
}

/// `work` beside the chain: its requests count, but nothing waits on them
/// (a HEAD sent with a mount, only to say whether the blob was there).
pub async fn aside<F: Future>(work: F) -> F::Output {
    match fork(0) {
        Some(chain) => CHAIN.scope(chain, work).await,
        None => work.await,
    }
}

/// One request was sent on the current chain.
pub(crate) fn note_request() {
    let _ = CHAIN.try_with(|c| {
        c.trips.set(c.trips.get() + 1);
        c.requests.fetch_add(1, Ordering::Relaxed);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn requests(n: usize) {
        for _ in 0..n {
            note_request();
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_wave_counts_as_its_longest_branch() {
        let ((), count) = counted(async {
            requests(1).await;
            let ends = futures::future::join_all([1, 3, 2].map(|n| branch(requests(n)))).await;
            rejoin(ends.into_iter().map(|((), end)| end));
            aside(requests(5)).await;
            requests(1).await;
        })
        .await;
        assert_eq!(count.round_trips, 1 + 3 + 1);
        assert_eq!(count.requests, 1 + 6 + 5 + 1);
        // Outside `counted`: nothing, and nothing breaks.
        requests(2).await;
        assert_eq!(branch(requests(1)).await.1, 0);
    }
}
