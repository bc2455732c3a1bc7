//! `/metrics` in Prometheus's text format, written by hand: a handful of
//! counters do not need a metrics framework.
//!
//! Counting is cheap (an atomic add; a map entry is made once per label
//! pair) and every label comes from a bounded set: routes from the fixed
//! list of endpoints (the page and anything else as `page`), statuses from
//! our own answers, registries from `registry::upstream` (the first few by
//! name, then `other`), rejection reasons from [`Rejected`].

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use registry::ClientStats;
use registry::counter_map::CounterMap;
use registry::upstream::LATENCY_BOUNDS;

/// Why a request was turned away, put in the answer's extensions by
/// `ProxyError`'s `IntoResponse` and counted here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// A per-client limit (`client_limits`).
    ClientLimited,
    /// The instance's upstream budget (`registry::upstream`).
    UpstreamBudget,
    /// A registry the target guard refuses (private address, plain HTTP).
    RefusedTarget,
}

impl Rejected {
    const ALL: [Rejected; 3] = [
        Rejected::ClientLimited,
        Rejected::UpstreamBudget,
        Rejected::RefusedTarget,
    ];

    fn label(self) -> &'static str {
        match self {
            Rejected::ClientLimited => "client_rate_limited",
            Rejected::UpstreamBudget => "upstream_budget",
            Rejected::RefusedTarget => "refused_target",
        }
    }
}

pub const METRICS_PATH: &str = "/metrics";

/// The routes counted by name; everything else is `page`.
fn route_label(path: &str) -> &'static str {
    use crate::routes::health::{HEALTH_PATH, LIVE_PATH, READY_PATH};
    use shared::api::{
        BADGE_PATH, INSPECT_PATH, PLAN_PATH, PUSH_PATH, REFERRERS_PATH, SPEC_PARSE_PATH,
    };
    const NAMED: [&str; 10] = [
        INSPECT_PATH,
        REFERRERS_PATH,
        PLAN_PATH,
        PUSH_PATH,
        SPEC_PARSE_PATH,
        BADGE_PATH,
        HEALTH_PATH,
        LIVE_PATH,
        READY_PATH,
        METRICS_PATH,
    ];
    match NAMED.iter().find(|p| **p == path) {
        Some(p) => p,
        None if path == "/api" || path.starts_with("/api/") => "unknown_api",
        None => "page",
    }
}

/// The server's own counters.
#[derive(Debug, Default)]
pub struct HttpMetrics {
    requests: CounterMap<(&'static str, u16)>,
    rejected: [AtomicU64; 3],
}

impl HttpMetrics {
    fn count(&self, route: &'static str, status: u16) {
        self.requests.increment((route, status));
    }

    fn reject(&self, why: Rejected) {
        let i = Rejected::ALL.iter().position(|r| *r == why).unwrap_or(0);
        self.rejected[i].fetch_add(1, Ordering::Relaxed);
    }
}

/// The middleware (outermost): count every answer by route and status,
/// and what was rejected.
pub async fn count(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = route_label(request.uri().path());
    let response = next.run(request).await;
    metrics.count(route, response.status().as_u16());
    if let Some(why) = response.extensions().get::<Rejected>() {
        metrics.reject(*why);
    }
    response
}

/// Gauges read when the page is rendered.
pub struct Gauges {
    /// The ready answers by digest (`crate::answers`), a cache of its own.
    pub answers: registry::cache::CacheStats,
    pub pushes_in_flight: usize,
    pub clients_tracked: usize,
    pub ready: bool,
}

/// The whole exposition.
pub fn render(http: &HttpMetrics, registry: &ClientStats, gauges: &Gauges) -> String {
    let mut out = String::with_capacity(4096);
    header(
        &mut out,
        "manifest_web_http_requests_total",
        "counter",
        "Answers by route and status.",
    );
    for ((route, status), n) in http.requests.snapshot() {
        let _ = writeln!(
            out,
            "manifest_web_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
        );
    }
    header(
        &mut out,
        "manifest_web_rejected_requests_total",
        "counter",
        "Requests turned away, by reason.",
    );
    for (i, why) in Rejected::ALL.iter().enumerate() {
        let n = http.rejected[i].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "manifest_web_rejected_requests_total{{reason=\"{}\"}} {n}",
            why.label()
        );
    }
    let up = &registry.upstream;
    header(
        &mut out,
        "manifest_web_upstream_requests_total",
        "counter",
        "Requests to registries by registry and status.",
    );
    for c in &up.requests {
        let _ = writeln!(
            out,
            "manifest_web_upstream_requests_total{{registry=\"{}\",status=\"{}\"}} {}",
            escape(&c.registry),
            c.status,
            c.count
        );
    }
    header(
        &mut out,
        "manifest_web_upstream_request_duration_seconds",
        "histogram",
        "Time from sending a registry request to its answer's headers (authentication included).",
    );
    let mut cumulative = 0;
    for (i, n) in up.latency_buckets.iter().enumerate() {
        cumulative += n;
        let le = LATENCY_BOUNDS
            .get(i)
            .map_or_else(|| "+Inf".to_string(), |b| b.to_string());
        let _ = writeln!(
            out,
            "manifest_web_upstream_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
        );
    }
    let _ = writeln!(
        out,
        "manifest_web_upstream_request_duration_seconds_sum {}",
        up.latency_seconds
    );
    let _ = writeln!(
        out,
        "manifest_web_upstream_request_duration_seconds_count {cumulative}"
    );
    let scalar = |out: &mut String, name: &str, kind: &str, help: &str, value: u64| {
        header(out, name, kind, help);
        let _ = writeln!(out, "{name} {value}");
    };
    scalar(
        &mut out,
        "manifest_web_upstream_budget_waits_total",
        "counter",
        "Registry requests that waited for the instance's upstream budget.",
        up.budget_waited,
    );
    scalar(
        &mut out,
        "manifest_web_upstream_budget_refused_total",
        "counter",
        "Registry requests refused because the upstream budget was spent.",
        up.budget_refused,
    );
    scalar(
        &mut out,
        "manifest_web_cache_hits_total",
        "counter",
        "Content answered from the digest cache.",
        registry.cache.hits,
    );
    scalar(
        &mut out,
        "manifest_web_cache_misses_total",
        "counter",
        "Digest cache lookups that found nothing.",
        registry.cache.misses,
    );
    scalar(
        &mut out,
        "manifest_web_cache_hit_bytes_total",
        "counter",
        "Bytes answered from the digest cache.",
        registry.cache.hit_bytes,
    );
    scalar(
        &mut out,
        "manifest_web_cache_bytes",
        "gauge",
        "Bytes held in the digest cache.",
        registry.cache.held_bytes,
    );
    scalar(
        &mut out,
        "manifest_web_cache_entries",
        "gauge",
        "Objects held in the digest cache.",
        registry.cache.entries,
    );
    let answers = &gauges.answers;
    for (name, kind, help, value) in [
        (
            "manifest_web_answer_cache_hits_total",
            "counter",
            "Inspect answers by digest sent again from their bytes.",
            answers.hits,
        ),
        (
            "manifest_web_answer_cache_misses_total",
            "counter",
            "Inspect answers by digest that had to be built.",
            answers.misses,
        ),
        (
            "manifest_web_answer_cache_hit_bytes_total",
            "counter",
            "Bytes of answers sent again from their bytes.",
            answers.hit_bytes,
        ),
        (
            "manifest_web_answer_cache_bytes",
            "gauge",
            "Bytes held in the answer cache.",
            answers.held_bytes,
        ),
        (
            "manifest_web_answer_cache_entries",
            "gauge",
            "Answers held in the answer cache.",
            answers.entries,
        ),
    ] {
        scalar(&mut out, name, kind, help, value);
    }
    scalar(
        &mut out,
        "manifest_web_tokens_fetched_total",
        "counter",
        "Bearer tokens received from token services.",
        registry.tokens_fetched,
    );
    scalar(
        &mut out,
        "manifest_web_pushes_in_flight",
        "gauge",
        "Pushes running or waiting for a slot.",
        gauges.pushes_in_flight as u64,
    );
    scalar(
        &mut out,
        "manifest_web_clients_tracked",
        "gauge",
        "Client addresses the per-client limits remember.",
        gauges.clients_tracked as u64,
    );
    scalar(
        &mut out,
        "manifest_web_ready",
        "gauge",
        "1 while the server takes new work, 0 once it is shutting down.",
        u64::from(gauges.ready),
    );
    out
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_a_bounded_set() {
        assert_eq!(
            route_label(shared::api::INSPECT_PATH),
            shared::api::INSPECT_PATH
        );
        assert_eq!(route_label("/api/v9/anything"), "unknown_api");
        assert_eq!(route_label("/some/page/path"), "page");
        assert_eq!(escape("a\"b\\c\n"), "a\\\"b\\\\c\\n");
    }

    #[test]
    fn counts_render_as_text() {
        let http = HttpMetrics::default();
        http.count("/api/v1/inspect", 200);
        http.count("/api/v1/inspect", 200);
        http.reject(Rejected::ClientLimited);
        let client = registry::RegistryClient::new(&[]).unwrap();
        let text = render(
            &http,
            &client.stats(),
            &Gauges {
                answers: Default::default(),
                pushes_in_flight: 1,
                clients_tracked: 0,
                ready: true,
            },
        );
        assert!(
            text.contains(
                "manifest_web_http_requests_total{route=\"/api/v1/inspect\",status=\"200\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "manifest_web_rejected_requests_total{reason=\"client_rate_limited\"} 1\n"
            )
        );
        assert!(
            text.contains("manifest_web_upstream_request_duration_seconds_bucket{le=\"+Inf\"} 0\n")
        );
        assert!(text.contains("manifest_web_pushes_in_flight 1\n"));
    }
}
