//! The one place the page calls the proxy. Every request goes through here so
//! that typed-in registry credentials (the `x-registry-auth` header) are added
//! in exactly one spot, and every failure (proxy error body, unexpected HTTP
//! answer, no answer at all) arrives in the page as one error type.

use gloo_net::http::{Request, RequestBuilder};
use shared::api::{ApiError, ErrorBody, ErrorCode, INSPECT_PATH, InspectResponse};
use shared::credentials::{CREDENTIALS_HEADER, CredentialSet};

use crate::query;

/// Why a call to the proxy gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiFailure {
    /// The proxy answered with its error body: the common case (bad reference,
    /// not found, unauthorized...).
    #[error("{error}")]
    Api { status: u16, error: ApiError },
    /// A non-2xx answer without the proxy's error body (e.g. a reverse proxy
    /// in front of it).
    #[error("the server answered HTTP {status}{}", detail_suffix(detail))]
    Http { status: u16, detail: String },
    /// No answer: the manifest-web server is down or unreachable.
    #[error("could not reach the manifest-web server: {0}")]
    Network(String),
    /// A 2xx answer the page cannot read (a proxy/page version mismatch).
    #[error("the server's answer could not be read: {0}")]
    Decode(String),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl ApiFailure {
    /// A short label for the kind of failure: the API's code
    /// (`NOT_FOUND`, ...) when there is one.
    pub fn code(&self) -> String {
        match self {
            ApiFailure::Api { error, .. } => code_name(error.code),
            ApiFailure::Http { status, .. } => format!("HTTP {status}"),
            ApiFailure::Network(_) => "NETWORK".to_string(),
            ApiFailure::Decode(_) => "BAD_RESPONSE".to_string(),
        }
    }
}

/// The wire spelling of an error code (`NOT_FOUND`).
pub fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{code:?}"),
    }
}

/// `/api/v1/inspect?ref=REFERENCE`
pub fn inspect_url(reference: &str) -> String {
    format!("{INSPECT_PATH}?ref={}", query::encode_component(reference))
}

/// What is inside `reference`. `credentials`, when given and not empty, travel
/// in the credentials header for this request only.
pub async fn inspect(
    reference: &str,
    credentials: Option<&CredentialSet>,
) -> Result<InspectResponse, ApiFailure> {
    let request = with_credentials(Request::get(&inspect_url(reference)), credentials);
    let response = request
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    if response.ok() {
        serde_json::from_str(&body).map_err(|e| ApiFailure::Decode(e.to_string()))
    } else {
        Err(failure_from_body(status, &body))
    }
}

fn with_credentials(
    request: RequestBuilder,
    credentials: Option<&CredentialSet>,
) -> RequestBuilder {
    match credentials {
        Some(set) if !set.0.is_empty() => request.header(CREDENTIALS_HEADER, &set.encode()),
        _ => request,
    }
}

/// Turn a non-2xx answer into a failure: the proxy's error body when it is
/// one, else the status with the start of whatever text came back.
pub fn failure_from_body(status: u16, body: &str) -> ApiFailure {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => ApiFailure::Api { status, error },
        Err(_) => {
            const MAX: usize = 300;
            let text = body.trim();
            let detail = match text.char_indices().nth(MAX) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text.to_string(),
            };
            ApiFailure::Http { status, detail }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_url_escapes_only_what_it_must() {
        assert_eq!(
            inspect_url("localhost:5000/a/b:1@sha256:ab"),
            "/api/v1/inspect?ref=localhost:5000/a/b:1@sha256:ab"
        );
        assert_eq!(inspect_url("a b&c"), "/api/v1/inspect?ref=a%20b%26c");
    }

    #[test]
    fn error_bodies_keep_code_and_message() {
        let failure = failure_from_body(
            404,
            r#"{"error":{"code":"NOT_FOUND","message":"tag no-such-tag not found"}}"#,
        );
        assert_eq!(failure.code(), "NOT_FOUND");
        assert_eq!(failure.to_string(), "tag no-such-tag not found");
        assert!(matches!(failure, ApiFailure::Api { status: 404, .. }));
    }

    #[test]
    fn other_bodies_become_http_failures() {
        let failure = failure_from_body(502, "  <html>Bad Gateway</html>\n");
        assert_eq!(failure.code(), "HTTP 502");
        assert_eq!(
            failure.to_string(),
            "the server answered HTTP 502: <html>Bad Gateway</html>"
        );
        assert_eq!(
            failure_from_body(500, "").to_string(),
            "the server answered HTTP 500"
        );
        let long = "é".repeat(400);
        let ApiFailure::Http { detail, .. } = failure_from_body(500, &long) else {
            panic!("expected an HTTP failure");
        };
        assert_eq!(detail.chars().count(), 301);
    }

    #[test]
    fn code_names_are_the_wire_spelling() {
        assert_eq!(code_name(ErrorCode::InvalidReference), "INVALID_REFERENCE");
        assert_eq!(code_name(ErrorCode::RateLimited), "RATE_LIMITED");
    }
}
