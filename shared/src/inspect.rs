//! The inspection model the page renders: what a person needs at a glance,
//! derived from an `InspectResponse` (which platforms, how big is each,
//! which attestations describe which image). Whether it is an index at all
//! is the answer's `content`; how the page filters and sorts entries is the
//! page's (`frontend/src/entry_filter.rs`).

use crate::api::{EntryView, IndexContent, InspectResponse};
use crate::attestation::{PREDICATE_TYPE, attested_digest, is_attestation};
use crate::descriptor::Descriptor;
use crate::platform::Platform;

/// Sum of the layer sizes (compressed, as stored in the registry).
pub fn total_layer_size(layers: &[Descriptor]) -> u64 {
    layers.iter().map(|l| l.size).sum()
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
pub fn entry_layer_total(index: &IndexContent, e: &EntryView) -> Option<u64> {
    index
        .child(e)
        .and_then(|c| c.layers.as_deref())
        .map(total_layer_size)
}

/// How many entries of an index are attestations.
pub fn attestation_count(r: &InspectResponse) -> usize {
    r.entries().map_or(0, |m| {
        m.iter().filter(|e| is_attestation(&e.descriptor)).count()
    })
}

/// The platforms of an index as display strings (`linux/arm/v7`), in index
/// order, attestations left out; for a single image, its config's platform.
pub fn platform_list(r: &InspectResponse) -> Vec<String> {
    if let Some(entries) = r.entries() {
        return entries
            .iter()
            .filter(|e| !is_attestation(&e.descriptor))
            .map(entry_platform)
            .collect();
    }
    match r.image().and_then(|i| i.image_config.as_ref()) {
        Some(c) if !(c.os.is_empty() && c.architecture.is_empty()) => {
            vec![c.platform().to_string()]
        }
        _ => Vec::new(),
    }
}

/// What an attestation entry holds: where it is in the index and the
/// predicate types of its statements (empty when its manifest was not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationSummary {
    /// Position in the index's `manifests`.
    pub position: usize,
    pub digest: crate::digest::Digest,
    pub size: u64,
    /// `https://slsa.dev/provenance/v0.2`, `https://spdx.dev/Document`, ...
    /// in layer order, each once.
    pub predicate_types: Vec<String>,
}

/// One non-attestation entry and the attestations that describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryGroup {
    /// Position in the index's `manifests`.
    pub position: usize,
    pub attestations: Vec<AttestationSummary>,
}

/// An index's entries with attestations moved under the image they are
/// about, so that they are neither listed nor counted as platforms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupedEntries {
    /// Every non-attestation entry, in index order.
    pub entries: Vec<EntryGroup>,
    /// Attestations naming a digest that is not in this index (or none).
    pub unattached: Vec<AttestationSummary>,
}

/// The predicate types an attestation manifest's layers declare.
pub fn predicate_types(index: &IndexContent, e: &EntryView) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    let layers = index.child(e).and_then(|c| c.layers.as_deref());
    for layer in layers.unwrap_or(&[]) {
        if let Some(t) = layer.annotations.get(PREDICATE_TYPE)
            && !types.contains(t)
        {
            types.push(t.clone());
        }
    }
    types
}

/// Group an index's entries: each attestation under the entry whose digest
/// its `vnd.docker.reference.digest` names.
pub fn group_attestations(index: &IndexContent) -> GroupedEntries {
    let entries = &index.manifests;
    let mut grouped = GroupedEntries::default();
    for (position, e) in entries.iter().enumerate() {
        if !is_attestation(&e.descriptor) {
            grouped.entries.push(EntryGroup {
                position,
                attestations: Vec::new(),
            });
        }
    }
    for (position, e) in entries.iter().enumerate() {
        if !is_attestation(&e.descriptor) {
            continue;
        }
        let summary = AttestationSummary {
            position,
            digest: e.descriptor.digest.clone(),
            size: e.descriptor.size,
            predicate_types: predicate_types(index, e),
        };
        let about = attested_digest(&e.descriptor);
        let owner = grouped.entries.iter_mut().find(|g| {
            about.is_some_and(|d| entries[g.position].descriptor.digest.to_string() == d)
        });
        match owner {
            Some(group) => group.attestations.push(summary),
            None => grouped.unattached.push(summary),
        }
    }
    grouped
}

/// Each platform's compressed size (the sum of its layers as stored), in
/// index order, attestations left out; `None` where the child was not read.
pub fn platform_layer_totals(r: &InspectResponse) -> Vec<(String, Option<u64>)> {
    let Some(index) = r.index() else {
        return Vec::new();
    };
    index
        .manifests
        .iter()
        .filter(|e| !is_attestation(&e.descriptor))
        .map(|e| (entry_platform(e), entry_layer_total(index, e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiError, ChildView, Content, ErrorCode, ImageContent, IndexContent};
    use crate::attestation::{ATTESTATION_MANIFEST, REFERENCE_DIGEST, REFERENCE_TYPE};
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
        EntryView::new(descriptor(seed, platform))
    }

    fn attestation(about: &EntryView) -> EntryView {
        let mut e = entry("att", Some("unknown/unknown"));
        e.descriptor
            .annotations
            .insert(REFERENCE_TYPE.into(), ATTESTATION_MANIFEST.into());
        e.descriptor
            .annotations
            .insert(REFERENCE_DIGEST.into(), about.descriptor.digest.to_string());
        e
    }

    fn answer(media: &str, content: Content) -> InspectResponse {
        let reference = crate::reference::Reference::parse("localhost:5000/x:1").unwrap();
        InspectResponse::new(&reference, Digest::sha256(b"root"), media, b"{}", content)
    }

    fn index(manifests: Vec<EntryView>) -> InspectResponse {
        index_of(IndexContent {
            manifests,
            ..IndexContent::default()
        })
    }

    fn index_of(content: IndexContent) -> InspectResponse {
        answer(media_type::OCI_INDEX, Content::Index(content))
    }

    /// `content` with `e`'s child read, holding `layers`.
    fn read(content: &mut IndexContent, e: &EntryView, layers: Vec<Descriptor>) {
        content.children.insert(
            e.descriptor.digest.clone(),
            ChildView {
                layers: Some(layers),
                ..ChildView::new(Kind::Image)
            },
        );
    }

    fn image(image_config: Option<ImageConfig>) -> InspectResponse {
        let config = Descriptor {
            media_type: media_type::OCI_CONFIG.into(),
            ..descriptor("config", None)
        };
        let content = ImageContent {
            image_config,
            ..ImageContent::new(config, Vec::new())
        };
        answer(media_type::OCI_MANIFEST, Content::Image(content))
    }

    #[test]
    fn platform_list_of_an_index() {
        let amd = entry("amd", Some("linux/amd64"));
        let arm = entry("arm", Some("linux/arm/v7"));
        let win = entry("win", Some("windows/amd64:10.0.17763.2565"));
        let bare = entry("bare", None);
        let r = index(vec![amd.clone(), attestation(&amd), arm, win, bare]);
        assert_eq!(
            platform_list(&r),
            [
                "linux/amd64",
                "linux/arm/v7",
                "windows/amd64:10.0.17763.2565",
                "unknown"
            ]
        );
        assert_eq!(r.kind(), Kind::Index);
        assert_eq!(attestation_count(&r), 1);
        assert!(platform_list(&index(Vec::new())).is_empty());
    }

    #[test]
    fn platform_list_of_a_single_image() {
        let config =
            ImageConfig::parse(br#"{"architecture":"arm64","os":"linux","variant":"v8"}"#).unwrap();
        let r = image(Some(config));
        assert_eq!(r.kind(), Kind::Image);
        assert_eq!(platform_list(&r), ["linux/arm64/v8"]);
        assert_eq!(attestation_count(&r), 0);
        assert!(platform_list(&image(None)).is_empty());
        // An artifact's config is not an image config: nothing to show.
        assert!(platform_list(&image(Some(ImageConfig::default()))).is_empty());
    }

    #[test]
    fn layer_totals() {
        let layers = vec![layer(3_374_563), layer(1_000), layer(0)];
        assert_eq!(total_layer_size(&layers), 3_375_563);
        let e = entry("amd", Some("linux/amd64"));
        let mut content = IndexContent::default();
        assert_eq!(entry_layer_total(&content, &e), None);
        read(&mut content, &e, layers);
        assert_eq!(entry_layer_total(&content, &e), Some(3_375_563));
        read(&mut content, &e, Vec::new());
        assert_eq!(entry_layer_total(&content, &e), Some(0));
        let mut failed = entry("bad", Some("linux/s390x"));
        read(&mut content, &failed, vec![layer(5)]);
        failed.error = Some(ApiError::new(ErrorCode::NotFound, "gone"));
        assert_eq!(entry_layer_total(&content, &failed), None);
        assert_eq!(entry_platform(&failed), "linux/s390x");
    }
    #[test]
    fn attestations_group_under_their_image_with_predicate_types() {
        let amd = entry("amd", Some("linux/amd64"));
        let arm = entry("arm", Some("linux/arm64"));
        let amd_att = attestation(&amd);
        let mut slsa = layer(10);
        slsa.annotations.insert(
            PREDICATE_TYPE.into(),
            "https://slsa.dev/provenance/v0.2".into(),
        );
        let mut spdx = layer(11);
        spdx.annotations
            .insert(PREDICATE_TYPE.into(), "https://spdx.dev/Document".into());
        let mut stray = attestation(&entry("elsewhere", Some("linux/s390x")));
        stray.descriptor.digest = Digest::sha256(b"stray");
        let mut content = IndexContent {
            manifests: vec![amd.clone(), amd_att.clone(), arm, stray.clone()],
            ..IndexContent::default()
        };
        read(&mut content, &amd_att, vec![slsa.clone(), spdx, slsa]);
        let grouped = group_attestations(&content);
        assert_eq!(
            grouped
                .entries
                .iter()
                .map(|g| g.position)
                .collect::<Vec<_>>(),
            [0, 2]
        );
        assert_eq!(grouped.entries[0].attestations.len(), 1);
        let a = &grouped.entries[0].attestations[0];
        assert_eq!(a.position, 1);
        assert_eq!(a.digest, amd_att.descriptor.digest);
        assert_eq!(
            a.predicate_types,
            [
                "https://slsa.dev/provenance/v0.2",
                "https://spdx.dev/Document"
            ]
        );
        assert!(grouped.entries[1].attestations.is_empty());
        assert_eq!(grouped.unattached.len(), 1);
        assert_eq!(grouped.unattached[0].digest, stray.descriptor.digest);
        // Not read: no predicate types, still grouped.
        let unread = attestation(&amd);
        let g = group_attestations(&IndexContent {
            manifests: vec![amd.clone(), unread],
            ..IndexContent::default()
        });
        assert!(g.entries[0].attestations[0].predicate_types.is_empty());
    }

    #[test]
    fn per_platform_totals_leave_attestations_out() {
        let amd = entry("amd", Some("linux/amd64"));
        let att = attestation(&amd);
        let arm = entry("arm", Some("linux/arm/v7"));
        let mut content = IndexContent {
            manifests: vec![amd.clone(), att.clone(), arm],
            ..IndexContent::default()
        };
        read(&mut content, &amd, vec![layer(5), layer(7)]);
        read(&mut content, &att, vec![layer(1000)]);
        let r = index_of(content);
        assert_eq!(
            platform_layer_totals(&r),
            [
                ("linux/amd64".to_string(), Some(12)),
                ("linux/arm/v7".to_string(), None)
            ]
        );
        assert!(platform_layer_totals(&image(None)).is_empty());
    }
}
