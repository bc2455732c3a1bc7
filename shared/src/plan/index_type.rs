//! Which kind of index a spec without `type` becomes, and why.
//!
//! manifest-tool pushes a spec whatever its sources are, so a spec that names
//! no type must not be refused for its sources: it becomes a Docker manifest
//! list when that can hold everything (the most widely read format), and an
//! OCI index as soon as anything needs one. The reason is kept so the plan
//! can tell the person which it chose; an explicit type is never second-guessed.

use super::Member;
use crate::media_type;
use crate::spec::{IndexType, ValidatedSpec};

/// The media type of the index to build (`DOCKER_MANIFEST_LIST` or
/// `OCI_INDEX`), and for a spec without `type` the sentence saying which was
/// chosen and why.
pub(super) fn decide(
    spec: &ValidatedSpec,
    images: &[Member<'_>],
    attestations: &[Member<'_>],
) -> (&'static str, Option<String>) {
    match spec.index_type {
        IndexType::Docker => (media_type::DOCKER_MANIFEST_LIST, None),
        IndexType::Oci => (media_type::OCI_INDEX, None),
        IndexType::Auto => {
            let (chosen, name, why) = match needs_oci(spec, images, attestations) {
                Some(why) => (media_type::OCI_INDEX, "an OCI image index", why),
                None => (
                    media_type::DOCKER_MANIFEST_LIST,
                    "a Docker manifest list",
                    "every entry is a Docker schema 2 image".to_string(),
                ),
            };
            let note =
                format!("no `type` given: building {name} because {why}; set `type` to choose");
            (chosen, Some(note))
        }
    }
}

/// The first thing that a Docker manifest list cannot hold, described.
fn needs_oci(
    spec: &ValidatedSpec,
    images: &[Member<'_>],
    attestations: &[Member<'_>],
) -> Option<String> {
    if !spec.annotations.is_empty() {
        return Some("the spec has index annotations".to_string());
    }
    if let Some(m) = images.iter().find(|m| !is_docker_image(m)) {
        return Some(format!(
            "`{}` ({}) is an {}",
            m.source_text,
            m.manifest.digest.short(),
            media_type::describe(&m.manifest.media_type)
        ));
    }
    if let Some(m) = attestations.first() {
        return Some(format!(
            "`{}` brings attestation manifests, which only an OCI index can hold",
            m.source_text
        ));
    }
    if let Some(m) = images.iter().find(|m| !m.annotations.is_empty()) {
        return Some(format!("{} has annotations", m.field));
    }
    None
}

fn is_docker_image(m: &Member<'_>) -> bool {
    media_type::essence(&m.manifest.media_type) == media_type::DOCKER_MANIFEST
}
