//! What each source of a push spec is, as the plan needs it.
//!
//! A plan is only as good as what it was made from, so every source is
//! fetched the way inspect fetches it (`fetch`: same code, same digest
//! checks): the manifest by its reference, an image's config for its
//! platform, an index's children and their configs. A source the registry
//! does not have becomes `Missing` (the plan decides whether that is an
//! error); any other failure stops the plan and names the spec entry it
//! happened for. All the sources of one plan share one fetch budget
//! (`OperationSettings::max_fetched_bytes`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use registry::{FetchBudget, RegistryClient, RegistryError, Repository};
use shared::attestation::is_attestation;
use shared::config::ImageConfig;
use shared::credentials::CredentialSet;
use shared::descriptor::Descriptor;
use shared::digest::Digest;
use shared::manifest::ManifestBody;
use shared::plan::{Resolution, ResolvedChild, ResolvedSource};
use shared::spec::{ValidatedEntry, ValidatedSpec};

use crate::config::OperationSettings;
use crate::error::ProxyError;
use crate::fetch;

/// Resolve every source of `spec`, then plan: one operation under the same
/// overall time limit as an inspection. The server's plan and push and the
/// CLI's push all plan through here.
pub async fn plan(
    client: &RegistryClient,
    settings: &OperationSettings,
    spec: &ValidatedSpec,
    credentials: &CredentialSet,
) -> Result<shared::plan::Plan, ProxyError> {
    let sources =
        registry::limits::within(client.operation_timeout(), spec.target.registry(), async {
            Ok::<_, ProxyError>(resolve_sources(client, settings, spec, credentials).await)
        })
        .await??;
    Ok(shared::plan::plan(spec, &sources)?)
}

/// A source could not be resolved: which entry, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{field}` (`{source_ref}`): {error}")]
pub struct SourceError {
    /// `manifests[2]`
    pub field: String,
    /// The source as written in the spec.
    pub source_ref: String,
    pub error: RegistryError,
}

/// Resolve every entry of `spec` (same order), at most
/// `source_concurrency` at once.
pub async fn resolve_sources(
    client: &RegistryClient,
    settings: &OperationSettings,
    spec: &ValidatedSpec,
    credentials: &CredentialSet,
) -> Result<Vec<ResolvedSource>, SourceError> {
    let bounds = PlanBounds {
        fetched: FetchBudget::new(settings.max_fetched_bytes),
        held: AtomicU64::new(0),
    };
    // Futures collected first: a closure over borrowed entries inside the
    // stream makes the handler's future `Send` unprovable.
    let lookups: Vec<_> = spec
        .entries
        .iter()
        .enumerate()
        .map(|(i, entry)| resolve_numbered(client, settings, &bounds, i, entry, credentials))
        .collect();
    registry::round_trips::wave(lookups, settings.source_concurrency)
        .await
        .into_iter()
        .collect()
}

async fn resolve_numbered(
    client: &RegistryClient,
    settings: &OperationSettings,
    bounds: &PlanBounds,
    i: usize,
    entry: &ValidatedEntry,
    credentials: &CredentialSet,
) -> Result<ResolvedSource, SourceError> {
    resolve_entry(client, settings, bounds, entry, credentials)
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
    settings: &OperationSettings,
    bounds: &PlanBounds,
    entry: &ValidatedEntry,
    credentials: &CredentialSet,
) -> Result<Resolution, RegistryError> {
    let credential = credentials.for_registry(entry.source.registry()).cloned();
    let repo = client
        .repository(&entry.source, credential)
        .await?
        .with_budget(bounds.fetched.clone());
    let manifest = match fetch::root(&repo, &entry.source).await {
        Ok(m) => m,
        Err(RegistryError::NotFound { detail, .. }) => {
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
            check_source_size(settings, &repo.name(), &index.manifests)?;
            let children = resolve_children(&repo, settings, bounds, &index.manifests).await?;
            Ok(Resolution::Index { manifest, children })
        }
    }
}

/// What the sources of one plan may fetch (each digest once) and hold
/// (each entry counted), shared by all of them.
struct PlanBounds {
    fetched: Arc<FetchBudget>,
    /// Bytes of child manifests and configs the plan will hold, one copy
    /// per entry (see `check_held`).
    held: AtomicU64,
}

/// The children of a source index, one per entry: each child fetched once
/// per digest, each entry checked against it, and an image child's config
/// fetched once per digest when some entry needs its platform (not for
/// attestations). What the entries will hold is checked before any is
/// made (`check_held`).
async fn resolve_children(
    repo: &Repository<'_>,
    settings: &OperationSettings,
    bounds: &PlanBounds,
    listed: &[Descriptor],
) -> Result<Vec<ResolvedChild>, RegistryError> {
    let children = fetch::children(repo, listed, settings.child_concurrency).await;
    let mut needs_config: Vec<(Digest, Descriptor)> = Vec::new();
    let mut held = 0u64;
    for d in listed {
        let child = children.get(d).transpose()?;
        if let Some(child) = child {
            held = held.saturating_add(child.raw.len() as u64);
        }
        if let Some(child) = child
            && let ManifestBody::Image(image) = &child.body
            && !is_attestation(d)
        {
            held = held.saturating_add(image.config.size);
            if !needs_config.iter().any(|(digest, _)| *digest == d.digest) {
                needs_config.push((d.digest.clone(), image.config.clone()));
            }
        }
    }
    check_held(settings, bounds, &repo.name(), listed.len(), held)?;
    // Futures collected first (see `resolve_sources`).
    let fetches: Vec<_> = needs_config
        .into_iter()
        .map(|(digest, config)| config_keyed(repo, digest, config))
        .collect();
    let configs: HashMap<Digest, Option<ImageConfig>> =
        registry::round_trips::wave(fetches, settings.child_concurrency)
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
    listed
        .iter()
        .filter_map(|d| {
            let manifest = children.get(d)?;
            Some(manifest.map(|manifest| ResolvedChild {
                descriptor: d.clone(),
                manifest: manifest.clone(),
                config: if is_attestation(d) {
                    None
                } else {
                    configs.get(&d.digest).cloned().flatten()
                },
            }))
        })
        .collect()
}

async fn config_keyed(
    repo: &Repository<'_>,
    digest: Digest,
    config: Descriptor,
) -> Result<(Digest, Option<ImageConfig>), RegistryError> {
    Ok((digest, image_config(repo, &config).await?))
}

async fn image_config(
    repo: &Repository<'_>,
    config: &Descriptor,
) -> Result<Option<ImageConfig>, RegistryError> {
    Ok(fetch::image_config(repo, config).await?.map(|(c, _)| c))
}

/// Every entry of a source index becomes an entry of the plan with its own
/// copy of its child manifest and config (the plan's types hold them by
/// value), so an index naming one child a thousand times holds it a
/// thousand times: those copies, across all the sources of one plan, are
/// bounded by `max_source_child_bytes` before any is made. `held` is what
/// this index's entries add (manifest bytes plus config sizes, per entry).
fn check_held(
    settings: &OperationSettings,
    bounds: &PlanBounds,
    name: &str,
    entries: usize,
    held: u64,
) -> Result<(), RegistryError> {
    let before = bounds.held.fetch_add(held, Ordering::Relaxed);
    let total = before.saturating_add(held);
    if total > settings.max_source_child_bytes {
        return Err(RegistryError::TooLarge {
            what: format!(
                "what the plan would hold for the source index {name} ({entries} entries, each with its own copy of its child manifest and config: {total} bytes across the plan's sources)"
            ),
            limit: settings.max_source_child_bytes,
        });
    }
    Ok(())
}

/// A source index small enough to plan from: at most `max_source_entries`
/// entries, whose children add up to at most `max_source_child_bytes`.
fn check_source_size(
    settings: &OperationSettings,
    name: &str,
    entries: &[Descriptor],
) -> Result<(), RegistryError> {
    let max_entries = settings.max_source_entries;
    if entries.len() > max_entries {
        return Err(RegistryError::BadManifest {
            what: format!("the source index {name}"),
            detail: format!(
                "it lists {} entries; at most {max_entries} can be pushed from one index",
                entries.len()
            ),
        });
    }
    let bytes = entries
        .iter()
        .fold(0u64, |sum, d| sum.saturating_add(d.size));
    if bytes > settings.max_source_child_bytes {
        return Err(RegistryError::TooLarge {
            what: format!("the child manifests of the source index {name} ({bytes} bytes in all)"),
            limit: settings.max_source_child_bytes,
        });
    }
    Ok(())
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
        let s = OperationSettings::default();
        let ok = vec![entry(1000); s.max_source_entries];
        assert!(check_source_size(&s, "r/x", &ok).is_ok());
        let many = vec![entry(1000); s.max_source_entries + 1];
        let e = check_source_size(&s, "r/x", &many).unwrap_err();
        assert!(e.to_string().contains("at most 1000"), "{e}");
        let heavy = vec![entry(s.max_source_child_bytes / 10 + 1); 10];
        assert!(matches!(
            check_source_size(&s, "r/x", &heavy),
            Err(RegistryError::TooLarge { .. })
        ));
        // Sizes near u64::MAX do not overflow the sum.
        let absurd = vec![entry(u64::MAX); 2];
        assert!(check_source_size(&s, "r/x", &absurd).is_err());
    }
}
