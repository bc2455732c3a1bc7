//! Retrying registry requests that are safe to send again.
//!
//! Registries and the networks in front of them fail transiently (a 503
//! during a deploy, a 429 from a rate limiter, a connection reset by a load
//! balancer), and a single such failure should not fail an inspection of an
//! index with fifty children. But a retry must never repeat a write whose
//! first copy may have landed: only requests that mean the same thing when
//! sent twice are retried (GET, HEAD, and a manifest PUT *by digest*, whose
//! outcome is the same content at the same name). POST and PATCH (upload
//! sessions, mounts) and PUT to a tag are sent once.
//!
//! Retries are bounded three ways: a number of attempts, a total time budget
//! per request, and a cap on how long a `Retry-After` may make us wait. The
//! backoff is exponential with jitter, so many clients that failed together
//! do not come back together.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, Response, StatusCode, Url};
use shared::digest::Digest;

use super::guard::RefusedAddress;
use crate::error::RegistryError;

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included (1 = never retry).
    pub attempts: u32,
    /// The first backoff; doubled on each further retry.
    pub base_delay: Duration,
    /// No single backoff is longer than this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is shortened to it.
    pub max_retry_after: Duration,
    /// No retry starts after this much time has passed since the first try.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(10),
            budget: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry (for callers that retry at a higher level).
    pub const ONCE: RetryPolicy = RetryPolicy {
        attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        max_retry_after: Duration::ZERO,
        budget: Duration::ZERO,
    };

    /// The pause before retry number `retry` (1-based): exponential, capped,
    /// with "equal jitter" (half fixed, half random).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        half + jitter(capped - half)
    }

    /// The pause a retryable answer asks for: its `Retry-After` (capped), or
    /// the backoff.
    fn pause_for(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        headers
            .and_then(|h| retry_after(h, SystemTime::now()))
            .map(|d| d.min(self.max_retry_after))
            .unwrap_or_else(|| self.backoff(retry))
    }

    /// May another try start, `retry` retries in, after waiting `pause`?
    pub fn allows(&self, tries_so_far: u32, started: Instant, pause: Duration) -> bool {
        tries_so_far < self.attempts && started.elapsed() + pause <= self.budget
    }
}

/// A random duration in `[0, max]`, from the standard library's per-process
/// random hasher keys (no RNG dependency for this).
fn jitter(max: Duration) -> Duration {
    let nanos = max.as_nanos().min(u64::MAX as u128) as u64;
    if nanos == 0 {
        return Duration::ZERO;
    }
    let r = RandomState::new().hash_one(Instant::now());
    Duration::from_nanos(r % (nanos + 1))
}

/// Does sending this request twice mean the same as sending it once?
pub fn is_idempotent(method: &Method, url: &Url) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::OPTIONS => true,
        // A manifest PUT by digest: the name is the content.
        Method::PUT => {
            let mut segments = url.path_segments().into_iter().flatten().rev();
            let last = segments.next().unwrap_or("");
            let parent = segments.next().unwrap_or("");
            parent == "manifests" && Digest::parse(last).is_ok()
        }
        _ => false,
    }
}

/// Answers worth another try: rate limiting and the server errors that mean
/// "not now" (not 501, which means "never").
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Transport failures worth another try: timeouts and connections that were
/// reset or closed under us. A refused connection (nothing listens) and a
/// target the guard refused are not: trying again cannot help.
pub fn is_retryable_transport(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.downcast_ref::<RefusedAddress>().is_some() {
            return false;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof | TimedOut
            ) {
                return true;
            }
        }
        // hyper's "connection closed before message completed" and friends.
        let text = err.to_string();
        if text.contains("connection closed") || text.contains("connection reset") {
            return true;
        }
        source = err.source();
    }
    e.is_timeout()
}

/// `Retry-After` as a duration: delta-seconds or an HTTP date (a date in the
/// past is zero). Anything else is ignored.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A failure to send that may or may not be worth another try.
pub trait SendFailure: std::fmt::Display {
    fn is_transient(&self) -> bool;
}

impl SendFailure for reqwest::Error {
    fn is_transient(&self) -> bool {
        is_retryable_transport(self)
    }
}

/// Send a request (built afresh by `send` for each try), retrying while
/// `idempotent` and the failure is transient. The last answer is returned
/// as it came, so a final 503 or 429 is reported like any other.
pub async fn send<F, Fut, E>(
    policy: &RetryPolicy,
    idempotent: bool,
    mut send: F,
) -> Result<Response, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Response, E>>,
    E: SendFailure,
{
    let started = Instant::now();
    let mut tries = 0;
    loop {
        let result = send().await;
        tries += 1;
        let pause = match &result {
            Ok(r) if is_retryable_status(r.status()) => {
                Some(policy.pause_for(tries, Some(r.headers())))
            }
            Err(e) if e.is_transient() => Some(policy.pause_for(tries, None)),
            _ => None,
        };
        match pause {
            Some(pause) if idempotent && policy.allows(tries, started, pause) => {
                match &result {
                    Ok(r) => {
                        tracing::debug!(url = %r.url(), status = %r.status(), tries, ?pause, "retrying")
                    }
                    Err(e) => tracing::debug!(tries, ?pause, "retrying after: {e}"),
                }
                drop(result);
                tokio::time::sleep(pause).await;
            }
            _ => return result,
        }
    }
}

/// Why one try of a read-the-whole-body operation failed.
#[derive(Debug)]
pub enum ReadFailure {
    /// The body broke off part-way (reset, truncated, timed out): the whole
    /// request may be sent again.
    Interrupted(RegistryError),
    /// Anything else: reported as it is.
    Final(RegistryError),
}

impl ReadFailure {
    /// The error, whichever kind of failure it was.
    pub fn into_error(self) -> RegistryError {
        match self {
            ReadFailure::Interrupted(e) | ReadFailure::Final(e) => e,
        }
    }
}

impl From<RegistryError> for ReadFailure {
    fn from(e: RegistryError) -> Self {
        ReadFailure::Final(e)
    }
}

/// Run an idempotent request-and-read-the-body operation again when its
/// body was interrupted (statuses are retried inside `send` already).
pub async fn rereading<T, F, Fut>(
    policy: &RetryPolicy,
    mut operation: F,
) -> Result<T, RegistryError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ReadFailure>>,
{
    let started = Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        match operation().await {
            Ok(value) => return Ok(value),
            Err(ReadFailure::Final(e)) => return Err(e),
            Err(ReadFailure::Interrupted(e)) => {
                let pause = policy.backoff(tries);
                if !policy.allows(tries, started, pause) {
                    return Err(e);
                }
                tracing::debug!(tries, ?pause, "reading again after: {e}");
                tokio::time::sleep(pause).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn only_requests_that_mean_the_same_twice_are_idempotent() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let by_digest = url(&format!("http://r/v2/x/manifests/{digest}"));
        let by_tag = url("http://r/v2/x/manifests/latest");
        assert!(is_idempotent(&Method::GET, &by_tag));
        assert!(is_idempotent(&Method::HEAD, &by_tag));
        assert!(is_idempotent(&Method::PUT, &by_digest));
        assert!(!is_idempotent(&Method::PUT, &by_tag));
        // A blob upload PUT is not a manifest PUT even with a digest in it.
        let upload = url(&format!("http://r/v2/x/blobs/uploads/u?digest={digest}"));
        assert!(!is_idempotent(&Method::PUT, &upload));
        let blob_named_like_digest = url(&format!("http://r/v2/x/blobs/{digest}"));
        assert!(!is_idempotent(&Method::PUT, &blob_named_like_digest));
        assert!(!is_idempotent(
            &Method::POST,
            &url("http://r/v2/x/blobs/uploads/")
        ));
        assert!(!is_idempotent(&Method::PATCH, &upload));
        assert!(!is_idempotent(&Method::DELETE, &by_digest));
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [200, 201, 202, 301, 400, 401, 403, 404, 413, 501, 505] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(s).unwrap()),
                "{s}"
            );
        }
    }

    #[test]
    fn retry_after_seconds_dates_and_junk() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
            retry_after(&h, now)
        };
        assert_eq!(with("3"), Some(Duration::from_secs(3)));
        assert_eq!(with(" 0 "), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(with(&later), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(with(&earlier), Some(Duration::ZERO));
        assert_eq!(with("soon"), None);
        assert_eq!(with("-1"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered_within_bounds() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = p.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            // 400 ms capped at 350.
            let third = p.backoff(3);
            assert!(third >= Duration::from_millis(175) && third <= Duration::from_millis(350));
            assert!(p.backoff(60) <= Duration::from_millis(350));
        }
        assert_eq!(RetryPolicy::ONCE.backoff(1), Duration::ZERO);
    }

    #[test]
    fn retry_after_is_capped() {
        let p = RetryPolicy {
            max_retry_after: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3600"));
        assert_eq!(p.pause_for(1, Some(&h)), Duration::from_secs(2));
    }

    #[test]
    fn attempts_and_budget_bound_the_retries() {
        let p = RetryPolicy {
            attempts: 3,
            budget: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let now = Instant::now();
        assert!(p.allows(1, now, Duration::from_millis(10)));
        assert!(p.allows(2, now, Duration::from_millis(10)));
        assert!(!p.allows(3, now, Duration::from_millis(10)));
        assert!(!p.allows(1, now, Duration::from_secs(2)));
        assert!(!RetryPolicy::ONCE.allows(1, now, Duration::ZERO));
    }

    #[tokio::test]
    async fn interrupted_reads_are_retried_final_errors_are_not() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let broken = || RegistryError::Unreachable {
            host: "h".into(),
            detail: "reset".into(),
            transient: true,
        };
        let mut calls = 0;
        let r: Result<(), _> = rereading(&p, || {
            calls += 1;
            async { Err(ReadFailure::Interrupted(broken())) }
        })
        .await;
        assert!(matches!(r, Err(RegistryError::Unreachable { .. })));
        assert_eq!(calls, p.attempts);

        let mut calls = 0;
        let r: Result<(), _> = rereading(&p, || {
            calls += 1;
            async { Err(ReadFailure::Final(RegistryError::Credentials("x".into()))) }
        })
        .await;
        assert!(matches!(r, Err(RegistryError::Credentials(_))));
        assert_eq!(calls, 1);

        let mut calls = 0;
        let r = rereading(&p, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(ReadFailure::Interrupted(broken()))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(r.unwrap(), 3);
    }
}
