//! The error body every API endpoint returns with a non-2xx status.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence a person can act on.
    pub message: String,
}

/// Stable, machine-readable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The reference (or another input) does not parse.
    InvalidReference,
    /// A request body or parameter is wrong (e.g. a push spec).
    InvalidInput,
    /// The registry says the repository, tag or digest does not exist.
    NotFound,
    /// The registry wants credentials (none given, or wrong ones).
    Unauthorized,
    /// The registry knows who you are and refuses.
    Denied,
    /// Too many requests (e.g. Docker Hub's rate limit).
    RateLimited,
    /// The registry cannot be reached (DNS, connect, TLS, timeout).
    Unreachable,
    /// Content did not hash to the digest it was asked for.
    DigestMismatch,
    /// The registry sent something that is not a manifest we can read.
    BadManifest,
    /// A body over the size cap.
    TooLarge,
    /// The target host is not allowed (private address, plain HTTP, ...).
    ForbiddenTarget,
    /// The request came from an origin that is not allowed.
    ForbiddenOrigin,
    /// A push with `expect`: the target tag no longer points at the digest
    /// the edit started from; nothing was tagged.
    TagMoved,
    /// The registry answered with an unexpected error.
    Upstream,
    /// A bug or unexpected state in the proxy.
    Internal,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
