//! `GET /api/v1/inspect?ref=REFERENCE`: what is inside an image reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::media_type::Kind;
use crate::platform::Platform;
use crate::reference::Reference;

use super::{ApiError, AuthInfo, RateLimitInfo};

/// The answer: a header every kind of manifest has, and what the root
/// manifest holds by kind in [`Content`] (the one place that says whether it
/// is an index).
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
    /// Length of `raw` in bytes.
    pub size: u64,
    /// The root manifest exactly as the registry sent it.
    pub raw: String,
    /// The root's `artifactType` (index or image manifest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The root's annotations (index or image manifest).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The root's `subject` (index or image manifest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// What the root holds, by kind.
    pub content: Content,
    /// Where the credentials for the registry came from (none: anonymous).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthInfo>,
    /// The registry's pull quota after this inspection (Docker Hub's
    /// `ratelimit-remaining`), when it says. Volatile: only on answers that
    /// are revalidated (`Cache-Control: no-cache`), never on one a browser
    /// keeps for a year (an answer by digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitInfo>,
}

/// What a root manifest holds, by kind. On the wire it is externally tagged
/// (`{"index": {...}}`): read directly, unlike an internally or adjacently
/// tagged enum, whose reader buffers the object into serde's generic
/// `Content` tree first (see [`EntryViewWire`] for what that costs the page).
///
/// An artifact is not a kind of its own: it is an image manifest (or an
/// index) with an `artifactType` or a config that is not an image config,
/// and is shown as one.
// One per answer, built once: boxing the image would only make building
// and matching clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Content {
    /// An OCI index or Docker manifest list.
    Index(IndexContent),
    /// An OCI image manifest or Docker schema 2 manifest (artifacts too).
    Image(ImageContent),
    /// A Docker schema 1 manifest (read-only, legacy).
    Schema1(Schema1Content),
}

/// An index / manifest list: one entry per listed descriptor, and what each
/// distinct child holds, once, keyed by its digest.
///
/// An index may list one child a thousand times; each entry naming it
/// refers to the one description in `children` instead of carrying a copy,
/// so the answer grows with unique content, not with the entry count.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexContent {
    pub manifests: Vec<EntryView>,
    /// What each child that was read holds, by its digest.
    #[serde(default)]
    pub children: ChildViews,
}

/// The children of an index by digest; on the wire a JSON object
/// (`{"sha256:...": {...}}`), in the order the index first names them.
///
/// A list searched in order rather than a `BTreeMap`: a map of its own key
/// and value types compiles its tree code (insert, search, drop) into the
/// page once more, about 2 KB gzipped, for a few hundred children at most.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChildViews(Vec<(Digest, ChildView)>);

impl ChildViews {
    /// No children.
    pub const EMPTY: ChildViews = ChildViews(Vec::new());

    /// The child with this digest.
    pub fn get(&self, digest: &Digest) -> Option<&ChildView> {
        self.0.iter().find(|(d, _)| d == digest).map(|(_, c)| c)
    }

    /// Add (or replace) the child with this digest.
    pub fn insert(&mut self, digest: Digest, child: ChildView) {
        match self.0.iter_mut().find(|(d, _)| *d == digest) {
            Some((_, held)) => *held = child,
            None => self.0.push((digest, child)),
        }
    }

    /// The child with this digest, to fill in later (its config).
    pub fn get_mut(&mut self, digest: &Digest) -> Option<&mut ChildView> {
        self.0.iter_mut().find(|(d, _)| d == digest).map(|(_, c)| c)
    }

    /// Take the child with this digest out.
    pub fn remove(&mut self, digest: &Digest) -> Option<ChildView> {
        let at = self.0.iter().position(|(d, _)| d == digest)?;
        Some(self.0.remove(at).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Digests and children, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (&Digest, &ChildView)> {
        self.0.iter().map(|(d, c)| (d, c))
    }
}

impl Serialize for ChildViews {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for ChildViews {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ChildViews;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of children by digest")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ChildViews, A::Error> {
                // A JSON object's keys are distinct (a repeated one: the
                // first is found).
                let mut children = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    children.push(entry);
                }
                Ok(ChildViews(children))
            }
        }
        d.deserialize_map(Visitor)
    }
}

impl IndexContent {
    /// What `entry`'s child holds: `None` when it was not read or the entry
    /// has an error of its own (a wrong size: its claim does not hold, even
    /// if another entry's naming the same digest does).
    pub fn child(&self, entry: &EntryView) -> Option<&ChildView> {
        match entry.error {
            Some(_) => None,
            None => self.children.get(&entry.descriptor.digest),
        }
    }
}

/// What one child manifest of an index holds, shared by every entry that
/// names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildView {
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
}

/// Read by hand, not derived: a derived reader (with its field-name
/// visitor and its reader for arrays, which a child never is) costs the
/// page several hundred bytes gzipped more than this loop over keys.
impl<'de> Deserialize<'de> for ChildView {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ChildView;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a child manifest's details")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ChildView, A::Error> {
                let mut kind = None;
                let mut child = ChildView::new(Kind::Unknown);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "kind" => kind = Some(map.next_value()?),
                        "config" => child.config = map.next_value()?,
                        "layers" => child.layers = map.next_value()?,
                        "imageConfig" => child.image_config = map.next_value()?,
                        "childCount" => child.child_count = map.next_value()?,
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                child.kind = kind.ok_or_else(|| serde::de::Error::missing_field("kind"))?;
                Ok(child)
            }
        }
        d.deserialize_map(Visitor)
    }
}

impl ChildView {
    /// A child of `kind` with nothing described yet.
    pub fn new(kind: Kind) -> Self {
        ChildView {
            kind,
            config: None,
            layers: None,
            image_config: None,
            child_count: None,
        }
    }
}

/// An image manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageContent {
    /// Its config descriptor.
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    /// The essentials of its config blob; absent when the config is not an
    /// image config (an artifact's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    /// Its config blob exactly as the registry sent it (verified against the
    /// config digest), for the raw view. Absent when the config is not an
    /// image config or is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_raw: Option<String>,
}

/// A schema 1 manifest: its layers, synthesized from `fsLayers` (size 0:
/// schema 1 does not say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema1Content {
    pub layers: Vec<Descriptor>,
}

impl InspectResponse {
    /// The one way to build an answer (the proxy's and every test's): the
    /// header from `reference` and the root's verified `digest`, media type
    /// and bytes; no annotations, credentials or quota until set.
    pub fn new(
        reference: &Reference,
        digest: Digest,
        media_type: impl Into<String>,
        raw: &[u8],
        content: Content,
    ) -> Self {
        InspectResponse {
            reference: reference.to_string(),
            registry: reference.registry().to_string(),
            repository: reference.repository().to_string(),
            tag: reference.tag().map(str::to_string),
            digest,
            media_type: media_type.into(),
            size: raw.len() as u64,
            raw: String::from_utf8_lossy(raw).into_owned(),
            artifact_type: None,
            annotations: BTreeMap::new(),
            subject: None,
            content,
            auth: None,
            rate_limit: None,
        }
    }

    /// What kind of manifest the root is (never [`Kind::Unknown`]).
    pub fn kind(&self) -> Kind {
        match self.content {
            Content::Index(_) => Kind::Index,
            Content::Image(_) => Kind::Image,
            Content::Schema1(_) => Kind::Schema1,
        }
    }

    /// An index's entries; `None` for any other kind.
    pub fn entries(&self) -> Option<&[EntryView]> {
        self.index().map(|index| &index.manifests[..])
    }

    /// An index's entries and children; `None` for any other kind.
    pub fn index(&self) -> Option<&IndexContent> {
        match &self.content {
            Content::Index(index) => Some(index),
            _ => None,
        }
    }

    /// An image manifest's config and layers; `None` for any other kind.
    pub fn image(&self) -> Option<&ImageContent> {
        match &self.content {
            Content::Image(image) => Some(image),
            _ => None,
        }
    }

    /// The root's own layers (an image's, or schema 1's); `None` for an index.
    pub fn layers(&self) -> Option<&[Descriptor]> {
        match &self.content {
            Content::Index(_) => None,
            Content::Image(image) => Some(&image.layers),
            Content::Schema1(s1) => Some(&s1.layers),
        }
    }
}

impl ImageContent {
    /// An image whose config blob was not read (yet).
    pub fn new(config: Descriptor, layers: Vec<Descriptor>) -> Self {
        ImageContent {
            config,
            layers,
            image_config: None,
            config_raw: None,
        }
    }
}

/// One entry of an index: the descriptor as listed, and the kind of child
/// it names; what that child holds is in [`IndexContent::children`], under
/// the descriptor's digest (see [`IndexContent::child`]).
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
    /// This entry could not be read (its child failed, or its own claim
    /// about it, such as its size, is wrong); the rest of the index still
    /// shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

impl EntryView {
    /// An entry as the index lists it, its child not read (yet): the kind
    /// its media type names, nothing else.
    pub fn new(descriptor: Descriptor) -> Self {
        EntryView {
            kind: crate::media_type::kind_of(&descriptor.media_type),
            descriptor,
            error: None,
        }
    }
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
            error: Some(ApiError::new(ErrorCode::NotFound, "gone")),
        };
        let nested = EntryView::new(descriptor(crate::media_type::OCI_INDEX, b"nested"));
        assert_eq!(nested.kind, Kind::Index, "the kind its media type names");
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
        }
    }

    /// Entries name their child by digest; the child's details are in
    /// `children` once, however many entries name it.
    #[test]
    fn children_are_held_once_and_referred_to_by_digest() {
        use crate::media_type::*;
        let child = descriptor(OCI_MANIFEST, b"child");
        let mut wrong_size = child.clone();
        wrong_size.size += 1;
        let mut bad = EntryView::new(wrong_size);
        bad.error = Some(ApiError::new(ErrorCode::DigestMismatch, "wrong size"));
        let details = ChildView {
            config: Some(descriptor(OCI_CONFIG, b"config")),
            layers: Some(vec![descriptor(OCI_LAYER_GZIP, b"layer")]),
            image_config: Some(ImageConfig {
                architecture: "arm".into(),
                os: "linux".into(),
                ..ImageConfig::default()
            }),
            ..ChildView::new(Kind::Image)
        };
        let index = IndexContent {
            manifests: vec![
                EntryView::new(child.clone()),
                EntryView::new(child.clone()),
                bad.clone(),
            ],
            children: ChildViews::default(),
        };
        let mut index = index;
        index.children.insert(child.digest.clone(), details.clone());
        assert_eq!(index.child(&index.manifests[0]), Some(&details));
        assert_eq!(index.child(&index.manifests[1]), Some(&details));
        assert_eq!(index.child(&bad), None, "its own error hides the child");
        let json = serde_json::to_value(&index).unwrap();
        let children = json["children"].as_object().unwrap();
        assert_eq!(children.len(), 1);
        let shared = &children[&child.digest.to_string()];
        assert_eq!(shared["kind"], "image");
        assert_eq!(shared["imageConfig"]["architecture"], "arm");
        assert_eq!(shared["layers"].as_array().unwrap().len(), 1);
        for entry in json["manifests"].as_array().unwrap() {
            for gone in ["config", "layers", "imageConfig", "childCount"] {
                assert!(entry.get(gone).is_none(), "{gone}");
            }
        }
        let back: IndexContent = serde_json::from_value(json).unwrap();
        assert_eq!(back, index);
        // A child is read by hand: unknown fields ignored, its kind needed.
        let child: ChildView =
            serde_json::from_str(r#"{"kind":"index","childCount":2,"future":[1]}"#).unwrap();
        assert_eq!(
            child,
            ChildView {
                child_count: Some(2),
                ..ChildView::new(Kind::Index)
            }
        );
        let err = serde_json::from_str::<ChildView>(r#"{"childCount":2}"#).unwrap_err();
        assert!(err.to_string().contains("kind"), "{err}");
        let empty: IndexContent = serde_json::from_str(r#"{"manifests":[]}"#).unwrap();
        assert_eq!(empty, IndexContent::default());
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

    fn answer(media_type: &str, content: Content) -> InspectResponse {
        let reference = Reference::parse("localhost:5000/x:1").unwrap();
        InspectResponse::new(
            &reference,
            Digest::sha256(b"{}"),
            media_type,
            b"{}",
            content,
        )
    }

    /// The kind is the key of `content`, and only what that kind has is there.
    #[test]
    fn each_kind_has_its_own_content() {
        use crate::media_type::*;
        let entry = EntryView::new(descriptor(OCI_MANIFEST, b"child"));
        let index = answer(
            OCI_INDEX,
            Content::Index(IndexContent {
                manifests: vec![entry.clone()],
                ..IndexContent::default()
            }),
        );
        let image = answer(
            OCI_MANIFEST,
            Content::Image(ImageContent::new(
                descriptor(OCI_CONFIG, b"config"),
                vec![descriptor(OCI_LAYER_GZIP, b"layer")],
            )),
        );
        let schema1 = answer(
            DOCKER_SCHEMA1_SIGNED,
            Content::Schema1(Schema1Content { layers: Vec::new() }),
        );
        for (r, kind, key) in [
            (&index, Kind::Index, "index"),
            (&image, Kind::Image, "image"),
            (&schema1, Kind::Schema1, "schema1"),
        ] {
            assert_eq!(r.kind(), kind);
            let json = serde_json::to_value(r).unwrap();
            let content = json["content"].as_object().unwrap();
            assert_eq!(content.keys().collect::<Vec<_>>(), [key]);
            for header in [
                "reference",
                "registry",
                "repository",
                "tag",
                "digest",
                "mediaType",
                "size",
                "raw",
            ] {
                assert!(json.get(header).is_some(), "{key}: {header}");
            }
            for gone in [
                "kind",
                "manifests",
                "config",
                "layers",
                "imageConfig",
                "rateLimit",
                "auth",
            ] {
                assert!(json.get(gone).is_none(), "{key}: {gone}");
            }
            let back: InspectResponse = serde_json::from_value(json).unwrap();
            assert_eq!(&back, r);
        }
        assert_eq!(index.entries(), Some(std::slice::from_ref(&entry)));
        assert_eq!((index.image(), index.layers()), (None, None));
        assert_eq!(image.entries(), None);
        assert_eq!(image.layers().map(<[_]>::len), Some(1));
        assert_eq!(schema1.layers(), Some(&[][..]));
        assert_eq!(schema1.image(), None);
        let json = serde_json::to_value(&image).unwrap();
        assert_eq!(
            json["content"]["image"]["config"]["digest"],
            Digest::sha256(b"config").to_string()
        );
        assert!(json["content"]["image"].get("imageConfig").is_none());
    }

    #[test]
    fn the_header_comes_from_the_reference_and_the_root_bytes() {
        let pinned = Reference::parse(&format!(
            "docker.io/library/alpine@{}",
            Digest::sha256(b"x")
        ))
        .unwrap();
        let r = InspectResponse::new(
            &pinned,
            Digest::sha256(b"x"),
            crate::media_type::OCI_INDEX,
            b"0123456789",
            Content::Index(IndexContent::default()),
        );
        assert_eq!(r.reference, pinned.to_string());
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/alpine")
        );
        assert_eq!(r.tag, None);
        assert_eq!((r.size, r.raw.as_str()), (10, "0123456789"));
        assert_eq!((r.auth.as_ref(), r.rate_limit.as_ref()), (None, None));
        assert!(r.annotations.is_empty() && r.subject.is_none() && r.artifact_type.is_none());
    }
}
