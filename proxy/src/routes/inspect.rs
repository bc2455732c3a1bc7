//! `GET /api/v1/inspect?ref=REFERENCE[&format=text|mquery|summary]`

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::api::{
    INSPECT_MQUERY_FORMAT, INSPECT_SUMMARY_FORMAT, INSPECT_TEXT_FORMAT, InspectResponse,
};
use shared::mquery::Summary;
use shared::reference::Reference;

use crate::app::AppState;
use crate::error::ProxyError;

use super::cache_control;

#[derive(Debug, Deserialize)]
pub struct InspectQuery {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// `text`: manifest-tool's output (text/plain) instead of JSON;
    /// `mquery`: mquery's text; `summary`: the platforms as JSON.
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
    let format = match query.format.as_deref() {
        None | Some("") | Some("json") => Format::Json,
        Some(INSPECT_TEXT_FORMAT) => Format::Text,
        Some(INSPECT_MQUERY_FORMAT) => Format::Mquery,
        Some(INSPECT_SUMMARY_FORMAT) => Format::Summary,
        Some(other) => {
            return Err(ProxyError::UnknownFormat(other.to_string()));
        }
    };
    let reference = parse_reference(&input)?;
    let mut response = run(&state, &headers, &reference).await?;
    let cache = cache_for(&reference, &mut response, state.tag_caching);
    let vary = cache_control::VARY_ON;
    let text_answer = |body: String| {
        (
            [
                (CONTENT_TYPE, "text/plain; charset=utf-8"),
                (CACHE_CONTROL, cache),
                (VARY, vary),
            ],
            body,
        )
            .into_response()
    };
    match format {
        Format::Json => {}
        Format::Mquery => return Ok(text_answer(Summary::of(&response).render(input.trim()))),
        Format::Summary => {
            let summary = axum::Json(Summary::of(&response));
            return Ok(([(CACHE_CONTROL, cache), (VARY, vary)], summary).into_response());
        }
        Format::Text => {
            let body = crate::inspect::to_text(&response, input.trim(), &state.operations)?;
            return Ok(text_answer(body));
        }
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

/// What `format` asks for.
enum Format {
    Json,
    Text,
    Mquery,
    Summary,
}

/// The `Cache-Control` of an answer about `reference` (see
/// `cache_control`); an answer kept for a year loses the pull quota: it
/// moves with every pull and is no part of what a digest names.
pub(super) fn cache_for(
    reference: &Reference,
    response: &mut InspectResponse,
    tags: cache_control::TagCaching,
) -> &'static str {
    let cache = cache_control::for_answer(
        reference,
        response.auth.as_ref(),
        cache_control::is_complete(response),
        tags,
    );
    if cache != cache_control::REVALIDATE {
        response.rate_limit = None;
    }
    cache
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
    let mut response = crate::inspect::inspect(
        &state.client,
        &state.operations,
        reference,
        resolved.credential,
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))?;
    response.auth = Some(resolved.info);
    Ok(response)
}
