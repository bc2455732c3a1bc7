//! `GET /api/v1/badge?ref=REFERENCE`: an SVG listing the platforms, for
//! READMEs on other sites.
//!
//! A badge is embedded with `<img src>` by pages anywhere, so unlike the
//! rest of the API it is answered to cross-site no-cors requests
//! (`app.rs` routes it past the origin check, the `Host` check stays). That
//! is only safe because it never acts for anyone: it inspects anonymously,
//! always (no typed credentials, no proxy-side Docker logins), so another
//! site learns nothing it could not pull itself (docs/security.md, rule 2).
//! The SVG forbids scripts by its Content-Security-Policy: an SVG opened
//! directly is a document and could run one.

use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::api::AuthInfo;
use shared::mquery::Summary;

use crate::app::AppState;
use crate::error::ProxyError;

use super::inspect::{cache_for, parse_reference};

/// The badge's own policy: no scripts, nothing loaded; inline styles only.
pub const BADGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

#[derive(Debug, Deserialize)]
pub struct BadgeQuery {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

pub async fn badge(
    State(state): State<AppState>,
    query: Result<Query<BadgeQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ProxyError> {
    let Query(query) = query.map_err(|e| ProxyError::InvalidQuery(e.body_text()))?;
    let reference = parse_reference(&query.reference.unwrap_or_default())?;
    super::admit(&state, [&reference]).await?;
    tracing::info!(reference = %reference, "badge (anonymous)");
    let mut response =
        crate::inspect::inspect(&state.client, &state.operations, &reference, None).await?;
    response.auth = Some(AuthInfo::anonymous(reference.registry()));
    let cache = cache_for(&reference, &mut response, state.tag_caching);
    let svg = shared::badge::render(&Summary::of(&response).platforms);
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, cache),
            (CONTENT_SECURITY_POLICY, BADGE_CSP),
        ],
        svg,
    )
        .into_response())
}
