//! `GET /api/v1/inspect?ref=REFERENCE[&format=text]`

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::response::{IntoResponse, Response};
use registry::RegistryError;
use serde::Deserialize;
use shared::api::{INSPECT_TEXT_FORMAT, InspectResponse};
use shared::inspect_text::TextError;
use shared::reference::Reference;

use crate::app::AppState;
use crate::error::ProxyError;

use super::cache_control;

#[derive(Debug, Deserialize)]
pub struct InspectQuery {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// `text`: manifest-tool's output (text/plain) instead of JSON.
    pub format: Option<String>,
}

/// Parse the `ref` parameter, naming it in the error.
pub(super) fn parse_reference(input: &str) -> Result<Reference, ProxyError> {
    Reference::parse(input.trim()).map_err(|source| ProxyError::InvalidReference {
        input: input.to_string(),
        source,
    })
}

pub async fn inspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<InspectQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ProxyError> {
    let Query(query) = query.map_err(|e| ProxyError::InvalidQuery(e.body_text()))?;
    let input = query.reference.unwrap_or_default();
    let text = match query.format.as_deref() {
        None | Some("") | Some("json") => false,
        Some(INSPECT_TEXT_FORMAT) => true,
        Some(other) => {
            return Err(ProxyError::UnknownFormat(other.to_string()));
        }
    };
    let reference = parse_reference(&input)?;
    let mut response = run(&state, &headers, &reference).await?;
    let cache = cache_control::for_answer(
        &reference,
        response.auth.as_ref(),
        cache_control::is_complete(&response),
    );
    // The pull quota moves with every pull: it is no part of what a digest
    // names, so an answer kept for a year does not carry it.
    if cache != cache_control::REVALIDATE {
        response.rate_limit = None;
    }
    let vary = cache_control::VARY_ON;
    if text {
        let limit = usize::try_from(state.operations.max_answer_bytes).unwrap_or(usize::MAX);
        let body =
            shared::inspect_text::render(&response, input.trim(), limit).map_err(|e| match e {
                TextError::TooLarge { limit } => ProxyError::from(RegistryError::TooLarge {
                    what: format!("the manifest-tool text of `{reference}`"),
                    limit: limit as u64,
                }),
                other => ProxyError::TextRender(other.to_string()),
            })?;
        return Ok((
            [
                (CONTENT_TYPE, "text/plain; charset=utf-8"),
                (CACHE_CONTROL, cache),
                (VARY, vary),
            ],
            body,
        )
            .into_response());
    }
    let json = crate::inspect::to_json(&response);
    drop(response);
    Ok((
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, cache),
            (VARY, vary),
        ],
        json,
    )
        .into_response())
}

/// Resolve the credentials for the reference's registry and inspect it.
async fn run(
    state: &AppState,
    headers: &HeaderMap,
    reference: &Reference,
) -> Result<InspectResponse, ProxyError> {
    let typed = super::credentials(headers)?;
    super::admit(state, [reference]).await?;
    let resolved = state
        .credentials
        .resolve(&typed, reference.registry())
        .await?;
    tracing::info!(reference = %reference, auth = ?resolved.info.source, "inspect");
    let mut response = crate::registry::limits::within(
        state.client.operation_timeout(),
        reference.registry(),
        crate::inspect::inspect(
            &state.client,
            &state.operations,
            reference,
            resolved.credential,
        ),
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))?;
    response.auth = Some(resolved.info);
    Ok(response)
}
