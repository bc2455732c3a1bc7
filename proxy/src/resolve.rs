//! What each source of a push spec is, as the plan needs it.
//!
//! A plan is only as good as what it was made from, so every source is
//! fetched the way inspect fetches it (same code, same digest checks): the
//! manifest by its reference, an image's config for its platform, an index's
//! children and their configs. A source the registry does not have becomes
//! `Missing` (the plan decides whether that is an error); any other failure
//! stops the plan and names the spec entry it happened for.

use futures::stream::{self, StreamExt, TryStreamExt};
use shared::api::ApiError;
use shared::config::ImageConfig;
use shared::credentials::CredentialSet;
use shared::descriptor::Descriptor;
use shared::manifest::ManifestBody;
use shared::plan::{
    ATTESTATION_MANIFEST, REFERENCE_TYPE, Resolution, ResolvedChild, ResolvedSource,
};
use shared::spec::{ValidatedEntry, ValidatedSpec};

use crate::error::ProxyError;
use crate::inspect::{CHILD_CONCURRENCY, fetch_child, fetch_root, image_config};
use crate::registry::{RegistryClient, Repository};

/// Sources fetched at once.
pub const SOURCE_CONCURRENCY: usize = 4;
/// Entries a source index may list: each becomes an entry of the plan with
/// its own copy of the child, so this bounds what a plan holds.
pub const MAX_SOURCE_ENTRIES: usize = crate::inspect::MAX_DESCRIBED_ENTRIES;
/// The child manifests of one source index, in bytes, counted per entry.
pub const MAX_SOURCE_CHILD_BYTES: u64 = 64 * 1024 * 1024;

/// A source could not be resolved: which entry, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{field}` (`{source_ref}`): {error}")]
pub struct SourceError {
    /// `manifests[2]`
    pub field: String,
    /// The source as written in the spec.
    pub source_ref: String,
    pub error: ProxyError,
}

impl SourceError {
    /// The registry error's code, with a message that names the entry.
    pub fn to_api_error(&self) -> ApiError {
        ApiError::new(self.error.code(), self.to_string())
    }
}

/// Resolve every entry of `spec` (same order), at most
/// [`SOURCE_CONCURRENCY`] at once.
pub async fn resolve_sources(
    client: &RegistryClient,
    spec: &ValidatedSpec,
    credentials: &CredentialSet,
) -> Result<Vec<ResolvedSource>, SourceError> {
    // Futures collected first: a closure over borrowed entries inside the
    // stream makes the handler's future `Send` unprovable.
    let lookups: Vec<_> = spec
        .entries
        .iter()
        .enumerate()
        .map(|(i, entry)| resolve_numbered(client, i, entry, credentials))
        .collect();
    stream::iter(lookups)
        .buffered(SOURCE_CONCURRENCY)
        .try_collect()
        .await
}

async fn resolve_numbered(
    client: &RegistryClient,
    i: usize,
    entry: &ValidatedEntry,
    credentials: &CredentialSet,
) -> Result<ResolvedSource, SourceError> {
    resolve_entry(client, entry, credentials)
        .await
        .map(|resolution| ResolvedSource {
            reference: entry.source.clone(),
            resolution,
        })
        .map_err(|error| SourceError {
            field: format!("manifests[{i}]"),
            source_ref: entry.input.clone(),
            error,
        })
}

async fn resolve_entry(
    client: &RegistryClient,
    entry: &ValidatedEntry,
    credentials: &CredentialSet,
) -> Result<Resolution, ProxyError> {
    let credential = credentials.for_registry(entry.source.registry()).cloned();
    let repo = client.repository(&entry.source, credential).await?;
    let manifest = match fetch_root(&repo, &entry.source).await {
        Ok(m) => m,
        Err(ProxyError::NotFound { detail, .. }) => {
            let reason = if detail.is_empty() {
                format!("{} has no such manifest", repo.name())
            } else {
                detail
            };
            return Ok(Resolution::Missing { reason });
        }
        Err(e) => return Err(e),
    };
    match &manifest.body {
        ManifestBody::Image(image) => {
            // An artifact's config is not an image config: no platform from
            // it (the plan asks for a declared one).
            let config = image_config(&repo, &image.config)
                .await?
                .unwrap_or_default();
            Ok(Resolution::Image { manifest, config })
        }
        // The plan refuses schema 1 with a message of its own.
        ManifestBody::Schema1(_) => Ok(Resolution::Image {
            manifest,
            config: ImageConfig::default(),
        }),
        ManifestBody::Index(index) => {
            check_source_size(&repo.name(), &index.manifests)?;
            // A child listed more than once is fetched once.
            let mut distinct: Vec<Descriptor> = Vec::new();
            for d in &index.manifests {
                if !distinct.iter().any(|seen| same_child(seen, d)) {
                    distinct.push(d.clone());
                }
            }
            let fetched: Vec<ResolvedChild> = stream::iter(distinct)
                .map(|d| resolve_child(&repo, d))
                .buffered(CHILD_CONCURRENCY)
                .try_collect()
                .await?;
            let children = index
                .manifests
                .iter()
                .filter_map(|d| {
                    let child = fetched.iter().find(|c| same_child(&c.descriptor, d))?;
                    Some(ResolvedChild {
                        descriptor: d.clone(),
                        ..child.clone()
                    })
                })
                .collect();
            Ok(Resolution::Index { manifest, children })
        }
    }
}

/// Two entries that point at the same child (and need the same of it):
/// fetched once.
fn same_child(a: &Descriptor, b: &Descriptor) -> bool {
    a.digest == b.digest
        && a.size == b.size
        && a.media_type == b.media_type
        && is_attestation(a) == is_attestation(b)
}

fn is_attestation(d: &Descriptor) -> bool {
    d.annotations.get(REFERENCE_TYPE).map(String::as_str) == Some(ATTESTATION_MANIFEST)
}

/// A source index small enough to plan from: at most
/// [`MAX_SOURCE_ENTRIES`] entries, whose children add up to at most
/// [`MAX_SOURCE_CHILD_BYTES`].
fn check_source_size(name: &str, entries: &[Descriptor]) -> Result<(), ProxyError> {
    if entries.len() > MAX_SOURCE_ENTRIES {
        return Err(ProxyError::BadManifest {
            what: format!("the source index {name}"),
            detail: format!(
                "it lists {} entries; at most {MAX_SOURCE_ENTRIES} can be pushed from one index",
                entries.len()
            ),
        });
    }
    let bytes = entries
        .iter()
        .fold(0u64, |sum, d| sum.saturating_add(d.size));
    if bytes > MAX_SOURCE_CHILD_BYTES {
        return Err(ProxyError::TooLarge {
            what: format!("the child manifests of the source index {name} ({bytes} bytes in all)"),
            limit: MAX_SOURCE_CHILD_BYTES,
        });
    }
    Ok(())
}

/// One child of a source index; its config only when the platform may be
/// needed (not for attestations).
async fn resolve_child(
    repo: &Repository<'_>,
    descriptor: Descriptor,
) -> Result<ResolvedChild, ProxyError> {
    let manifest = fetch_child(repo, &descriptor).await?;
    let attestation = is_attestation(&descriptor);
    let config = match &manifest.body {
        ManifestBody::Image(image) if !attestation => image_config(repo, &image.config).await?,
        _ => None,
    };
    Ok(ResolvedChild {
        descriptor,
        manifest,
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(size: u64) -> Descriptor {
        Descriptor {
            media_type: shared::media_type::OCI_MANIFEST.to_string(),
            digest: shared::Digest::sha256(b"child"),
            size,
            urls: Vec::new(),
            annotations: Default::default(),
            platform: None,
            artifact_type: None,
        }
    }

    #[test]
    fn huge_source_indexes_are_refused_before_fetching() {
        let ok = vec![entry(1000); MAX_SOURCE_ENTRIES];
        assert!(check_source_size("r/x", &ok).is_ok());
        let many = vec![entry(1000); MAX_SOURCE_ENTRIES + 1];
        let e = check_source_size("r/x", &many).unwrap_err();
        assert!(e.to_string().contains("at most 1000"), "{e}");
        let heavy = vec![entry(MAX_SOURCE_CHILD_BYTES / 10 + 1); 10];
        assert!(matches!(
            check_source_size("r/x", &heavy),
            Err(ProxyError::TooLarge { .. })
        ));
        // Sizes near u64::MAX do not overflow the sum.
        let absurd = vec![entry(u64::MAX); 2];
        assert!(check_source_size("r/x", &absurd).is_err());
    }
}
