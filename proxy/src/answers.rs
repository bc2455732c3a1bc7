//! Answers about a digest, kept as the bytes that were sent.
//!
//! What a digest names never changes, so a complete answer about
//! `repo@sha256:...` is the same bytes every time it is asked for by the
//! same caller: serving it again from those bytes skips fetching from the
//! content cache, describing, rebuilding and serializing (the page's
//! reloads, a badge embedded in a busy README, many people opening one
//! link). Only answers `Cache-Control` keeps for a year are kept here (by
//! digest, complete, no pull quota), keyed by everything the bytes depend
//! on: the reference as typed, the answer's variant, the caller's
//! credential identity and where the credential came from. Bounded by
//! total bytes, least recently used first out (`registry::cache`).

use bytes::Bytes;
use registry::cache::{CacheKey, CachedContent, ContentCache};
use shared::api::AuthInfo;
use shared::credentials::Credential;
use shared::reference::Reference;

/// Bytes of ready answers kept by default.
pub const ANSWER_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// The ready answers of one server.
pub struct AnswerCache {
    cache: ContentCache,
}

/// Which answer about one reference: the variant (JSON, first part,
/// text ...) and the reference as the caller typed it (text answers
/// repeat it).
pub struct AnswerKey(CacheKey);

impl AnswerKey {
    /// `None` for a reference by tag: what a tag names moves.
    pub fn new(
        variant: &str,
        input: &str,
        reference: &Reference,
        credential: Option<&Credential>,
        auth: &AuthInfo,
    ) -> Option<AnswerKey> {
        reference.digest()?;
        let source = serde_json::to_string(auth).unwrap_or_default();
        Some(AnswerKey(CacheKey {
            registry: reference.api_host().to_string(),
            repository: reference.repository().to_string(),
            identity: format!("{}\n{source}", registry::auth::identity(credential)),
            digest: format!("{variant}\n{input}"),
        }))
    }
}

impl Default for AnswerCache {
    fn default() -> Self {
        AnswerCache::new(ANSWER_CACHE_BYTES)
    }
}

impl AnswerCache {
    pub fn new(capacity_bytes: usize) -> Self {
        AnswerCache {
            cache: ContentCache::new(capacity_bytes),
        }
    }

    /// The bytes sent for `key` before.
    pub fn get(&self, key: &AnswerKey) -> Option<Bytes> {
        self.cache.get(&key.0).map(|hit| hit.bytes)
    }

    /// Keep `bytes` as the answer for `key`.
    pub fn insert(&self, key: AnswerKey, bytes: Bytes) {
        self.cache.insert(
            key.0,
            CachedContent {
                bytes,
                content_type: None,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_digests_and_only_for_the_same_caller() {
        let digest = shared::digest::Digest::sha256(b"x");
        let by_digest = Reference::parse(&format!("localhost:5000/a@{digest}")).unwrap();
        let by_tag = Reference::parse("localhost:5000/a:1").unwrap();
        let anonymous = AuthInfo::anonymous("localhost:5000");
        assert!(AnswerKey::new("json", "x", &by_tag, None, &anonymous).is_none());
        let answers = AnswerCache::default();
        let key = || AnswerKey::new("json", "x", &by_digest, None, &anonymous).unwrap();
        answers.insert(key(), Bytes::from_static(b"{}"));
        assert_eq!(answers.get(&key()).as_deref(), Some(&b"{}"[..]));
        let alice = Credential {
            username: "alice".into(),
            password: "secret".into(),
        };
        let other = AnswerKey::new("json", "x", &by_digest, Some(&alice), &anonymous).unwrap();
        assert!(answers.get(&other).is_none(), "another caller");
        let text = AnswerKey::new("text", "x", &by_digest, None, &anonymous).unwrap();
        assert!(answers.get(&text).is_none(), "another variant");
    }
}
