//! Which of an index's entries the page lists, and in which order: the
//! filter box and the sort selector above the entries. Page-only behaviour,
//! so it lives with the page rather than in the model crate.

use shared::api::{EntryView, IndexContent};
use shared::inspect::{EntryGroup, entry_layer_total, entry_platform};

/// Does an entry match what was typed in the filter box? Every
/// whitespace-separated word must appear (case-insensitively) in its
/// platform (`linux/arm/v7`, `windows/amd64:10.0.17763.2565`) or media type.
///
/// Case is folded for ASCII only: platform values and media types are ASCII
/// by their specs, and full Unicode lowercasing would put its conversion
/// tables (about 14 KB) into the page for no match it could add.
pub fn entry_matches(e: &EntryView, query: &str) -> bool {
    let haystack =
        format!("{} {}", entry_platform(e), e.descriptor.media_type).to_ascii_lowercase();
    query
        .split_whitespace()
        .all(|word| haystack.contains(&word.to_ascii_lowercase()))
}

/// How the entries list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EntryOrder {
    /// As listed in the index.
    #[default]
    Index,
    /// By platform string (`linux/amd64` before `linux/arm64`).
    Platform,
    /// Largest compressed size first; unread children last.
    Size,
}

impl EntryOrder {
    /// The value used in the page's sort selector.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryOrder::Index => "index",
            EntryOrder::Platform => "platform",
            EntryOrder::Size => "size",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "platform" => EntryOrder::Platform,
            "size" => EntryOrder::Size,
            _ => EntryOrder::Index,
        }
    }
}

/// The positions of the entries to show: those of `groups` whose entry
/// matches `query`, in `order` (ties keep index order).
pub fn visible_positions(
    index: &IndexContent,
    groups: &[EntryGroup],
    query: &str,
    order: EntryOrder,
) -> Vec<usize> {
    let entries = &index.manifests;
    let mut positions: Vec<usize> = groups
        .iter()
        .map(|g| g.position)
        .filter(|p| entries.get(*p).is_some_and(|e| entry_matches(e, query)))
        .collect();
    // One comparator type for both orders: each `sort_by_key` would compile
    // its own copy of the (large) stable sort into the page.
    let platform =
        |a: &usize, b: &usize| entry_platform(&entries[*a]).cmp(&entry_platform(&entries[*b]));
    let size = |a: &usize, b: &usize| {
        let layers =
            |p: &usize| entry_layer_total(index, &entries[*p]).map_or(0, |t| t.saturating_add(1));
        layers(b).cmp(&layers(a))
    };
    let compare: &dyn Fn(&usize, &usize) -> std::cmp::Ordering = match order {
        EntryOrder::Index => return positions,
        EntryOrder::Platform => &platform,
        EntryOrder::Size => &size,
    };
    positions.sort_by(compare);
    positions
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use shared::api::ChildView;
    use shared::attestation::{ATTESTATION_MANIFEST, REFERENCE_DIGEST, REFERENCE_TYPE};
    use shared::inspect::group_attestations;
    use shared::media_type;
    use shared::{Descriptor, Digest, Platform};

    use super::*;

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

    /// `e`'s child read, holding `layers`.
    fn read(index: &mut IndexContent, e: &EntryView, layers: Vec<Descriptor>) {
        let child = ChildView {
            layers: Some(layers),
            ..ChildView::new(media_type::Kind::Image)
        };
        index.children.insert(e.descriptor.digest.clone(), child);
    }

    #[test]
    fn filter_and_sort_entries() {
        let amd = entry("amd", Some("linux/amd64"));
        let win = entry("win", Some("windows/amd64:10.0.17763.2565"));
        let arm = entry("arm", Some("linux/arm/v7"));
        let att = attestation(&amd);
        let mut index = IndexContent {
            manifests: vec![win.clone(), att, amd.clone(), arm],
            ..IndexContent::default()
        };
        read(&mut index, &amd, vec![layer(50)]);
        read(&mut index, &win, vec![layer(900)]);
        let groups = group_attestations(&index).entries;
        assert_eq!(
            visible_positions(&index, &groups, "", EntryOrder::Index),
            [0, 2, 3]
        );
        assert_eq!(
            visible_positions(&index, &groups, "AMD64", EntryOrder::Index),
            [0, 2]
        );
        assert_eq!(
            visible_positions(&index, &groups, "linux amd", EntryOrder::Index),
            [2]
        );
        assert_eq!(
            visible_positions(&index, &groups, "17763", EntryOrder::Index),
            [0]
        );
        assert!(visible_positions(&index, &groups, "mips", EntryOrder::Index).is_empty());
        assert_eq!(
            visible_positions(&index, &groups, "", EntryOrder::Platform),
            [2, 3, 0]
        );
        assert_eq!(
            visible_positions(&index, &groups, "", EntryOrder::Size),
            [0, 2, 3]
        );
        // Ties keep index order, whichever the order.
        let twin = entry("twin", Some("linux/amd64"));
        let mut tied = index.clone();
        tied.manifests.push(twin.clone());
        read(&mut tied, &twin, vec![layer(50)]);
        let groups = group_attestations(&tied).entries;
        assert_eq!(
            visible_positions(&tied, &groups, "", EntryOrder::Platform),
            [2, 4, 3, 0]
        );
        assert_eq!(
            visible_positions(&tied, &groups, "", EntryOrder::Size),
            [0, 2, 4, 3]
        );
        for o in [EntryOrder::Index, EntryOrder::Platform, EntryOrder::Size] {
            assert_eq!(EntryOrder::parse(o.as_str()), o);
        }
        assert_eq!(EntryOrder::parse("junk"), EntryOrder::Index);
    }
}
