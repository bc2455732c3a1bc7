//! `GET /api/v1/compare?a=REF&b=REF`: both references inspected at once
//! (with their configs, through the same fetch path and budgets as
//! `inspect`), then compared by `shared::compare`.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use shared::api::InspectResponse;
use shared::reference::Reference;

use crate::app::AppState;
use crate::error::ProxyError;

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    pub a: Option<String>,
    pub b: Option<String>,
}

pub async fn compare(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<CompareQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ProxyError> {
    let Query(query) = query.map_err(|e| ProxyError::InvalidQuery(e.body_text()))?;
    let a = super::inspect::parse_reference(&query.a.unwrap_or_default())?;
    let b = super::inspect::parse_reference(&query.b.unwrap_or_default())?;
    let typed = super::credentials(&headers)?;
    super::admit(&state, [&a, &b]).await?;
    let (ia, ib) = tokio::try_join!(inspect(&state, &typed, &a), inspect(&state, &typed, &b))?;
    let comparison = shared::compare::compare(&ia, &ib);
    // Revalidated: tags move, and a child that failed this time may not
    // the next (an answer about two digests is cheap again from the cache).
    Ok(super::revalidated(comparison))
}

async fn inspect(
    state: &AppState,
    typed: &shared::credentials::CredentialSet,
    reference: &Reference,
) -> Result<InspectResponse, ProxyError> {
    let resolved = state
        .credentials
        .resolve(typed, reference.registry())
        .await?;
    crate::inspect::inspect(
        &state.client,
        &state.operations,
        reference,
        resolved.credential,
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))
}
