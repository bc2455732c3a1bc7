//! The `/v2/` operations, one method each on `Repository`, all sent through
//! the one request path (`request`): manifests, blobs (reads, mounts and
//! uploads), referrers and the tag list. What they answer is typed here.

mod blobs;
mod manifests;
mod referrers;
mod tags;

pub use tags::TAGS_PAGE_LIMIT;

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::HeaderMap;
use shared::digest::Digest;

use crate::error::RegistryError;

/// Registries send `Docker-Content-Digest` with manifests.
pub const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";

/// A manifest as the registry sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedManifest {
    pub bytes: Bytes,
    pub content_type: Option<String>,
    /// The `Docker-Content-Digest` header, when present (a malformed one
    /// is an error, never ignored).
    pub docker_content_digest: Option<Digest>,
}

/// One page of a referrers list, and where the next one is (on the
/// registry's own origin), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrersPage {
    pub fetched: FetchedManifest,
    pub next: Option<Url>,
}

/// One page of a tag list, and where the next one is (on the registry's
/// own origin), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagsPage {
    pub tags: Vec<String>,
    pub next: Option<Url>,
}

/// What a HEAD on a manifest tells (no body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    pub content_type: Option<String>,
    pub docker_content_digest: Option<Digest>,
    pub size: Option<u64>,
}

/// What a cross-repository mount did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountOutcome {
    /// 201: the blob is now in the repository.
    Mounted,
    /// 202: not mounted; an upload session was started at this URL instead.
    Upload(Url),
}

/// The registry's `Docker-Content-Digest`, when it sent one, must be the
/// digest of the bytes it sent (the error names both).
pub(crate) fn verify_header(
    header: Option<&Digest>,
    bytes: &[u8],
    what: &str,
) -> Result<(), RegistryError> {
    match header {
        Some(claimed) => {
            RegistryError::verify(claimed, bytes, &format!("{what} (Docker-Content-Digest)"))
        }
        None => Ok(()),
    }
}

/// Every `Link` header of an answer as one value: `rel="next"` may come in
/// a header of its own.
pub(crate) fn link_headers(headers: &HeaderMap) -> String {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn header_string(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl crate::repository::Repository<'_> {
    /// The registry's `Docker-Content-Digest`, if it sent one. One that is
    /// not a digest is the registry's error, said as such: ignoring it would
    /// skip the check it exists for.
    pub(crate) fn header_digest(
        &self,
        headers: &HeaderMap,
        what: &str,
    ) -> Result<Option<Digest>, RegistryError> {
        let Some(value) = headers.get(DOCKER_CONTENT_DIGEST) else {
            return Ok(None);
        };
        let text = value.to_str().map(str::trim).unwrap_or("(not text)");
        Digest::parse(text).map(Some).map_err(|e| {
            let shown: String = text.chars().take(100).collect();
            RegistryError::protocol(
                self.registry(),
                what,
                format!("its Docker-Content-Digest header `{shown}` is not a digest: {e}"),
            )
        })
    }
}
