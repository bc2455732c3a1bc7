//! What a registry's error status and body mean for the person asking.
//!
//! Registries answer errors with a status and usually a distribution-spec
//! `{"errors":[{"code","message","detail"}]}` body; both are used, so that a
//! 404 names the missing reference and a 401 says credentials are needed.
//!
//! The registry writes that text, so it is capped here, once: a hostile
//! registry's megabyte error message would otherwise be copied into every
//! message (and every index entry) that reports it.

use serde::Deserialize;

use crate::error::RegistryError;

/// Where the error happened, for the message.
#[derive(Debug, Clone)]
pub struct ErrorContext<'a> {
    /// The registry as the user wrote it (`docker.io`, `localhost:5000`).
    pub registry: &'a str,
    /// What was asked for: "manifest `docker.io/library/alpine:3.19`".
    pub what: &'a str,
}

/// One entry of the registry's error body, whatever its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryErrorInfo {
    pub code: String,
    pub message: String,
}

/// Parse an error body: the OCI type first, then a lenient shape for codes
/// oci-spec does not know (e.g. Harbor's or ECR's own codes).
pub fn parse_error_body(body: &[u8]) -> Vec<RegistryErrorInfo> {
    if let Ok(resp) = serde_json::from_slice::<oci_spec::distribution::ErrorResponse>(body) {
        return resp
            .detail()
            .iter()
            .map(|e| RegistryErrorInfo {
                // The wire spelling (serde), not strum's Display (`TOO_MANY_REQUESTS`).
                code: serde_json::to_value(e.code())
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| e.code().to_string()),
                message: e.message().clone().unwrap_or_default(),
            })
            .collect();
    }
    #[derive(Deserialize)]
    struct Lenient {
        #[serde(default)]
        errors: Vec<LenientInfo>,
    }
    #[derive(Deserialize)]
    struct LenientInfo {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: Option<String>,
    }
    match serde_json::from_slice::<Lenient>(body) {
        Ok(l) => l
            .errors
            .into_iter()
            .map(|e| RegistryErrorInfo {
                code: e.code,
                message: e.message.unwrap_or_default(),
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Map a non-success registry response to our error.
pub fn map_registry_error(status: u16, body: &[u8], ctx: &ErrorContext<'_>) -> RegistryError {
    let infos = parse_error_body(body);
    let detail = summarize(&infos, body);
    let has = |code: &str| infos.iter().any(|i| i.code.eq_ignore_ascii_case(code));
    let registry = ctx.registry.to_string();
    let not_found =
        status == 404 || has("MANIFEST_UNKNOWN") || has("NAME_UNKNOWN") || has("BLOB_UNKNOWN");
    if status == 401 || (has("UNAUTHORIZED") && !not_found) {
        RegistryError::Unauthorized { registry, detail }
    } else if status == 429 || has("TOOMANYREQUESTS") {
        RegistryError::RateLimited { registry, detail }
    } else if status == 403 || has("DENIED") {
        RegistryError::Denied { registry, detail }
    } else if not_found {
        RegistryError::NotFound {
            what: format!("{} in {}", ctx.what, ctx.registry),
            detail,
        }
    } else {
        RegistryError::Upstream {
            registry,
            what: ctx.what.to_string(),
            status,
            detail,
        }
    }
}

/// At most this many bytes of a registry's own error text go into a message.
pub const MAX_DETAIL_BYTES: usize = 300;

/// `CODE: message; CODE: message`, or the start of a non-JSON body, at most
/// [`MAX_DETAIL_BYTES`] of it.
fn summarize(infos: &[RegistryErrorInfo], body: &[u8]) -> String {
    if !infos.is_empty() {
        let mut joined = String::new();
        for (i, info) in infos.iter().enumerate() {
            if joined.len() > MAX_DETAIL_BYTES {
                break;
            }
            if i > 0 {
                joined.push_str("; ");
            }
            if !info.code.is_empty() {
                joined.push_str(cap(&info.code));
                if !info.message.is_empty() {
                    joined.push_str(": ");
                }
            }
            joined.push_str(cap(&info.message));
        }
        return capped(&joined);
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text.starts_with('<') {
        // Empty, or an HTML error page: nothing a person can use.
        return String::new();
    }
    capped(text)
}

/// The longest prefix of `text` of at most `MAX_DETAIL_BYTES` bytes that
/// ends on a character boundary.
fn cap(text: &str) -> &str {
    let mut end = text.len().min(MAX_DETAIL_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` capped, with `…` when something was cut.
fn capped(text: &str) -> String {
    let short = cap(text);
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: ErrorContext<'static> = ErrorContext {
        registry: "localhost:5000",
        what: "manifest `localhost:5000/app:1.0`",
    };

    #[test]
    fn not_found_names_the_reference_and_the_registry_code() {
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"1.0"}}]}"#;
        let e = map_registry_error(404, body, &CTX);
        assert!(matches!(e, RegistryError::NotFound { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains("localhost:5000/app:1.0"), "{msg}");
        assert!(msg.contains("MANIFEST_UNKNOWN: manifest unknown"), "{msg}");
    }

    #[test]
    fn name_unknown_and_bare_404() {
        let body = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"app"}}]}"#;
        assert!(matches!(
            map_registry_error(404, body, &CTX),
            RegistryError::NotFound { .. }
        ));
        let e = map_registry_error(404, b"", &CTX);
        assert_eq!(
            e.to_string(),
            "manifest `localhost:5000/app:1.0` in localhost:5000 was not found"
        );
    }

    #[test]
    fn auth_statuses() {
        let body = br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Name":"app","Action":"pull"}]}]}"#;
        let e = map_registry_error(401, body, &CTX);
        assert!(matches!(e, RegistryError::Unauthorized { .. }), "{e:?}");
        assert!(e.to_string().contains("authentication required"));
        let body = br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#;
        assert!(matches!(
            map_registry_error(403, body, &CTX),
            RegistryError::Denied { .. }
        ));
        let body = br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}"#;
        let e = map_registry_error(429, body, &CTX);
        assert!(matches!(e, RegistryError::RateLimited { .. }));
        assert!(e.to_string().contains("pull rate limit"));
        // Docker Hub has answered rate limits with other statuses plus this code.
        assert!(matches!(
            map_registry_error(403, body, &CTX),
            RegistryError::RateLimited { .. }
        ));
    }

    #[test]
    fn unknown_codes_and_non_json_bodies() {
        let body =
            br#"{"errors":[{"code":"HARBOR_SPECIFIC","message":"project is being deleted"}]}"#;
        let e = map_registry_error(500, body, &CTX);
        match &e {
            RegistryError::Upstream { status, detail, .. } => {
                assert_eq!(*status, 500);
                assert_eq!(detail, "HARBOR_SPECIFIC: project is being deleted");
            }
            other => panic!("{other:?}"),
        }
        let e = map_registry_error(502, b"<html><body>Bad Gateway</body></html>", &CTX);
        assert_eq!(
            e.to_string(),
            "localhost:5000 answered 502 for manifest `localhost:5000/app:1.0`"
        );
        let e = map_registry_error(500, b"plain text failure", &CTX);
        assert!(e.to_string().ends_with("(plain text failure)"), "{e}");
    }

    /// A registry's megabyte of error text becomes a few hundred bytes,
    /// cut on a character boundary, in JSON and plain bodies alike.
    #[test]
    fn registry_text_is_capped() {
        let huge = "é".repeat(500_000);
        let body = serde_json::to_vec(&serde_json::json!({"errors": [
            {"code": "MANIFEST_UNKNOWN", "message": huge},
            {"code": "X", "message": huge},
        ]}))
        .unwrap();
        for body in [body, huge.clone().into_bytes()] {
            let e = map_registry_error(404, &body, &CTX);
            let RegistryError::NotFound { detail, .. } = &e else {
                panic!("{e:?}")
            };
            assert!(
                detail.len() <= MAX_DETAIL_BYTES + "…".len(),
                "{}",
                detail.len()
            );
            assert!(detail.ends_with('…'), "{detail}");
        }
    }
}
