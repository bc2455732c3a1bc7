//! `GET /api/v1/referrers?ref=REPOSITORY@DIGEST`: what points at a manifest
//! through its `subject` (signatures, SBOMs, attestations pushed as OCI 1.1
//! artifacts).
//!
//! Registries with the OCI 1.1 referrers API answer it directly; older ones
//! (distribution 2.8 among them) only have what clients such as oras and
//! cosign maintain by hand: an index tagged `sha256-<hex>` listing the
//! referrers. The answer says which of the two it came from.

use serde::{Deserialize, Serialize};

use crate::descriptor::Descriptor;
use crate::digest::Digest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferrersSource {
    /// `GET /v2/<name>/referrers/<digest>`.
    Api,
    /// The `sha256-<hex>` tag (the referrers tag schema).
    TagSchema,
    /// Neither exists: nothing refers to it (as far as can be told).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferrersResponse {
    /// Normalized `registry/repository@digest`.
    pub reference: String,
    /// The manifest the referrers are about.
    pub subject: Digest,
    pub source: ReferrersSource,
    /// One descriptor per referrer, with its `artifactType` when given.
    pub referrers: Vec<Descriptor>,
}

/// The tag the referrers tag schema uses for `digest`: `sha256-<hex>`
/// (`<alg>-<hex>`, truncated to the 128 characters a tag may have).
pub fn referrers_tag(digest: &Digest) -> String {
    let mut tag = format!("{}-{}", digest.algorithm(), digest.hex());
    tag.truncate(128);
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_schema_name() {
        let d = Digest::sha256(b"x");
        let tag = referrers_tag(&d);
        assert_eq!(tag, format!("sha256-{}", d.hex()));
        assert_eq!(tag.len(), 7 + 64);
    }
}
