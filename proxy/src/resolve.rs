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
    let repo = client.repository(&entry.source, credential)?;
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
            let children = stream::iter(index.manifests.iter().cloned())
                .map(|d| resolve_child(&repo, d))
                .buffered(CHILD_CONCURRENCY)
                .try_collect()
                .await?;
            Ok(Resolution::Index { manifest, children })
        }
    }
}

/// One child of a source index; its config only when the platform may be
/// needed (not for attestations).
async fn resolve_child(
    repo: &Repository<'_>,
    descriptor: Descriptor,
) -> Result<ResolvedChild, ProxyError> {
    let manifest = fetch_child(repo, &descriptor).await?;
    let attestation = descriptor
        .annotations
        .get(REFERENCE_TYPE)
        .map(String::as_str)
        == Some(ATTESTATION_MANIFEST);
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
