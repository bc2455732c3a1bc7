//! `GET /api/v1/inspect?ref=REFERENCE[&format=text|mquery|summary][&configs=later]`
//! and `GET /api/v1/inspect/configs?ref=REFERENCE` (the second part).
//!
//! A complete answer about a digest is kept as the bytes sent
//! (`crate::answers`) and served from them again. Every answer says what
//! it cost upstream (`X-Upstream-Round-Trips`, `X-Upstream-Requests`,
//! counted by `registry::round_trips`; 0 for an answer from memory), which
//! is what `scripts/bench` reports.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use shared::api::{
    FIRST_PART_PARAM, INSPECT_MQUERY_FORMAT, INSPECT_SUMMARY_FORMAT, INSPECT_TEXT_FORMAT,
    InspectResponse,
};
use shared::mquery::Summary;
use shared::reference::Reference;

use crate::answers::AnswerKey;
use crate::app::AppState;
use crate::error::ProxyError;
use crate::inspect::ChildConfigsIn;
use registry::credentials::Resolved;
use registry::round_trips::Count;

use super::cache_control;

#[derive(Debug, Deserialize)]
pub struct InspectQuery {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// `text`: manifest-tool's output (text/plain) instead of JSON;
    /// `mquery`: mquery's text; `summary`: the platforms as JSON.
    pub format: Option<String>,
    /// `later`: an index's children's configs are not in the answer (they
    /// come from `/api/v1/inspect/configs`).
    pub configs: Option<String>,
}

/// Parse the `ref` parameter, naming it in the error.
pub(super) fn parse_reference(input: &str) -> Result<Reference, ProxyError> {
    Reference::parse(input.trim()).map_err(|source| ProxyError::InvalidReference {
        input: input.to_string(),
        source,
    })
}

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

/// The query as given, or why it cannot be read.
type Asking = Result<Query<InspectQuery>, axum::extract::rejection::QueryRejection>;

fn read_query(query: Asking) -> Result<InspectQuery, ProxyError> {
    query
        .map(|Query(query)| query)
        .map_err(|e| ProxyError::InvalidQuery(e.body_text()))
}

pub async fn inspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Asking,
) -> Result<Response, ProxyError> {
    let query = read_query(query)?;
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
    let configs = match query.configs.as_deref() {
        None | Some("") => ChildConfigsIn::Answer,
        Some(later) if later == FIRST_PART_PARAM.1 => ChildConfigsIn::SecondPart,
        Some(other) => {
            return Err(ProxyError::InvalidQuery(format!(
                "`configs={other}`: the only value is `{}`",
                FIRST_PART_PARAM.1
            )));
        }
    };
    // manifest-tool's text needs no config: it never waits for them.
    let (variant, configs) = match format {
        Format::Text => ("text", ChildConfigsIn::SecondPart),
        Format::Mquery => ("mquery", ChildConfigsIn::Answer),
        Format::Summary => ("summary", ChildConfigsIn::Answer),
        Format::Json if configs == ChildConfigsIn::SecondPart => ("first", configs),
        Format::Json => ("json", configs),
    };
    let content_type = match format {
        Format::Text | Format::Mquery => TEXT,
        Format::Json | Format::Summary => JSON,
    };
    let Asked {
        reference,
        caller,
        key,
    } = asked(&state, &headers, &input, variant).await?;
    if let Some(ready) = ready(&state, key.as_ref(), &reference, &caller, content_type) {
        return Ok(ready);
    }
    let (response, cost) =
        registry::round_trips::counted(run(&state, &reference, caller, configs)).await;
    let mut response = response?;
    let cache = cache_for(&reference, &mut response, state.tag_caching);
    let body = match format {
        Format::Json => Bytes::from(crate::inspect::to_json(&response)),
        Format::Mquery => Bytes::from(Summary::of(&response).render(input.trim())),
        Format::Summary => Bytes::from(crate::inspect::to_json(&Summary::of(&response))),
        Format::Text => Bytes::from(crate::inspect::to_text(
            &response,
            input.trim(),
            &state.operations,
        )?),
    };
    drop(response);
    keep(&state, key, cache, &body);
    Ok(answer(content_type, cache, body, cost))
}

/// `GET /api/v1/inspect/configs?ref=REFERENCE`: the configs of an index's
/// children (`shared::api::ChildConfigs`), the second part the page asks
/// for after showing the first. Kept and served like an inspect answer.
pub async fn configs(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Asking,
) -> Result<Response, ProxyError> {
    let input = read_query(query)?.reference.unwrap_or_default();
    let Asked {
        reference,
        caller,
        key,
    } = asked(&state, &headers, &input, "configs").await?;
    if let Some(ready) = ready(&state, key.as_ref(), &reference, &caller, JSON) {
        return Ok(ready);
    }
    let info = caller.info.clone();
    let (configs, cost) = registry::round_trips::counted(crate::inspect::child_configs(
        &state.client,
        &state.operations,
        &reference,
        caller.credential,
    ))
    .await;
    let configs = configs.map_err(|e| e.with_auth(&info))?;
    let complete = configs.configs.iter().all(|c| c.error.is_none());
    let cache = cache_control::for_answer(&reference, Some(&info), complete, state.tag_caching);
    let body = Bytes::from(crate::inspect::to_json(&configs));
    keep(&state, key, cache, &body);
    Ok(answer(JSON, cache, body, cost))
}

/// `X-Upstream-Round-Trips`: the longest sequence of requests to
/// registries this answer waited on.
pub const ROUND_TRIPS_HEADER: &str = "x-upstream-round-trips";
/// `X-Upstream-Requests`: every request to registries for this answer.
pub const REQUESTS_HEADER: &str = "x-upstream-requests";

fn answer(content_type: &'static str, cache: &'static str, body: Bytes, cost: Count) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, cache),
            (VARY, cache_control::VARY_ON),
        ],
        [
            (ROUND_TRIPS_HEADER, cost.round_trips.to_string()),
            (REQUESTS_HEADER, cost.requests.to_string()),
        ],
        body,
    )
        .into_response()
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

/// A reference one caller asked about, and where its ready answer (of
/// `variant`) would be kept.
struct Asked {
    reference: Reference,
    caller: Resolved,
    key: Option<AnswerKey>,
}

async fn asked(
    state: &AppState,
    headers: &HeaderMap,
    input: &str,
    variant: &str,
) -> Result<Asked, ProxyError> {
    let reference = parse_reference(input)?;
    let caller = caller(state, headers, &reference).await?;
    let key = AnswerKey::new(
        variant,
        input.trim(),
        &reference,
        caller.credential.as_ref(),
        &caller.info,
    );
    Ok(Asked {
        reference,
        caller,
        key,
    })
}

/// The answer sent before, from its bytes.
fn ready(
    state: &AppState,
    key: Option<&AnswerKey>,
    reference: &Reference,
    caller: &Resolved,
    content_type: &'static str,
) -> Option<Response> {
    let bytes = state.answers.get(key?)?;
    let cache = cache_control::for_answer(reference, Some(&caller.info), true, state.tag_caching);
    Some(answer(content_type, cache, bytes, Count::default()))
}

/// Keep the bytes of an answer kept for a year (complete, by digest).
fn keep(state: &AppState, key: Option<AnswerKey>, cache: &'static str, body: &Bytes) {
    if cache != cache_control::REVALIDATE
        && let Some(key) = key
    {
        state.answers.insert(key, body.clone());
    }
}

/// The caller's credentials for the reference's registry, once the target
/// passed the guard.
pub(super) async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    reference: &Reference,
) -> Result<Resolved, ProxyError> {
    let typed = super::credentials(headers)?;
    super::admit(state, [reference]).await?;
    Ok(state
        .credentials
        .resolve(&typed, reference.registry())
        .await?)
}

/// Inspect the reference with the caller's credentials.
async fn run(
    state: &AppState,
    reference: &Reference,
    resolved: Resolved,
    configs: ChildConfigsIn,
) -> Result<InspectResponse, ProxyError> {
    tracing::info!(reference = %reference, auth = ?resolved.info.source, "inspect");
    let mut response = crate::inspect::inspect_with(
        &state.client,
        &state.operations,
        reference,
        resolved.credential,
        configs,
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))?;
    response.auth = Some(resolved.info);
    Ok(response)
}
