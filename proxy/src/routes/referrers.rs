//! `GET /api/v1/referrers?ref=REPOSITORY@DIGEST`

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::response::{IntoResponse, Response};
use registry::credentials::Resolved;
use serde::Deserialize;
use shared::credentials::Credential;
use shared::reference::Reference;

use crate::app::AppState;
use crate::error::ProxyError;

use super::cache_control;

#[derive(Debug, Deserialize)]
pub struct ReferrersQuery {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

pub async fn referrers(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ReferrersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ProxyError> {
    // New referrers can be pushed at any time: always revalidate.
    about_one(
        state,
        headers,
        query,
        |state, reference, credential| async move {
            crate::referrers::referrers(&state.client, &state.operations, &reference, credential)
                .await
        },
    )
    .await
}

/// An endpoint about the one manifest `?ref=` names: admitted, credentials
/// completed, `operation` run under the operation timeout, its answer as
/// JSON revalidated on every use (shared with `GET /api/v1/attestation`).
pub(super) async fn about_one<T, F, Fut>(
    state: AppState,
    headers: HeaderMap,
    query: Result<Query<ReferrersQuery>, axum::extract::rejection::QueryRejection>,
    operation: F,
) -> Result<Response, ProxyError>
where
    T: serde::Serialize,
    F: FnOnce(AppState, Reference, Option<Credential>) -> Fut,
    Fut: std::future::Future<Output = Result<T, ProxyError>>,
{
    let (reference, resolved) = target(&state, &headers, query).await?;
    let timeout = state.client.operation_timeout();
    let registry = reference.registry().to_string();
    let response = crate::registry::limits::within(
        timeout,
        &registry,
        operation(state.clone(), reference, resolved.credential),
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))?;
    Ok(revalidated(response))
}

/// The `?ref=` of an endpoint about one manifest, admitted, with the
/// credentials to use there (shared with `GET /api/v1/attestation`).
async fn target(
    state: &AppState,
    headers: &HeaderMap,
    query: Result<Query<ReferrersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(Reference, Resolved), ProxyError> {
    let Query(query) = query.map_err(|e| ProxyError::InvalidQuery(e.body_text()))?;
    let input = query.reference.unwrap_or_default();
    let reference = super::inspect::parse_reference(&input)?;
    let typed = super::credentials(headers)?;
    super::admit(state, [&reference]).await?;
    let resolved = state
        .credentials
        .resolve(&typed, reference.registry())
        .await?;
    Ok((reference, resolved))
}

/// A JSON answer revalidated on every use, varying with the credentials.
fn revalidated(body: impl serde::Serialize) -> Response {
    (
        [
            (CACHE_CONTROL, cache_control::REVALIDATE),
            (VARY, cache_control::VARY_ON),
        ],
        Json(body),
    )
        .into_response()
}
