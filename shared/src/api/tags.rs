//! `GET /api/v1/tags?repository=REGISTRY/REPO[&n=N&last=TAG]`: the tags of a
//! repository, one page of them; `next` is the `last` to ask for the page
//! after this one. With `digest=`, the answer also says which of its tags
//! point at that digest (`pointing`), and how many of them were checked.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;

/// `GET {TAGS_PATH}?repository=REGISTRY/REPO[&n=N&last=TAG]`
pub const TAGS_PATH: &str = "/api/v1/tags";
/// Tags in one answer when `n` is not given.
pub const DEFAULT_TAGS_PER_PAGE: usize = 100;
/// The most tags one answer holds, whatever `n` asks for.
pub const MAX_TAGS_PER_PAGE: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagsResponse {
    /// Normalized `registry/repository` (Docker Hub's `library/` added).
    pub repository: String,
    /// In the registry's order (lexical, for distribution).
    pub tags: Vec<String>,
    /// More tags follow: ask again with `last=` this tag. `null`: the list
    /// is complete.
    pub next: Option<String>,
    /// Asked with `digest=`: which of `tags` point at it. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointing: Option<Pointing>,
}

/// The most tags of one answer whose digest is asked of the registry (a
/// HEAD each); the rest of a longer answer is not checked.
pub const MAX_POINTING_CHECKS: usize = 100;

/// Which tags of an answer point at `digest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointing {
    pub digest: Digest,
    /// In the answer's order; only tags that were checked.
    pub tags: Vec<String>,
    /// Tags whose digest is known (HEAD answered, or remembered briefly);
    /// a tag whose HEAD failed is not counted.
    pub checked: usize,
    /// Tags in the answer.
    pub of: usize,
}

impl Pointing {
    /// Whether `tag` was found pointing at the digest.
    pub fn points(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// "N of M tags checked", as the page says it.
    pub fn summary(&self) -> String {
        format!(
            "{} of {} tag{} checked; {} point{} at {}",
            self.checked,
            self.of,
            if self.of == 1 { "" } else { "s" },
            self.tags.len(),
            if self.tags.len() == 1 { "s" } else { "" },
            self.digest.to_string().chars().take(19).collect::<String>() + "…",
        )
    }
}

/// The `digest=` parameter: blank is none; anything else must be a digest.
pub fn pointing_digest(input: Option<&str>) -> Result<Option<Digest>, String> {
    match input.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Digest::parse(text).map(Some).map_err(|e| {
            format!(
                "`digest={}`: {e}",
                text.chars().take(100).collect::<String>()
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_parameter_is_a_digest_or_nothing() {
        let d = Digest::sha256(b"x");
        assert_eq!(pointing_digest(None), Ok(None));
        assert_eq!(pointing_digest(Some("  ")), Ok(None));
        assert_eq!(pointing_digest(Some(&d.to_string())), Ok(Some(d)));
        for bad in ["latest", "sha256:00", "sha256:", "md5:abc"] {
            let err = pointing_digest(Some(bad)).unwrap_err();
            assert!(err.starts_with(&format!("`digest={bad}`")), "{err}");
        }
    }

    #[test]
    fn answers_without_pointing_read_as_before_and_with_it_round_trip() {
        let plain: TagsResponse =
            serde_json::from_str(r#"{"repository":"r/a","tags":["1"],"next":null}"#).unwrap();
        assert_eq!(plain.pointing, None);
        assert!(!serde_json::to_string(&plain).unwrap().contains("pointing"));
        let d = Digest::sha256(b"x");
        let with = TagsResponse {
            pointing: Some(Pointing {
                digest: d.clone(),
                tags: vec!["1".into()],
                checked: 2,
                of: 3,
            }),
            tags: vec!["1".into(), "2".into(), "3".into()],
            ..plain
        };
        let json = serde_json::to_string(&with).unwrap();
        assert!(
            json.contains(&format!(
                r#""pointing":{{"digest":"{d}","tags":["1"],"checked":2,"of":3}}"#
            )),
            "{json}"
        );
        let back: TagsResponse = serde_json::from_str(&json).unwrap();
        assert_eq!(back, with);
        let p = back.pointing.unwrap();
        assert!(p.points("1") && !p.points("2"));
        assert!(
            p.summary().starts_with("2 of 3 tags checked; 1 points at "),
            "{}",
            p.summary()
        );
    }
}
