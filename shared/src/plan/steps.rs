//! The registry writes a plan is carried out by, in the order they must
//! happen: what is already in the target repository is not written again,
//! each blob is written once, and the tag moves last.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Member;
use crate::digest::Digest;
use crate::manifest::ManifestBody;
use crate::media_type;
use crate::reference::Reference;
use crate::spec::ValidatedSpec;

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

fn same_repository(a: &Reference, b: &Reference) -> bool {
    a.registry() == b.registry() && a.repository() == b.repository()
}

/// Blobs (config, then distributable layers) and the manifest of every entry
/// not already in the target repository, each blob once; then the index,
/// then the extra tags.
pub(super) fn steps(spec: &ValidatedSpec, members: &[Member<'_>], digest: &Digest) -> Vec<Step> {
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
