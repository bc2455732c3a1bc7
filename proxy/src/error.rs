//! Every failure the proxy reports, and the one mapping from a failure to
//! what the page gets: an HTTP status, a stable `ErrorCode` it switches on,
//! and a message. Handlers, the inspect entries and the push events all use
//! [`ProxyError::to_api_error`] / [`ProxyError::status`], so one failure is
//! answered the same way wherever it surfaces.
//!
//! The split of blame is in the statuses: 4xx for what the request got
//! wrong, 502 for what a registry did (including sending too much: a
//! registry's oversized answer is not the client's 413), 500 for the proxy.
//! Messages name the thing that failed (reference, host, digest) so a person
//! can act on them without reading logs.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use registry::RegistryError;
use shared::api::{ApiError, AuthInfo, ErrorBody, ErrorCode};
use shared::plan::PlanError;
use shared::spec::SpecError;

use crate::metrics::Rejected;
use crate::resolve::SourceError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProxyError {
    #[error("invalid reference `{input}`: {source}")]
    InvalidReference {
        input: String,
        #[source]
        source: shared::ReferenceError,
    },
    /// The registry check names a repository, not an image.
    #[error(
        "`{0}` names an image; the registry check needs a repository (REGISTRY/REPOSITORY, no tag or digest): it writes tags of its own there"
    )]
    NotARepository(String),
    /// A JSON request body that does not fit the endpoint.
    #[error("the request body does not fit: {0}")]
    InvalidBody(String),
    /// The query string does not fit the endpoint (axum's rejection text).
    #[error("{0}")]
    InvalidQuery(String),
    #[error(
        "`format` is `{0}`, but it must be `json` (the default) or `text` (manifest-tool's output)"
    )]
    UnknownFormat(String),
    /// The typed-in credentials header cannot be read.
    #[error("{0}")]
    CredentialsHeader(String),
    /// Referrers are listed for a digest; the reference has none.
    #[error(
        "`{reference}` has no digest: referrers are listed for a manifest by digest, e.g. {registry}/{repository}@sha256:<64 hex digits>"
    )]
    NeedsDigest {
        reference: String,
        registry: String,
        repository: String,
    },
    /// The inspection cannot be written as manifest-tool's text.
    #[error("{0}")]
    TextRender(String),
    /// The request body is not in a media type the endpoint reads (415).
    #[error("the request's Content-Type is {given}; send the spec as {accepted}")]
    UnsupportedMediaType { given: String, accepted: String },
    #[error("the spec is not UTF-8 text: {0}")]
    NotUtf8(std::str::Utf8Error),
    #[error(transparent)]
    Spec(Box<SpecError>),
    #[error(transparent)]
    Plan(Box<PlanError>),
    #[error(transparent)]
    Source(Box<SourceError>),
    /// A server setting (allowed origins, insecure registries) is wrong.
    #[error("{0}")]
    InvalidSettings(String),
    #[error("{0}")]
    ForbiddenOrigin(String),
    /// The server holds as much work of this kind as it may (pushes
    /// running and queued): try again later (503).
    #[error("{0}")]
    Busy(String),
    /// A client went past its per-client limits (`client_limits`): 429,
    /// with `Retry-After: retry_after`.
    #[error("{message}")]
    ClientLimited { message: String, retry_after: u64 },
    #[error("{what} was not found")]
    UnknownEndpoint { what: String },
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("internal error: {0}")]
    Internal(#[from] Internal),
}

/// The proxy's own failures (bugs or unexpected states), typed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Internal {
    #[error("the API request limiter is closed")]
    LimiterClosed,
    #[error("cannot build the response: {0}")]
    Response(String),
    #[error("no handle for {0}")]
    NoSourceHandle(String),
    #[error("the upload of {0} finished before its content was read")]
    UploadUnread(String),
}

impl From<SpecError> for ProxyError {
    fn from(e: SpecError) -> Self {
        ProxyError::Spec(Box::new(e))
    }
}

impl From<PlanError> for ProxyError {
    fn from(e: PlanError) -> Self {
        ProxyError::Plan(Box::new(e))
    }
}

impl From<SourceError> for ProxyError {
    fn from(e: SourceError) -> Self {
        ProxyError::Source(Box::new(e))
    }
}

impl ProxyError {
    /// The one mapping: the HTTP status and the code for this failure.
    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        use ErrorCode as C;
        use StatusCode as S;
        match self {
            ProxyError::InvalidReference { .. } | ProxyError::NotARepository(_) => {
                (S::BAD_REQUEST, C::InvalidReference)
            }
            ProxyError::InvalidQuery(_)
            | ProxyError::InvalidBody(_)
            | ProxyError::UnknownFormat(_)
            | ProxyError::CredentialsHeader(_)
            | ProxyError::NeedsDigest { .. }
            | ProxyError::TextRender(_)
            | ProxyError::NotUtf8(_)
            | ProxyError::Spec(_)
            | ProxyError::InvalidSettings(_) => (S::BAD_REQUEST, C::InvalidInput),
            ProxyError::UnsupportedMediaType { .. } => (S::UNSUPPORTED_MEDIA_TYPE, C::InvalidInput),
            ProxyError::Plan(e) => plan_status_and_code(e),
            ProxyError::Source(e) => registry_status_and_code(&e.error),
            ProxyError::ForbiddenOrigin(_) => (S::FORBIDDEN, C::ForbiddenOrigin),
            ProxyError::Busy(_) => (S::SERVICE_UNAVAILABLE, C::RateLimited),
            ProxyError::ClientLimited { .. } => (S::TOO_MANY_REQUESTS, C::RateLimited),
            ProxyError::UnknownEndpoint { .. } => (S::NOT_FOUND, C::NotFound),
            ProxyError::Registry(e) => registry_status_and_code(e),
            ProxyError::Internal(_) => (S::INTERNAL_SERVER_ERROR, C::Internal),
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.status_and_code().1
    }

    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    /// The API error (code + message) for response bodies, index entries
    /// and push events.
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(self.code(), self.to_string())
    }

    /// May the same operation pass if tried again a little later?
    pub fn is_transient(&self) -> bool {
        match self {
            ProxyError::Registry(e) => e.is_transient(),
            _ => false,
        }
    }

    /// Does a registry say the thing asked for is not there?
    pub fn is_not_found(&self) -> bool {
        matches!(self, ProxyError::Registry(e) if e.is_not_found())
    }

    /// Seconds to wait before trying again (`Retry-After`), when this
    /// server itself says so: a per-client limit or its upstream budget.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ProxyError::ClientLimited { retry_after, .. }
            | ProxyError::Registry(RegistryError::BudgetSpent { retry_after, .. }) => {
                Some(*retry_after)
            }
            ProxyError::Source(e) => match &e.error {
                RegistryError::BudgetSpent { retry_after, .. } => Some(*retry_after),
                _ => None,
            },
            _ => None,
        }
    }

    /// What `/metrics` counts this refusal as, if it is one.
    fn rejected(&self) -> Option<Rejected> {
        let registry = match self {
            ProxyError::ClientLimited { .. } => return Some(Rejected::ClientLimited),
            ProxyError::Registry(e) => e,
            ProxyError::Source(e) => &e.error,
            _ => return None,
        };
        match registry {
            RegistryError::BudgetSpent { .. } => Some(Rejected::UpstreamBudget),
            RegistryError::ForbiddenTarget { .. } => Some(Rejected::RefusedTarget),
            _ => None,
        }
    }

    /// Add to a 401/403 which credentials were used, so "rejected" says whose.
    pub fn with_auth(self, info: &AuthInfo) -> Self {
        match self {
            ProxyError::Registry(e) => {
                ProxyError::Registry(registry::credentials::explain(e, info))
            }
            other => other,
        }
    }
}

/// How each registry failure is answered: the registry's refusals keep
/// their meaning (404, 401, 403, 429), what it did wrong is a 502, and
/// problems of the proxy's own setup are 500s.
fn registry_status_and_code(e: &RegistryError) -> (StatusCode, ErrorCode) {
    use ErrorCode as C;
    use StatusCode as S;
    match e {
        RegistryError::NotFound { .. } => (S::NOT_FOUND, C::NotFound),
        RegistryError::Unauthorized { .. } => (S::UNAUTHORIZED, C::Unauthorized),
        RegistryError::Denied { .. } => (S::FORBIDDEN, C::Denied),
        RegistryError::RateLimited { .. } | RegistryError::BudgetSpent { .. } => {
            (S::TOO_MANY_REQUESTS, C::RateLimited)
        }
        RegistryError::Unreachable { .. } => (S::BAD_GATEWAY, C::Unreachable),
        RegistryError::DigestMismatch { .. } => (S::BAD_GATEWAY, C::DigestMismatch),
        RegistryError::BadManifest { .. } => (S::BAD_GATEWAY, C::BadManifest),
        RegistryError::TooLarge { .. } | RegistryError::BudgetExceeded { .. } => {
            (S::BAD_GATEWAY, C::TooLarge)
        }
        RegistryError::ForbiddenTarget { .. } => (S::FORBIDDEN, C::ForbiddenTarget),
        RegistryError::Upstream { .. } | RegistryError::Protocol { .. } => {
            (S::BAD_GATEWAY, C::Upstream)
        }
        RegistryError::InsecureRegistryEntry { .. }
        | RegistryError::UnsendableCredential { .. } => (S::BAD_REQUEST, C::InvalidInput),
        RegistryError::Credentials(_) | RegistryError::Client(_) | RegistryError::Url { .. } => {
            (S::INTERNAL_SERVER_ERROR, C::Internal)
        }
    }
}

/// A plan that cannot be made: the spec asks for something the sources do
/// not allow (400), the sources contradict their own digests (502), or the
/// planner was called wrongly (500).
fn plan_status_and_code(e: &PlanError) -> (StatusCode, ErrorCode) {
    match e {
        PlanError::Digest { .. } | PlanError::ChildMismatch { .. } => {
            (StatusCode::BAD_GATEWAY, ErrorCode::DigestMismatch)
        }
        PlanError::SourceCount { .. } | PlanError::Serialize { .. } => {
            (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
        }
        _ => (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput),
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::warn!(?code, "{self}");
        } else {
            tracing::debug!(?code, "{self}");
        }
        let mut response = (
            status,
            Json(ErrorBody {
                error: ApiError::new(code, self.to_string()),
            }),
        )
            .into_response();
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(why) = self.rejected() {
            response.extensions_mut().insert(why);
        }
        response
    }
}

#[cfg(test)]
mod tests;
