//! Serving the built page (Trunk's `dist/`) with its security headers.
//!
//! The Content-Security-Policy allows only our own scripts plus wasm
//! compilation. Trunk's `index.html` starts the app with an inline module
//! script, so the hashes of the inline scripts found in `index.html` are added
//! to `script-src` at start-up instead of allowing inline scripts wholesale.
//! Unknown paths fall back to `index.html` so client-side routes load: its
//! loader picks the page's wasm module from the path (`/create` gets the
//! create page's), so every page path is answered with the same HTML.
//!
//! The page's files have stable names (`inspect.js`, `create_bg.wasm`,
//! `style.css`, see `Trunk.toml`), so none may be reused unasked: every answer
//! from `dist/` is `no-cache` and revalidated (`Last-Modified`), which after an
//! upgrade can never mix one build's HTML with another's modules.
//!
//! The page inspects the reference in its URL as soon as it loads, which
//! may use this proxy's saved credentials. A link or script on another site
//! must not be able to start that: when the browser says a navigation comes
//! from another site (`Sec-Fetch-Site`), the HTML carries a marker and the
//! page waits for a person to press Inspect. The page reads the marker
//! (`frontend/src/opened_from.rs`); the rule for "another site" is the API's
//! (`origin::from_another_page`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    IF_RANGE, IF_UNMODIFIED_SINCE, LAST_MODIFIED, RANGE, VARY,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest as _, Sha256};

use crate::origin::{SEC_FETCH_SITE, from_another_page};

/// Put into the page's `<head>` when it was opened from another site; the
/// page reads it once at start (`frontend/src/opened_from.rs`).
pub fn opened_from_marker() -> String {
    format!(
        r#"<meta name="{}" content="another-site">"#,
        shared::api::OPENED_FROM_META
    )
}

/// `Cache-Control` of every file of the page (see the module docs).
pub fn page_files_cache_control() -> HeaderValue {
    HeaderValue::from_static("no-cache")
}

/// The most HTML read into memory to mark it (`index.html` is ~1 KB).
const MAX_HTML: usize = 1 << 20;

/// Middleware around the page's files: HTML answers are never reused
/// without asking (`no-cache`) and vary with `Sec-Fetch-Site`; those to a
/// navigation from another site carry [`opened_from_marker`], and are whole
/// and fresh (the request's conditional and range headers are dropped, so a
/// cached copy without the marker is never confirmed for it).
pub async fn mark_navigations(mut request: Request, next: Next) -> Response {
    let marked = from_another_page(
        request
            .headers()
            .get(SEC_FETCH_SITE)
            .and_then(|v| v.to_str().ok()),
    );
    if marked {
        for name in [
            IF_NONE_MATCH,
            IF_MODIFIED_SINCE,
            IF_MATCH,
            IF_UNMODIFIED_SINCE,
            IF_RANGE,
            RANGE,
        ] {
            request.headers_mut().remove(name);
        }
    }
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    parts
        .headers
        .append(VARY, HeaderValue::from_static("Sec-Fetch-Site"));
    if !marked {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HTML).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be read",
        )
            .into_response();
    };
    let html = mark_html(&String::from_utf8_lossy(&bytes));
    for name in [CONTENT_LENGTH, ETAG, LAST_MODIFIED] {
        parts.headers.remove(name);
    }
    Response::from_parts(parts, Body::from(html))
}

/// `html` with [`opened_from_marker`] just before `</head>` (at the very
/// start if there is none: the page looks for it anywhere).
pub fn mark_html(html: &str) -> String {
    let at = html.to_ascii_lowercase().find("</head").unwrap_or(0);
    format!("{}{}{}", &html[..at], opened_from_marker(), &html[at..])
}

/// The policy without inline-script hashes.
pub const BASE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// The CSP for the page whose `index.html` is `index_html` (its inline
/// scripts' hashes included).
pub fn content_security_policy(index_html: Option<&str>) -> String {
    let hashes = match index_html {
        Some(html) => inline_script_hashes(html),
        None => {
            tracing::warn!("the page has no index.html; build the page with `trunk build`");
            Vec::new()
        }
    };
    csp_with_hashes(&hashes)
}

pub fn csp_with_hashes(hashes: &[String]) -> String {
    let extra: String = hashes.iter().map(|h| format!(" '{h}'")).collect();
    BASE_CSP.replace(
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("script-src 'self' 'wasm-unsafe-eval'{extra}"),
    )
}

pub fn csp_header(csp: &str) -> HeaderValue {
    HeaderValue::from_str(csp).unwrap_or_else(|_| HeaderValue::from_static(BASE_CSP))
}

/// `sha256-BASE64` of each inline `<script>` body (no `src`), exactly as
/// written between the tags, which is what browsers hash.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = lower[from..].find("<script") {
        let open = from + rel;
        let Some(tag_end_rel) = lower[open..].find('>') else {
            break;
        };
        let tag_end = open + tag_end_rel;
        let tag = &lower[open..tag_end];
        let body_start = tag_end + 1;
        let Some(close_rel) = lower[body_start..].find("</script") else {
            break;
        };
        let body_end = body_start + close_rel;
        if !has_src_attribute(tag) {
            let body = &html[body_start..body_end];
            let digest = Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            out.push(format!("sha256-{b64}"));
        }
        from = body_end;
    }
    out
}

fn has_src_attribute(tag: &str) -> bool {
    tag.split(|c: char| c.is_ascii_whitespace())
        .any(|attr| attr.starts_with("src=") || attr == "src")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = "<html><head>\
<script type=\"module\" src=\"/app.js\"></script>\
<script type=\"module\">import init from '/x.js';await init();</script>\
</head></html>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/x.js';await init();"));
        assert_eq!(hashes[0], format!("sha256-{expected}"));
        let csp = csp_with_hashes(&hashes);
        assert!(csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' '{}'",
            hashes[0]
        )));
        assert!(csp.contains("connect-src 'self'"));
    }

    #[test]
    fn the_marker_goes_into_the_head() {
        assert_eq!(
            mark_html("<html><head><title>t</title></HEAD><body></body></html>"),
            format!(
                "<html><head><title>t</title>{}</HEAD><body></body></html>",
                opened_from_marker()
            )
        );
        assert_eq!(
            mark_html("<p>x</p>"),
            format!("{}<p>x</p>", opened_from_marker())
        );
        // The marker is not a script: the CSP's hashes stay valid.
        assert!(inline_script_hashes(&mark_html("<head></head>")).is_empty());
    }

    /// The middleware around a stand-in for the page's files that answers
    /// `content_type`, validators included, and says which conditional
    /// headers reached it.
    async fn serve(sec_fetch_site: Option<&str>, content_type: &'static str) -> (Response, String) {
        use axum::http::header::{HeaderName, HeaderValue};
        use tower::{Layer as _, ServiceExt as _};
        let files = tower::service_fn(move |request: Request| async move {
            let conditional = [IF_NONE_MATCH, IF_MODIFIED_SINCE, RANGE]
                .iter()
                .filter(|h| request.headers().contains_key(*h))
                .count();
            Ok::<_, std::convert::Infallible>(
                (
                    [
                        (CONTENT_TYPE, content_type.to_string()),
                        (ETAG, "\"v1\"".to_string()),
                        (
                            HeaderName::from_static("x-conditional"),
                            conditional.to_string(),
                        ),
                    ],
                    "<html><head></head><body></body></html>",
                )
                    .into_response(),
            )
        });
        let mut request = Request::builder().uri("/?ref=private.example/app:1");
        for (name, value) in [
            ("if-none-match", "\"v1\""),
            ("if-modified-since", "x"),
            ("range", "bytes=0-1"),
        ] {
            request = request.header(name, HeaderValue::from_static(value));
        }
        if let Some(site) = sec_fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        let response = axum::middleware::from_fn(mark_navigations)
            .layer(files)
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, MAX_HTML).await.unwrap();
        (
            Response::from_parts(parts, Body::empty()),
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn navigations_from_other_sites_get_a_marked_fresh_page() {
        for site in ["cross-site", "same-site"] {
            let (response, body) = serve(Some(site), "text/html").await;
            assert!(body.contains(&opened_from_marker()), "{site}: {body}");
            assert_eq!(response.headers()["x-conditional"], "0", "{site}");
            assert!(response.headers().get(ETAG).is_none());
            assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
            assert_eq!(response.headers()[VARY], "Sec-Fetch-Site");
        }
        // A bookmark or typed URL, a reload or a link inside the app, and
        // clients that send no Sec-Fetch-Site: the page as it is.
        for site in [Some("none"), Some("same-origin"), None] {
            let (response, body) = serve(site, "text/html; charset=utf-8").await;
            assert!(!body.contains(&opened_from_marker()), "{site:?}");
            assert_eq!(response.headers()["x-conditional"], "3", "{site:?}");
            assert_eq!(response.headers()[ETAG], "\"v1\"");
            assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
            assert_eq!(response.headers()[VARY], "Sec-Fetch-Site");
        }
        // Scripts, wasm and styles are left alone.
        let (response, body) = serve(Some("cross-site"), "application/wasm").await;
        assert!(!body.contains(&opened_from_marker()));
        assert!(response.headers().get(VARY).is_none());
        assert!(response.headers().get(CACHE_CONTROL).is_none());
    }

    #[test]
    fn no_scripts_no_hashes() {
        assert!(inline_script_hashes("<html><script src=x></script></html>").is_empty());
        assert!(inline_script_hashes("<script>unterminated").is_empty());
        assert_eq!(csp_with_hashes(&[]), BASE_CSP);
    }
}
