//! How long browsers (and caches between) may keep an answer.
//!
//! What a digest names never changes, so an answer about `repo@sha256:...`
//! is kept for a year and never revalidated; a tag can move at any time, so
//! an answer about `repo:tag` must be revalidated every time (`no-cache`).
//! An answer obtained with credentials is `private`: a shared cache must not
//! hand private-registry content to someone else.

use shared::api::{AuthInfo, AuthSource};
use shared::reference::Reference;

pub const IMMUTABLE_PUBLIC: &str = "public, max-age=31536000, immutable";
pub const IMMUTABLE_PRIVATE: &str = "private, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";
/// Typed-in credentials change the answer (what may be read, `auth`).
pub const VARY_ON: &str = shared::credentials::CREDENTIALS_HEADER;

/// The `Cache-Control` for a successful answer about `reference`.
pub fn for_answer(reference: &Reference, auth: Option<&AuthInfo>) -> &'static str {
    if reference.digest().is_none() {
        return REVALIDATE;
    }
    match auth.map(|a| a.source) {
        None | Some(AuthSource::Anonymous) => IMMUTABLE_PUBLIC,
        Some(_) => IMMUTABLE_PRIVATE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_immutable_tags_revalidate() {
        let by_tag = Reference::parse("localhost:5000/a/b:1").unwrap();
        let by_digest = Reference::parse(&format!(
            "localhost:5000/a/b@{}",
            shared::digest::Digest::sha256(b"x")
        ))
        .unwrap();
        let anonymous = AuthInfo::anonymous("localhost:5000");
        let typed = AuthInfo {
            source: AuthSource::Typed,
            ..anonymous.clone()
        };
        assert_eq!(for_answer(&by_tag, Some(&anonymous)), REVALIDATE);
        assert_eq!(for_answer(&by_tag, Some(&typed)), REVALIDATE);
        assert_eq!(for_answer(&by_digest, Some(&anonymous)), IMMUTABLE_PUBLIC);
        assert_eq!(for_answer(&by_digest, None), IMMUTABLE_PUBLIC);
        assert_eq!(for_answer(&by_digest, Some(&typed)), IMMUTABLE_PRIVATE);
    }
}
