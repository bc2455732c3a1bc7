//! The HTTP API's handlers: each parses its input, calls one operation and
//! shapes the answer; the work itself lives in `crate::inspect` and `registry`;
//! every failure is a `ProxyError`, answered by its one `IntoResponse`.

pub mod attestation;
pub mod badge;
pub mod cache_control;
pub mod health;
pub mod inspect;
pub mod push;
pub mod referrers;

use axum::http::HeaderMap;
use shared::credentials::{CREDENTIALS_HEADER, CredentialSet};

use crate::app::AppState;
use crate::error::ProxyError;
use shared::reference::Reference;

/// Typed-in credentials from the request header (empty when absent).
pub fn credentials(headers: &HeaderMap) -> Result<CredentialSet, ProxyError> {
    match headers.get(CREDENTIALS_HEADER) {
        None => Ok(CredentialSet::default()),
        Some(v) => {
            let text = v.to_str().map_err(|_| {
                ProxyError::CredentialsHeader(format!(
                    "the {CREDENTIALS_HEADER} header is not ASCII text"
                ))
            })?;
            CredentialSet::decode(text).map_err(|e| ProxyError::CredentialsHeader(e.to_string()))
        }
    }
}

/// Refuse every target the SSRF guard refuses before anything else is done
/// for it: looking up proxy-side credentials runs the owner's credential
/// helper, which must never happen for a target that is refused anyway.
pub async fn admit<'r>(
    state: &AppState,
    references: impl IntoIterator<Item = &'r Reference>,
) -> Result<(), ProxyError> {
    for reference in references {
        state.client.admit(reference).await?;
    }
    Ok(())
}

/// Any other `/api/...` path: a JSON 404, not the page.
pub async fn unknown_api() -> ProxyError {
    ProxyError::UnknownEndpoint {
        what: "this API endpoint".into(),
    }
}
