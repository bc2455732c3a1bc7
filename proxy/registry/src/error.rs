//! What can go wrong talking to a registry, typed so that the layer above
//! decides how to answer (this crate knows no HTTP API and no error codes).
//!
//! Every variant names what failed and at which registry; `Upstream` carries
//! the status the registry really sent. Messages are whole sentences a person
//! can act on: the API layer passes them through unchanged.

use shared::digest::Digest;

#[derive(Debug, Clone, thiserror::Error)]
pub enum RegistryError {
    #[error("{what} was not found{}", detail_suffix(.detail))]
    NotFound { what: String, detail: String },
    #[error("{registry} requires authentication{}", detail_suffix(.detail))]
    Unauthorized { registry: String, detail: String },
    #[error("{registry} denied access{}", detail_suffix(.detail))]
    Denied { registry: String, detail: String },
    #[error("{registry} is rate-limiting requests; try again later{}", detail_suffix(.detail))]
    RateLimited { registry: String, detail: String },
    /// This instance's own budget of requests to the registry is spent
    /// for now (`upstream`): nothing was sent.
    #[error(
        "this server's budget of requests to {registry} ({per_second}/s, shared by all its users) is spent; try again in {retry_after} s"
    )]
    BudgetSpent {
        registry: String,
        per_second: f64,
        /// Seconds until the budget has room again.
        retry_after: u64,
    },
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
    /// The registry sent (or announced) more than may be held: the
    /// registry's fault, not the caller's.
    #[error("{what} is larger than the {limit}-byte limit")]
    TooLarge { what: String, limit: u64 },
    /// One operation fetched more registry content than it may hold
    /// (`budget`): the registry's content is too large, not the request.
    #[error(
        "{what} does not fit: one operation may fetch at most {limit} bytes from registries (the {limit}-byte limit is used up)"
    )]
    BudgetExceeded { what: String, limit: u64 },
    #[error("refusing to contact {host}: {reason}")]
    ForbiddenTarget { host: String, reason: String },
    /// The registry answered `status`, which is not what the operation needs.
    #[error("{registry} answered {status} for {what}{}", detail_suffix(.detail))]
    Upstream {
        registry: String,
        what: String,
        status: u16,
        detail: String,
    },
    /// An answer whose status was fine but whose headers or body cannot be
    /// used (a bad `Link`, a token answer without a token, a redirect loop).
    #[error("{registry} sent an unusable answer for {what}: {detail}")]
    Protocol {
        registry: String,
        what: String,
        detail: String,
    },
    /// A `--insecure-registry` entry that is not `[https://]HOST[:PORT]`.
    #[error("--insecure-registry `{entry}` is not [https://]HOST[:PORT]: {reason}")]
    InsecureRegistryEntry { entry: String, reason: String },
    /// A credential that cannot be put in a header (control characters).
    #[error("the credentials for {registry} contain characters that cannot be sent in a header")]
    UnsendableCredential { registry: String },
    /// The proxy-side credential source (Docker config, credential helper) is broken.
    #[error("cannot use the proxy's Docker credentials: {0}")]
    Credentials(String),
    /// The HTTP client could not be set up (TLS backend, resolver).
    #[error("internal error: cannot build the HTTP client: {0}")]
    Client(String),
    /// A URL could not be built from parts that were already checked.
    #[error("internal error: cannot build the URL for {what}: {detail}")]
    Url { what: String, detail: String },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

/// `lead: detail`, or `lead` alone.
pub(crate) fn join_detail(lead: &str, detail: &str) -> String {
    if detail.is_empty() {
        lead.to_string()
    } else {
        format!("{lead}: {detail}")
    }
}

impl RegistryError {
    /// `what` did not hash to the digest it was asked for (both named), or
    /// the digest itself is unusable.
    pub fn digest(what: &str, e: shared::DigestError) -> Self {
        match e {
            shared::DigestError::Mismatch { expected, actual } => RegistryError::DigestMismatch {
                what: what.to_string(),
                expected,
                actual,
            },
            other => RegistryError::BadManifest {
                what: what.to_string(),
                detail: other.to_string(),
            },
        }
    }

    /// Check that `bytes` hash to `expected`.
    pub fn verify(expected: &Digest, bytes: &[u8], what: &str) -> Result<(), Self> {
        expected
            .verify(bytes)
            .map_err(|e| RegistryError::digest(what, e))
    }

    /// A manifest that does not parse (or does not hash to its digest).
    pub fn manifest(what: &str, e: shared::manifest::ManifestError) -> Self {
        match e {
            shared::manifest::ManifestError::Digest(d) => RegistryError::digest(what, d),
            #[allow(unreachable_patterns)]
            other => RegistryError::BadManifest {
                what: what.to_string(),
                detail: other.to_string(),
            },
        }
    }

    /// The registry answered `status` for `what`.
    pub fn upstream(
        registry: &str,
        what: &str,
        status: impl Into<u16>,
        detail: impl Into<String>,
    ) -> Self {
        RegistryError::Upstream {
            registry: registry.to_string(),
            what: what.to_string(),
            status: status.into(),
            detail: detail.into(),
        }
    }

    /// A usable status with an unusable answer.
    pub fn protocol(registry: &str, what: &str, detail: impl Into<String>) -> Self {
        RegistryError::Protocol {
            registry: registry.to_string(),
            what: what.to_string(),
            detail: detail.into(),
        }
    }

    /// May the same operation pass if tried again a little later? Rate
    /// limits, the server errors that mean "not now", and connections that
    /// broke or timed out. Never a content problem (a wrong digest or size)
    /// or a refusal.
    pub fn is_transient(&self) -> bool {
        match self {
            RegistryError::RateLimited { .. } => true,
            RegistryError::Unreachable { transient, .. } => *transient,
            RegistryError::Upstream { status, .. } => {
                reqwest::StatusCode::from_u16(*status).is_ok_and(crate::retry::is_retryable_status)
            }
            _ => false,
        }
    }

    /// Does the registry say the thing asked for is not there?
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_not_now_failures_are_transient() {
        let upstream = |status: u16| RegistryError::upstream("r", "w", status, "");
        for status in [429, 500, 502, 503, 504] {
            assert!(upstream(status).is_transient(), "{status}");
        }
        for status in [400, 404, 409, 501] {
            assert!(!upstream(status).is_transient(), "{status}");
        }
        let unreachable = |transient| RegistryError::Unreachable {
            host: "r".into(),
            detail: "reset".into(),
            transient,
        };
        assert!(unreachable(true).is_transient());
        assert!(!unreachable(false).is_transient());
        let mismatch = RegistryError::digest(
            "blob",
            shared::Digest::sha256(b"a").verify(b"b").unwrap_err(),
        );
        assert!(!mismatch.is_transient());
        assert!(!RegistryError::Credentials("x".into()).is_transient());
    }

    #[test]
    fn messages_name_what_failed() {
        let e = RegistryError::NotFound {
            what: "manifest `localhost:5000/x:1`".into(),
            detail: "MANIFEST_UNKNOWN: manifest unknown".into(),
        };
        assert_eq!(
            e.to_string(),
            "manifest `localhost:5000/x:1` was not found (MANIFEST_UNKNOWN: manifest unknown)"
        );
        let e = RegistryError::Unreachable {
            host: "r.example".into(),
            detail: "connection refused".into(),
            transient: false,
        };
        assert!(e.to_string().contains("r.example"));
    }
}
