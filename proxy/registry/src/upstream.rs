//! The instance's traffic to registries as the one request path sees it:
//! a budget of requests per registry host for the whole instance (so that
//! one busy public instance stays under a registry's per-address limits,
//! Docker Hub's above all), and what was sent, answered and how fast, for
//! the server's `/metrics`.
//!
//! Content served from the digest cache never reaches the request path, so
//! it costs no budget: a popular image by digest is fetched once. A request
//! that would wait longer than `max_wait` for its share is refused with
//! [`RegistryError::BudgetSpent`] (how long to wait in it) instead of
//! holding its caller.
//!
//! Memory is bounded: buckets for at most [`TRACKED_HOSTS`] hosts (full
//! ones are forgotten first), statistics for the first
//! [`REGISTRY_LABELS`] hosts by name and the rest as `other`, statuses by a
//! fixed list or by class.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use reqwest::Response;

use crate::counter_map::CounterMap;
use crate::error::RegistryError;
use crate::token_bucket::{Rate, TokenBucket};

/// Registry hosts whose budget is remembered at once.
pub const TRACKED_HOSTS: usize = 1024;
/// Registry hosts counted under their own name; later ones are `other`.
pub const REGISTRY_LABELS: usize = 16;
/// Upper bounds (seconds) of the latency histogram's buckets (`+Inf` after).
pub const LATENCY_BOUNDS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The budget: `rate` per registry host, waiting at most `max_wait`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpstreamBudget {
    pub rate: Rate,
    pub max_wait: Duration,
}

/// Budget and statistics of upstream requests (one per `RegistryClient`).
#[derive(Debug, Default)]
pub struct Upstream {
    budget: Option<UpstreamBudget>,
    buckets: Mutex<HashMap<String, TokenBucket>>,
    stats: UpstreamStats,
}

impl Upstream {
    pub fn new(budget: Option<UpstreamBudget>) -> Self {
        Upstream {
            budget,
            ..Upstream::default()
        }
    }

    /// Send one request to `host` (called `registry` in messages) through
    /// the budget, and count it.
    pub(crate) async fn send(
        &self,
        host: &str,
        registry: &str,
        send: impl Future<Output = Result<Response, RegistryError>>,
    ) -> Result<Response, RegistryError> {
        self.admit(host, registry).await?;
        let start = Instant::now();
        let result = send.await;
        self.stats.record(host, outcome(&result), start.elapsed());
        result
    }

    /// Wait for `host`'s share of the budget, or refuse.
    async fn admit(&self, host: &str, registry: &str) -> Result<(), RegistryError> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        let reserved = {
            let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if buckets.len() >= TRACKED_HOSTS && !buckets.contains_key(host) {
                buckets.retain(|_, b| !b.is_full(budget.rate, now));
                if buckets.len() >= TRACKED_HOSTS
                    && let Some(any) = buckets.keys().next().cloned()
                {
                    buckets.remove(&any);
                }
            }
            buckets
                .entry(host.to_string())
                .or_insert_with(|| TokenBucket::full(budget.rate, now))
                .reserve(budget.rate, now, budget.max_wait)
        };
        match reserved {
            Ok(wait) if wait.is_zero() => Ok(()),
            Ok(wait) => {
                self.stats.budget_waited.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Err(wait) => {
                self.stats.budget_refused.fetch_add(1, Ordering::Relaxed);
                Err(RegistryError::BudgetSpent {
                    registry: registry.to_string(),
                    per_second: budget.rate.per_second,
                    retry_after: wait.as_secs().max(1),
                })
            }
        }
    }

    pub fn snapshot(&self) -> UpstreamSnapshot {
        self.stats.snapshot()
    }
}

/// The status label of an answer: the status when there was one (common
/// ones by number, others by class, so a registry cannot invent labels),
/// else what went wrong.
fn outcome(result: &Result<Response, RegistryError>) -> &'static str {
    match result {
        Ok(resp) => status_label(resp.status().as_u16()),
        Err(RegistryError::NotFound { .. }) => "404",
        Err(RegistryError::Unauthorized { .. }) => "401",
        Err(RegistryError::Denied { .. }) => "403",
        Err(RegistryError::RateLimited { .. }) => "429",
        Err(RegistryError::Upstream { status, .. }) => status_label(*status),
        Err(RegistryError::Unreachable { .. }) => "unreachable",
        Err(RegistryError::ForbiddenTarget { .. }) => "refused",
        Err(_) => "error",
    }
}

fn status_label(status: u16) -> &'static str {
    const KNOWN: [(u16, &str); 18] = [
        (200, "200"),
        (201, "201"),
        (202, "202"),
        (204, "204"),
        (206, "206"),
        (307, "307"),
        (308, "308"),
        (400, "400"),
        (401, "401"),
        (403, "403"),
        (404, "404"),
        (405, "405"),
        (409, "409"),
        (416, "416"),
        (429, "429"),
        (500, "500"),
        (502, "502"),
        (503, "503"),
    ];
    match KNOWN.iter().find(|(s, _)| *s == status) {
        Some((_, label)) => label,
        None => match status / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            5 => "5xx",
            _ => "other",
        },
    }
}

#[derive(Debug, Default)]
struct UpstreamStats {
    /// Hosts with a label of their own, in the order first seen.
    named: RwLock<Vec<String>>,
    /// Requests by (registry label, status label).
    requests: CounterMap<(String, &'static str)>,
    /// Counts per `LATENCY_BOUNDS` bucket (not cumulative), then `+Inf`.
    latency: [AtomicU64; LATENCY_BOUNDS.len() + 1],
    latency_micros: AtomicU64,
    budget_waited: AtomicU64,
    budget_refused: AtomicU64,
}

impl UpstreamStats {
    fn label(&self, host: &str) -> String {
        if self
            .named
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|h| h == host)
        {
            return host.to_string();
        }
        let mut named = self.named.write().unwrap_or_else(|p| p.into_inner());
        if named.iter().any(|h| h == host) {
            return host.to_string();
        }
        if named.len() < REGISTRY_LABELS {
            named.push(host.to_string());
            return host.to_string();
        }
        "other".to_string()
    }

    fn record(&self, host: &str, status: &'static str, took: Duration) {
        self.requests.increment((self.label(host), status));
        let seconds = took.as_secs_f64();
        let bucket = LATENCY_BOUNDS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(LATENCY_BOUNDS.len());
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn snapshot(&self) -> UpstreamSnapshot {
        let requests = self
            .requests
            .snapshot()
            .into_iter()
            .map(|((registry, status), count)| UpstreamCount {
                registry,
                status,
                count,
            })
            .collect();
        UpstreamSnapshot {
            requests,
            latency_buckets: std::array::from_fn(|i| self.latency[i].load(Ordering::Relaxed)),
            latency_seconds: self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6,
            budget_waited: self.budget_waited.load(Ordering::Relaxed),
            budget_refused: self.budget_refused.load(Ordering::Relaxed),
        }
    }
}

/// Requests to one registry label answered with one status label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamCount {
    pub registry: String,
    pub status: &'static str,
    pub count: u64,
}

/// The statistics at one moment, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamSnapshot {
    pub requests: Vec<UpstreamCount>,
    /// Requests per `LATENCY_BOUNDS` bucket (not cumulative), `+Inf` last.
    pub latency_buckets: [u64; LATENCY_BOUNDS.len() + 1],
    /// The sum of all latencies.
    pub latency_seconds: f64,
    /// Requests that waited for their share of the budget.
    pub budget_waited: u64,
    /// Requests refused because the budget was spent.
    pub budget_refused: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_labels_are_bounded() {
        let stats = UpstreamStats::default();
        for i in 0..(REGISTRY_LABELS + 10) {
            stats.record(&format!("r{i}.example"), "200", Duration::from_millis(1));
        }
        let snap = stats.snapshot();
        assert_eq!(snap.requests.len(), REGISTRY_LABELS + 1);
        let other = snap
            .requests
            .iter()
            .find(|c| c.registry == "other")
            .unwrap();
        assert_eq!(other.count, 10);
        assert_eq!(
            snap.latency_buckets.iter().sum::<u64>(),
            REGISTRY_LABELS as u64 + 10
        );
    }

    #[test]
    fn statuses_a_registry_invents_are_counted_by_class() {
        assert_eq!(status_label(404), "404");
        assert_eq!(status_label(599), "5xx");
        assert_eq!(status_label(999), "other");
    }

    #[tokio::test]
    async fn the_budget_refuses_past_its_wait_and_forgets_idle_hosts() {
        let upstream = Upstream::new(Some(UpstreamBudget {
            rate: Rate::new(1.0, 2),
            max_wait: Duration::ZERO,
        }));
        assert!(upstream.admit("a", "a").await.is_ok());
        assert!(upstream.admit("a", "a").await.is_ok());
        match upstream.admit("a", "a").await {
            Err(RegistryError::BudgetSpent { retry_after, .. }) => assert_eq!(retry_after, 1),
            other => panic!("{other:?}"),
        }
        assert!(upstream.admit("b", "b").await.is_ok(), "per host");
        for i in 0..(TRACKED_HOSTS * 2) {
            assert!(upstream.admit(&format!("h{i}"), "h").await.is_ok());
        }
        assert!(upstream.buckets.lock().unwrap().len() <= TRACKED_HOSTS);
        assert_eq!(upstream.snapshot().budget_refused, 1);
    }
}
