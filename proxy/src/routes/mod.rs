//! The HTTP API's handlers: each parses its input, calls one operation and
//! shapes the answer; the work itself lives in `crate::inspect` and `registry`;
//! every failure is a `ProxyError`, answered by its one `IntoResponse`.

pub mod attestation;
pub mod badge;
pub mod cache_control;
pub mod check;
pub mod compare;
pub mod health;
pub mod inspect;
pub mod metrics;
pub mod push;
pub mod referrers;
pub mod tags;

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

/// A JSON answer browsers must revalidate (`no-cache`): what it says can
/// change at any time (tags move, referrers and tags are pushed).
pub fn revalidated(body: impl serde::Serialize) -> axum::response::Response {
    use axum::http::header::{CACHE_CONTROL, VARY};
    use axum::response::IntoResponse;
    (
        [
            (CACHE_CONTROL, cache_control::REVALIDATE),
            (VARY, cache_control::VARY_ON),
        ],
        axum::Json(body),
    )
        .into_response()
}

/// Any other `/api/...` path: a JSON 404, not the page.
pub async fn unknown_api() -> ProxyError {
    ProxyError::UnknownEndpoint {
        what: "this API endpoint".into(),
    }
}

/// An NDJSON answer streaming the events `rx` receives, each written by
/// `line`, until the sender is gone (push progress, the registry check).
pub fn ndjson_stream<E: Send + 'static>(
    rx: tokio::sync::mpsc::Receiver<E>,
    line: fn(&E) -> String,
) -> Result<axum::response::Response, ProxyError> {
    use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
    let lines = futures::stream::unfold(rx, move |mut rx| async move {
        let event = rx.recv().await?;
        Some((
            Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(line(&event))),
            rx,
        ))
    });
    axum::response::Response::builder()
        .header(CONTENT_TYPE, shared::api::NDJSON_CONTENT_TYPE)
        .header(CACHE_CONTROL, "no-store")
        .body(axum::body::Body::from_stream(lines))
        .map_err(|e| crate::error::Internal::Response(e.to_string()).into())
}
