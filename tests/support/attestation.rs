//! BuildKit-style attestation manifests: an OCI manifest holding an in-toto
//! statement, listed in an index as `unknown/unknown` with annotations naming
//! the image it attests. Real indexes on Docker Hub are full of them, and the
//! page must show them as attestations, not as a platform.

use std::collections::BTreeMap;

use serde_json::json;
use shared::descriptor::Descriptor;
use shared::media_type;
use shared::platform::Platform;

use crate::blob::{Blob, json_blob};
use crate::image::{Image, ImageManifestJson};

pub const IN_TOTO_JSON: &str = "application/vnd.in-toto+json";
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
pub const ATTESTATION_MANIFEST: &str = "attestation-manifest";
const PREDICATE_TYPE: &str = "in-toto.io/predicate-type";
const SLSA_PROVENANCE: &str = "https://slsa.dev/provenance/v0.2";

/// The attestation manifest for `image` (deterministic: made from its digest).
pub fn attestation_for(image: &Image) -> Image {
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": SLSA_PROVENANCE,
        "subject": [{"name": "_", "digest": {"sha256": image.manifest.digest.hex()}}],
        "predicate": {"builder": {"id": "manifest-web-tests"}, "buildType": "https://mobyproject.org/buildkit@v1"},
    });
    let layer = json_blob(IN_TOTO_JSON, &statement);
    let config = json_blob(
        media_type::OCI_CONFIG,
        &json!({
            "architecture": "unknown",
            "os": "unknown",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [layer.digest.to_string()]},
        }),
    );
    let mut layer_descriptor = layer.descriptor();
    layer_descriptor
        .annotations
        .insert(PREDICATE_TYPE.to_string(), SLSA_PROVENANCE.to_string());
    let manifest = ImageManifestJson {
        schema_version: 2,
        media_type: media_type::OCI_MANIFEST.to_string(),
        artifact_type: None,
        config: config.descriptor(),
        layers: vec![layer_descriptor.clone()],
        subject: None,
        annotations: BTreeMap::new(),
    };
    Image {
        manifest: json_blob(media_type::OCI_MANIFEST, &manifest),
        config,
        layers: vec![layer],
        layer_descriptors: vec![layer_descriptor],
        platform: Some(Platform::new("unknown", "unknown", None)),
        spec: None,
    }
}

/// The index entry for an attestation manifest of the image `attested`.
pub fn attestation_entry(attestation: &Image, attested: &Blob) -> Descriptor {
    let mut entry = attestation.entry();
    entry
        .annotations
        .insert(REFERENCE_DIGEST.to_string(), attested.digest.to_string());
    entry
        .annotations
        .insert(REFERENCE_TYPE.to_string(), ATTESTATION_MANIFEST.to_string());
    entry
}
