//! `GET /api/v1/attestation?ref=REPOSITORY@DIGEST`: what an attestation
//! manifest (buildx's `unknown/unknown` entries) or a referrer artifact
//! (an SBOM, provenance, a signature) says, document by document.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::statement::DocumentView;

/// `GET {ATTESTATION_PATH}?ref=REPOSITORY@DIGEST` -> [`AttestationResponse`].
pub const ATTESTATION_PATH: &str = "/api/v1/attestation";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationResponse {
    /// `registry/repository@digest`, normalized.
    pub reference: String,
    pub digest: Digest,
    /// The manifest's artifact type (or config media type for an artifact
    /// written the older way), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// What it attests, when it says (`subject`, or buildx's
    /// `vnd.docker.reference.digest` annotation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Digest>,
    /// A signature (cosign, Notation) is named as what it is; it is not
    /// verified here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// One per layer, in order.
    pub documents: Vec<AttestationDocument>,
}

/// One layer of the manifest and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationDocument {
    pub digest: Digest,
    pub media_type: String,
    pub size: u64,
    /// The layer's `in-toto.io/predicate-type` annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// The document, read (fetched, size capped, digest verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<DocumentView>,
    /// Why it was not read: too large to render, not a document we read
    /// (a signature blob), or the fetch failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}
