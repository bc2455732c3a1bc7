//! The push plan: from a validated spec and what the proxy found for each
//! source, the exact index bytes and the ordered registry writes.
//!
//! Pure on purpose. Every rule of "create an index" (platforms filled from
//! configs and checked against them, duplicates, Docker vs OCI, missing
//! sources, attestations of source indexes) is decided here, over plain data,
//! where unit tests can reach all of it; the proxy only fetches the sources
//! and then performs the steps in order. The index is serialized once and its
//! digest is taken over exactly those bytes, which are the bytes pushed.

// Errors are built at most once per plan and carry both values of every
// conflict so the message can show them; their size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::{ApiError, ErrorCode};
use crate::attestation::{attested_digest, is_attestation};
use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::digest::{Digest, DigestError};
use crate::manifest::{Index, Manifest, ManifestBody};
use crate::media_type::{self, Kind};
use crate::platform::{Platform, PlatformError};
use crate::reference::Reference;
use crate::spec::{IndexType, ValidatedSpec};

// Where the proxy and the page still name these through `plan` (the merge
// points them at `crate::attestation`).
pub use crate::attestation::{ATTESTATION_MANIFEST, REFERENCE_DIGEST, REFERENCE_TYPE};

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

/// One registry write, in the order they must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Make a blob exist in the target repository: a cross-repository mount
    /// when `from` is on the target's registry (copy if the mount is refused),
    /// else a copy (GET from `from`, upload to the target).
    Blob {
        from: Reference,
        digest: Digest,
        size: u64,
        media_type: String,
    },
    /// PUT a child manifest into the target repository by digest, with
    /// exactly these bytes (they hash to `digest`).
    Manifest {
        from: Reference,
        digest: Digest,
        media_type: String,
        bytes: Vec<u8>,
    },
    /// PUT the index (`Plan::index`) to the target's tag.
    Index { tag: String, digest: Digest },
    /// PUT the same index bytes to an extra tag.
    Tag { tag: String, digest: Digest },
}

/// The kind of a step, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    Blob,
    Manifest,
    Index,
    Tag,
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Blob { .. } => StepKind::Blob,
            Step::Manifest { .. } => StepKind::Manifest,
            Step::Index { .. } => StepKind::Index,
            Step::Tag { .. } => StepKind::Tag,
        }
    }
    /// The digest the step writes.
    pub fn digest(&self) -> &Digest {
        match self {
            Step::Blob { digest, .. }
            | Step::Manifest { digest, .. }
            | Step::Index { digest, .. }
            | Step::Tag { digest, .. } => digest,
        }
    }
    /// A one-line description for people.
    pub fn describe(&self) -> String {
        match self {
            Step::Blob {
                from,
                digest,
                size,
                media_type,
            } => format!(
                "blob {} ({}, {} bytes) from {}/{}",
                digest.short(),
                media_type::describe(media_type),
                size,
                from.registry(),
                from.repository()
            ),
            Step::Manifest {
                from,
                digest,
                media_type,
                ..
            } => format!(
                "manifest {} ({}) from {}/{}",
                digest.short(),
                media_type::describe(media_type),
                from.registry(),
                from.repository()
            ),
            Step::Index { tag, digest } => format!("index {} to tag {tag}", digest.short()),
            Step::Tag { tag, digest } => format!("extra tag {tag} for {}", digest.short()),
        }
    }
}

/// Why no plan can be made. Each message names the spec entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("internal: {expected} spec entries but {found} resolved sources")]
    SourceCount { expected: usize, found: usize },
    #[error(
        "`{field}`: `{source_ref}` was not found ({reason}); fix the reference, or set `ignoreMissing: true` to skip missing sources"
    )]
    Missing {
        field: String,
        source_ref: String,
        reason: String,
    },
    #[error("every source is missing ({}), so there is nothing to put in the index", skipped.join(", "))]
    AllMissing { skipped: Vec<String> },
    #[error("`{field}`: the manifest of `{source_ref}` does not match its digest: {error}")]
    Digest {
        field: String,
        source_ref: String,
        error: DigestError,
    },
    #[error(
        "`{field}`: the index `{source_ref}` lists {listed} ({listed_size} bytes), but the manifest fetched for it is {actual} ({actual_size} bytes)"
    )]
    ChildMismatch {
        field: String,
        source_ref: String,
        listed: Digest,
        listed_size: u64,
        actual: Digest,
        actual_size: u64,
    },
    #[error(
        "`{field}`: `{source_ref}` is a {what} ({media_type}), which cannot be an entry of an index; use an image or an index"
    )]
    UnsupportedSource {
        field: String,
        source_ref: String,
        what: &'static str,
        media_type: String,
    },
    #[error(
        "`{field}`: the index `{source_ref}` contains another index ({digest}); nested indexes cannot be merged, list that index's images instead"
    )]
    NestedIndex {
        field: String,
        source_ref: String,
        digest: Digest,
    },
    #[error(
        "`{field}`: {declared_by} says {key} `{declared}`, but the image `{source_ref}` ({digest}) is {key} `{actual}` according to its config; fix the platform or the source"
    )]
    PlatformConflict {
        field: String,
        source_ref: String,
        digest: Digest,
        /// `the spec`, or `the source index` for an entry of a source index.
        declared_by: &'static str,
        key: &'static str,
        declared: String,
        actual: String,
    },
    #[error(
        "`{field}`: the image `{source_ref}` ({digest}) does not say which os/architecture it is for; declare `platform` with `os` and `architecture`"
    )]
    NoPlatform {
        field: String,
        source_ref: String,
        digest: Digest,
    },
    #[error("`{field}`: `{source_ref}` ({digest}) would be listed as {platform}: {error}")]
    UnknownPlatform {
        field: String,
        source_ref: String,
        digest: Digest,
        platform: String,
        error: PlatformError,
    },
    #[error("`{field}`: the index `{source_ref}` has no image for {declared}; it has {available}")]
    NoMatchingPlatform {
        field: String,
        source_ref: String,
        declared: String,
        available: String,
    },
    #[error(
        "two entries have the same platform {platform}: {first_digest} from `{first_source}` and {second_digest} from `{second_source}`; remove one or give them different platforms"
    )]
    DuplicatePlatform {
        platform: String,
        first_source: String,
        first_digest: Digest,
        second_source: String,
        second_digest: Digest,
    },
    #[error(
        "`{field}`: `{source_ref}` ({digest}) is an {media_type_name}; a Docker manifest list can only hold Docker schema 2 images, set `type: oci` to build an OCI index"
    )]
    OciInDockerList {
        field: String,
        source_ref: String,
        digest: Digest,
        media_type_name: &'static str,
    },
    #[error(
        "`{field}`: a Docker manifest list cannot carry annotations; set `type: oci` to build an OCI index, or remove the annotations"
    )]
    AnnotationsNeedOci { field: String },
    #[error("internal: the index could not be serialized: {message}")]
    Serialize { message: String },
}

impl PlanError {
    /// The API error the proxy answers with: `DIGEST_MISMATCH` for content
    /// that does not match its digest, `INVALID_INPUT` for everything else.
    pub fn to_api_error(&self) -> ApiError {
        let code = match self {
            PlanError::Digest { .. } | PlanError::ChildMismatch { .. } => ErrorCode::DigestMismatch,
            PlanError::SourceCount { .. } | PlanError::Serialize { .. } => ErrorCode::Internal,
            _ => ErrorCode::InvalidInput,
        };
        ApiError::new(code, self.to_string())
    }
}

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        e.to_api_error()
    }
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
    let docker = spec.index_type == IndexType::Docker;
    if docker {
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
                if docker && !kept.is_empty() {
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

    if docker {
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
        media_type: Some(spec.index_type.media_type().to_string()),
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
        media_type: spec.index_type.media_type().to_string(),
        size: bytes.len() as u64,
        index: bytes,
        digest,
        entries,
        warnings,
        steps,
    })
}

fn verify(field: &str, source: &str, manifest: &Manifest) -> Result<(), PlanError> {
    manifest
        .digest
        .verify(&manifest.raw)
        .map_err(|error| PlanError::Digest {
            field: field.to_string(),
            source_ref: source.to_string(),
            error,
        })
}

fn check_image_kind(field: &str, source: &str, manifest: &Manifest) -> Result<(), PlanError> {
    let unsupported = |what| PlanError::UnsupportedSource {
        field: field.to_string(),
        source_ref: source.to_string(),
        what,
        media_type: manifest.media_type.clone(),
    };
    match (&manifest.body, media_type::kind_of(&manifest.media_type)) {
        (ManifestBody::Image(_), Kind::Image) => Ok(()),
        (ManifestBody::Schema1(_), _) | (_, Kind::Schema1) => {
            Err(unsupported("Docker schema 1 manifest (legacy)"))
        }
        (ManifestBody::Index(_), _) | (_, Kind::Index) => Err(unsupported("index")),
        _ => Err(unsupported("manifest of an unknown type")),
    }
}

/// The images of a source index (all of them, or those matching the declared
/// platform) and the attestations of those images.
fn members_of_index<'a>(
    field: &str,
    source_text: &str,
    reference: &'a Reference,
    entry: &crate::spec::ValidatedEntry,
    children: &'a [ResolvedChild],
    warnings: &mut Vec<String>,
) -> Result<Vec<Member<'a>>, PlanError> {
    let mut images = Vec::new();
    let mut attestations = Vec::new();
    let mut available = Vec::new();
    for child in children {
        let d = &child.descriptor;
        let m = &child.manifest;
        let child_field = format!("{field} ({})", d.digest.short());
        verify(&child_field, source_text, m)?;
        if d.digest != m.digest || d.size != m.size() {
            return Err(PlanError::ChildMismatch {
                field: field.to_string(),
                source_ref: source_text.to_string(),
                listed: d.digest.clone(),
                listed_size: d.size,
                actual: m.digest.clone(),
                actual_size: m.size(),
            });
        }
        if matches!(m.body, ManifestBody::Index(_)) {
            return Err(PlanError::NestedIndex {
                field: field.to_string(),
                source_ref: source_text.to_string(),
                digest: d.digest.clone(),
            });
        }
        if is_attestation(d) {
            attestations.push(child);
            continue;
        }
        check_image_kind(&child_field, source_text, m)?;
        let listed = d.platform.clone().unwrap_or_default();
        let config = child.config.as_ref().map(ImageConfig::platform);
        let platform = settle_platform(
            "the source index",
            &child_field,
            source_text,
            &m.digest,
            &listed,
            config.as_ref(),
        )?;
        available.push(platform.to_string());
        if !matches_declared(&entry.declared, &platform) {
            continue;
        }
        let mut annotations = d.annotations.clone();
        annotations.extend(entry.annotations.clone());
        images.push(Member {
            field: child_field,
            source: reference,
            source_text: source_text.to_string(),
            manifest: m,
            platform,
            annotations,
            artifact_type: d.artifact_type.clone(),
            attestation_for: None,
        });
    }
    if images.is_empty() {
        return Err(PlanError::NoMatchingPlatform {
            field: field.to_string(),
            source_ref: source_text.to_string(),
            declared: describe_declared(&entry.declared),
            available: if available.is_empty() {
                "no images at all".to_string()
            } else {
                available.join(", ")
            },
        });
    }
    let included: BTreeSet<&Digest> = images.iter().map(|m| &m.manifest.digest).collect();
    let all_images: BTreeSet<&Digest> = children
        .iter()
        .filter(|c| !is_attestation(&c.descriptor))
        .map(|c| &c.descriptor.digest)
        .collect();
    let mut out = images;
    for child in attestations {
        let d = &child.descriptor;
        let target = attested_digest(d).and_then(|t| Digest::parse(t).ok());
        match target {
            Some(t) if included.contains(&t) => out.push(Member {
                field: format!("{field} ({})", d.digest.short()),
                source: reference,
                source_text: source_text.to_string(),
                manifest: &child.manifest,
                platform: d
                    .platform
                    .clone()
                    .unwrap_or_else(|| Platform::new("unknown", "unknown", None)),
                annotations: d.annotations.clone(),
                artifact_type: d.artifact_type.clone(),
                attestation_for: Some(t),
            }),
            // Attests an image of the source index that was not selected.
            Some(t) if all_images.contains(&t) => {}
            _ => warnings.push(format!(
                "{field}: attestation manifest {} of `{source_text}` left out: it does not name an image of that index in `{REFERENCE_DIGEST}`",
                d.digest.short()
            )),
        }
    }
    Ok(out)
}

/// Does an index entry's platform fit what the spec declared (only the
/// fields the spec gives are compared)?
fn matches_declared(declared: &Platform, actual: &Platform) -> bool {
    let eq = |d: &str, a: &str| d.is_empty() || d == a;
    eq(&declared.os, &actual.os)
        && eq(&declared.architecture, &actual.architecture)
        && declared
            .variant
            .as_ref()
            .is_none_or(|v| actual.variant.as_ref() == Some(v))
        && declared
            .os_version
            .as_ref()
            .is_none_or(|v| actual.os_version.as_ref() == Some(v))
}

fn describe_declared(p: &Platform) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("os", Some(&p.os)),
        ("architecture", Some(&p.architecture)),
        ("variant", p.variant.as_ref()),
        ("osversion", p.os_version.as_ref()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k} {v}"));
        }
    }
    parts.join(", ")
}

/// The platform an entry is listed under: what is declared, completed from
/// the config (os/arch when none declared; variant, os.version, os.features
/// bubble up when not declared), and refused when the two disagree.
fn settle_platform(
    declared_by: &'static str,
    field: &str,
    source: &str,
    digest: &Digest,
    declared: &Platform,
    config: Option<&Platform>,
) -> Result<Platform, PlanError> {
    let mut out = declared.clone();
    if let Some(c) = config {
        let conflict =
            |key: &'static str, declared: &str, actual: &str| PlanError::PlatformConflict {
                field: field.to_string(),
                source_ref: source.to_string(),
                digest: digest.clone(),
                declared_by,
                key,
                declared: declared.to_string(),
                actual: actual.to_string(),
            };
        for (key, ours, theirs) in [
            ("os", &mut out.os, &c.os),
            ("architecture", &mut out.architecture, &c.architecture),
        ] {
            if ours.is_empty() {
                ours.clone_from(theirs);
            } else if !theirs.is_empty() && !equivalent(key, ours, theirs) {
                return Err(conflict(key, ours, theirs));
            }
        }
        let (os, arch) = (out.os.clone(), out.architecture.clone());
        for (key, ours, theirs) in [
            ("variant", &mut out.variant, &c.variant),
            ("os.version", &mut out.os_version, &c.os_version),
        ] {
            match (ours.as_deref(), theirs.as_deref()) {
                (None, Some(t)) if !t.is_empty() => *ours = Some(t.to_string()),
                (Some(o), Some(t)) if !t.is_empty() => {
                    let same = if key == "variant" {
                        Platform::new(&os, &arch, Some(o)).identity()
                            == Platform::new(&os, &arch, Some(t)).identity()
                    } else {
                        o == t
                    };
                    if !same {
                        return Err(conflict(key, o, t));
                    }
                }
                _ => {}
            }
        }
        if out.os_features.is_empty() {
            out.os_features.clone_from(&c.os_features);
        }
    }
    if out.os.is_empty() || out.architecture.is_empty() {
        return Err(PlanError::NoPlatform {
            field: field.to_string(),
            source_ref: source.to_string(),
            digest: digest.clone(),
        });
    }
    out.validate_known()
        .map_err(|error| PlanError::UnknownPlatform {
            field: field.to_string(),
            source_ref: source.to_string(),
            digest: digest.clone(),
            platform: out.to_string(),
            error,
        })?;
    Ok(out)
}

/// Same os (`key == "os"`) or architecture under the usual normalization
/// (`Linux` is `linux`, `aarch64` is `arm64`), as `Platform::identity` does.
fn equivalent(key: &str, a: &str, b: &str) -> bool {
    if key == "os" {
        Platform::new(a, "amd64", None).identity() == Platform::new(b, "amd64", None).identity()
    } else {
        Platform::new("linux", a, None).identity() == Platform::new("linux", b, None).identity()
    }
}

fn same_repository(a: &Reference, b: &Reference) -> bool {
    a.registry() == b.registry() && a.repository() == b.repository()
}

/// Blobs (config, then distributable layers) and the manifest of every entry
/// not already in the target repository, each blob once; then the index,
/// then the extra tags.
fn steps(spec: &ValidatedSpec, members: &[Member<'_>], digest: &Digest) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut blobs_done: BTreeSet<&Digest> = BTreeSet::new();
    let mut manifests_done: BTreeSet<&Digest> = BTreeSet::new();
    for m in members {
        if same_repository(m.source, &spec.target) || !manifests_done.insert(&m.manifest.digest) {
            continue;
        }
        if let ManifestBody::Image(image) = &m.manifest.body {
            let blobs = std::iter::once(&image.config).chain(&image.layers);
            for blob in blobs {
                if media_type::is_non_distributable(&blob.media_type) || !blob.urls.is_empty() {
                    continue;
                }
                if blobs_done.insert(&blob.digest) {
                    steps.push(Step::Blob {
                        from: m.source.clone(),
                        digest: blob.digest.clone(),
                        size: blob.size,
                        media_type: blob.media_type.clone(),
                    });
                }
            }
        }
        steps.push(Step::Manifest {
            from: m.source.clone(),
            digest: m.manifest.digest.clone(),
            media_type: m.manifest.media_type.clone(),
            bytes: m.manifest.raw.clone(),
        });
    }
    steps.push(Step::Index {
        tag: spec.target.tag().unwrap_or("latest").to_string(),
        digest: digest.clone(),
    });
    for tag in &spec.tags {
        steps.push(Step::Tag {
            tag: tag.clone(),
            digest: digest.clone(),
        });
    }
    steps
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StepKind::Blob => "blob",
            StepKind::Manifest => "manifest",
            StepKind::Index => "index",
            StepKind::Tag => "tag",
        })
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
