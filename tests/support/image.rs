//! Single-platform test images (Docker schema2 or OCI), built in memory from a
//! description: seeded layers, a config blob carrying the essentials the proxy
//! summarizes (platform incl. Windows `os.version`, created, Env, Cmd,
//! Entrypoint, Labels, history), and the manifest pointing at them.
//!
//! The tests compare the proxy's answer with these values, so everything a
//! test asserts on is kept here next to the bytes that were pushed.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use shared::descriptor::Descriptor;
use shared::media_type;
use shared::platform::Platform;

use crate::blob::{Blob, json_blob};
use crate::layer::seeded_layer;

/// Docker (schema2, manifest list) or OCI (image manifest, index) media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docker,
    Oci,
}

impl Format {
    pub fn manifest_media_type(self) -> &'static str {
        match self {
            Format::Docker => media_type::DOCKER_MANIFEST,
            Format::Oci => media_type::OCI_MANIFEST,
        }
    }
    pub fn index_media_type(self) -> &'static str {
        match self {
            Format::Docker => media_type::DOCKER_MANIFEST_LIST,
            Format::Oci => media_type::OCI_INDEX,
        }
    }
    pub fn config_media_type(self) -> &'static str {
        match self {
            Format::Docker => media_type::DOCKER_CONFIG,
            Format::Oci => media_type::OCI_CONFIG,
        }
    }
    pub fn layer_media_type(self) -> &'static str {
        match self {
            Format::Docker => media_type::DOCKER_LAYER,
            Format::Oci => media_type::OCI_LAYER_GZIP,
        }
    }
}

/// What an image should contain. Start from [`ImageSpec::new`] and change
/// fields; `build` is deterministic.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    pub format: Format,
    pub platform: Platform,
    /// Different seeds give different layer bytes (and so different digests).
    pub seed: u64,
    pub layers: usize,
    /// Random bytes per layer (before compression).
    pub layer_size: usize,
    pub created: String,
    pub author: Option<String>,
    pub env: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: String,
    pub labels: BTreeMap<String, String>,
    /// Manifest annotations (OCI only; Docker schema2 has none).
    pub annotations: BTreeMap<String, String>,
}

impl ImageSpec {
    /// `platform` as `os/arch[/variant][:os.version]`, e.g. `linux/arm/v7` or
    /// `windows/amd64:10.0.17763.2565`.
    ///
    /// # Panics
    /// On a malformed platform string (a bug in the test).
    pub fn new(format: Format, platform: &str, seed: u64) -> ImageSpec {
        let platform =
            Platform::parse(platform).unwrap_or_else(|e| panic!("test platform `{platform}`: {e}"));
        let mut labels = BTreeMap::new();
        labels.insert(
            "org.opencontainers.image.title".to_string(),
            format!("manifest-web test image {seed}"),
        );
        labels.insert("org.example.platform".to_string(), platform.to_string());
        ImageSpec {
            format,
            seed,
            layers: 2,
            layer_size: 2048,
            created: "2024-03-01T12:00:00Z".to_string(),
            author: None,
            env: vec![
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
                format!("IMAGE_SEED={seed}"),
            ],
            entrypoint: vec!["/docker-entrypoint.sh".to_string()],
            cmd: vec![
                "serve".to_string(),
                "--port".to_string(),
                "8080".to_string(),
            ],
            working_dir: "/srv".to_string(),
            labels,
            annotations: BTreeMap::new(),
            platform,
        }
    }

    pub fn build(&self) -> Image {
        let layers: Vec<_> = (0..self.layers)
            .map(|i| {
                seeded_layer(
                    self.format.layer_media_type(),
                    self.seed,
                    i,
                    self.layer_size,
                )
            })
            .collect();
        let config_json = self.config_json(&layers);
        let config = json_blob(self.format.config_media_type(), &config_json);
        let layer_blobs: Vec<Blob> = layers.into_iter().map(|l| l.blob).collect();
        let layer_descriptors: Vec<Descriptor> = layer_blobs.iter().map(Blob::descriptor).collect();
        let manifest = ImageManifestJson {
            schema_version: 2,
            media_type: self.format.manifest_media_type().to_string(),
            artifact_type: None,
            config: config.descriptor(),
            layers: layer_descriptors.clone(),
            subject: None,
            annotations: match self.format {
                Format::Oci => self.annotations.clone(),
                Format::Docker => BTreeMap::new(),
            },
        };
        Image {
            manifest: json_blob(self.format.manifest_media_type(), &manifest),
            config,
            layers: layer_blobs,
            layer_descriptors,
            platform: Some(self.platform.clone()),
            spec: Some(self.clone()),
        }
    }

    fn config_json(&self, layers: &[crate::layer::Layer]) -> Value {
        let mut history: Vec<Value> = layers
            .iter()
            .map(|l| {
                json!({
                    "created": self.created,
                    "created_by": format!("/bin/sh -c #(nop) ADD file:{} in / ", l.diff_id.hex()),
                })
            })
            .collect();
        history.push(json!({
            "created": self.created,
            "created_by": format!("/bin/sh -c #(nop)  CMD {:?}", self.cmd),
            "empty_layer": true,
        }));
        let mut config = json!({
            "architecture": self.platform.architecture,
            "os": self.platform.os,
            "created": self.created,
            "config": {
                "Env": self.env,
                "Entrypoint": self.entrypoint,
                "Cmd": self.cmd,
                "WorkingDir": self.working_dir,
                "Labels": self.labels,
            },
            "rootfs": {
                "type": "layers",
                "diff_ids": layers.iter().map(|l| l.diff_id.to_string()).collect::<Vec<_>>(),
            },
            "history": history,
        });
        let object = config
            .as_object_mut()
            .expect("the config literal is an object");
        if let Some(variant) = &self.platform.variant {
            object.insert("variant".into(), json!(variant));
        }
        if let Some(os_version) = &self.platform.os_version {
            object.insert("os.version".into(), json!(os_version));
        }
        if let Some(author) = &self.author {
            object.insert("author".into(), json!(author));
        }
        config
    }
}

/// A built manifest with everything it references. Also used for artifacts
/// and attestation manifests (then `platform` and `spec` are `None`).
#[derive(Debug, Clone)]
pub struct Image {
    pub manifest: Blob,
    pub config: Blob,
    pub layers: Vec<Blob>,
    /// The layer descriptors exactly as the manifest lists them.
    pub layer_descriptors: Vec<Descriptor>,
    /// What an index entry for this image says it runs on.
    pub platform: Option<Platform>,
    /// The description it was built from (for asserting on config values).
    pub spec: Option<ImageSpec>,
}

impl Image {
    /// The manifest's descriptor (no platform): for subjects and by-digest use.
    pub fn descriptor(&self) -> Descriptor {
        self.manifest.descriptor()
    }

    /// The descriptor an index lists for this image: with its platform.
    pub fn entry(&self) -> Descriptor {
        Descriptor {
            platform: self.platform.clone(),
            ..self.manifest.descriptor()
        }
    }

    /// Every blob the manifest references, config first.
    pub fn blobs(&self) -> impl Iterator<Item = &Blob> {
        std::iter::once(&self.config).chain(self.layers.iter())
    }
}

/// An image manifest (Docker schema2 or OCI, artifacts included), with the
/// fields in image-spec order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifestJson {
    pub schema_version: u32,
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}
