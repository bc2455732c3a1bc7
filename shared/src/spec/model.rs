//! The push spec as people write it: manifest-tool's YAML keys, plus our
//! optional `type`, `ignoreMissing`, `expect` and per-entry `annotations`.
//!
//! Every field is kept as the text that was typed (references and platforms
//! are not parsed here) so that a half-filled form, a YAML file and a JSON
//! body all round-trip unchanged and validation can point at the exact field
//! that is wrong. One serde derive serves JSON and YAML alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[cfg(feature = "yaml")]
use super::text;

/// What kind of index to build: manifest-tool's `--type` flag, or (the
/// default) decided by the plan from the sources, so a spec manifest-tool
/// pushes is pushed here too whatever its sources are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexType {
    /// No type given: a Docker manifest list when every entry is a Docker
    /// schema 2 image and nothing needs an OCI index, an OCI index otherwise.
    #[default]
    Auto,
    /// A Docker manifest list: Docker schema2 children only, no annotations.
    Docker,
    /// An OCI image index: OCI or Docker children, annotations allowed.
    Oci,
}

impl IndexType {
    /// `auto` / `docker` / `oci`, as written in a spec.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexType::Auto => "auto",
            IndexType::Docker => "docker",
            IndexType::Oci => "oci",
        }
    }
    fn is_default(&self) -> bool {
        *self == IndexType::Auto
    }
}

/// A manifest-tool push spec (`push from-spec`), as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PushSpec {
    /// The target reference the index is pushed to (`registry/repo:tag`).
    #[serde(default)]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text"))]
    pub image: String,
    /// Extra tags the same index is also pushed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text_list"))]
    pub tags: Vec<String>,
    /// The sources, in index order.
    #[serde(default)]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::null_default"))]
    pub manifests: Vec<SpecEntry>,
    /// Index annotations (OCI only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text_map"))]
    pub annotations: BTreeMap<String, String>,
    /// `docker`, `oci`, or (when absent) decided from the sources.
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "IndexType::is_default"
    )]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::null_default"))]
    pub index_type: IndexType,
    /// Skip (with a warning) sources that do not exist instead of failing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::null_default"))]
    pub ignore_missing: bool,
    /// Our extension for safe edits: the digest (`sha256:...`) the target
    /// tag must still point at when the tag is written; the push stops
    /// before any tag write when it points elsewhere. Empty: no check.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text"))]
    pub expect: String,
}

/// One source image and the platform it is listed under.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpecEntry {
    /// The source reference (tag or digest); may itself be an index.
    #[serde(default)]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text"))]
    pub image: String,
    /// The platform to list it under; empty fields are filled from the
    /// source's config.
    #[serde(default, skip_serializing_if = "SpecPlatform::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::null_default"))]
    pub platform: SpecPlatform,
    /// Descriptor annotations for this entry (OCI only; our extension).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text_map"))]
    pub annotations: BTreeMap<String, String>,
}

/// A platform as manifest-tool's YAML spells it: Go's yaml.v3 lowercases the
/// field names of image-spec's `Platform`, hence `osversion`/`osfeatures`
/// (not `os.version`). An empty string means "not given".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecPlatform {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text"))]
    pub architecture: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text"))]
    pub os: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text"))]
    pub variant: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text"))]
    pub osversion: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text_list"))]
    pub osfeatures: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "yaml", serde(deserialize_with = "text::text_list"))]
    pub features: Vec<String>,
}

impl SpecPlatform {
    /// Nothing given: the platform comes entirely from the source.
    pub fn is_empty(&self) -> bool {
        *self == SpecPlatform::default()
    }
    /// From a parsed platform (e.g. `linux/arm/v7` in a template).
    pub fn from_platform(p: &crate::platform::Platform) -> Self {
        SpecPlatform {
            architecture: p.architecture.clone(),
            os: p.os.clone(),
            variant: p.variant.clone().unwrap_or_default(),
            osversion: p.os_version.clone().unwrap_or_default(),
            osfeatures: p.os_features.clone(),
            features: p.features.clone(),
        }
    }
    /// The platform as given (empty fields stay empty / `None`).
    pub fn to_platform(&self) -> crate::platform::Platform {
        fn opt(s: &str) -> Option<String> {
            (!s.is_empty()).then(|| s.to_string())
        }
        crate::platform::Platform {
            architecture: self.architecture.clone(),
            os: self.os.clone(),
            os_version: opt(&self.osversion),
            os_features: self.osfeatures.clone(),
            variant: opt(&self.variant),
            features: self.features.clone(),
        }
    }
}
