//! Platforms: what an index entry runs on.
//!
//! The wire type is our own because oci-spec 0.10 drops `os.version` and
//! `os.features` (it expects `os_version`), and Windows images are unusable
//! without `os.version`. Field order follows the image-spec Go struct, so the
//! index bytes we build look like every other tool's.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(rename = "os.version", default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    // e.g. Empty, MissingArchitecture{input}, TooManyParts{input},
    // UnknownOsArch{os, arch}, UnknownVariant{arch, variant, known: String} ...
    #[error("the platform is empty: expected os/arch[/variant], e.g. linux/arm64 or linux/arm/v7")]
    Empty,
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        Platform {
            architecture: architecture.to_string(),
            os: os.to_string(),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_string),
            ..Platform::default()
        }
    }
    /// Parse `linux/arm/v7`, `windows/amd64:10.0.17763.2565`, `linux/amd64`.
    pub fn parse(_s: &str) -> Result<Self, PlatformError> {
        todo!()
    }
    /// `unknown/unknown`: the platform BuildKit gives attestation manifests.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }
    /// Check the os/arch pair and the variant against the OCI platform
    /// conventions (GOOS/GOARCH values; arm v5-v8, arm64 v8/v9.x, amd64 v1-v4...).
    pub fn validate_known(&self) -> Result<(), PlatformError> {
        todo!()
    }
    /// The identity used to find duplicate entries in an index: os, arch,
    /// variant (normalized: arm64 `v8` equals none) and os.version.
    pub fn identity(&self) -> String {
        todo!()
    }
}

/// `linux/arm/v7`, `windows/amd64:10.0.17763.2565`.
impl fmt::Display for Platform {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}

impl FromStr for Platform {
    type Err = PlatformError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::parse(s)
    }
}
