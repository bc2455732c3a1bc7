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
/// On the wire as [`ErrorCode::name`] (`"NOT_FOUND"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl ErrorCode {
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::InvalidReference,
        ErrorCode::InvalidInput,
        ErrorCode::NotFound,
        ErrorCode::Unauthorized,
        ErrorCode::Denied,
        ErrorCode::RateLimited,
        ErrorCode::Unreachable,
        ErrorCode::DigestMismatch,
        ErrorCode::BadManifest,
        ErrorCode::TooLarge,
        ErrorCode::ForbiddenTarget,
        ErrorCode::ForbiddenOrigin,
        ErrorCode::TagMoved,
        ErrorCode::Upstream,
        ErrorCode::Internal,
    ];

    /// The wire spelling (`NOT_FOUND`).
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// In the order of the variants (and of [`Self::ALL`]).
    const NAMES: [&'static str; 15] = [
        "INVALID_REFERENCE",
        "INVALID_INPUT",
        "NOT_FOUND",
        "UNAUTHORIZED",
        "DENIED",
        "RATE_LIMITED",
        "UNREACHABLE",
        "DIGEST_MISMATCH",
        "BAD_MANIFEST",
        "TOO_LARGE",
        "FORBIDDEN_TARGET",
        "FORBIDDEN_ORIGIN",
        "TAG_MOVED",
        "UPSTREAM",
        "INTERNAL",
    ];
}

// Written and read by hand, not derived: one table of names serves both ways
// and the page's wire spelling (`name`), and a derived reader (a variant
// visitor for strings, bytes and numbers) costs every page's wasm more.
impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ErrorCode::ALL[crate::unit_variant::read(d, &ErrorCode::NAMES)?])
    }
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

#[cfg(test)]
mod error_code_tests {
    use super::*;

    #[test]
    fn codes_travel_as_their_names() {
        for (i, code) in ErrorCode::ALL.into_iter().enumerate() {
            assert_eq!(code as usize, i, "ALL is in the order of the variants");
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.name()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
        assert_eq!(ErrorCode::TagMoved.name(), "TAG_MOVED");
        assert_eq!(ErrorCode::ForbiddenOrigin.name(), "FORBIDDEN_ORIGIN");
        let e = serde_json::from_str::<ErrorCode>("\"NOPE\"").unwrap_err();
        assert!(e.to_string().contains("unknown variant `NOPE`"), "{e}");
    }
}
