//! Which web pages may use the API.
//!
//! The proxy acts with the network position of the machine it runs on, so a
//! page from any other site must not be able to drive it. Browsers send
//! `Origin` on cross-origin requests: anything not allow-listed (and not the
//! proxy's own page) is refused with 403 before any registry traffic. The
//! `Host` header is checked too, so a hostile page cannot rebind its own name
//! to the proxy's address (DNS rebinding) and call it "same-origin".
//!
//! A missing `Origin` is not proof of a friendly caller: browsers send none
//! on "no-cors" GETs (`<img src=...>`, `<script src=...>`), which would let
//! any site make the proxy use its owner's Docker credentials. Every current
//! browser sends `Sec-Fetch-Site` though, so a request marked `cross-site`
//! or `same-site` must carry an allowed `Origin`. Clients that send neither
//! header (curl, scripts) are not browsers acting for another site and stay
//! allowed, as do `same-origin` and `none` (typed into the address bar).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderName;
use axum::http::HeaderValue;
use axum::http::header::{HOST, ORIGIN};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use reqwest::Url;

use crate::config::Config;
use crate::error::ProxyError;

#[derive(Debug, Clone)]
pub struct OriginPolicy {
    /// Normalized `scheme://host[:port]` of the allowed origins.
    allowed: Arc<Vec<String>>,
    /// Host names (no port) the API answers to besides IPs and localhost.
    hosts: Arc<Vec<String>>,
}

impl OriginPolicy {
    pub fn new(config: &Config) -> Result<Self, ProxyError> {
        let mut allowed = Vec::new();
        let mut hosts = vec![config.listen.ip().to_string()];
        for origin in &config.allowed_origins {
            let o = origin.trim();
            if o == "*" || o == "null" {
                return Err(ProxyError::InvalidSettings(format!(
                    "--allow-origin `{o}` is not allowed: name each origin, e.g. http://127.0.0.1:8081"
                )));
            }
            let url = Url::parse(o).map_err(|e| {
                ProxyError::InvalidSettings(format!(
                    "--allow-origin `{o}` is not an origin (scheme://host[:port]): {e}"
                ))
            })?;
            if !matches!(url.scheme(), "http" | "https")
                || url.path() != "/"
                || url.host().is_none()
            {
                return Err(ProxyError::InvalidSettings(format!(
                    "--allow-origin `{o}` is not an origin (scheme://host[:port], nothing after it)"
                )));
            }
            allowed.push(url.origin().ascii_serialization());
            if let Some(h) = url.host_str() {
                hosts.push(h.to_ascii_lowercase());
            }
        }
        Ok(OriginPolicy {
            allowed: Arc::new(allowed),
            hosts: Arc::new(hosts),
        })
    }

    /// The allowed origins, as header values for the CORS layer.
    pub fn header_values(&self) -> Vec<HeaderValue> {
        self.allowed
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect()
    }

    /// Decide on a request's `Origin`, `Host` and `Sec-Fetch-Site` headers.
    pub fn check(
        &self,
        origin: Option<&str>,
        host: Option<&str>,
        fetch_site: Option<&str>,
    ) -> Result<(), ProxyError> {
        self.check_host(host)?;
        let Some(origin) = origin else {
            return match fetch_site {
                Some(site) if from_another_page(Some(site)) => {
                    Err(ProxyError::ForbiddenOrigin(format!(
                        "a {} browser request without an Origin header is refused \
                         (another page cannot use the proxy); call the API from the proxy's \
                         own page or from an origin started with --allow-origin",
                        site.trim().to_ascii_lowercase()
                    )))
                }
                _ => Ok(()),
            };
        };
        let normalized = Url::parse(origin)
            .ok()
            .map(|u| u.origin().ascii_serialization());
        if let Some(n) = &normalized {
            if self.allowed.iter().any(|a| a == n) {
                return Ok(());
            }
            let same_origin = host.is_some_and(|h| {
                Url::parse(&format!("http://{h}/"))
                    .is_ok_and(|u| n == &u.origin().ascii_serialization())
                    || Url::parse(&format!("https://{h}/"))
                        .is_ok_and(|u| n == &u.origin().ascii_serialization())
            });
            if same_origin {
                return Ok(());
            }
        }
        Err(ProxyError::ForbiddenOrigin(format!(
            "requests from the page at `{origin}` are not allowed; \
             start the proxy with --allow-origin {origin} to allow them"
        )))
    }

    /// Decide on a request's `Host` alone: for what any site may embed
    /// (the badge), which must still not answer to a rebound name.
    pub fn check_host(&self, host: Option<&str>) -> Result<(), ProxyError> {
        match host {
            Some(host) if !self.host_allowed(host) => Err(ProxyError::ForbiddenOrigin(format!(
                "requests addressed to `{host}` are refused (DNS rebinding protection); \
                 start the proxy with --allow-origin for the address you use"
            ))),
            _ => Ok(()),
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let Ok(url) = Url::parse(&format!("http://{host}/")) else {
            return false;
        };
        match url.host() {
            Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
            Some(url::Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost") || self.hosts.contains(&d)
            }
            None => false,
        }
    }
}

/// Set by browsers on every request: how the requesting page relates to the
/// target (`same-origin`, `same-site`, `cross-site`, `none`).
pub const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Whether a browser says a request was made by (or a navigation started
/// from) a page on another origin, by its `Sec-Fetch-Site` value:
/// `cross-site`, or `same-site` (another port or subdomain of the same site).
/// `same-origin` (the proxy's own page, a reload), `none` (the address bar, a
/// bookmark) and no header at all (curl, scripts) are not.
pub fn from_another_page(fetch_site: Option<&str>) -> bool {
    fetch_site.is_some_and(|site| {
        let site = site.trim();
        site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site")
    })
}

/// The request's `Host` (or its URI's authority).
fn request_host(request: &Request) -> Option<String> {
    request
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
}

/// Middleware: refuse foreign origins, cross-site requests without an
/// allowed origin, and unknown Host names.
pub async fn guard(State(policy): State<OriginPolicy>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(ORIGIN)
        .map(|v| v.to_str().unwrap_or("<non-text origin>").to_string());
    let host = request_host(&request);
    let fetch_site = request
        .headers()
        .get(SEC_FETCH_SITE)
        .map(|v| v.to_str().unwrap_or("<non-text value>").to_string());
    match policy.check(origin.as_deref(), host.as_deref(), fetch_site.as_deref()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// Middleware for what any site may embed and that never acts with anyone's
/// credentials (the badge): unknown Host names refused, origins not asked.
pub async fn guard_public(
    State(policy): State<OriginPolicy>,
    request: Request,
    next: Next,
) -> Response {
    match policy.check_host(request_host(&request).as_deref()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(origins: &[&str]) -> OriginPolicy {
        let c = Config {
            allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
            ..Config::default()
        };
        OriginPolicy::new(&c).unwrap()
    }

    #[test]
    fn allowed_same_and_foreign_origins() {
        let p = policy(&["http://127.0.0.1:8081", "https://ui.example.com"]);
        assert!(
            p.check(Some("http://127.0.0.1:8081"), Some("127.0.0.1:8080"), None)
                .is_ok()
        );
        assert!(
            p.check(Some("https://ui.example.com"), Some("127.0.0.1:8080"), None)
                .is_ok()
        );
        // Same origin as the proxy itself.
        assert!(
            p.check(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"), None)
                .is_ok()
        );
        // No Origin (curl, same-origin GET).
        assert!(p.check(None, Some("127.0.0.1:8080"), None).is_ok());
        let e = p
            .check(Some("https://evil.example"), Some("127.0.0.1:8080"), None)
            .unwrap_err();
        assert!(matches!(e, ProxyError::ForbiddenOrigin(_)));
        assert!(e.to_string().contains("https://evil.example"));
        assert!(p.check(Some("null"), Some("127.0.0.1:8080"), None).is_err());
        assert!(
            p.check(Some("http://127.0.0.1:8082"), Some("127.0.0.1:8080"), None)
                .is_err()
        );
    }

    #[test]
    fn rebinding_hosts_are_refused() {
        let p = policy(&["https://ui.example.com"]);
        assert!(
            p.check(
                Some("http://evil.example:8080"),
                Some("evil.example:8080"),
                None
            )
            .is_err()
        );
        assert!(p.check(None, Some("evil.example:8080"), None).is_err());
        assert!(p.check(None, Some("localhost:8080"), None).is_ok());
        assert!(p.check(None, Some("[::1]:8080"), None).is_ok());
        assert!(p.check(None, Some("ui.example.com"), None).is_ok());
    }

    #[test]
    fn pages_on_other_origins_are_told_apart() {
        for site in ["cross-site", "same-site", "Cross-Site", " same-site "] {
            assert!(from_another_page(Some(site)), "{site}");
        }
        for site in [
            None,
            Some("same-origin"),
            Some("none"),
            Some(""),
            Some("junk"),
        ] {
            assert!(!from_another_page(site), "{site:?}");
        }
    }

    #[test]
    fn cross_site_requests_need_an_allowed_origin() {
        let p = policy(&["http://127.0.0.1:8081"]);
        let host = Some("127.0.0.1:8080");
        // `<img src>` from another site: no Origin, but the browser says where from.
        for site in ["cross-site", "same-site", "Cross-Site"] {
            let e = p.check(None, host, Some(site)).unwrap_err();
            assert!(matches!(e, ProxyError::ForbiddenOrigin(_)), "{site}");
            assert!(e.to_string().contains("--allow-origin"), "{e}");
            // The same request with an allowed Origin (a CORS fetch) passes.
            assert!(
                p.check(Some("http://127.0.0.1:8081"), host, Some(site))
                    .is_ok()
            );
            assert!(
                p.check(Some("https://evil.example"), host, Some(site))
                    .is_err()
            );
        }
        // The proxy's own page, the address bar, and non-browser clients.
        assert!(p.check(None, host, Some("same-origin")).is_ok());
        assert!(p.check(None, host, Some("none")).is_ok());
        assert!(p.check(None, host, None).is_ok());
    }

    #[test]
    fn embeddable_answers_check_the_host_alone() {
        let p = policy(&["https://ui.example.com"]);
        assert!(p.check_host(Some("127.0.0.1:8080")).is_ok());
        assert!(p.check_host(Some("ui.example.com")).is_ok());
        assert!(p.check_host(None).is_ok());
        let e = p.check_host(Some("evil.example:8080")).unwrap_err();
        assert!(matches!(e, ProxyError::ForbiddenOrigin(_)));
    }

    #[test]
    fn wildcard_and_junk_origins_are_config_errors() {
        for bad in ["*", "null", "127.0.0.1:8081", "http://x/path", "ftp://x"] {
            let c = Config {
                allowed_origins: vec![bad.to_string()],
                ..Config::default()
            };
            assert!(OriginPolicy::new(&c).is_err(), "{bad}");
        }
    }
}
