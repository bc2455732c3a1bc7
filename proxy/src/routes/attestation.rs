//! `GET /api/v1/attestation?ref=REPOSITORY@DIGEST`

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::ProxyError;

use super::cache_control;
use super::referrers::ReferrersQuery;

pub async fn attestation(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ReferrersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ProxyError> {
    let Query(query) = query.map_err(|e| ProxyError::InvalidQuery(e.body_text()))?;
    let input = query.reference.unwrap_or_default();
    let reference = super::inspect::parse_reference(&input)?;
    let typed = super::credentials(&headers)?;
    super::admit(&state, [&reference]).await?;
    let resolved = state
        .credentials
        .resolve(&typed, reference.registry())
        .await?;
    let response = crate::registry::limits::within(
        state.client.operation_timeout(),
        reference.registry(),
        crate::attestations::attestation(
            &state.client,
            &state.operations,
            &reference,
            resolved.credential,
        ),
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))?;
    // Content by digest never changes, but who may read it can: revalidate.
    Ok((
        [
            (CACHE_CONTROL, cache_control::REVALIDATE),
            (VARY, cache_control::VARY_ON),
        ],
        Json(response),
    )
        .into_response())
}
