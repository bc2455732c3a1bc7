//! The push plan: from a validated spec and what the proxy found for each
//! source, the exact index bytes and the ordered registry writes.
//!
//! Pure on purpose. Every rule of "create an index" (platforms filled from
//! configs and checked against them, duplicates, Docker vs OCI, missing
//! sources, attestations of source indexes) is decided here, over plain data,
//! where unit tests can reach all of it; the proxy only fetches the sources
//! and then performs the steps in order. The index is serialized once and its
//! digest is taken over exactly those bytes, which are the bytes pushed.
//!
//! This module puts the index together; what a single source must satisfy
//! is `rules`, how a source index is narrowed to the selected images and
//! their attestations is `members`, the writes are `steps`, the refusals
//! `error`, the kind of index a spec without `type` gets `index_type`.

// Errors are built at most once per plan and carry both values of every
// conflict so the message can show them; their size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::manifest::{Index, Manifest};
use crate::media_type;
use crate::platform::Platform;
use crate::reference::Reference;
use crate::spec::{IndexType, ValidatedSpec};

use members::members_of_index;
use rules::{check_image_kind, settle_platform, verify};
use steps::steps;

mod error;
mod index_type;
mod members;
mod rules;
mod steps;

pub use error::PlanError;
pub use steps::{Step, StepKind};

// Where the proxy and the page still name these through `plan` (the merge
// points them at `crate::attestation`).

/// What the proxy found for one spec entry (same order as the spec's
/// `manifests`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSource {
    /// The source reference as resolved.
    pub reference: Reference,
    pub resolution: Resolution,
}

// One per spec entry, built once: boxing would only make matching clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The registry has no such manifest.
    Missing {
        /// What the registry said, for the warning or error.
        reason: String,
    },
    /// An image manifest and its config (for the platform).
    Image {
        manifest: Manifest,
        config: ImageConfig,
    },
    /// An index / manifest list and each of its entries.
    Index {
        manifest: Manifest,
        children: Vec<ResolvedChild>,
    },
}

/// One entry of a source index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedChild {
    /// The descriptor exactly as the source index lists it.
    pub descriptor: Descriptor,
    pub manifest: Manifest,
    /// The image config; `None` when not fetched (attestations, artifacts).
    pub config: Option<ImageConfig>,
}

/// The outcome: the index to push and how to push it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub target: Reference,
    /// Extra tags (after the target's own tag).
    pub tags: Vec<String>,
    /// `DOCKER_MANIFEST_LIST` or `OCI_INDEX`.
    pub media_type: String,
    /// For a spec without `type`: which kind of index was chosen and why.
    pub type_note: Option<String>,
    /// The exact index bytes that will be pushed.
    pub index: Vec<u8>,
    /// sha256 of `index`.
    pub digest: Digest,
    pub size: u64,
    /// One row per index entry, in index order.
    pub entries: Vec<PlanEntry>,
    pub warnings: Vec<String>,
    /// In order: blobs and child manifests first, then the index, then tags.
    pub steps: Vec<Step>,
    /// The digest the target tag must still point at just before the tags
    /// are written (the spec's `expect`).
    pub expect: Option<Digest>,
}

/// One entry of the index to be pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanEntry {
    /// The source reference it comes from.
    pub source: String,
    pub digest: Digest,
    pub media_type: String,
    pub size: u64,
    /// The platform it is listed under (after filling from the config).
    pub platform: Platform,
    /// For an attestation manifest: the image digest it attests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation_for: Option<Digest>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An entry on its way into the index.
struct Member<'a> {
    field: String,
    source: &'a Reference,
    source_text: String,
    manifest: &'a Manifest,
    platform: Platform,
    annotations: BTreeMap<String, String>,
    artifact_type: Option<String>,
    attestation_for: Option<Digest>,
}

/// Build the plan. `sources[i]` is what was found for `spec.entries[i]`.
pub fn plan(spec: &ValidatedSpec, sources: &[ResolvedSource]) -> Result<Plan, PlanError> {
    if sources.len() != spec.entries.len() {
        return Err(PlanError::SourceCount {
            expected: spec.entries.len(),
            found: sources.len(),
        });
    }
    // Only an explicit `type: docker` refuses or drops anything; without a
    // type, what would need an OCI index makes one (see `index_type`).
    let explicit_docker = spec.index_type == IndexType::Docker;
    if explicit_docker {
        if !spec.annotations.is_empty() {
            return Err(PlanError::AnnotationsNeedOci {
                field: "annotations".into(),
            });
        }
        if let Some(i) = spec.entries.iter().position(|e| !e.annotations.is_empty()) {
            return Err(PlanError::AnnotationsNeedOci {
                field: format!("manifests[{i}].annotations"),
            });
        }
    }

    let mut warnings = Vec::new();
    let mut missing = Vec::new();
    let mut images: Vec<Member<'_>> = Vec::new();
    let mut attestations: Vec<Member<'_>> = Vec::new();

    for (i, (entry, source)) in spec.entries.iter().zip(sources).enumerate() {
        let field = format!("manifests[{i}]");
        let source_text = entry.input.clone();
        match &source.resolution {
            Resolution::Missing { reason } => {
                if spec.ignore_missing {
                    warnings.push(format!(
                        "{field}: `{source_text}` was not found ({reason}); skipped because ignoreMissing is set"
                    ));
                    missing.push(source_text);
                    continue;
                }
                return Err(PlanError::Missing {
                    field,
                    source_ref: source_text,
                    reason: reason.clone(),
                });
            }
            Resolution::Image { manifest, config } => {
                verify(&field, &source_text, manifest)?;
                check_image_kind(&field, &source_text, manifest)?;
                let platform = settle_platform(
                    "the spec",
                    &field,
                    &source_text,
                    &manifest.digest,
                    &entry.declared,
                    Some(&config.platform()),
                )?;
                images.push(Member {
                    field,
                    source: &source.reference,
                    source_text,
                    manifest,
                    platform,
                    annotations: entry.annotations.clone(),
                    artifact_type: None,
                    attestation_for: None,
                });
            }
            Resolution::Index { manifest, children } => {
                verify(&field, &source_text, manifest)?;
                let from_index = members_of_index(
                    &field,
                    &source_text,
                    &source.reference,
                    entry,
                    children,
                    &mut warnings,
                )?;
                let (selected, mut kept): (Vec<_>, Vec<_>) = from_index
                    .into_iter()
                    .partition(|m| m.attestation_for.is_none());
                if explicit_docker && !kept.is_empty() {
                    warnings.push(format!(
                        "{field}: {} attestation manifest(s) of `{source_text}` left out: a Docker manifest list cannot hold them; set `type: oci` to keep them",
                        kept.len()
                    ));
                    kept.clear();
                }
                images.extend(selected);
                attestations.extend(kept);
            }
        }
    }

    if images.is_empty() {
        return Err(PlanError::AllMissing { skipped: missing });
    }

    // Duplicates (attestations are all unknown/unknown and exempt).
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (n, m) in images.iter().enumerate() {
        if let Some(&first) = seen.get(&m.platform.identity()) {
            let first = &images[first];
            return Err(PlanError::DuplicatePlatform {
                platform: m.platform.to_string(),
                first_source: first.source_text.clone(),
                first_digest: first.manifest.digest.clone(),
                second_source: m.source_text.clone(),
                second_digest: m.manifest.digest.clone(),
            });
        }
        seen.insert(m.platform.identity(), n);
    }

    let (media_type, type_note) = index_type::decide(spec, &images, &attestations);
    let media_type = media_type.to_string();
    if media_type == media_type::DOCKER_MANIFEST_LIST {
        for m in &images {
            if media_type::essence(&m.manifest.media_type) != media_type::DOCKER_MANIFEST {
                return Err(PlanError::OciInDockerList {
                    field: m.field.clone(),
                    source_ref: m.source_text.clone(),
                    digest: m.manifest.digest.clone(),
                    media_type_name: media_type::describe(&m.manifest.media_type),
                });
            }
        }
        for m in &mut images {
            if !m.annotations.is_empty() {
                warnings.push(format!(
                    "{}: the annotations {} lists for {} were left out: a Docker manifest list carries none",
                    m.field,
                    m.source_text,
                    m.manifest.digest.short()
                ));
                m.annotations.clear();
            }
        }
    }

    let members: Vec<Member<'_>> = images.into_iter().chain(attestations).collect();
    let index = Index {
        schema_version: 2,
        media_type: Some(media_type.clone()),
        artifact_type: None,
        manifests: members
            .iter()
            .map(|m| Descriptor {
                media_type: m.manifest.media_type.clone(),
                digest: m.manifest.digest.clone(),
                size: m.manifest.size(),
                urls: Vec::new(),
                annotations: m.annotations.clone(),
                platform: Some(m.platform.clone()),
                artifact_type: m.artifact_type.clone(),
            })
            .collect(),
        subject: None,
        annotations: spec.annotations.clone(),
    };
    let bytes = serde_json::to_vec(&index).map_err(|e| PlanError::Serialize {
        message: e.to_string(),
    })?;
    let digest = Digest::sha256(&bytes);

    let steps = steps(spec, &members, &digest);
    let entries = members
        .iter()
        .map(|m| PlanEntry {
            source: m.source_text.clone(),
            digest: m.manifest.digest.clone(),
            media_type: m.manifest.media_type.clone(),
            size: m.manifest.size(),
            platform: m.platform.clone(),
            attestation_for: m.attestation_for.clone(),
            annotations: m.annotations.clone(),
        })
        .collect();

    Ok(Plan {
        target: spec.target.clone(),
        tags: spec.tags.clone(),
        media_type,
        type_note,
        size: bytes.len() as u64,
        index: bytes,
        digest,
        entries,
        warnings,
        steps,
        expect: spec.expect.clone(),
    })
}

#[cfg(test)]
mod tests;
