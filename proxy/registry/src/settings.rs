//! How registry traffic is bounded, in one value: timeouts, retries,
//! concurrency and the memory the caches may use. The defaults suit real
//! registries; the fault-injection tests shorten them so that a hung
//! registry fails fast.

use std::time::Duration;

use crate::retry::RetryPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct RegistrySettings {
    /// Establishing a TCP (+TLS) connection. Default 10 s.
    pub connect_timeout: Duration,
    /// One request, answer body included (blob copies get longer). Default 60 s.
    pub request_timeout: Duration,
    /// How long a registry may take to start its final answer (its status
    /// line) to a request whose body can be sent again (everything but a
    /// streamed blob upload). The HTTP client skips 1xx informational
    /// statuses without telling: a registry that answers `199` and then
    /// nothing would otherwise hold the request until `request_timeout`.
    /// Default 30 s (a pull-through cache may fetch from upstream before it
    /// answers).
    pub answer_timeout: Duration,
    /// One blob transfer (a layer can be gigabytes). Default 1 h.
    pub transfer_timeout: Duration,
    /// One whole API operation (an inspection, a plan), retries included.
    /// Default 180 s.
    pub operation_timeout: Duration,
    /// How long an allow-listed registry gets to answer over TLS before it
    /// is taken for plain HTTP (a plain HTTP server usually refuses a
    /// handshake at once; one that just waits would otherwise hold the first
    /// request up). Default 5 s.
    pub tls_probe_timeout: Duration,
    /// Which failures are retried, how often, how long.
    pub retry: RetryPolicy,
    /// Requests in flight to one registry. Default 64: on HTTP/1.1 (one
    /// request per connection) the children of a ~50-entry index go out as
    /// one wave; over HTTP/2 they share one connection anyway.
    pub per_registry_concurrency: usize,
    /// Requests in flight to all registries. Default 128: two ~50-entry
    /// indexes in one wave each, while the bodies being read at once (and so
    /// the proxy's peak memory under hostile registries,
    /// `tests/hostile_memory.rs`) stay what they were before the per-registry
    /// bound was raised.
    pub global_concurrency: usize,
    /// Bytes of verified manifests and configs kept in memory. Default 64 MiB.
    pub cache_bytes: usize,
    /// Bearer tokens kept (per registry, scope and identity). Default 1024.
    pub cached_tokens: usize,
    /// Tag -> digest hints kept (see `cache::tag_memo`). Default 4096.
    pub remembered_tags: usize,
    /// Redirects followed for one request. Default 5.
    pub max_redirects: usize,
    /// Requests per registry host for the whole client (`upstream`);
    /// `None` (the default): no budget.
    pub upstream_budget: Option<crate::upstream::UpstreamBudget>,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        RegistrySettings {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            answer_timeout: Duration::from_secs(30),
            transfer_timeout: Duration::from_secs(60 * 60),
            operation_timeout: Duration::from_secs(180),
            tls_probe_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            per_registry_concurrency: 64,
            global_concurrency: 128,
            cache_bytes: 64 * 1024 * 1024,
            cached_tokens: crate::auth::MAX_CACHED_TOKENS,
            remembered_tags: crate::cache::tag_memo::TAG_CAPACITY,
            max_redirects: 5,
            upstream_budget: None,
        }
    }
}
