//! How long browsers (and caches between) may keep an answer.
//!
//! What a digest names never changes, so an answer about `repo@sha256:...`
//! is kept for a year and never revalidated; a tag can move at any time, so
//! an answer about `repo:tag` must be revalidated every time (`no-cache`).
//! An answer obtained with credentials is `private`: a shared cache must not
//! hand private-registry content to someone else. An answer in which some
//! index entries carry an error (a 429, a timeout, a child gone missing) is
//! not what the digest names, only what could be read this time: it is
//! revalidated too, or the browser would show the broken answer for a year.
//!
//! A public instance (`--public`) lets a CDN keep anonymous tag answers for
//! a minute ([`TagCaching::ShortShared`]): a popular tag is then asked of
//! the registry once a minute per edge, not once per visitor, and a moved
//! tag shows within that minute.

use shared::api::{AuthInfo, AuthSource, InspectResponse};
use shared::reference::Reference;

pub const IMMUTABLE_PUBLIC: &str = "public, max-age=31536000, immutable";
pub const IMMUTABLE_PRIVATE: &str = "private, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";
pub const SHORT_PUBLIC: &str = "public, max-age=60";

/// How answers about tags may be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagCaching {
    /// Revalidated every time (the default).
    #[default]
    Revalidate,
    /// Anonymous ones kept a minute, by shared caches too (`--public`).
    ShortShared,
}
/// Typed-in credentials change the answer (what may be read, `auth`).
pub const VARY_ON: &str = shared::credentials::CREDENTIALS_HEADER;

/// Whether an inspection holds everything it names: no index entry failed.
pub fn is_complete(response: &InspectResponse) -> bool {
    response
        .entries()
        .is_none_or(|entries| entries.iter().all(|e| e.error.is_none()))
}

/// The `Cache-Control` for a successful answer about `reference`;
/// `complete` is false when part of the answer could not be read.
pub fn for_answer(
    reference: &Reference,
    auth: Option<&AuthInfo>,
    complete: bool,
    tags: TagCaching,
) -> &'static str {
    let anonymous = matches!(auth.map(|a| a.source), None | Some(AuthSource::Anonymous));
    match (reference.digest().is_some(), complete, anonymous) {
        (_, false, _) => REVALIDATE,
        (true, true, true) => IMMUTABLE_PUBLIC,
        (true, true, false) => IMMUTABLE_PRIVATE,
        (false, true, true) if tags == TagCaching::ShortShared => SHORT_PUBLIC,
        (false, true, _) => REVALIDATE,
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
        assert_eq!(
            for_answer(&by_tag, Some(&anonymous), true, TagCaching::Revalidate),
            REVALIDATE
        );
        assert_eq!(
            for_answer(&by_tag, Some(&typed), true, TagCaching::Revalidate),
            REVALIDATE
        );
        assert_eq!(
            for_answer(&by_digest, Some(&anonymous), true, TagCaching::Revalidate),
            IMMUTABLE_PUBLIC
        );
        assert_eq!(
            for_answer(&by_digest, None, true, TagCaching::Revalidate),
            IMMUTABLE_PUBLIC
        );
        assert_eq!(
            for_answer(&by_digest, Some(&typed), true, TagCaching::Revalidate),
            IMMUTABLE_PRIVATE
        );
        // Part of the answer failed: never kept, whoever asked.
        assert_eq!(
            for_answer(&by_digest, Some(&anonymous), false, TagCaching::Revalidate),
            REVALIDATE
        );
        assert_eq!(
            for_answer(&by_digest, Some(&typed), false, TagCaching::Revalidate),
            REVALIDATE
        );
        assert_eq!(
            for_answer(&by_tag, None, false, TagCaching::Revalidate),
            REVALIDATE
        );
    }

    #[test]
    fn a_public_instance_shares_anonymous_tag_answers_briefly() {
        let by_tag = Reference::parse("localhost:5000/a/b:1").unwrap();
        let anonymous = AuthInfo::anonymous("localhost:5000");
        let typed = AuthInfo {
            source: AuthSource::Typed,
            ..anonymous.clone()
        };
        let short = TagCaching::ShortShared;
        assert_eq!(
            for_answer(&by_tag, Some(&anonymous), true, short),
            SHORT_PUBLIC
        );
        assert_eq!(for_answer(&by_tag, Some(&typed), true, short), REVALIDATE);
        assert_eq!(
            for_answer(&by_tag, Some(&anonymous), false, short),
            REVALIDATE
        );
    }
}
