//! The inspect operation: what is behind a reference, fully verified, as
//! the page sees it.
//!
//! Fetching and checking is `fetch`'s job; this module only turns what was
//! fetched into an `InspectResponse`. A child that fails becomes an entry
//! with an error so that the rest of the index still shows. What an index
//! can make us hold is bounded (`OperationSettings`): a child listed many
//! times is fetched once, and only so many entries and layers are described.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};
use registry::{FetchBudget, RegistryClient, RegistryError, Repository};
use shared::api::{
    ApiError, Content, EntryView, ErrorCode, ImageContent, IndexContent, InspectResponse,
    Schema1Content,
};
use shared::config::ImageConfig;
use shared::credentials::Credential;
use shared::descriptor::Descriptor;
use shared::digest::Digest;
use shared::manifest::{Manifest, ManifestBody};
use shared::media_type;
use shared::reference::Reference;

use crate::config::OperationSettings;
use crate::error::ProxyError;
use crate::fetch::{self, Children};

pub async fn inspect(
    client: &RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<InspectResponse, ProxyError> {
    let budget = FetchBudget::new(settings.max_fetched_bytes);
    let repo = client
        .repository(reference, credential)
        .await?
        .with_budget(budget.clone());
    let root = fetch::root(&repo, reference).await?;
    let content = match &root.body {
        ManifestBody::Index(index) => Content::Index(IndexContent {
            manifests: entries(&repo, settings, &index.manifests).await,
        }),
        ManifestBody::Image(image) => {
            let mut content = ImageContent::new(image.config.clone(), image.layers.clone());
            if let Some((config, bytes)) = fetch::image_config(&repo, &image.config).await? {
                content.image_config = Some(config);
                content.config_raw = String::from_utf8(bytes.to_vec()).ok();
            }
            Content::Image(content)
        }
        ManifestBody::Schema1(s1) => Content::Schema1(Schema1Content {
            layers: schema1_layers(s1),
        }),
    };
    // A budget used up fails the whole inspection, not one entry.
    if let Some(e) = budget.exceeded() {
        return Err(e.into());
    }
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

/// What a child holds, as an entry shows it.
#[derive(Default)]
struct Described {
    kind: Option<media_type::Kind>,
    config: Option<Descriptor>,
    layers: Option<Vec<Descriptor>>,
    image_config: Option<ImageConfig>,
    child_count: Option<usize>,
}

/// The index's entries, in order. Each distinct child (by digest) is
/// fetched and described once, however often it is listed; only the first
/// `max_described_entries` entries are described, and their layer lists add
/// up to at most `max_described_layers`. A 4 MiB index can list tens of
/// thousands of entries that all point at one child: copying that child's
/// layers and config into every one would take gigabytes.
async fn entries(
    repo: &Repository<'_>,
    settings: &OperationSettings,
    listed: &[Descriptor],
) -> Vec<EntryView> {
    let max_entries = settings.max_described_entries;
    let max_layers = settings.max_described_layers;
    let fetched = &listed[..listed.len().min(max_entries)];
    let children = fetch::children(repo, fetched, settings.child_concurrency).await;
    let descriptions = describe_all(repo, &children, fetched, settings.child_concurrency).await;
    let mut layers_left = max_layers;
    listed
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut view = EntryView::new(d.clone());
            let result = if i < max_entries {
                children
                    .get(d)
                    .map(|checked| checked.and_then(|_| described(&descriptions, d)))
            } else {
                None
            };
            match result {
                None => {
                    view.error = Some(ApiError::new(
                        ErrorCode::TooLarge,
                        format!(
                            "manifest {} was not fetched: the index has {} entries, and only the first {max_entries} are fetched and described",
                            d.digest,
                            listed.len()
                        ),
                    ));
                }
                Some(Err(e)) => view.error = Some(ProxyError::from(e).to_api_error()),
                Some(Ok(child)) => {
                    let layers = child.layers.as_ref().map_or(0, Vec::len);
                    if layers > layers_left {
                        view.error = Some(ApiError::new(
                            ErrorCode::TooLarge,
                            format!(
                                "manifest {} is not described: the entries before it list {max_layers} layers in all, as many as one inspection shows",
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

/// Describe each distinct child that some entry lists as it is (digest and
/// size), once per digest; an image's config is fetched to verify it too
/// (the platform shown is the index's).
async fn describe_all(
    repo: &Repository<'_>,
    children: &Children,
    listed: &[Descriptor],
    concurrency: usize,
) -> HashMap<Digest, Result<Described, RegistryError>> {
    let mut seen = std::collections::HashSet::new();
    let mut wanted: Vec<(Digest, &Manifest)> = Vec::new();
    for d in listed {
        if let Some(Ok(child)) = children.get(d)
            && seen.insert(d.digest.clone())
        {
            wanted.push((d.digest.clone(), child));
        }
    }
    // Futures collected first (see `fetch::children`).
    let descriptions: Vec<_> = wanted
        .into_iter()
        .map(|(digest, child)| describe_keyed(repo, digest, child))
        .collect();
    stream::iter(descriptions)
        .buffered(concurrency.max(1))
        .collect()
        .await
}

async fn describe_keyed(
    repo: &Repository<'_>,
    digest: Digest,
    child: &Manifest,
) -> (Digest, Result<Described, RegistryError>) {
    (digest, describe(repo, child).await)
}

/// The description of the child `d` points at (made for every child that
/// some entry lists as it is).
fn described<'d>(
    descriptions: &'d HashMap<Digest, Result<Described, RegistryError>>,
    d: &Descriptor,
) -> Result<&'d Described, RegistryError> {
    match descriptions.get(&d.digest) {
        Some(Ok(child)) => Ok(child),
        Some(Err(e)) => Err(e.clone()),
        None => Err(RegistryError::BadManifest {
            what: format!("manifest {}", d.digest),
            detail: "it was not described".into(),
        }),
    }
}

/// What an entry shows of one verified child.
async fn describe(repo: &Repository<'_>, child: &Manifest) -> Result<Described, RegistryError> {
    let mut described = Described {
        kind: Some(child.kind()),
        ..Described::default()
    };
    match &child.body {
        ManifestBody::Index(index) => described.child_count = Some(index.manifests.len()),
        ManifestBody::Image(image) => {
            described.config = Some(image.config.clone());
            described.layers = Some(image.layers.clone());
            described.image_config = fetch::image_config(repo, &image.config)
                .await?
                .map(|(config, _)| config);
        }
        ManifestBody::Schema1(s1) => described.layers = Some(schema1_layers(s1)),
    }
    Ok(described)
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
