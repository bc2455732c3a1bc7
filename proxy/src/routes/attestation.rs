//! `GET /api/v1/attestation?ref=REPOSITORY@DIGEST`

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::app::AppState;
use crate::error::ProxyError;

use super::referrers::{ReferrersQuery, about_one};

/// Content by digest never changes, but who may read it can: revalidated.
pub async fn attestation(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ReferrersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ProxyError> {
    about_one(
        state,
        headers,
        query,
        |state, reference, credential| async move {
            crate::attestations::attestation(
                &state.client,
                &state.operations,
                &reference,
                credential,
            )
            .await
        },
    )
    .await
}
