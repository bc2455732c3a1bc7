//! `GET /api/v1/inspect?ref=REFERENCE`: what is inside an image reference.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::media_type::Kind;

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
    /// Where the credentials for the registry came from (none: anonymous).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthInfo>,
    /// The registry's pull quota after this inspection (Docker Hub's
    /// `ratelimit-remaining`), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitInfo>,
}

/// One entry of an index, with what its child manifest holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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
