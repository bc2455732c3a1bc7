//! Manifests parsed from the exact bytes a registry sent.
//!
//! The raw bytes are kept beside the parsed value: they are what the digest is
//! over, what the raw view shows, and what a push copies. Nothing is ever
//! re-serialized to compute a digest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::descriptor::Descriptor;
use crate::digest::{Digest, DigestError};
use crate::media_type::Kind;

/// A manifest of any kind, with its bytes, digest and effective media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub raw: Vec<u8>,
    /// sha256 of `raw` (or the algorithm of the expected digest when verified).
    pub digest: Digest,
    /// From the body's `mediaType`, else the Content-Type, else inferred.
    pub media_type: String,
    pub body: ManifestBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestBody {
    Index(Index),
    Image(ImageManifest),
    Schema1(Schema1),
}

/// OCI index / Docker manifest list. Field order as image-spec's Go struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// OCI image manifest / Docker schema2 manifest (artifacts included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// Docker schema1 (legacy, read-only): what there is to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema1 {
    pub name: String,
    pub tag: String,
    pub architecture: String,
    /// Layer digests (`fsLayers[].blobSum`), top-most first as in the manifest.
    pub fs_layers: Vec<Digest>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    // e.g. NotJson{line, column, message}, MissingField{field},
    // UnsupportedSchemaVersion, UnknownMediaType{media_type},
    // MediaTypeConflict{header, body}, Digest(DigestError), ...
    #[error(transparent)]
    Digest(#[from] DigestError),
}

impl Manifest {
    /// Parse and classify `raw`. `content_type` is the registry's Content-Type
    /// header, if any; the body's `mediaType` wins when both are present.
    pub fn parse(_raw: Vec<u8>, _content_type: Option<&str>) -> Result<Self, ManifestError> {
        todo!()
    }
    /// `parse`, after checking that `raw` hashes to `expected`.
    pub fn parse_verified(
        _raw: Vec<u8>,
        _content_type: Option<&str>,
        _expected: &Digest,
    ) -> Result<Self, ManifestError> {
        todo!()
    }
    pub fn kind(&self) -> Kind {
        match self.body {
            ManifestBody::Index(_) => Kind::Index,
            ManifestBody::Image(_) => Kind::Image,
            ManifestBody::Schema1(_) => Kind::Schema1,
        }
    }
    pub fn size(&self) -> u64 {
        self.raw.len() as u64
    }
    /// The raw bytes as text (manifests are JSON, so UTF-8; lossy otherwise).
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}
