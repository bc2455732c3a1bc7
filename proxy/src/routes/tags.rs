//! `GET /api/v1/tags?repository=REGISTRY/REPO[&n=N&last=TAG&digest=D]`

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use shared::api::{DEFAULT_TAGS_PER_PAGE, MAX_TAGS_PER_PAGE};
use shared::reference::Reference;

use crate::app::AppState;
use crate::error::ProxyError;

#[derive(Debug, Deserialize)]
pub struct TagsQuery {
    pub repository: Option<String>,
    pub n: Option<String>,
    pub last: Option<String>,
    pub digest: Option<String>,
}

pub async fn tags(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<TagsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ProxyError> {
    let Query(query) = query.map_err(|e| ProxyError::InvalidQuery(e.body_text()))?;
    let input = query.repository.unwrap_or_default();
    let repository =
        Reference::parse_repository(&input).map_err(|source| ProxyError::InvalidReference {
            input: input.clone(),
            source,
        })?;
    let n = match query.n.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_TAGS_PER_PAGE,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_TAGS_PER_PAGE).contains(&n) => n,
            _ => {
                return Err(ProxyError::InvalidQuery(format!(
                    "`n={text}`: the number of tags must be 1 to {MAX_TAGS_PER_PAGE}"
                )));
            }
        },
    };
    let last = match query.last.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(tag) => {
            shared::reference::validate_tag(tag).map_err(|source| {
                ProxyError::InvalidReference {
                    input: tag.to_string(),
                    source,
                }
            })?;
            Some(tag)
        }
    };
    let digest =
        shared::api::pointing_digest(query.digest.as_deref()).map_err(ProxyError::InvalidQuery)?;
    let resolved = super::inspect::caller(&state, &headers, &repository).await?;
    let response = crate::registry::limits::within(
        state.client.operation_timeout(),
        repository.registry(),
        async {
            let mut answer = crate::tags::tags(
                &state.client,
                &state.operations,
                &repository,
                resolved.credential.clone(),
                n,
                last,
            )
            .await?;
            if let Some(digest) = digest {
                answer.pointing = Some(
                    crate::pointing::pointing(
                        &state.client,
                        &state.operations,
                        &state.pointing,
                        &repository,
                        resolved.credential.clone(),
                        &answer.tags,
                        digest,
                    )
                    .await?,
                );
            }
            Ok::<_, ProxyError>(answer)
        },
    )
    .await
    .map_err(|e| e.with_auth(&resolved.info))?;
    Ok(super::revalidated(response))
}
