//! What a registry says about its rate limit: the quota left (Docker Hub's
//! `ratelimit-remaining`), and, when it answers 429, when to try again.
//!
//! A bare "429 Too Many Requests" leaves a person guessing; Docker Hub and
//! others say how long the wait is (`Retry-After`, `ratelimit-reset`) and
//! what the quota is, which is what the message passes on.

use std::time::SystemTime;

use reqwest::header::HeaderMap;
use shared::api::RateLimitInfo;

use super::retry::retry_after;

pub const RATELIMIT_REMAINING: &str = "ratelimit-remaining";
pub const RATELIMIT_LIMIT: &str = "ratelimit-limit";
/// Seconds until the quota resets (the IETF RateLimit draft's header).
pub const RATELIMIT_RESET: &str = "ratelimit-reset";

/// Does `registry` (as normalized, `docker.io`) count manifest GETs against
/// a pull quota, and HEADs not? Only there does asking "is the tag still
/// this digest?" with a HEAD before a GET pay; everywhere else a GET of the
/// tag answers in the same one round trip, with the bytes.
pub fn counts_manifest_gets(registry: &str) -> bool {
    registry == shared::reference::DOCKER_HUB
}

fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The quota a response reports, if it reports one.
pub fn rate_limit(headers: &HeaderMap) -> Option<RateLimitInfo> {
    RateLimitInfo::from_headers(
        text(headers, RATELIMIT_REMAINING),
        text(headers, RATELIMIT_LIMIT),
    )
}

/// "try again in 1 h 2 min" style, whole units only.
fn human_duration(seconds: u64) -> String {
    match seconds {
        0 => "a moment".to_string(),
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s.div_ceil(60)),
        s => {
            let (h, m) = (s / 3600, (s % 3600) / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
    }
}

/// What a 429's headers say about the wait and the quota, as a sentence
/// to add to the error ("" when they say nothing).
pub fn explain_too_many_requests(headers: &HeaderMap, now: SystemTime) -> String {
    let wait = retry_after(headers, now)
        .map(|d| d.as_secs())
        .or_else(|| text(headers, RATELIMIT_RESET).and_then(|v| v.trim().parse().ok()));
    let quota = rate_limit(headers);
    let mut parts = Vec::new();
    if let Some(seconds) = wait {
        parts.push(format!("the limit resets in {}", human_duration(seconds)));
    }
    if let Some(q) = quota {
        match (q.limit, q.window_seconds) {
            (Some(limit), Some(window)) => parts.push(format!(
                "{} of {limit} pulls per {} left",
                q.remaining,
                human_duration(window)
            )),
            (Some(limit), None) => parts.push(format!("{} of {limit} pulls left", q.remaining)),
            _ => parts.push(format!("{} pulls left", q.remaining)),
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_docker_hub_counts_manifest_gets() {
        assert!(counts_manifest_gets("docker.io"));
        assert!(!counts_manifest_gets("ghcr.io"));
        assert!(!counts_manifest_gets("localhost:5000"));
    }

    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn reads_the_quota() {
        let h = headers(&[
            (RATELIMIT_REMAINING, "76;w=21600"),
            (RATELIMIT_LIMIT, "100;w=21600"),
        ]);
        let q = rate_limit(&h).unwrap();
        assert_eq!(
            (q.remaining, q.limit, q.window_seconds),
            (76, Some(100), Some(21600))
        );
        assert_eq!(rate_limit(&HeaderMap::new()), None);
    }

    #[test]
    fn explains_a_429() {
        let now = SystemTime::now();
        let h = headers(&[
            ("retry-after", "3720"),
            (RATELIMIT_REMAINING, "0;w=21600"),
            (RATELIMIT_LIMIT, "100;w=21600"),
        ]);
        assert_eq!(
            explain_too_many_requests(&h, now),
            "the limit resets in 1 h 2 min; 0 of 100 pulls per 6 h left"
        );
        let reset_only = headers(&[(RATELIMIT_RESET, "90")]);
        assert_eq!(
            explain_too_many_requests(&reset_only, now),
            "the limit resets in 2 min"
        );
        assert_eq!(explain_too_many_requests(&HeaderMap::new(), now), "");
        assert_eq!(human_duration(30), "30 s");
        assert_eq!(human_duration(7200), "2 h");
    }
}
