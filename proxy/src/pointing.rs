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
//! Results are cached per (registry, repository, caller identity, tag):
//! the digest the HEAD returned, for `POINTING_TTL`. Per tag and not per
//! asked digest, because a page that marks the tags of another digest (or
//! the next inspection) asks the same HEADs; briefly, because a tag is
//! mutable and the answer says what the tags point at now: ten seconds
//! spares a page's repeated asks (More, a re-render, the back button)
//! without showing a push older than that as missing. The caller's identity
//! is in the key, so a tag seen with one caller's credentials is never
//! answered to another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::future::join_all;
use shared::api::{MAX_POINTING_CHECKS, Pointing};
use shared::credentials::Credential;
use shared::digest::Digest;
use shared::reference::Reference;

use registry::{FetchBudget, RegistryClient};

use crate::config::OperationSettings;
use crate::error::ProxyError;

/// How long the digest a tag's HEAD returned is reused.
pub const POINTING_TTL: Duration = Duration::from_secs(10);
/// Tags remembered at most; expired entries go first, then the oldest.
const POINTING_CAPACITY: usize = 10_000;

/// registry/repository, caller identity, tag.
type Key = (String, String, String);

/// The digests tags pointed at a few seconds ago.
#[derive(Default)]
pub struct PointingCache {
    inner: Mutex<HashMap<Key, (Digest, Instant)>>,
}

impl PointingCache {
    fn get(&self, key: &Key, now: Instant) -> Option<Digest> {
        let map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(_, at)| now.duration_since(*at) < POINTING_TTL)
            .map(|(digest, _)| digest.clone())
    }

    fn insert(&self, key: Key, digest: Digest, now: Instant) {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= POINTING_CAPACITY && !map.contains_key(&key) {
            map.retain(|_, (_, at)| now.duration_since(*at) < POINTING_TTL);
            if map.len() >= POINTING_CAPACITY
                && let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, (_, at))| *at)
                    .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(key, (digest, now));
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
    let now = Instant::now();
    let found = join_all(asked.iter().map(|tag| {
        let key = (name.clone(), identity.clone(), tag.clone());
        let repo = &repo;
        async move {
            if let Some(hit) = cache.get(&key, now) {
                return Some(hit);
            }
            let head = repo.head_manifest(tag).await.ok()??;
            let current = head.docker_content_digest?;
            cache.insert(key, current.clone(), Instant::now());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_the_cache_stays_bounded() {
        let cache = PointingCache::default();
        let d = Digest::sha256(b"a");
        let t0 = Instant::now();
        let key = |i: usize| ("r/a".to_string(), String::new(), format!("t{i}"));
        cache.insert(key(0), d.clone(), t0);
        assert_eq!(
            cache.get(&key(0), t0 + Duration::from_secs(9)),
            Some(d.clone())
        );
        assert_eq!(cache.get(&key(0), t0 + POINTING_TTL), None);
        // Another caller's identity is another key.
        assert_eq!(
            cache.get(&("r/a".into(), "u#x".into(), "t0".into()), t0),
            None
        );
        for i in 1..=POINTING_CAPACITY {
            cache.insert(key(i), d.clone(), t0 + Duration::from_millis(i as u64));
        }
        let len = cache.inner.lock().unwrap().len();
        assert_eq!(len, POINTING_CAPACITY);
        assert_eq!(cache.get(&key(0), t0), None, "the oldest went first");
    }
}
