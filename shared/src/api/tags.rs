//! `GET /api/v1/tags?repository=REGISTRY/REPO[&n=N&last=TAG]`: the tags of a
//! repository, one page of them; `next` is the `last` to ask for the page
//! after this one.

use serde::{Deserialize, Serialize};

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
}
