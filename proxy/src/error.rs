//! Every failure the proxy reports, with the HTTP status and stable code the
//! page switches on. Messages name the thing that failed (reference, host,
//! digest) so a person can act on them without reading logs.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::api::{ApiError, ErrorBody, ErrorCode};
use shared::digest::Digest;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProxyError {
    #[error("invalid reference `{input}`: {source}")]
    InvalidReference {
        input: String,
        #[source]
        source: shared::ReferenceError,
    },
    #[error("{0}")]
    InvalidInput(String),
    #[error("{what} was not found{}", detail_suffix(.detail))]
    NotFound { what: String, detail: String },
    #[error("{registry} requires authentication{}", detail_suffix(.detail))]
    Unauthorized { registry: String, detail: String },
    #[error("{registry} denied access{}", detail_suffix(.detail))]
    Denied { registry: String, detail: String },
    #[error("{registry} is rate-limiting requests; try again later{}", detail_suffix(.detail))]
    RateLimited { registry: String, detail: String },
    #[error("cannot reach {host}: {detail}")]
    Unreachable {
        host: String,
        detail: String,
        /// A timeout or a broken connection (worth another try), not a
        /// refused connection, a DNS or TLS failure.
        transient: bool,
    },
    #[error("digest mismatch for {what}: expected {expected}, but the content hashes to {actual}")]
    DigestMismatch {
        what: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("{what} is not a manifest or config we can read: {detail}")]
    BadManifest { what: String, detail: String },
    #[error("{what} is larger than the {limit}-byte limit")]
    TooLarge { what: String, limit: u64 },
    #[error("refusing to contact {host}: {reason}")]
    ForbiddenTarget { host: String, reason: String },
    #[error("{0}")]
    ForbiddenOrigin(String),
    #[error("{registry} answered {status} for {what}{}", detail_suffix(.detail))]
    Upstream {
        registry: String,
        what: String,
        status: u16,
        detail: String,
    },
    #[error("internal error: {0}")]
    Internal(String),
    /// The proxy-side credential source (Docker config, credential helper) is broken.
    #[error("cannot use the proxy's Docker credentials: {0}")]
    Credentials(String),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl ProxyError {
    /// `what` did not hash to the digest it was asked for (both named), or
    /// the digest itself is unusable.
    pub fn digest(what: &str, e: shared::DigestError) -> Self {
        match e {
            shared::DigestError::Mismatch { expected, actual } => ProxyError::DigestMismatch {
                what: what.to_string(),
                expected,
                actual,
            },
            other => ProxyError::BadManifest {
                what: what.to_string(),
                detail: other.to_string(),
            },
        }
    }

    /// Check that `bytes` hash to `expected`.
    pub fn verify(expected: &shared::Digest, bytes: &[u8], what: &str) -> Result<(), Self> {
        expected
            .verify(bytes)
            .map_err(|e| ProxyError::digest(what, e))
    }

    /// May the same operation pass if tried again a little later? Rate
    /// limits, the server errors that mean "not now", and connections that
    /// broke or timed out. Never a content problem (a wrong digest or size)
    /// or a refusal.
    pub fn is_transient(&self) -> bool {
        match self {
            ProxyError::RateLimited { .. } => true,
            ProxyError::Unreachable { transient, .. } => *transient,
            ProxyError::Upstream { status, .. } => reqwest::StatusCode::from_u16(*status)
                .is_ok_and(crate::registry::retry::is_retryable_status),
            _ => false,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ProxyError::InvalidReference { .. } => ErrorCode::InvalidReference,
            ProxyError::InvalidInput(_) => ErrorCode::InvalidInput,
            ProxyError::NotFound { .. } => ErrorCode::NotFound,
            ProxyError::Unauthorized { .. } => ErrorCode::Unauthorized,
            ProxyError::Denied { .. } => ErrorCode::Denied,
            ProxyError::RateLimited { .. } => ErrorCode::RateLimited,
            ProxyError::Unreachable { .. } => ErrorCode::Unreachable,
            ProxyError::DigestMismatch { .. } => ErrorCode::DigestMismatch,
            ProxyError::BadManifest { .. } => ErrorCode::BadManifest,
            ProxyError::TooLarge { .. } => ErrorCode::TooLarge,
            ProxyError::ForbiddenTarget { .. } => ErrorCode::ForbiddenTarget,
            ProxyError::ForbiddenOrigin(_) => ErrorCode::ForbiddenOrigin,
            ProxyError::Upstream { .. } => ErrorCode::Upstream,
            ProxyError::Internal(_) | ProxyError::Credentials(_) => ErrorCode::Internal,
        }
    }

    pub fn status(&self) -> StatusCode {
        status_of(self.code())
    }

    /// The API error (code + message) for response bodies and index entries.
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(self.code(), self.to_string())
    }
}

/// The HTTP status for each error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidReference | ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Denied | ErrorCode::ForbiddenTarget | ErrorCode::ForbiddenOrigin => {
            StatusCode::FORBIDDEN
        }
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Unreachable
        | ErrorCode::DigestMismatch
        | ErrorCode::BadManifest
        | ErrorCode::Upstream => StatusCode::BAD_GATEWAY,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(code = ?self.code(), "{self}");
        } else {
            tracing::debug!(code = ?self.code(), "{self}");
        }
        (
            status,
            Json(ErrorBody {
                error: self.to_api_error(),
            }),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_not_now_failures_are_transient() {
        let upstream = |status| ProxyError::Upstream {
            registry: "r".into(),
            what: "w".into(),
            status,
            detail: String::new(),
        };
        for status in [429, 500, 502, 503, 504] {
            assert!(upstream(status).is_transient(), "{status}");
        }
        for status in [400, 404, 409, 501] {
            assert!(!upstream(status).is_transient(), "{status}");
        }
        let unreachable = |transient| ProxyError::Unreachable {
            host: "r".into(),
            detail: "reset".into(),
            transient,
        };
        assert!(unreachable(true).is_transient());
        assert!(!unreachable(false).is_transient());
        let mismatch = ProxyError::digest(
            "blob",
            shared::Digest::sha256(b"a").verify(b"b").unwrap_err(),
        );
        assert!(!mismatch.is_transient());
        assert!(!ProxyError::InvalidInput("x".into()).is_transient());
    }

    #[test]
    fn statuses_follow_the_api_contract() {
        let cases = [
            (ErrorCode::InvalidReference, 400),
            (ErrorCode::NotFound, 404),
            (ErrorCode::Unauthorized, 401),
            (ErrorCode::Denied, 403),
            (ErrorCode::RateLimited, 429),
            (ErrorCode::Unreachable, 502),
            (ErrorCode::DigestMismatch, 502),
            (ErrorCode::Upstream, 502),
            (ErrorCode::TooLarge, 413),
            (ErrorCode::ForbiddenOrigin, 403),
        ];
        for (code, status) in cases {
            assert_eq!(status_of(code).as_u16(), status, "{code:?}");
        }
    }

    #[test]
    fn messages_name_what_failed() {
        let e = ProxyError::NotFound {
            what: "manifest `localhost:5000/x:1`".into(),
            detail: "MANIFEST_UNKNOWN: manifest unknown".into(),
        };
        assert_eq!(
            e.to_string(),
            "manifest `localhost:5000/x:1` was not found (MANIFEST_UNKNOWN: manifest unknown)"
        );
        let e = ProxyError::Unreachable {
            host: "r.example".into(),
            detail: "connection refused".into(),
            transient: false,
        };
        assert!(e.to_string().contains("r.example"));
    }
}
