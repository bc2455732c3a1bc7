//! "Edit as new index": an inspected index turned back into the push spec
//! that would rebuild it, so a person can add, drop or re-tag platforms
//! without retyping the rest. Entries are pinned by digest (the tag may have
//! moved since), and attestation manifests are left out: they are not images
//! to list under a platform. An index inspected by tag records the digest the
//! edit starts from (`expect`): the push then stops instead of overwriting a
//! tag someone else moved meanwhile.

use std::collections::BTreeMap;

use shared::Descriptor;
use shared::attestation::is_attestation;
use shared::media_type::OCI_INDEX;
use shared::spec::{IndexType, PushSpec, SpecEntry, SpecPlatform};

/// What of an inspected index the spec is made from.
#[derive(Debug, Clone, Copy)]
pub struct InspectedIndex<'a> {
    /// `registry/repository`.
    pub repository: &'a str,
    /// The tag it was inspected by, if any.
    pub tag: Option<&'a str>,
    /// The index's digest (what the tag pointed at when inspected).
    pub digest: &'a str,
    /// The index's media type (as the registry said).
    pub media_type: &'a str,
    pub manifests: &'a [Descriptor],
    pub annotations: &'a BTreeMap<String, String>,
}

pub fn spec_from_index(index: &InspectedIndex) -> PushSpec {
    let index_type = if index.media_type == OCI_INDEX {
        IndexType::Oci
    } else {
        IndexType::Docker
    };
    let oci = index_type == IndexType::Oci;
    let manifests = index
        .manifests
        .iter()
        .filter(|d| !is_attestation(d))
        .map(|d| SpecEntry {
            image: format!("{}@{}", index.repository, d.digest),
            platform: d
                .platform
                .as_ref()
                .map(SpecPlatform::from_platform)
                .unwrap_or_default(),
            annotations: if oci {
                d.annotations.clone()
            } else {
                Default::default()
            },
        })
        .collect();
    PushSpec {
        image: format!("{}:{}", index.repository, index.tag.unwrap_or("latest")),
        tags: Vec::new(),
        manifests,
        annotations: if oci {
            index.annotations.clone()
        } else {
            Default::default()
        },
        index_type,
        ignore_missing: false,
        expect: match index.tag {
            Some(_) => index.digest.to_string(),
            None => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use shared::api::{Content, EntryView, IndexContent, InspectResponse};
    use shared::attestation::{ATTESTATION_MANIFEST, REFERENCE_DIGEST, REFERENCE_TYPE};
    use shared::media_type::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST};
    use shared::{Descriptor, Digest, Platform, Reference};

    use super::*;

    fn entry(media_type: &str, seed: &[u8], platform: Option<Platform>) -> EntryView {
        EntryView::new(Descriptor {
            media_type: media_type.into(),
            digest: Digest::sha256(seed),
            size: 100,
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            platform,
            artifact_type: None,
        })
    }

    /// An index at `127.0.0.1:5000/demo/app`, by `tag` or else by digest.
    fn index(media_type: &str, tag: Option<&str>, entries: Vec<EntryView>) -> InspectResponse {
        let digest = Digest::sha256(b"index");
        let reference = match tag {
            Some(tag) => format!("127.0.0.1:5000/demo/app:{tag}"),
            None => format!("127.0.0.1:5000/demo/app@{digest}"),
        };
        let content = Content::Index(IndexContent {
            manifests: entries,
            ..IndexContent::default()
        });
        let reference = Reference::parse(&reference).unwrap();
        let mut r = InspectResponse::new(&reference, digest, media_type, b"index", content);
        r.annotations = BTreeMap::from([("org.example.k".into(), "v".into())]);
        r
    }

    /// The spec "Edit as new index" makes of `response`.
    fn spec_of(response: &InspectResponse) -> PushSpec {
        let descriptors: Vec<Descriptor> = response
            .entries()
            .unwrap_or_default()
            .iter()
            .map(|e| e.descriptor.clone())
            .collect();
        spec_from_index(&InspectedIndex {
            repository: &format!("{}/{}", response.registry, response.repository),
            tag: response.tag.as_deref(),
            digest: &response.digest.to_string(),
            media_type: &response.media_type,
            manifests: &descriptors,
            annotations: &response.annotations,
        })
    }

    #[test]
    fn a_docker_list_becomes_digest_pinned_sources() {
        let mut windows = Platform::new("windows", "amd64", None);
        windows.os_version = Some("10.0.17763.2565".into());
        let response = index(
            DOCKER_MANIFEST_LIST,
            Some("1"),
            vec![
                entry(
                    DOCKER_MANIFEST,
                    b"a",
                    Some(Platform::new("linux", "arm", Some("v7"))),
                ),
                entry(DOCKER_MANIFEST, b"w", Some(windows)),
            ],
        );
        let spec = spec_of(&response);
        assert_eq!(spec.image, "127.0.0.1:5000/demo/app:1");
        assert_eq!(spec.index_type, IndexType::Docker);
        assert!(spec.annotations.is_empty(), "Docker lists carry none");
        assert_eq!(spec.manifests.len(), 2);
        assert_eq!(
            spec.manifests[0].image,
            format!("127.0.0.1:5000/demo/app@{}", Digest::sha256(b"a"))
        );
        assert_eq!(spec.manifests[0].platform.variant, "v7");
        assert_eq!(spec.manifests[1].platform.osversion, "10.0.17763.2565");
        assert_eq!(spec.expect, Digest::sha256(b"index").to_string());
        assert!(spec.validate().is_ok(), "{:?}", spec.validate());
    }

    #[test]
    fn an_oci_index_keeps_annotations_and_drops_attestations() {
        let image = entry(
            OCI_MANIFEST,
            b"img",
            Some(Platform::new("linux", "amd64", None)),
        );
        let mut attestation = entry(
            OCI_MANIFEST,
            b"att",
            Some(Platform::new("unknown", "unknown", None)),
        );
        attestation.descriptor.annotations = BTreeMap::from([
            (REFERENCE_TYPE.to_string(), ATTESTATION_MANIFEST.to_string()),
            (
                REFERENCE_DIGEST.to_string(),
                Digest::sha256(b"img").to_string(),
            ),
        ]);
        let spec = spec_of(&index(OCI_INDEX, None, vec![image, attestation]));
        assert_eq!(spec.index_type, IndexType::Oci);
        assert_eq!(spec.image, "127.0.0.1:5000/demo/app:latest");
        assert_eq!(spec.expect, "", "by digest: no tag to expect anything of");
        assert_eq!(spec.manifests.len(), 1);
        assert_eq!(
            spec.annotations.get("org.example.k").map(String::as_str),
            Some("v")
        );
        assert!(spec.validate().is_ok(), "{:?}", spec.validate());
    }
}
