//! Serving the built page (Trunk's `dist/`) with its security headers.
//!
//! The Content-Security-Policy allows only our own scripts plus wasm
//! compilation. Trunk's `index.html` starts the app with an inline module
//! script, so the hashes of the inline scripts found in `index.html` are added
//! to `script-src` at start-up instead of allowing inline scripts wholesale.
//! Unknown paths fall back to `index.html` so client-side routes load.

use std::path::Path;

use axum::http::HeaderValue;
use base64::Engine;
use sha2::{Digest as _, Sha256};

/// The policy without inline-script hashes.
pub const BASE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// The CSP for the page in `dist_dir` (its inline scripts' hashes included).
pub fn content_security_policy(dist_dir: &Path) -> String {
    let hashes = match std::fs::read_to_string(dist_dir.join("index.html")) {
        Ok(html) => inline_script_hashes(&html),
        Err(e) => {
            tracing::warn!(
                dist = %dist_dir.display(),
                "no index.html in the frontend directory ({e}); build the page with `trunk build`"
            );
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
    fn no_scripts_no_hashes() {
        assert!(inline_script_hashes("<html><script src=x></script></html>").is_empty());
        assert!(inline_script_hashes("<script>unterminated").is_empty());
        assert_eq!(csp_with_hashes(&[]), BASE_CSP);
    }
}
