//! A source that is an index: which of its images the spec selects, and
//! which of its attestations come along (those about a selected image).

use std::collections::BTreeSet;

use super::rules::{
    check_image_kind, describe_declared, matches_declared, settle_platform, verify,
};
use super::{Member, PlanError, ResolvedChild};
use crate::attestation::{REFERENCE_DIGEST, attested_digest, is_attestation};
use crate::config::ImageConfig;
use crate::digest::Digest;
use crate::manifest::ManifestBody;
use crate::platform::Platform;
use crate::reference::Reference;

/// The images of a source index (all of them, or those matching the declared
/// platform) and the attestations of those images.
pub(super) fn members_of_index<'a>(
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
