//! OCI artifacts (image-spec 1.1): a manifest with `artifactType`, the empty
//! config `{}`, and optionally a `subject` pointing at the image it describes.
//! Registries store the bytes as they are; the proxy must report
//! `artifactType` and `subject` from them.

use std::collections::BTreeMap;

use shared::descriptor::Descriptor;
use shared::media_type;

use crate::blob::{Blob, json_blob};
use crate::image::{Image, ImageManifestJson};

/// The SPDX media type the demo SBOM uses for both artifactType and its layer.
pub const SPDX_JSON: &str = "application/spdx+json";

#[derive(Debug, Clone)]
pub struct ArtifactSpec {
    pub artifact_type: String,
    pub subject: Option<Descriptor>,
    /// Layers as (media type, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    pub annotations: BTreeMap<String, String>,
}

impl ArtifactSpec {
    /// A small SPDX SBOM naming `name`, attached to `subject` when given.
    pub fn sbom(name: &str, subject: Option<Descriptor>) -> ArtifactSpec {
        let document = serde_json::json!({
            "spdxVersion": "SPDX-2.3",
            "dataLicense": "CC0-1.0",
            "SPDXID": "SPDXRef-DOCUMENT",
            "name": name,
            "documentNamespace": format!("https://example.invalid/spdx/{name}"),
            "creationInfo": {"created": "2024-03-01T12:00:00Z", "creators": ["Tool: manifest-web-tests"]},
            "packages": [{"name": name, "SPDXID": "SPDXRef-Package", "downloadLocation": "NOASSERTION"}],
        });
        let bytes = serde_json::to_vec_pretty(&document).expect("a JSON literal serializes");
        let mut annotations = BTreeMap::new();
        annotations.insert(
            "org.opencontainers.image.created".to_string(),
            "2024-03-01T12:00:00Z".to_string(),
        );
        ArtifactSpec {
            artifact_type: SPDX_JSON.to_string(),
            subject,
            files: vec![(SPDX_JSON.to_string(), bytes)],
            annotations,
        }
    }

    pub fn build(&self) -> Image {
        let config = Blob::new(media_type::OCI_EMPTY, b"{}".to_vec());
        let layers: Vec<Blob> = self
            .files
            .iter()
            .map(|(media_type, bytes)| Blob::new(media_type, bytes.clone()))
            .collect();
        let layer_descriptors: Vec<Descriptor> = layers.iter().map(Blob::descriptor).collect();
        let manifest = ImageManifestJson {
            schema_version: 2,
            media_type: media_type::OCI_MANIFEST.to_string(),
            artifact_type: Some(self.artifact_type.clone()),
            config: config.descriptor(),
            layers: layer_descriptors.clone(),
            subject: self.subject.clone(),
            annotations: self.annotations.clone(),
        };
        Image {
            manifest: json_blob(media_type::OCI_MANIFEST, &manifest),
            config,
            layers,
            layer_descriptors,
            platform: None,
            spec: None,
        }
    }
}
