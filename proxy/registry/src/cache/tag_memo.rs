//! Which digest a tag pointed at, remembered for a short while, so that a
//! repeated inspection of a tag can ask the registry with a HEAD ("is it
//! still this digest?") and serve the manifest from the digest cache.
//!
//! A HEAD does not count against Docker Hub's pull quota and carries no
//! body. The memo is only a hint: every use is confirmed by the HEAD's
//! `Docker-Content-Digest`, never trusted on its own, so a tag that moved is
//! never served stale. Entries expire after `TAG_TTL` so the memo does not
//! grow with every tag ever seen.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shared::digest::Digest;

/// How long a tag's digest is remembered as a hint.
pub const TAG_TTL: Duration = Duration::from_secs(10 * 60);
/// At most this many tags are remembered by default (older ones are
/// dropped first); see `RegistrySettings::remembered_tags`.
pub const TAG_CAPACITY: usize = 4096;

/// registry API host, repository, caller identity, tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagKey {
    pub registry: String,
    pub repository: String,
    pub identity: String,
    pub tag: String,
}

pub struct TagMemo {
    inner: Mutex<HashMap<TagKey, (Digest, Instant)>>,
    capacity: usize,
    ttl: Duration,
}

impl Default for TagMemo {
    fn default() -> Self {
        TagMemo::with_capacity(TAG_CAPACITY)
    }
}

impl TagMemo {
    /// A memo of at most `capacity` tags (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        TagMemo::with_ttl(capacity, TAG_TTL)
    }

    /// A memo of at most `capacity` tags, each kept for `ttl`.
    pub fn with_ttl(capacity: usize, ttl: Duration) -> Self {
        TagMemo {
            inner: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            ttl,
        }
    }

    /// The digest remembered for `key`, if not older than the memo's TTL.
    pub fn get(&self, key: &TagKey) -> Option<Digest> {
        self.get_at(key, Instant::now())
    }

    fn get_at(&self, key: &TagKey, now: Instant) -> Option<Digest> {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key) {
            Some((digest, at)) if now.duration_since(*at) < self.ttl => Some(digest.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn insert(&self, key: TagKey, digest: Digest) {
        self.insert_at(key, digest, Instant::now());
    }

    fn insert_at(&self, key: TagKey, digest: Digest, now: Instant) {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.capacity && !map.contains_key(&key) {
            map.retain(|_, (_, at)| now.duration_since(*at) < self.ttl);
            if map.len() >= self.capacity
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tag: &str) -> TagKey {
        TagKey {
            registry: "r".into(),
            repository: "x".into(),
            identity: String::new(),
            tag: tag.into(),
        }
    }

    #[test]
    fn remembers_until_the_ttl() {
        let memo = TagMemo::default();
        let t0 = Instant::now();
        memo.insert_at(key("1"), Digest::sha256(b"a"), t0);
        assert_eq!(memo.get_at(&key("1"), t0), Some(Digest::sha256(b"a")));
        assert_eq!(memo.get_at(&key("2"), t0), None);
        assert_eq!(memo.get_at(&key("1"), t0 + TAG_TTL), None);
        // Expired entries are gone, not just hidden.
        assert_eq!(memo.get_at(&key("1"), t0), None);
    }

    #[test]
    fn a_shorter_ttl_is_kept() {
        let ttl = Duration::from_secs(10);
        let memo = TagMemo::with_ttl(8, ttl);
        let t0 = Instant::now();
        memo.insert_at(key("1"), Digest::sha256(b"a"), t0);
        assert_eq!(
            memo.get_at(&key("1"), t0 + ttl / 2),
            Some(Digest::sha256(b"a"))
        );
        assert_eq!(memo.get_at(&key("1"), t0 + ttl), None);
    }

    #[test]
    fn identities_do_not_share_tags_and_capacity_is_bounded() {
        let memo = TagMemo::default();
        let t0 = Instant::now();
        memo.insert_at(key("1"), Digest::sha256(b"a"), t0);
        let mut other = key("1");
        other.identity = "alice".into();
        assert_eq!(memo.get_at(&other, t0), None);
        for i in 0..TAG_CAPACITY + 5 {
            memo.insert_at(key(&format!("t{i}")), Digest::sha256(b"b"), t0);
        }
        assert!(memo.inner.lock().unwrap().len() <= TAG_CAPACITY);
    }
}
