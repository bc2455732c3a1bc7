//! Fetching content and checking it against every digest there is to check,
//! for inspect and for planning alike (one rule, one place).
//!
//! - The root, by tag or digest: checked against the digest that was asked
//!   for and the registry's `Docker-Content-Digest`; a signed schema1
//!   manifest is checked over its signed payload.
//! - The children of an index: fetched once per digest (however many
//!   entries list it, whatever media-type parameters they add), each
//!   verified against its digest; then every entry's own claim (its size) is
//!   checked against that one result.
//! - An image's config blob: capped, verified, parsed.
//!
//! Manifests are parsed once and hashed only as often as there are digests
//! to compare.

use std::collections::HashMap;

use bytes::Bytes;
use registry::body::CONFIG_LIMIT;
use registry::{FetchedManifest, RegistryError, Repository};
use shared::config::ImageConfig;
use shared::descriptor::Descriptor;
use shared::digest::Digest;
use shared::manifest::{Manifest, ManifestBody};
use shared::media_type;
use shared::reference::Reference;

use crate::schema1;

/// Fetch the root and check every digest there is to check.
pub async fn root(repo: &Repository<'_>, reference: &Reference) -> Result<Manifest, RegistryError> {
    let what = format!("manifest `{reference}`");
    let (fetched, from_cache) = root_bytes(repo, reference).await?;
    let (mut manifest, digest) = verify_root(
        fetched.bytes.to_vec(),
        fetched.content_type.as_deref(),
        reference.digest(),
        fetched.docker_content_digest.as_ref(),
        &what,
    )?;
    if !from_cache {
        repo.cache_manifest(&digest, &fetched);
    }
    if let (Some(tag), None) = (reference.tag(), reference.digest()) {
        repo.remember_tag(tag, &digest);
    }
    manifest.digest = digest;
    Ok(manifest)
}

/// The root's bytes: from the digest cache when the reference is a digest
/// we hold; otherwise a GET of the tag (one round trip, the digest read
/// from the bytes). At Docker Hub, whose pull quota counts GETs and not
/// HEADs, a tag whose remembered digest we hold is first confirmed with a
/// HEAD and served from the cache. `true` when served from the cache.
async fn root_bytes(
    repo: &Repository<'_>,
    reference: &Reference,
) -> Result<(FetchedManifest, bool), RegistryError> {
    if let Some(digest) = reference.digest() {
        if let Some(hit) = repo.cached_manifest(digest) {
            return Ok((hit, true));
        }
    } else if let Some(tag) = reference.tag()
        && registry::quota::counts_manifest_gets(reference.registry())
        && let Some(hint) = repo.remembered_tag(tag)
        && repo.cached_manifest(&hint).is_some()
    {
        // A failed HEAD is not an answer: the GET below reports properly.
        if let Ok(Some(head)) = repo.head_manifest(tag).await
            && let Some(current) = head.docker_content_digest
            && let Some(hit) = repo.cached_manifest(&current)
        {
            return Ok((hit, true));
        }
    }
    let fetched = repo.get_manifest(&reference.manifest_reference()).await?;
    Ok((fetched, false))
}

/// Check the root's bytes against the digest asked for and the registry's
/// `Docker-Content-Digest`, and parse them; answers the manifest and the
/// digest to report (the one asked for, else the registry's, both verified,
/// else sha256 of what was hashed).
///
/// A signed schema1 manifest's digest is over its signed payload, not the
/// whole document; that payload is only used for a document that is signed
/// schema1 (schemaVersion 1, that media type), and its fields are read from
/// the payload that was verified, never from the rest of the document.
pub fn verify_root(
    raw: Vec<u8>,
    content_type: Option<&str>,
    expected: Option<&Digest>,
    header: Option<&Digest>,
    what: &str,
) -> Result<(Manifest, Digest), RegistryError> {
    let parsed = Manifest::parse(raw.clone(), content_type);
    let payload = match &parsed {
        Ok(m) if m.media_type == media_type::DOCKER_SCHEMA1_SIGNED => schema1::signed_payload(&raw),
        _ => None,
    };
    let hashed: &[u8] = payload.as_deref().unwrap_or(&raw);
    // What `hashed` hashes to with sha256, when parsing already computed it.
    let known = match (&parsed, &payload) {
        (Ok(m), None) => Some(&m.digest),
        _ => None,
    };
    let check = |claimed: &Digest, what: &str| {
        if known == Some(claimed) {
            Ok(())
        } else {
            RegistryError::verify(claimed, hashed, what)
        }
    };
    if let Some(header) = header {
        check(header, &format!("{what} (Docker-Content-Digest)"))?;
    }
    if let Some(expected) = expected {
        check(expected, what)?;
    }
    let digest = match (expected.or(header), known) {
        (Some(d), _) | (None, Some(d)) => d.clone(),
        (None, None) => Digest::sha256(hashed),
    };
    let manifest = match payload {
        None => parsed.map_err(|e| RegistryError::manifest(what, e))?,
        Some(payload) => {
            let signed = Manifest::parse(payload, Some(media_type::DOCKER_SCHEMA1_SIGNED))
                .map_err(|e| RegistryError::manifest(what, e))?;
            if !matches!(signed.body, ManifestBody::Schema1(_)) {
                return Err(RegistryError::BadManifest {
                    what: what.to_string(),
                    detail: "its signed payload is not a schema 1 manifest".into(),
                });
            }
            // Shown as sent; described from the verified payload.
            Manifest {
                raw,
                media_type: media_type::DOCKER_SCHEMA1_SIGNED.to_string(),
                ..signed
            }
        }
    };
    Ok((manifest, digest))
}

/// The children an index lists, fetched once per digest.
pub struct Children {
    by_digest: HashMap<Digest, Result<Manifest, RegistryError>>,
    repository: String,
}

/// Fetch every distinct child `listed` points at (by digest only), at most
/// `concurrency` at once.
pub async fn children(
    repo: &Repository<'_>,
    listed: &[Descriptor],
    concurrency: usize,
) -> Children {
    let mut distinct: Vec<&Descriptor> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for d in listed {
        if seen.insert(&d.digest) {
            distinct.push(d);
        }
    }
    // Futures collected first: a closure inside the stream makes the
    // handler's future `Send` unprovable. Each boxed: one holds a whole
    // request (kilobytes), and unboxed a wave of them is copied whole into
    // the Vec and again into the stream.
    let fetches: Vec<_> = distinct
        .into_iter()
        .map(|d| Box::pin(child_by_digest(repo, d)))
        .collect();
    let fetched = registry::round_trips::wave(fetches, concurrency).await;
    Children {
        by_digest: fetched.into_iter().collect(),
        repository: repo.name(),
    }
}

impl Children {
    /// The child `d` points at, checked against `d`'s size; `None` for a
    /// descriptor that was not among those fetched.
    pub fn get(&self, d: &Descriptor) -> Option<Result<&Manifest, RegistryError>> {
        let manifest = match self.by_digest.get(&d.digest)? {
            Ok(m) => m,
            Err(e) => return Some(Err(e.clone())),
        };
        let actual = manifest.raw.len() as u64;
        if actual != d.size {
            return Some(Err(RegistryError::BadManifest {
                what: format!("manifest `{}@{}`", self.repository, d.digest),
                detail: format!(
                    "the index says it is {} bytes, but it is {actual} bytes",
                    d.size
                ),
            }));
        }
        Some(Ok(manifest))
    }

    /// The children that were fetched and verified, by digest, taken out
    /// (so that what describes them can keep their parts without copies).
    pub fn into_manifests(self) -> HashMap<Digest, Manifest> {
        self.by_digest
            .into_iter()
            .filter_map(|(digest, child)| Some((digest, child.ok()?)))
            .collect()
    }
}

/// Fetch one child by the digest `d` gives, verified against it.
async fn child_by_digest(
    repo: &Repository<'_>,
    d: &Descriptor,
) -> (Digest, Result<Manifest, RegistryError>) {
    (d.digest.clone(), fetch_child(repo, d).await)
}

async fn fetch_child(repo: &Repository<'_>, d: &Descriptor) -> Result<Manifest, RegistryError> {
    let what = format!("manifest `{}@{}`", repo.name(), d.digest);
    let fetched = repo.get_manifest_verified(&d.digest).await?;
    let content_type = fetched.content_type.clone().or(Some(d.media_type.clone()));
    // The bytes were verified against this digest (whatever its algorithm):
    // not hashed again.
    Manifest::parse_with_digest(
        fetched.bytes.to_vec(),
        content_type.as_deref(),
        d.digest.clone(),
    )
    .map_err(|e| RegistryError::manifest(&what, e))
}

/// Fetch, verify and parse an image config, with the verified bytes;
/// `None` for artifacts whose config is not an image config (empty
/// descriptor, Helm chart config, ...).
pub async fn image_config(
    repo: &Repository<'_>,
    config: &Descriptor,
) -> Result<Option<(ImageConfig, Bytes)>, RegistryError> {
    let essence = media_type::essence(&config.media_type);
    if essence != media_type::DOCKER_CONFIG && essence != media_type::OCI_CONFIG {
        return Ok(None);
    }
    let what = format!("config blob {} of {}", config.digest, repo.name());
    if config.size > CONFIG_LIMIT {
        return Err(RegistryError::TooLarge {
            what,
            limit: CONFIG_LIMIT,
        });
    }
    let bytes = repo.get_blob_verified(&config.digest, CONFIG_LIMIT).await?;
    ImageConfig::parse(&bytes)
        .map(|c| Some((c, bytes)))
        .map_err(|e| RegistryError::BadManifest {
            what,
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests;
