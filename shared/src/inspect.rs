//! The inspection model the page renders: what a person needs at a glance,
//! derived from an `InspectResponse` (is it multi-platform, which platforms,
//! how big is each).

use crate::api::{EntryView, InspectResponse};
use crate::descriptor::Descriptor;
use crate::platform::Platform;

/// Sum of the layer sizes (compressed, as stored in the registry).
pub fn total_layer_size(layers: &[Descriptor]) -> u64 {
    layers.iter().map(|l| l.size).sum()
}

/// True for an index / manifest list.
pub fn is_multi_platform(r: &InspectResponse) -> bool {
    r.manifests.is_some()
}

/// The annotation BuildKit puts on attestation entries.
pub const REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";
/// Its value for attestation manifests.
pub const ATTESTATION_MANIFEST: &str = "attestation-manifest";
/// The annotation naming the image an attestation is about.
pub const REFERENCE_DIGEST_ANNOTATION: &str = "vnd.docker.reference.digest";

/// Is this descriptor an attestation manifest (BuildKit's `unknown/unknown`
/// with `vnd.docker.reference.type: attestation-manifest`)?
pub fn is_attestation_descriptor(d: &Descriptor) -> bool {
    d.platform.as_ref().is_some_and(Platform::is_unknown)
        && d.annotations
            .get(REFERENCE_TYPE_ANNOTATION)
            .is_some_and(|t| t == ATTESTATION_MANIFEST)
}

/// Is this entry an attestation manifest (BuildKit's `unknown/unknown` with
/// `vnd.docker.reference.type: attestation-manifest`)?
pub fn is_attestation(e: &EntryView) -> bool {
    is_attestation_descriptor(&e.descriptor)
}

/// For an attestation entry, the digest of the image it is about.
pub fn attested_digest(e: &EntryView) -> Option<&str> {
    if is_attestation(e) {
        e.descriptor
            .annotations
            .get(REFERENCE_DIGEST_ANNOTATION)
            .map(String::as_str)
    } else {
        None
    }
}

/// An entry's platform for display: `linux/arm/v7`, or `unknown` when the
/// index does not say.
pub fn entry_platform(e: &EntryView) -> String {
    e.descriptor
        .platform
        .as_ref()
        .map_or_else(|| "unknown".to_string(), Platform::to_string)
}

/// The sum of an entry's layer sizes, when its child manifest was read.
pub fn entry_layer_total(e: &EntryView) -> Option<u64> {
    e.layers.as_deref().map(total_layer_size)
}

/// How many entries of an index are attestations.
pub fn attestation_count(r: &InspectResponse) -> usize {
    r.manifests
        .as_deref()
        .map_or(0, |m| m.iter().filter(|e| is_attestation(e)).count())
}

/// The platforms of an index as display strings (`linux/arm/v7`), in index
/// order, attestations left out; for a single image, its config's platform.
pub fn platform_list(r: &InspectResponse) -> Vec<String> {
    if let Some(entries) = &r.manifests {
        return entries
            .iter()
            .filter(|e| !is_attestation(e))
            .map(entry_platform)
            .collect();
    }
    match &r.image_config {
        Some(c) if !(c.os.is_empty() && c.architecture.is_empty()) => {
            vec![c.platform().to_string()]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiError, ErrorCode};
    use crate::config::ImageConfig;
    use crate::digest::Digest;
    use crate::media_type::{self, Kind};
    use std::collections::BTreeMap;

    fn descriptor(seed: &str, platform: Option<&str>) -> Descriptor {
        Descriptor {
            media_type: media_type::OCI_MANIFEST.into(),
            digest: Digest::sha256(seed.as_bytes()),
            size: 1000,
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            platform: platform.map(|p| Platform::parse(p).unwrap()),
            artifact_type: None,
        }
    }

    fn layer(size: u64) -> Descriptor {
        Descriptor {
            size,
            ..descriptor(&size.to_string(), None)
        }
    }

    fn entry(seed: &str, platform: Option<&str>) -> EntryView {
        EntryView {
            descriptor: descriptor(seed, platform),
            kind: Kind::Image,
            config: None,
            layers: None,
            child_count: None,
            error: None,
        }
    }

    fn attestation(about: &EntryView) -> EntryView {
        let mut e = entry("att", Some("unknown/unknown"));
        e.descriptor.annotations.insert(
            REFERENCE_TYPE_ANNOTATION.into(),
            ATTESTATION_MANIFEST.into(),
        );
        e.descriptor.annotations.insert(
            REFERENCE_DIGEST_ANNOTATION.into(),
            about.descriptor.digest.to_string(),
        );
        e
    }

    fn response(
        manifests: Option<Vec<EntryView>>,
        image_config: Option<ImageConfig>,
    ) -> InspectResponse {
        InspectResponse {
            reference: "localhost:5000/x:1".into(),
            registry: "localhost:5000".into(),
            repository: "x".into(),
            tag: Some("1".into()),
            digest: Digest::sha256(b"root"),
            media_type: media_type::OCI_INDEX.into(),
            kind: Kind::Index,
            size: 10,
            raw: "{}".into(),
            artifact_type: None,
            annotations: BTreeMap::new(),
            subject: None,
            manifests,
            config: None,
            layers: None,
            image_config,
        }
    }

    #[test]
    fn attestation_needs_both_platform_and_annotation() {
        let amd = entry("amd", Some("linux/amd64"));
        let att = attestation(&amd);
        assert!(is_attestation(&att));
        assert_eq!(
            attested_digest(&att),
            Some(amd.descriptor.digest.to_string().as_str())
        );
        assert!(!is_attestation(&amd));
        assert_eq!(attested_digest(&amd), None);

        let mut unknown_only = entry("u", Some("unknown/unknown"));
        assert!(!is_attestation(&unknown_only));
        unknown_only
            .descriptor
            .annotations
            .insert(REFERENCE_TYPE_ANNOTATION.into(), "something-else".into());
        assert!(!is_attestation(&unknown_only));

        let mut annotated_real = attestation(&amd);
        annotated_real.descriptor.platform = Some(Platform::new("linux", "amd64", None));
        assert!(!is_attestation(&annotated_real));
        annotated_real.descriptor.platform = None;
        assert!(!is_attestation(&annotated_real));
    }

    #[test]
    fn platform_list_of_an_index() {
        let amd = entry("amd", Some("linux/amd64"));
        let arm = entry("arm", Some("linux/arm/v7"));
        let win = entry("win", Some("windows/amd64:10.0.17763.2565"));
        let bare = entry("bare", None);
        let r = response(
            Some(vec![amd.clone(), attestation(&amd), arm, win, bare]),
            None,
        );
        assert_eq!(
            platform_list(&r),
            [
                "linux/amd64",
                "linux/arm/v7",
                "windows/amd64:10.0.17763.2565",
                "unknown"
            ]
        );
        assert!(is_multi_platform(&r));
        assert_eq!(attestation_count(&r), 1);
        assert!(platform_list(&response(Some(Vec::new()), None)).is_empty());
    }

    #[test]
    fn platform_list_of_a_single_image() {
        let config =
            ImageConfig::parse(br#"{"architecture":"arm64","os":"linux","variant":"v8"}"#).unwrap();
        let r = response(None, Some(config));
        assert!(!is_multi_platform(&r));
        assert_eq!(platform_list(&r), ["linux/arm64/v8"]);
        assert_eq!(attestation_count(&r), 0);
        assert!(platform_list(&response(None, None)).is_empty());
        // An artifact's config is not an image config: nothing to show.
        assert!(platform_list(&response(None, Some(ImageConfig::default()))).is_empty());
    }

    #[test]
    fn layer_totals() {
        let layers = vec![layer(3_374_563), layer(1_000), layer(0)];
        assert_eq!(total_layer_size(&layers), 3_375_563);
        let mut e = entry("amd", Some("linux/amd64"));
        assert_eq!(entry_layer_total(&e), None);
        e.layers = Some(layers);
        assert_eq!(entry_layer_total(&e), Some(3_375_563));
        e.layers = Some(Vec::new());
        assert_eq!(entry_layer_total(&e), Some(0));
        let mut failed = entry("bad", Some("linux/s390x"));
        failed.error = Some(ApiError::new(ErrorCode::NotFound, "gone"));
        assert_eq!(entry_layer_total(&failed), None);
        assert_eq!(entry_platform(&failed), "linux/s390x");
    }
}
