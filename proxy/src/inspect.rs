//! The inspect operation: what is behind a reference, fully verified.
//!
//! The root is fetched by tag or digest and checked against the digest that
//! was asked for and the one the registry claims. For an index every child is
//! fetched (bounded concurrency, index order kept) and checked against its
//! descriptor, and so is each image's config; a child that fails becomes an
//! entry with an error so that the rest of the index still shows.

use futures::stream::{self, StreamExt};
use shared::api::{EntryView, InspectResponse};
use shared::config::ImageConfig;
use shared::credentials::Credential;
use shared::descriptor::Descriptor;
use shared::digest::Digest;
use shared::manifest::{Manifest, ManifestBody, ManifestError};
use shared::media_type;
use shared::reference::Reference;

use crate::error::ProxyError;
use crate::registry::body::CONFIG_LIMIT;
use crate::registry::{FetchedManifest, RegistryClient, Repository};
use crate::schema1;

/// Children of an index fetched at once.
pub const CHILD_CONCURRENCY: usize = 32;

pub async fn inspect(
    client: &RegistryClient,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<InspectResponse, ProxyError> {
    let repo = client.repository(reference, credential)?;
    let root = fetch_root(&repo, reference).await?;

    let mut response = InspectResponse {
        reference: reference.to_string(),
        registry: reference.registry().to_string(),
        repository: reference.repository().to_string(),
        tag: reference.tag().map(str::to_string),
        digest: root.digest.clone(),
        media_type: root.media_type.clone(),
        kind: root.kind(),
        size: root.size(),
        raw: root.raw_text(),
        artifact_type: None,
        annotations: Default::default(),
        subject: None,
        manifests: None,
        config: None,
        layers: None,
        image_config: None,
        auth: None,
        rate_limit: None,
    };
    match &root.body {
        ManifestBody::Index(index) => {
            response.artifact_type = index.artifact_type.clone();
            response.annotations = index.annotations.clone();
            response.subject = index.subject.clone();
            let entries = stream::iter(index.manifests.iter().cloned())
                .map(|d| entry(&repo, d))
                .buffered(CHILD_CONCURRENCY)
                .collect::<Vec<_>>()
                .await;
            response.manifests = Some(entries);
        }
        ManifestBody::Image(image) => {
            response.artifact_type = image.artifact_type.clone();
            response.annotations = image.annotations.clone();
            response.subject = image.subject.clone();
            response.config = Some(image.config.clone());
            response.layers = Some(image.layers.clone());
            response.image_config = image_config(&repo, &image.config).await?;
        }
        ManifestBody::Schema1(s1) => {
            response.layers = Some(schema1_layers(s1));
        }
    }
    response.rate_limit = repo.rate_limit();
    Ok(response)
}

/// Fetch the root and check every digest there is to check.
pub(crate) async fn fetch_root(
    repo: &Repository<'_>,
    reference: &Reference,
) -> Result<Manifest, ProxyError> {
    let what = format!("manifest `{reference}`");
    let (fetched, from_cache) = root_bytes(repo, reference).await?;
    let FetchedManifest {
        bytes,
        content_type,
        docker_content_digest,
    } = fetched.clone();
    let raw = bytes.to_vec();
    // Signed schema1: the digest is over the payload without signatures.
    let signed = schema1::signed_payload(&raw);
    let hashed: &[u8] = signed.as_deref().unwrap_or(&raw);
    if let Some(header) = &docker_content_digest {
        ProxyError::verify(header, hashed, &format!("{what} (Docker-Content-Digest)"))?;
    }
    if let Some(expected) = reference.digest() {
        ProxyError::verify(expected, hashed, &what)?;
    }
    // The digest to report: the one asked for, else the registry's (both
    // verified above), else sha256 of what was hashed.
    let digest = reference
        .digest()
        .or(docker_content_digest.as_ref())
        .cloned()
        .unwrap_or_else(|| Digest::sha256(hashed));
    let mut manifest =
        Manifest::parse(raw, content_type.as_deref()).map_err(|e| manifest_error(&what, e))?;
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
/// we hold, or a tag whose remembered digest we hold and a HEAD confirms
/// it still points at (a HEAD is cheap and not counted against Docker
/// Hub's pull quota); otherwise a GET. `true` when served from the cache.
async fn root_bytes(
    repo: &Repository<'_>,
    reference: &Reference,
) -> Result<(FetchedManifest, bool), ProxyError> {
    if let Some(digest) = reference.digest() {
        if let Some(hit) = repo.cached_manifest(digest) {
            return Ok((hit, true));
        }
    } else if let Some(tag) = reference.tag()
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

/// One index entry: fetch the child, verify it, describe it.
async fn entry(repo: &Repository<'_>, descriptor: Descriptor) -> EntryView {
    let mut view = EntryView {
        kind: media_type::kind_of(&descriptor.media_type),
        descriptor,
        config: None,
        layers: None,
        image_config: None,
        child_count: None,
        error: None,
    };
    if let Err(e) = fill_entry(repo, &mut view).await {
        view.error = Some(e.to_api_error());
    }
    view
}

async fn fill_entry(repo: &Repository<'_>, view: &mut EntryView) -> Result<(), ProxyError> {
    let child = fetch_child(repo, &view.descriptor).await?;
    view.kind = child.kind();
    match &child.body {
        ManifestBody::Index(index) => view.child_count = Some(index.manifests.len()),
        ManifestBody::Image(image) => {
            view.config = Some(image.config.clone());
            view.layers = Some(image.layers.clone());
            // Fetched to verify it too; the platform shown is the index's.
            view.image_config = image_config(repo, &image.config).await?;
        }
        ManifestBody::Schema1(s1) => view.layers = Some(schema1_layers(s1)),
    }
    Ok(())
}

/// Fetch the child an index entry points at, checked against the entry's
/// digest and size.
pub(crate) async fn fetch_child(
    repo: &Repository<'_>,
    d: &Descriptor,
) -> Result<Manifest, ProxyError> {
    let what = format!("manifest `{}@{}`", repo.name(), d.digest);
    let fetched = repo.get_manifest_verified(&d.digest).await?;
    if fetched.bytes.len() as u64 != d.size {
        return Err(ProxyError::BadManifest {
            what,
            detail: format!(
                "the index says it is {} bytes, but it is {} bytes",
                d.size,
                fetched.bytes.len()
            ),
        });
    }
    let content_type = fetched.content_type.clone().or(Some(d.media_type.clone()));
    Manifest::parse_verified(fetched.bytes.to_vec(), content_type.as_deref(), &d.digest)
        .map_err(|e| manifest_error(&what, e))
}

/// Fetch, verify and parse an image config; `None` for artifacts whose
/// config is not an image config (empty descriptor, Helm chart config, ...).
pub(crate) async fn image_config(
    repo: &Repository<'_>,
    config: &Descriptor,
) -> Result<Option<ImageConfig>, ProxyError> {
    let essence = media_type::essence(&config.media_type);
    if essence != media_type::DOCKER_CONFIG && essence != media_type::OCI_CONFIG {
        return Ok(None);
    }
    let what = format!("config blob {} of {}", config.digest, repo.name());
    if config.size > CONFIG_LIMIT {
        return Err(ProxyError::TooLarge {
            what,
            limit: CONFIG_LIMIT,
        });
    }
    let bytes = repo.get_blob_verified(&config.digest, CONFIG_LIMIT).await?;
    ImageConfig::parse(&bytes)
        .map(Some)
        .map_err(|e| ProxyError::BadManifest {
            what,
            detail: e.to_string(),
        })
}

/// Schema1 lists layers as bare digests; show them as descriptors of unknown size.
fn schema1_layers(s1: &shared::manifest::Schema1) -> Vec<Descriptor> {
    s1.fs_layers
        .iter()
        .map(|digest| Descriptor {
            media_type: media_type::DOCKER_LAYER.to_string(),
            digest: digest.clone(),
            size: 0,
            urls: Vec::new(),
            annotations: Default::default(),
            platform: None,
            artifact_type: None,
        })
        .collect()
}

fn manifest_error(what: &str, e: ManifestError) -> ProxyError {
    match e {
        ManifestError::Digest(d) => ProxyError::digest(what, d),
        #[allow(unreachable_patterns)]
        other => ProxyError::BadManifest {
            what: what.to_string(),
            detail: other.to_string(),
        },
    }
}
