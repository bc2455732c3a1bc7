//! `GET /api/v1/inspect?ref=REFERENCE`

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use shared::api::InspectResponse;
use shared::reference::Reference;

use crate::app::AppState;
use crate::error::ProxyError;

#[derive(Debug, Deserialize)]
pub struct InspectQuery {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

pub async fn inspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<InspectQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<InspectResponse>, ProxyError> {
    let Query(query) = query.map_err(|e| ProxyError::InvalidInput(e.body_text()))?;
    let input = query.reference.unwrap_or_default();
    let reference =
        Reference::parse(input.trim()).map_err(|source| ProxyError::InvalidReference {
            input: input.clone(),
            source,
        })?;
    let credentials = super::credentials(&headers)?;
    let credential = credentials.for_registry(reference.registry()).cloned();
    tracing::info!(reference = %reference, authenticated = credential.is_some(), "inspect");
    let response = crate::inspect::inspect(&state.client, &reference, credential).await?;
    Ok(Json(response))
}
