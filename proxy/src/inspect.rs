//! The inspect operation: what is behind a reference, fully verified.
//!
//! The root is fetched by tag or digest and checked against the digest that
//! was asked for and the one the registry claims. For an index every child is
//! fetched (bounded concurrency, index order kept) and checked against its
//! descriptor, and so is each image's config; a child that fails becomes an
//! entry with an error so that the rest of the index still shows. What an
//! index can make us hold is bounded: a child listed many times is fetched
//! once, and only so many entries and layers are described.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};
use shared::api::{
    ApiError, Content, EntryView, ErrorCode, ImageContent, IndexContent, InspectResponse,
    Schema1Content,
};
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
/// Index entries whose child is fetched and described; the rest are listed
/// with an error saying so.
pub const MAX_DESCRIBED_ENTRIES: usize = 1000;
/// Layer descriptors shown across all the entries of one index.
pub const MAX_DESCRIBED_LAYERS: usize = 100_000;

pub async fn inspect(
    client: &RegistryClient,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<InspectResponse, ProxyError> {
    let repo = client.repository(reference, credential).await?;
    let root = fetch_root(&repo, reference).await?;

    let content = match &root.body {
        ManifestBody::Index(index) => Content::Index(IndexContent {
            manifests: entries(&repo, &index.manifests).await,
        }),
        ManifestBody::Image(image) => {
            let mut content = ImageContent::new(image.config.clone(), image.layers.clone());
            if let Some((config, bytes)) = image_config_bytes(&repo, &image.config).await? {
                content.image_config = Some(config);
                content.config_raw = String::from_utf8(bytes).ok();
            }
            Content::Image(content)
        }
        ManifestBody::Schema1(s1) => Content::Schema1(Schema1Content {
            layers: schema1_layers(s1),
        }),
    };
    let mut response = InspectResponse::new(
        reference,
        root.digest.clone(),
        root.media_type.clone(),
        &root.raw,
        content,
    );
    match &root.body {
        ManifestBody::Index(index) => {
            response.artifact_type = index.artifact_type.clone();
            response.annotations = index.annotations.clone();
            response.subject = index.subject.clone();
        }
        ManifestBody::Image(image) => {
            response.artifact_type = image.artifact_type.clone();
            response.annotations = image.annotations.clone();
            response.subject = image.subject.clone();
        }
        ManifestBody::Schema1(_) => {}
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
    let (mut manifest, digest) = verify_root(
        bytes.to_vec(),
        content_type.as_deref(),
        reference.digest(),
        docker_content_digest.as_ref(),
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

/// Check the root's bytes against the digest asked for and the registry's
/// `Docker-Content-Digest`, and parse them; answers the manifest and the
/// digest to report (the one asked for, else the registry's, both verified,
/// else sha256 of what was hashed).
///
/// A signed schema1 manifest's digest is over its signed payload, not the
/// whole document; that payload is only used for a document that is signed
/// schema1 (schemaVersion 1, that media type), and its fields are read from
/// the payload that was verified, never from the rest of the document.
pub(crate) fn verify_root(
    raw: Vec<u8>,
    content_type: Option<&str>,
    expected: Option<&Digest>,
    header: Option<&Digest>,
    what: &str,
) -> Result<(Manifest, Digest), ProxyError> {
    let signed_schema1 = Manifest::parse(raw.clone(), content_type)
        .is_ok_and(|m| m.media_type == media_type::DOCKER_SCHEMA1_SIGNED);
    let payload = if signed_schema1 {
        schema1::signed_payload(&raw)
    } else {
        None
    };
    let hashed: &[u8] = payload.as_deref().unwrap_or(&raw);
    if let Some(header) = header {
        ProxyError::verify(header, hashed, &format!("{what} (Docker-Content-Digest)"))?;
    }
    if let Some(expected) = expected {
        ProxyError::verify(expected, hashed, what)?;
    }
    let digest = expected
        .or(header)
        .cloned()
        .unwrap_or_else(|| Digest::sha256(hashed));
    let manifest = match payload {
        None => Manifest::parse(raw, content_type).map_err(|e| manifest_error(what, e))?,
        Some(payload) => {
            let signed = Manifest::parse(payload, Some(media_type::DOCKER_SCHEMA1_SIGNED))
                .map_err(|e| manifest_error(what, e))?;
            if !matches!(signed.body, ManifestBody::Schema1(_)) {
                return Err(ProxyError::BadManifest {
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

/// What a child holds, as an entry shows it.
#[derive(Default)]
struct Described {
    kind: Option<media_type::Kind>,
    config: Option<Descriptor>,
    layers: Option<Vec<Descriptor>>,
    image_config: Option<ImageConfig>,
    child_count: Option<usize>,
}

/// Entries that point at the same child (digest, size and media type) are
/// one fetch and one description.
type ChildKey = (Digest, u64, String);

fn child_key(d: &Descriptor) -> ChildKey {
    (d.digest.clone(), d.size, d.media_type.clone())
}

/// The index's entries, in order. Each distinct child is fetched and
/// described once, however often it is listed; only the first
/// [`MAX_DESCRIBED_ENTRIES`] entries are described, and their layer lists
/// add up to at most [`MAX_DESCRIBED_LAYERS`]. A 4 MiB index can list tens
/// of thousands of entries that all point at one child: copying that
/// child's layers and config into every one would take gigabytes.
async fn entries(repo: &Repository<'_>, listed: &[Descriptor]) -> Vec<EntryView> {
    let described = &listed[..listed.len().min(MAX_DESCRIBED_ENTRIES)];
    let mut slots: HashMap<ChildKey, usize> = HashMap::new();
    let mut distinct: Vec<Descriptor> = Vec::new();
    for d in described {
        slots.entry(child_key(d)).or_insert_with(|| {
            distinct.push(d.clone());
            distinct.len() - 1
        });
    }
    let results: Vec<Result<Described, ApiError>> = stream::iter(distinct)
        .map(|d| async move { describe(repo, &d).await.map_err(|e| e.to_api_error()) })
        .buffered(CHILD_CONCURRENCY)
        .collect()
        .await;
    let mut layers_left = MAX_DESCRIBED_LAYERS;
    listed
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut view = EntryView::new(d.clone());
            let result = if i < MAX_DESCRIBED_ENTRIES {
                slots.get(&child_key(d)).and_then(|&slot| results.get(slot))
            } else {
                None
            };
            match result {
                None => {
                    view.error = Some(ApiError::new(
                        ErrorCode::TooLarge,
                        format!(
                            "manifest {} was not fetched: the index has {} entries, and only the first {MAX_DESCRIBED_ENTRIES} are fetched and described",
                            d.digest,
                            listed.len()
                        ),
                    ));
                }
                Some(Err(e)) => view.error = Some(e.clone()),
                Some(Ok(child)) => {
                    let layers = child.layers.as_ref().map_or(0, Vec::len);
                    if layers > layers_left {
                        view.error = Some(ApiError::new(
                            ErrorCode::TooLarge,
                            format!(
                                "manifest {} is not described: the entries before it list {MAX_DESCRIBED_LAYERS} layers in all, as many as one inspection shows",
                                d.digest
                            ),
                        ));
                    } else {
                        layers_left -= layers;
                        view.kind = child.kind.unwrap_or(view.kind);
                        view.config = child.config.clone();
                        view.layers = child.layers.clone();
                        view.image_config = child.image_config.clone();
                        view.child_count = child.child_count;
                    }
                }
            }
            view
        })
        .collect()
}

/// Fetch one child, verify it, describe it.
async fn describe(repo: &Repository<'_>, descriptor: &Descriptor) -> Result<Described, ProxyError> {
    let child = fetch_child(repo, descriptor).await?;
    let mut described = Described {
        kind: Some(child.kind()),
        ..Described::default()
    };
    match &child.body {
        ManifestBody::Index(index) => described.child_count = Some(index.manifests.len()),
        ManifestBody::Image(image) => {
            described.config = Some(image.config.clone());
            described.layers = Some(image.layers.clone());
            // Fetched to verify it too; the platform shown is the index's.
            described.image_config = image_config(repo, &image.config).await?;
        }
        ManifestBody::Schema1(s1) => described.layers = Some(schema1_layers(s1)),
    }
    Ok(described)
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
    Ok(image_config_bytes(repo, config).await?.map(|(c, _)| c))
}

/// [`image_config`], with the verified bytes it was read from.
async fn image_config_bytes(
    repo: &Repository<'_>,
    config: &Descriptor,
) -> Result<Option<(ImageConfig, Vec<u8>)>, ProxyError> {
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
        .map(|c| Some((c, bytes.to_vec())))
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

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    const LAYER: &str = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

    fn payload(name: &str) -> String {
        format!(
            "{{\n   \"schemaVersion\": 1,\n   \"name\": \"{name}\",\n   \"tag\": \"1\",\n   \"architecture\": \"amd64\",\n   \"fsLayers\": [\n      {{ \"blobSum\": \"{LAYER}\" }}\n   ]\n}}"
        )
    }

    fn protected(length: usize, tail: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            r#"{{"formatLength":{length},"formatTail":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(tail)
        ))
    }

    /// Signed the way libtrust signs: the signatures spliced in before the
    /// payload's final `\n}`.
    fn signed(payload: &str) -> String {
        let cut = payload.rfind("\n}").unwrap();
        let tail = &payload[cut..];
        format!(
            "{},\n   \"signatures\": [{{\"signature\":\"c2ln\",\"protected\":\"{}\"}}]{tail}",
            &payload[..cut],
            protected(cut, tail)
        )
    }

    fn verify(raw: &str, content_type: &str, expected: &Digest) -> Result<Manifest, ProxyError> {
        verify_root(
            raw.as_bytes().to_vec(),
            Some(content_type),
            Some(expected),
            None,
            "manifest `x`",
        )
        .map(|(m, _)| m)
    }

    #[test]
    fn a_signed_schema1_manifest_is_verified_over_its_payload() {
        let genuine = payload("genuine");
        let good = Digest::sha256(genuine.as_bytes());
        let raw = signed(&genuine);
        let m = verify(&raw, media_type::DOCKER_SCHEMA1_SIGNED, &good).unwrap();
        assert_eq!(m.raw, raw.as_bytes(), "shown as sent");
        assert_eq!(m.media_type, media_type::DOCKER_SCHEMA1_SIGNED);
        let ManifestBody::Schema1(s1) = &m.body else {
            panic!("{:?}", m.body)
        };
        assert_eq!(s1.name, "genuine");
    }

    /// A hostile registry answers `repo@GOOD` with its own document whose
    /// header claims the payload is all tail: the genuine bytes.
    #[test]
    fn a_forged_signature_header_is_a_digest_mismatch() {
        let genuine = payload("genuine");
        let good = Digest::sha256(genuine.as_bytes());
        let evil = payload("evil");
        let cut = evil.rfind("\n}").unwrap();
        let forged = format!(
            "{},\n   \"signatures\": [{{\"protected\":\"{}\"}}]\n}}",
            &evil[..cut],
            protected(0, &genuine)
        );
        for content_type in [media_type::DOCKER_SCHEMA1_SIGNED, media_type::OCI_INDEX] {
            match verify(&forged, content_type, &good) {
                Err(ProxyError::DigestMismatch { expected, .. }) => assert_eq!(expected, good),
                other => panic!("{content_type}: {other:?}"),
            }
        }
    }

    /// Only a schema1 document has a signed payload: an index carrying a
    /// `signatures` array is hashed whole.
    #[test]
    fn other_documents_are_hashed_whole() {
        let genuine = payload("genuine");
        let good = Digest::sha256(genuine.as_bytes());
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[],"signatures":[{{"protected":"{}"}}]}}"#,
            media_type::OCI_INDEX,
            protected(0, &genuine)
        );
        assert!(matches!(
            verify(&index, media_type::OCI_INDEX, &good),
            Err(ProxyError::DigestMismatch { .. })
        ));
        let whole = Digest::sha256(index.as_bytes());
        assert!(verify(&index, media_type::OCI_INDEX, &whole).is_ok());
    }
}
