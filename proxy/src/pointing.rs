//! Which tags of a tags answer point at one digest (`digest=` on
//! `GET /api/v1/tags`).
//!
//! The tag list says nothing about digests, so each tag costs the registry
//! a HEAD of its manifest (no body, and not counted by Docker Hub's pull
//! quota). The work is bounded: at most `MAX_POINTING_CHECKS` tags of an
//! answer are asked, all at once, and the registry client's per-registry
//! bound (`registry::limits`) decides how many are in flight; every HEAD
//! goes through the client's one request path (auth, retries, redirects).
//! A HEAD that fails, or answers without `Docker-Content-Digest`, leaves
//! that tag unchecked: one broken tag does not fail the list.
//!
//! Results are cached (a `TagMemo` of its own, with a short TTL) per
//! (registry, repository, caller identity, tag):
//! the digest the HEAD returned, for `POINTING_TTL`. Per tag and not per
//! asked digest, because a page that marks the tags of another digest (or
//! the next inspection) asks the same HEADs; briefly, because a tag is
//! mutable and the answer says what the tags point at now: ten seconds
//! spares a page's repeated asks (More, a re-render, the back button)
//! without showing a push older than that as missing. The caller's identity
//! is in the key, so a tag seen with one caller's credentials is never
//! answered to another.

use std::time::Duration;

use futures::future::join_all;
use registry::cache::tag_memo::{TagKey, TagMemo};
use shared::api::{MAX_POINTING_CHECKS, Pointing};
use shared::credentials::Credential;
use shared::digest::Digest;
use shared::reference::Reference;

use registry::{FetchBudget, RegistryClient};

use crate::config::OperationSettings;
use crate::error::ProxyError;

/// How long the digest a tag's HEAD returned is reused.
pub const POINTING_TTL: Duration = Duration::from_secs(10);
/// Tags remembered at most (expired entries go first, then the oldest).
const POINTING_CAPACITY: usize = 10_000;

/// The digests tags pointed at a few seconds ago.
pub struct PointingCache(TagMemo);

impl Default for PointingCache {
    fn default() -> Self {
        PointingCache(TagMemo::with_ttl(POINTING_CAPACITY, POINTING_TTL))
    }
}

/// Which of `tags` (the first `MAX_POINTING_CHECKS` of them) point at
/// `digest` in `repository`.
pub async fn pointing(
    client: &RegistryClient,
    settings: &OperationSettings,
    cache: &PointingCache,
    repository: &Reference,
    credential: Option<Credential>,
    tags: &[String],
    digest: Digest,
) -> Result<Pointing, ProxyError> {
    let identity = registry::auth::identity(credential.as_ref());
    let repo = client
        .repository(repository, credential)
        .await?
        .with_budget(FetchBudget::new(settings.max_fetched_bytes));
    let name = repo.name();
    let asked = &tags[..tags.len().min(MAX_POINTING_CHECKS)];
    let found = join_all(asked.iter().map(|tag| {
        let key = TagKey {
            registry: repository.registry().to_string(),
            repository: name.clone(),
            identity: identity.clone(),
            tag: tag.clone(),
        };
        let repo = &repo;
        async move {
            if let Some(hit) = cache.0.get(&key) {
                return Some(hit);
            }
            let head = repo.head_manifest(tag).await.ok()??;
            let current = head.docker_content_digest?;
            cache.0.insert(key, current.clone());
            Some(current)
        }
    }))
    .await;
    let checked = found.iter().filter(|d| d.is_some()).count();
    let pointing = asked
        .iter()
        .zip(&found)
        .filter(|(_, d)| d.as_ref() == Some(&digest))
        .map(|(tag, _)| tag.clone())
        .collect();
    Ok(Pointing {
        digest,
        tags: pointing,
        checked,
        of: tags.len(),
    })
}
