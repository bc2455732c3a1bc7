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
    attestation_with(&[(SLSA_PROVENANCE, statement)])
}

/// An attestation manifest holding these in-toto statements, one layer
/// each, annotated with its predicate type as buildx does.
pub fn attestation_with(statements: &[(&str, serde_json::Value)]) -> Image {
    let layers: Vec<Blob> = statements
        .iter()
        .map(|(_, statement)| json_blob(IN_TOTO_JSON, statement))
        .collect();
    let diff_ids: Vec<String> = layers.iter().map(|l| l.digest.to_string()).collect();
    let config = json_blob(
        media_type::OCI_CONFIG,
        &json!({
            "architecture": "unknown",
            "os": "unknown",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }),
    );
    let layer_descriptors: Vec<Descriptor> = layers
        .iter()
        .zip(statements)
        .map(|(layer, (predicate_type, _))| {
            let mut d = layer.descriptor();
            d.annotations
                .insert(PREDICATE_TYPE.to_string(), predicate_type.to_string());
            d
        })
        .collect();
    let manifest = ImageManifestJson {
        schema_version: 2,
        media_type: media_type::OCI_MANIFEST.to_string(),
        artifact_type: None,
        config: config.descriptor(),
        layers: layer_descriptors.clone(),
        subject: None,
        annotations: BTreeMap::new(),
    };
    Image {
        manifest: json_blob(media_type::OCI_MANIFEST, &manifest),
        config,
        layers,
        layer_descriptors,
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
