//! Content fetched by digest, kept so that inspecting the same image again
//! (or an index whose children share configs) does not hit the registry.
//!
//! Content addressed by digest is immutable, so entries never go stale; the
//! cache is bounded by total bytes and evicts the least recently used. Keys
//! include the registry, repository and the caller's identity, so content one
//! user was allowed to read is never handed to another who was not. Tags do
//! move: what they pointed at is only a hint (`tag_memo`).

pub mod tag_memo;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

/// Who fetched it, where from, and what digest it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub registry: String,
    pub repository: String,
    /// An opaque fingerprint of the credentials used ("" for anonymous).
    pub identity: String,
    /// The digest, as `algorithm:hex`.
    pub digest: String,
}

/// A cached object: its verified bytes and the media type it was served as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedContent {
    pub bytes: Bytes,
    pub content_type: Option<String>,
}

struct Entry {
    content: CachedContent,
    tick: u64,
}

struct Inner {
    map: HashMap<CacheKey, Entry>,
    by_age: BTreeMap<u64, CacheKey>,
    bytes: usize,
    tick: u64,
}

/// A byte-bounded LRU map. Lock held only for map operations, never across I/O.
pub struct ContentCache {
    capacity_bytes: usize,
    inner: Mutex<Inner>,
    hits: AtomicU64,
    misses: AtomicU64,
    hit_bytes: AtomicU64,
}

/// What the cache has answered and holds (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Bytes answered from the cache.
    pub hit_bytes: u64,
    /// Bytes held now.
    pub held_bytes: u64,
    pub entries: u64,
}

impl ContentCache {
    pub fn new(capacity_bytes: usize) -> Self {
        ContentCache {
            capacity_bytes,
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                by_age: BTreeMap::new(),
                bytes: 0,
                tick: 0,
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            hit_bytes: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> CacheStats {
        let (held_bytes, entries) = {
            let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            (inner.bytes as u64, inner.map.len() as u64)
        };
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            hit_bytes: self.hit_bytes.load(Ordering::Relaxed),
            held_bytes,
            entries,
        }
    }

    pub fn get(&self, key: &CacheKey) -> Option<CachedContent> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        let Some(entry) = inner.map.get_mut(key) else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        self.hits.fetch_add(1, Ordering::Relaxed);
        self.hit_bytes
            .fetch_add(entry.content.bytes.len() as u64, Ordering::Relaxed);
        let old = std::mem::replace(&mut entry.tick, tick);
        let content = entry.content.clone();
        inner.by_age.remove(&old);
        inner.by_age.insert(tick, key.clone());
        Some(content)
    }

    /// Store verified content. Objects larger than the whole cache are skipped.
    pub fn insert(&self, key: CacheKey, content: CachedContent) {
        let size = content.bytes.len();
        if size > self.capacity_bytes {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        if let Some(old) = inner.map.remove(&key) {
            inner.by_age.remove(&old.tick);
            inner.bytes -= old.content.bytes.len();
        }
        while inner.bytes + size > self.capacity_bytes {
            let Some((_, oldest)) = inner.by_age.pop_first() else {
                break;
            };
            if let Some(evicted) = inner.map.remove(&oldest) {
                inner.bytes -= evicted.content.bytes.len();
            }
        }
        inner.bytes += size;
        inner.by_age.insert(tick, key.clone());
        inner.map.insert(key, Entry { content, tick });
    }

    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(d: &str) -> CacheKey {
        CacheKey {
            registry: "r".into(),
            repository: "x".into(),
            identity: String::new(),
            digest: d.into(),
        }
    }

    fn content(n: usize) -> CachedContent {
        CachedContent {
            bytes: Bytes::from(vec![b'x'; n]),
            content_type: None,
        }
    }

    #[test]
    fn evicts_least_recently_used_within_the_byte_budget() {
        let c = ContentCache::new(10);
        c.insert(key("a"), content(4));
        c.insert(key("b"), content(4));
        assert!(c.get(&key("a")).is_some()); // a is now the most recent
        c.insert(key("c"), content(4)); // evicts b
        assert!(c.get(&key("b")).is_none());
        assert!(c.get(&key("a")).is_some());
        assert!(c.get(&key("c")).is_some());
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn oversized_objects_are_not_cached_and_replacing_keeps_accounting() {
        let c = ContentCache::new(10);
        c.insert(key("big"), content(11));
        assert!(c.is_empty());
        c.insert(key("a"), content(6));
        c.insert(key("a"), content(6));
        c.insert(key("b"), content(4));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn identities_do_not_share_entries() {
        let c = ContentCache::new(100);
        c.insert(key("a"), content(1));
        let mut other = key("a");
        other.identity = "alice".into();
        assert!(c.get(&other).is_none());
    }
}
