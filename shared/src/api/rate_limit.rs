//! A registry's pull quota as it reports it, so the page can warn before
//! Docker Hub starts answering 429 (anonymous pulls are limited per address).
//!
//! Docker Hub sends `ratelimit-limit: 100;w=21600` and
//! `ratelimit-remaining: 76;w=21600` (the IETF RateLimit draft, with the
//! window in seconds after `w=`); other registries send nothing.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitInfo {
    /// Requests left in the window.
    pub remaining: u64,
    /// The quota per window, when the registry said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The window, in seconds, when the registry said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<u64>,
}

/// `76;w=21600` -> (76, Some(21600)); junk -> None.
fn quota_and_window(value: &str) -> Option<(u64, Option<u64>)> {
    let mut parts = value.split(';').map(str::trim);
    let count = parts.next()?.parse().ok()?;
    let window = parts
        .filter_map(|p| p.strip_prefix("w="))
        .find_map(|w| w.trim().parse().ok());
    Some((count, window))
}

impl RateLimitInfo {
    /// From the `ratelimit-remaining` value (required) and the
    /// `ratelimit-limit` value (optional); `None` when remaining is absent
    /// or not a number.
    pub fn from_headers(remaining: Option<&str>, limit: Option<&str>) -> Option<Self> {
        let (remaining, remaining_window) = quota_and_window(remaining?)?;
        let (limit, limit_window) = match limit.and_then(quota_and_window) {
            Some((l, w)) => (Some(l), w),
            None => (None, None),
        };
        Some(RateLimitInfo {
            remaining,
            limit,
            window_seconds: remaining_window.or(limit_window),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_headers() {
        let r = RateLimitInfo::from_headers(Some("76;w=21600"), Some("100;w=21600")).unwrap();
        assert_eq!(r.remaining, 76);
        assert_eq!(r.limit, Some(100));
        assert_eq!(r.window_seconds, Some(21600));
        let bare = RateLimitInfo::from_headers(Some(" 5 "), None).unwrap();
        assert_eq!(
            (bare.remaining, bare.limit, bare.window_seconds),
            (5, None, None)
        );
        let window_from_limit = RateLimitInfo::from_headers(Some("5"), Some("10;w=60")).unwrap();
        assert_eq!(window_from_limit.window_seconds, Some(60));
    }

    #[test]
    fn missing_or_junk_is_none() {
        assert_eq!(RateLimitInfo::from_headers(None, Some("100;w=1")), None);
        assert_eq!(RateLimitInfo::from_headers(Some("lots"), None), None);
        assert_eq!(RateLimitInfo::from_headers(Some(""), None), None);
        let junk_limit = RateLimitInfo::from_headers(Some("3"), Some("x")).unwrap();
        assert_eq!(junk_limit.limit, None);
    }
}
