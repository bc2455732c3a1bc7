//! `GET /api/v1/inspect?ref=REFERENCE`: what is inside an image reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::media_type::Kind;
use crate::platform::Platform;

use super::{ApiError, AuthInfo, RateLimitInfo};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectResponse {
    /// Normalized reference, e.g. `docker.io/library/golang:1.17`.
    pub reference: String,
    pub registry: String,
    pub repository: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Digest of `raw`, verified against what was asked for.
    pub digest: Digest,
    pub media_type: String,
    pub kind: Kind,
    /// Length of `raw` in bytes.
    pub size: u64,
    /// The root manifest exactly as the registry sent it.
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Index / manifest list: one entry per child, with its own config/layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<EntryView>>,
    /// Image manifest: its config descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Descriptor>,
    /// Image manifest: its layers (schema1: synthesized from fsLayers, size 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<Descriptor>>,
    /// Image manifest: the essentials of its config blob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    /// Image manifest: its config blob exactly as the registry sent it
    /// (verified against the config digest), for the raw view. Absent when
    /// the config is not an image config or is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_raw: Option<String>,
    /// Where the credentials for the registry came from (none: anonymous).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthInfo>,
    /// The registry's pull quota after this inspection (Docker Hub's
    /// `ratelimit-remaining`), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitInfo>,
}

/// One entry of an index, with what its child manifest holds.
///
/// On the wire the descriptor's fields sit beside the entry's own (it is
/// serialized with `flatten`); it is read back through [`EntryViewWire`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "EntryViewWire")]
pub struct EntryView {
    /// The descriptor exactly as listed in the index.
    #[serde(flatten)]
    pub descriptor: Descriptor,
    /// What the child turned out to be (a nested index is `index`).
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<Descriptor>>,
    /// An image child: the essentials of its config blob (fetched and
    /// verified with the child), so each platform's config can be shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    /// A nested index: how many entries it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_count: Option<usize>,
    /// The child could not be fetched or read; the rest of the index still shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

/// [`EntryView`] as it is read: one flat struct with the descriptor's fields
/// and the entry's. Deserializing `#[serde(flatten)]` buffers every entry
/// into serde's generic `Content` tree and compiles the descriptor's reader
/// a second time against it, which is a large part of the page's wasm; a
/// flat struct reads the same JSON directly.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryViewWire {
    media_type: String,
    digest: Digest,
    size: u64,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    artifact_type: Option<String>,
    kind: Kind,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    image_config: Option<ImageConfig>,
    #[serde(default)]
    child_count: Option<usize>,
    #[serde(default)]
    error: Option<ApiError>,
}

impl From<EntryViewWire> for EntryView {
    fn from(w: EntryViewWire) -> Self {
        EntryView {
            descriptor: Descriptor {
                media_type: w.media_type,
                digest: w.digest,
                size: w.size,
                urls: w.urls,
                annotations: w.annotations,
                platform: w.platform,
                artifact_type: w.artifact_type,
            },
            kind: w.kind,
            config: w.config,
            layers: w.layers,
            image_config: w.image_config,
            child_count: w.child_count,
            error: w.error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorCode;

    fn descriptor(media_type: &str, content: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.into(),
            digest: Digest::sha256(content),
            size: content.len() as u64,
            urls: vec![],
            annotations: BTreeMap::new(),
            platform: None,
            artifact_type: None,
        }
    }

    /// The descriptor as `flatten` put it: its fields beside the entry's.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct FlattenedEntry {
        #[serde(flatten)]
        descriptor: Descriptor,
        kind: Kind,
        #[serde(default)]
        child_count: Option<usize>,
    }

    #[test]
    fn entries_are_flat_on_the_wire_and_read_back_whole() {
        let full = EntryView {
            descriptor: Descriptor {
                urls: vec!["https://example.invalid/blob".into()],
                annotations: BTreeMap::from([("org.example.k".into(), "v".into())]),
                platform: Some(Platform {
                    architecture: "arm".into(),
                    os: "linux".into(),
                    variant: Some("v7".into()),
                    os_version: Some("10.0.1".into()),
                    os_features: vec!["win32k".into()],
                    features: vec!["sse4".into()],
                }),
                artifact_type: Some("application/example".into()),
                ..descriptor(crate::media_type::OCI_MANIFEST, b"child")
            },
            kind: Kind::Image,
            config: Some(descriptor(crate::media_type::OCI_CONFIG, b"config")),
            layers: Some(vec![descriptor(
                crate::media_type::OCI_LAYER_GZIP,
                b"layer",
            )]),
            image_config: Some(ImageConfig {
                architecture: "arm".into(),
                os: "linux".into(),
                ..ImageConfig::default()
            }),
            child_count: None,
            error: Some(ApiError::new(ErrorCode::NotFound, "gone")),
        };
        let nested = EntryView {
            descriptor: descriptor(crate::media_type::OCI_INDEX, b"nested"),
            kind: Kind::Index,
            config: None,
            layers: None,
            image_config: None,
            child_count: Some(2),
            error: None,
        };
        for entry in [full, nested] {
            let json = serde_json::to_value(&entry).unwrap();
            assert_eq!(json["mediaType"], entry.descriptor.media_type.as_str());
            assert_eq!(json["digest"], entry.descriptor.digest.to_string());
            assert!(json.get("descriptor").is_none());
            let back: EntryView = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(back, entry);
            // Read the way `flatten` reads it, the same JSON gives the same parts.
            let flattened: FlattenedEntry = serde_json::from_value(json).unwrap();
            assert_eq!(flattened.descriptor, entry.descriptor);
            assert_eq!(flattened.kind, entry.kind);
            assert_eq!(flattened.child_count, entry.child_count);
        }
    }

    #[test]
    fn entries_ignore_unknown_fields_and_need_the_descriptor() {
        let digest = Digest::sha256(b"x");
        let json = format!(
            r#"{{"mediaType":"{}","digest":"{digest}","size":1,"kind":"image","future":1}}"#,
            crate::media_type::OCI_MANIFEST
        );
        let entry: EntryView = serde_json::from_str(&json).unwrap();
        assert_eq!(entry.descriptor.digest, digest);
        assert_eq!(entry.descriptor.platform, None);
        let no_digest = r#"{"mediaType":"m","size":1,"kind":"image"}"#;
        let err = serde_json::from_str::<EntryView>(no_digest).unwrap_err();
        assert!(err.to_string().contains("digest"), "{err}");
    }
}
