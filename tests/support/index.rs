//! Docker manifest lists and OCI indexes, built from images (and other
//! indexes) that are kept alongside, because a registry only accepts an index
//! whose children it already has: pushing an [`Index`] pushes its children
//! first (see `push.rs`).

use std::collections::BTreeMap;

use serde::Serialize;
use shared::descriptor::Descriptor;
use shared::platform::Platform;

use crate::attestation::{attestation_entry, attestation_for};
use crate::blob::{Blob, json_blob};
use crate::image::{Format, Image};

/// What an index entry points at.
#[derive(Debug, Clone)]
pub enum Child {
    Image(Box<Image>),
    Index(Index),
}

impl Child {
    pub fn manifest(&self) -> &Blob {
        match self {
            Child::Image(image) => &image.manifest,
            Child::Index(index) => &index.manifest,
        }
    }
}

/// A built index: its exact bytes, the entries as listed (same order), and
/// the child each entry points at.
#[derive(Debug, Clone)]
pub struct Index {
    pub manifest: Blob,
    pub entries: Vec<Descriptor>,
    pub children: Vec<Child>,
    pub annotations: BTreeMap<String, String>,
}

impl Index {
    pub fn descriptor(&self) -> Descriptor {
        self.manifest.descriptor()
    }

    /// The child listed at `digest`.
    pub fn child(&self, digest: &shared::digest::Digest) -> Option<&Child> {
        self.children
            .iter()
            .find(|c| &c.manifest().digest == digest)
    }

    /// The image child listed at `digest` (panics in tests when it is not one).
    pub fn image(&self, digest: &shared::digest::Digest) -> &Image {
        match self.child(digest) {
            Some(Child::Image(image)) => image,
            other => panic!("{digest} is not an image child of this index: {other:?}"),
        }
    }
}

/// Entries are listed in the order they are added.
#[derive(Debug, Clone)]
pub struct IndexBuilder {
    format: Format,
    entries: Vec<Descriptor>,
    children: Vec<Child>,
    annotations: BTreeMap<String, String>,
    artifact_type: Option<String>,
    subject: Option<Descriptor>,
}

impl IndexBuilder {
    pub fn new(format: Format) -> IndexBuilder {
        IndexBuilder {
            format,
            entries: Vec::new(),
            children: Vec::new(),
            annotations: BTreeMap::new(),
            artifact_type: None,
            subject: None,
        }
    }

    /// An entry with the image's platform.
    pub fn image(self, image: Image) -> IndexBuilder {
        let entry = image.entry();
        self.entry(entry, Child::Image(Box::new(image)))
    }

    /// An entry with the image's platform and these entry annotations.
    pub fn image_annotated(self, image: Image, annotations: &[(&str, &str)]) -> IndexBuilder {
        let mut entry = image.entry();
        for (k, v) in annotations {
            entry.annotations.insert(k.to_string(), v.to_string());
        }
        self.entry(entry, Child::Image(Box::new(image)))
    }

    /// The image and, after it, its BuildKit-style attestation manifest.
    pub fn attested_image(self, image: Image) -> IndexBuilder {
        let attestation = attestation_for(&image);
        let entry = attestation_entry(&attestation, &image.manifest);
        self.image(image)
            .entry(entry, Child::Image(Box::new(attestation)))
    }

    /// A nested index, optionally with a platform on its entry.
    pub fn index(self, index: Index, platform: Option<Platform>) -> IndexBuilder {
        let entry = Descriptor {
            platform,
            ..index.descriptor()
        };
        self.entry(entry, Child::Index(index))
    }

    /// Any entry: `descriptor` is listed exactly as given.
    pub fn entry(mut self, descriptor: Descriptor, child: Child) -> IndexBuilder {
        self.entries.push(descriptor);
        self.children.push(child);
        self
    }

    pub fn annotation(mut self, key: &str, value: &str) -> IndexBuilder {
        self.annotations.insert(key.to_string(), value.to_string());
        self
    }

    pub fn artifact_type(mut self, artifact_type: &str) -> IndexBuilder {
        self.artifact_type = Some(artifact_type.to_string());
        self
    }

    pub fn subject(mut self, subject: Descriptor) -> IndexBuilder {
        self.subject = Some(subject);
        self
    }

    pub fn build(self) -> Index {
        let media_type = self.format.index_media_type();
        let json = IndexJson {
            schema_version: 2,
            media_type: media_type.to_string(),
            artifact_type: self.artifact_type,
            manifests: self.entries.clone(),
            subject: self.subject,
            annotations: self.annotations.clone(),
        };
        Index {
            manifest: json_blob(media_type, &json),
            entries: self.entries,
            children: self.children,
            annotations: self.annotations,
        }
    }
}

/// An index / manifest list with the fields in image-spec order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexJson {
    schema_version: u32,
    media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
    manifests: Vec<Descriptor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<Descriptor>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}
