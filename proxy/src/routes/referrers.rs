//! `GET /api/v1/referrers?ref=REPOSITORY@DIGEST`

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

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
        crate::referrers::referrers(
            &state.client,
            &state.operations,
            &reference,
            resolved.credential,
        ),
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))?;
    // New referrers can be pushed at any time: always revalidate.
    Ok((
        [
            (CACHE_CONTROL, cache_control::REVALIDATE),
            (VARY, cache_control::VARY_ON),
        ],
        Json(response),
    )
        .into_response())
}
