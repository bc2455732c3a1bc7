//! The inspect operation: what is behind a reference, fully verified, as
//! the page sees it.
//!
//! Fetching and checking is `fetch`'s job; this module only turns what was
//! fetched into an `InspectResponse`. A child that fails becomes an entry
//! with an error so that the rest of the index still shows. What an index
//! can make us hold is bounded (`OperationSettings`): a child listed many
//! times is fetched once and described once (entries refer to it by
//! digest), only so many entries and layers are described, and the answer
//! itself has a size limit.

use std::collections::{HashMap, HashSet};

use registry::{FetchBudget, RegistryClient, RegistryError, Repository};
use shared::api::{
    ApiError, ChildConfig, ChildConfigs, ChildView, Content, EntryView, ErrorCode, ImageContent,
    IndexContent, InspectResponse, Schema1Content,
};
use shared::credentials::Credential;
use shared::descriptor::Descriptor;
use shared::digest::Digest;
use shared::inspect_text::TextError;
use shared::manifest::{Manifest, ManifestBody};
use shared::media_type;
use shared::reference::Reference;

use crate::config::OperationSettings;
use crate::error::ProxyError;
use crate::fetch;

/// Whether an index's children's configs are part of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildConfigsIn {
    /// The whole answer: one more round trip for the configs.
    Answer,
    /// The first part: root and children only (two round trips); the
    /// configs come from `child_configs`.
    SecondPart,
}

/// Inspect `reference`, the whole answer, as one operation under the
/// whole-operation time limit (the server's routes and the CLI all come
/// through here).
pub async fn inspect(
    client: &RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<InspectResponse, ProxyError> {
    inspect_with(
        client,
        settings,
        reference,
        credential,
        ChildConfigsIn::Answer,
    )
    .await
}

/// Inspect `reference`, with or without the configs of an index's
/// children (`ChildConfigsIn`).
pub async fn inspect_with(
    client: &RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
    configs: ChildConfigsIn,
) -> Result<InspectResponse, ProxyError> {
    let now = async {
        let (repo, budget, root) = open(client, settings, reference, credential).await?;
        describe_root(&repo, &budget, settings, reference, root, configs).await
    };
    registry::limits::within(client.operation_timeout(), reference.registry(), now).await
}

/// The second part of an inspection: the configs of the index's distinct
/// image children, all asked for at once (what the first part fetched is
/// in the cache by digest, so this is one round trip). Nothing for a root
/// that is not an index.
pub async fn child_configs(
    client: &RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<ChildConfigs, ProxyError> {
    registry::limits::within(
        client.operation_timeout(),
        reference.registry(),
        child_configs_now(client, settings, reference, credential),
    )
    .await
}

async fn child_configs_now(
    client: &RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<ChildConfigs, ProxyError> {
    let (repo, budget, root) = open(client, settings, reference, credential).await?;
    let ManifestBody::Index(index) = &root.body else {
        return Ok(ChildConfigs::default());
    };
    let listed = &index.manifests[..index.manifests.len().min(settings.max_described_entries)];
    let mut manifests = fetch::children(&repo, listed, settings.child_concurrency)
        .await
        .into_manifests();
    // In the order the index first lists them.
    let images: Vec<(Digest, Descriptor)> = listed
        .iter()
        .filter_map(|d| match manifests.remove(&d.digest)?.body {
            ManifestBody::Image(image) => Some((d.digest.clone(), image.config)),
            _ => None,
        })
        .collect();
    drop(manifests);
    // Each boxed (see `fetch::children`).
    let fetches: Vec<_> = images
        .iter()
        .map(|(digest, config)| Box::pin(child_config(&repo, digest, config)))
        .collect();
    let configs: Vec<ChildConfig> =
        registry::round_trips::wave(fetches, settings.child_concurrency)
            .await
            .into_iter()
            .flatten()
            .collect();
    if let Some(e) = budget.exceeded() {
        return Err(e.into());
    }
    let answer = ChildConfigs { configs };
    check_answer_size(
        &answer,
        &format!("the configs of `{reference}`"),
        settings.max_answer_bytes,
    )?;
    Ok(answer)
}

/// The repository handle of one inspection (with its fetch budget) and
/// the root, fetched and verified.
async fn open<'c>(
    client: &'c RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<(Repository<'c>, std::sync::Arc<FetchBudget>, Manifest), ProxyError> {
    let budget = FetchBudget::new(settings.max_fetched_bytes);
    let repo = client
        .repository(reference, credential)
        .await?
        .with_budget(budget.clone());
    let root = fetch::root(&repo, reference).await?;
    Ok((repo, budget, root))
}

/// One child's config, or its error; `None` when it is not an image config.
async fn child_config(
    repo: &Repository<'_>,
    digest: &Digest,
    config: &Descriptor,
) -> Option<ChildConfig> {
    let (image_config, error) = match fetch::image_config(repo, config).await {
        Ok(None) => return None,
        Ok(Some((config, _))) => (Some(config), None),
        Err(e) => (None, Some(ProxyError::from(e).to_api_error())),
    };
    Some(ChildConfig {
        digest: digest.clone(),
        image_config,
        error,
    })
}

/// The answer about `root`, fetched through `repo` under `budget`.
async fn describe_root(
    repo: &Repository<'_>,
    budget: &FetchBudget,
    settings: &OperationSettings,
    reference: &Reference,
    root: Manifest,
    configs: ChildConfigsIn,
) -> Result<InspectResponse, ProxyError> {
    let content = match &root.body {
        ManifestBody::Index(index) => {
            Content::Index(index_content(repo, settings, &index.manifests, configs).await)
        }
        ManifestBody::Image(image) => {
            let mut content = ImageContent::new(image.config.clone(), image.layers.clone());
            if let Some((config, bytes)) = fetch::image_config(repo, &image.config).await? {
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
    check_answer_size(
        &response,
        &format!("the inspect answer for `{}`", response.reference),
        settings.max_answer_bytes,
    )?;
    Ok(response)
}

/// The answer is at most `limit` bytes of JSON (counted by serializing it
/// into a counter that stops at the limit, nothing kept): what an index can
/// make one answer hold is bounded whatever its entries name.
fn check_answer_size(
    answer: &impl serde::Serialize,
    what: &str,
    limit: u64,
) -> Result<(), ProxyError> {
    let mut counter = Counter { bytes: 0, limit };
    match serde_json::to_writer(&mut counter, answer) {
        Ok(()) => Ok(()),
        Err(_) => Err(RegistryError::TooLarge {
            what: what.to_string(),
            limit,
        }
        .into()),
    }
}

/// manifest-tool's text of `response` (`name` as typed), under the answer
/// budget: the one rendering of the server's `format=text` and the CLI's
/// `inspect`. Too long is the registry's content's fault (502 `TOO_LARGE`).
pub fn to_text(
    response: &InspectResponse,
    name: &str,
    settings: &OperationSettings,
) -> Result<String, ProxyError> {
    let limit = usize::try_from(settings.max_answer_bytes).unwrap_or(usize::MAX);
    shared::inspect_text::render(response, name, limit).map_err(|e| match e {
        TextError::TooLarge { limit } => ProxyError::from(RegistryError::TooLarge {
            what: format!("the manifest-tool text of `{}`", response.reference),
            limit: limit as u64,
        }),
        other => ProxyError::TextRender(other.to_string()),
    })
}

/// The answer as JSON, written into a buffer of its exact size (counted
/// first): a growing buffer would hold up to twice a large answer.
pub fn to_json(response: &impl serde::Serialize) -> Vec<u8> {
    let mut counter = Counter {
        bytes: 0,
        limit: u64::MAX,
    };
    let size = match serde_json::to_writer(&mut counter, response) {
        Ok(()) => usize::try_from(counter.bytes).unwrap_or(0),
        Err(_) => 0,
    };
    let mut json = Vec::with_capacity(size);
    // Serializing plain data into memory cannot fail.
    serde_json::to_writer(&mut json, response).expect("an answer serializes");
    json
}

/// A writer that only counts, and fails past its limit.
struct Counter {
    bytes: u64,
    limit: u64,
}

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes = self.bytes.saturating_add(buf.len() as u64);
        if self.bytes > self.limit {
            return Err(std::io::Error::other("over the limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The index's entries, in order, and each distinct child they name,
/// described once. Each child (by digest) is fetched and described once,
/// however often it is listed, and entries refer to it by digest instead of
/// holding a copy: a 4 MiB index can list tens of thousands of entries that
/// all point at one child, and copying that child's layers and config into
/// every one would take gigabytes. Only the first `max_described_entries`
/// entries are described, and the distinct children's layer lists add up
/// to at most `max_described_layers`.
async fn index_content(
    repo: &Repository<'_>,
    settings: &OperationSettings,
    listed: &[Descriptor],
    configs: ChildConfigsIn,
) -> IndexContent {
    let max_entries = settings.max_described_entries;
    let max_layers = settings.max_described_layers;
    let fetched = &listed[..listed.len().min(max_entries)];
    let children = fetch::children(repo, fetched, settings.child_concurrency).await;
    // Each entry's own claim (its size) checked against the one child
    // fetched, before the children are taken apart to be described.
    let checks: Vec<Result<(), RegistryError>> = fetched
        .iter()
        .map(|d| match children.get(d) {
            Some(checked) => checked.map(|_| ()),
            None => Err(not_described(d)),
        })
        .collect();
    let mut seen = HashSet::new();
    let wanted: Vec<&Digest> = fetched
        .iter()
        .zip(&checks)
        .filter(|(d, check)| check.is_ok() && seen.insert(&d.digest))
        .map(|(d, _)| &d.digest)
        .collect();
    let mut manifests = children.into_manifests();
    let to_describe: Vec<(Digest, Manifest)> = wanted
        .into_iter()
        .filter_map(|digest| Some((digest.clone(), manifests.remove(digest)?)))
        .collect();
    drop(manifests);
    let mut descriptions =
        describe_all(repo, to_describe, settings.child_concurrency, configs).await;
    let mut content = IndexContent::default();
    let mut layers_left = max_layers;
    let mut refused = HashSet::new();
    for (i, d) in listed.iter().enumerate() {
        let mut view = EntryView::new(d.clone());
        let Some(check) = checks.get(i) else {
            view.error = Some(ApiError::new(
                ErrorCode::TooLarge,
                format!(
                    "manifest {} was not fetched: the index has {} entries, and only the first {max_entries} are fetched and described",
                    d.digest,
                    listed.len()
                ),
            ));
            content.manifests.push(view);
            continue;
        };
        if let Err(e) = check {
            view.error = Some(ProxyError::from(e.clone()).to_api_error());
        } else if let Some(child) = content.children.get(&d.digest) {
            // Described already (for an earlier entry): refer to it.
            view.kind = child.kind;
        } else if refused.contains(&d.digest) {
            view.error = Some(too_many_layers(d, max_layers));
        } else {
            match described(&mut descriptions, d) {
                Err(e) => view.error = Some(ProxyError::from(e).to_api_error()),
                Ok(child) => {
                    let layers = child.layers.as_ref().map_or(0, Vec::len);
                    if layers > layers_left {
                        // Not held: later entries naming it get this error too.
                        refused.insert(d.digest.clone());
                        view.error = Some(too_many_layers(d, max_layers));
                    } else {
                        layers_left -= layers;
                        view.kind = child.kind;
                        content.children.insert(d.digest.clone(), child);
                    }
                }
            }
        }
        content.manifests.push(view);
    }
    content
}

fn not_described(d: &Descriptor) -> RegistryError {
    RegistryError::BadManifest {
        what: format!("manifest {}", d.digest),
        detail: "it was not described".into(),
    }
}

fn too_many_layers(d: &Descriptor, max_layers: usize) -> ApiError {
    ApiError::new(
        ErrorCode::TooLarge,
        format!(
            "manifest {} is not described: the children before it list {max_layers} layers in all, as many as one inspection shows",
            d.digest
        ),
    )
}

/// Describe each distinct child, once per digest; for the whole answer an
/// image's config is fetched to verify it too (the platform shown is the
/// index's).
async fn describe_all(
    repo: &Repository<'_>,
    children: Vec<(Digest, Manifest)>,
    concurrency: usize,
    configs: ChildConfigsIn,
) -> HashMap<Digest, Result<ChildView, RegistryError>> {
    // Futures collected first, each boxed (see `fetch::children`).
    let descriptions: Vec<_> = children
        .into_iter()
        .map(|(digest, child)| Box::pin(describe_keyed(repo, digest, child, configs)))
        .collect();
    registry::round_trips::wave(descriptions, concurrency)
        .await
        .into_iter()
        .collect()
}

async fn describe_keyed(
    repo: &Repository<'_>,
    digest: Digest,
    child: Manifest,
    configs: ChildConfigsIn,
) -> (Digest, Result<ChildView, RegistryError>) {
    (digest, describe(repo, child, configs).await)
}

/// The description of the child `d` points at, taken out of
/// `descriptions` (made for every child that some entry lists as it is; an
/// error stays for the next entry naming it).
fn described(
    descriptions: &mut HashMap<Digest, Result<ChildView, RegistryError>>,
    d: &Descriptor,
) -> Result<ChildView, RegistryError> {
    match descriptions.remove(&d.digest) {
        Some(Ok(child)) => Ok(child),
        Some(Err(e)) => {
            descriptions.insert(d.digest.clone(), Err(e.clone()));
            Err(e)
        }
        None => Err(not_described(d)),
    }
}

/// What the entries naming one verified child show of it; its parts are
/// moved, not copied, and its bytes dropped first.
async fn describe(
    repo: &Repository<'_>,
    child: Manifest,
    configs: ChildConfigsIn,
) -> Result<ChildView, RegistryError> {
    let mut described = ChildView::new(child.kind());
    let Manifest { body, .. } = child;
    match body {
        ManifestBody::Index(index) => described.child_count = Some(index.manifests.len()),
        ManifestBody::Image(image) => {
            if configs == ChildConfigsIn::Answer {
                described.image_config = fetch::image_config(repo, &image.config)
                    .await?
                    .map(|(config, _)| config);
            }
            described.config = Some(image.config);
            described.layers = Some(image.layers);
        }
        ManifestBody::Schema1(s1) => described.layers = Some(schema1_layers(&s1)),
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
