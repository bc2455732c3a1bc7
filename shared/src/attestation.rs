//! The one rule for "this index entry is an attestation manifest, not an
//! image": the page, the text output, the push plan and the proxy all ask it
//! here, so an entry cannot be an image to one and an attestation to another.
//!
//! BuildKit stores attestations as extra manifests of the image index
//! (moby/buildkit `docs/attestations/attestation-storage.md`): each such
//! descriptor carries the annotation `vnd.docker.reference.type:
//! attestation-manifest` and names the image it is about in
//! `vnd.docker.reference.digest`. It also lists the descriptor under the
//! platform `unknown/unknown`, but only so that clients which pick an image
//! by platform (containerd's and go-containerregistry's platform matchers)
//! never pick it; the platform is not what marks it, and `unknown/unknown`
//! also appears on entries that are not attestations. The tools that do
//! recognise attestations test the annotation alone: manifest-tool's
//! `inspect` (its "(vnd.docker.reference.type=attestation-manifest)" count),
//! and tools on go-containerregistry that find them with
//! `partial.FindManifests` over these annotations. So do we:
//!
//! - annotation with a real platform (an index a tool rewrote, a hand-made
//!   index): an attestation, as manifest-tool counts it;
//! - `unknown/unknown` without the annotation: not an attestation, just an
//!   entry whose platform nobody declared (an artifact, an odd build), shown
//!   and pushed like any other entry;
//! - no platform at all with the annotation: an attestation.

use crate::descriptor::Descriptor;

/// The annotation BuildKit puts on attestation entries...
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// ...set to this value...
pub const ATTESTATION_MANIFEST: &str = "attestation-manifest";
/// ...and the one naming the digest of the image an attestation is about.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// The layer annotation naming an in-toto statement's predicate type.
pub const PREDICATE_TYPE: &str = "in-toto.io/predicate-type";

/// Is this index entry an attestation manifest?
pub fn is_attestation(d: &Descriptor) -> bool {
    d.annotations.get(REFERENCE_TYPE).map(String::as_str) == Some(ATTESTATION_MANIFEST)
}

/// For an attestation entry, the digest (as written) of the image it is
/// about; `None` for other entries.
pub fn attested_digest(d: &Descriptor) -> Option<&str> {
    if is_attestation(d) {
        d.annotations.get(REFERENCE_DIGEST).map(String::as_str)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Digest;
    use crate::platform::Platform;

    fn entry(platform: Option<&str>, annotations: &[(&str, &str)]) -> Descriptor {
        Descriptor {
            media_type: crate::media_type::OCI_MANIFEST.into(),
            digest: Digest::sha256(b"entry"),
            size: 10,
            urls: Vec::new(),
            annotations: annotations
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            platform: platform.map(|p| Platform::parse(p).unwrap()),
            artifact_type: None,
        }
    }

    const ABOUT: &str = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

    #[test]
    fn buildkit_attestation() {
        let d = entry(
            Some("unknown/unknown"),
            &[
                (REFERENCE_TYPE, ATTESTATION_MANIFEST),
                (REFERENCE_DIGEST, ABOUT),
            ],
        );
        assert!(is_attestation(&d));
        assert_eq!(attested_digest(&d), Some(ABOUT));
    }

    /// The copies disagreed here: the page's wanted `unknown/unknown` too.
    #[test]
    fn the_annotation_marks_it_whatever_the_platform() {
        for platform in [
            Some("linux/amd64"),
            Some("windows/amd64:10.0.17763.2565"),
            None,
        ] {
            let d = entry(
                platform,
                &[
                    (REFERENCE_TYPE, ATTESTATION_MANIFEST),
                    (REFERENCE_DIGEST, ABOUT),
                ],
            );
            assert!(is_attestation(&d), "{platform:?}");
            assert_eq!(attested_digest(&d), Some(ABOUT), "{platform:?}");
        }
        let unnamed = entry(
            Some("linux/amd64"),
            &[(REFERENCE_TYPE, ATTESTATION_MANIFEST)],
        );
        assert!(is_attestation(&unnamed));
        assert_eq!(attested_digest(&unnamed), None);
    }

    /// The copies disagreed here too: `unknown/unknown` alone is not a mark.
    #[test]
    fn an_unknown_platform_alone_is_not_an_attestation() {
        let bare = entry(Some("unknown/unknown"), &[]);
        assert!(!is_attestation(&bare));
        let named = entry(Some("unknown/unknown"), &[(REFERENCE_DIGEST, ABOUT)]);
        assert!(!is_attestation(&named));
        assert_eq!(attested_digest(&named), None, "only attestations attest");
    }

    #[test]
    fn other_reference_types_are_not_attestations() {
        for value in ["something-else", "", "Attestation-Manifest"] {
            let d = entry(Some("unknown/unknown"), &[(REFERENCE_TYPE, value)]);
            assert!(!is_attestation(&d), "{value}");
        }
        assert!(!is_attestation(&entry(Some("linux/arm/v7"), &[])));
    }
}
