//! The small test content the check writes: two images (Docker schema 2 and
//! OCI), a Docker manifest list, an OCI index with annotations, an index of
//! that index, and an artifact whose `subject` is the OCI image. Every
//! object carries the run's nonce, so two checks of one repository never
//! share content (and deleting one run's content cannot hit another's).

use serde_json::json;

use crate::digest::Digest;
use crate::media_type;

/// The `artifactType` of the check's artifact.
pub const ARTIFACT_TYPE: &str = "application/vnd.manifest-web.check.v1";
/// The annotation every index of the check carries (the run's nonce).
pub const NONCE_ANNOTATION: &str = "io.manifest-web.check";

/// The tags the check pushes (all start with `mw-check-`, nothing else of
/// the repository is touched).
pub const TAG_DOCKER: &str = "mw-check-docker";
pub const TAG_OCI: &str = "mw-check-oci";
pub const TAG_LIST: &str = "mw-check-list";
pub const TAG_INDEX: &str = "mw-check-index";
pub const TAG_NESTED: &str = "mw-check-nested";

/// One object: exact bytes, their digest and media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub bytes: Vec<u8>,
    pub digest: Digest,
    pub media_type: &'static str,
}

impl Object {
    fn new(bytes: Vec<u8>, media_type: &'static str) -> Object {
        Object {
            digest: Digest::sha256(&bytes),
            bytes,
            media_type,
        }
    }

    fn json(value: serde_json::Value, media_type: &'static str) -> Object {
        // A Value with string keys always serializes.
        Object::new(serde_json::to_vec(&value).unwrap_or_default(), media_type)
    }

    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn descriptor(&self) -> serde_json::Value {
        json!({"mediaType": self.media_type, "digest": self.digest.to_string(), "size": self.size()})
    }
}

/// Everything one run writes.
#[derive(Debug, Clone)]
pub struct TestContent {
    /// Uploaded in one PUT.
    pub layer: Object,
    /// Uploaded in two PATCHes: the chunks, and the whole.
    pub chunks: [Vec<u8>; 2],
    pub chunked: Object,
    pub empty: Object,
    pub docker_config: Object,
    pub oci_config: Object,
    pub docker_image: Object,
    pub oci_image: Object,
    pub docker_list: Object,
    pub oci_index: Object,
    pub nested_index: Object,
    pub artifact: Object,
    /// The referrers tag-schema index listing the artifact (pushed only when
    /// the registry does not answer `OCI-Subject`).
    pub fallback_index: Object,
}

impl TestContent {
    pub fn new(nonce: &str) -> TestContent {
        let layer = Object::new(
            format!("manifest-web registry check {nonce}: layer\n").into_bytes(),
            media_type::OCI_LAYER_TAR,
        );
        let chunks = [
            format!("manifest-web registry check {nonce}: first chunk\n").into_bytes(),
            format!("manifest-web registry check {nonce}: second chunk\n").into_bytes(),
        ];
        let chunked = Object::new(chunks.concat(), media_type::OCI_LAYER_TAR);
        let empty = Object::new(b"{}".to_vec(), media_type::OCI_EMPTY);
        let config = |arch: &str, media: &'static str| {
            Object::json(
                json!({
                    "architecture": arch,
                    "os": "linux",
                    "config": {"Labels": {NONCE_ANNOTATION: nonce}},
                    "rootfs": {"type": "layers", "diff_ids": [layer.digest.to_string()]},
                }),
                media,
            )
        };
        let docker_config = config("amd64", media_type::DOCKER_CONFIG);
        let oci_config = config("arm64", media_type::OCI_CONFIG);
        let docker_layer = json!({"mediaType": media_type::DOCKER_LAYER, "digest": layer.digest.to_string(), "size": layer.size()});
        let docker_image = Object::json(
            json!({
                "schemaVersion": 2,
                "mediaType": media_type::DOCKER_MANIFEST,
                "config": docker_config.descriptor(),
                "layers": [docker_layer],
            }),
            media_type::DOCKER_MANIFEST,
        );
        let oci_image = Object::json(
            json!({
                "schemaVersion": 2,
                "mediaType": media_type::OCI_MANIFEST,
                "config": oci_config.descriptor(),
                "layers": [layer.descriptor()],
            }),
            media_type::OCI_MANIFEST,
        );
        let with_platform = |o: &Object, arch: &str| {
            let mut d = o.descriptor();
            d["platform"] = json!({"architecture": arch, "os": "linux"});
            d
        };
        let docker_list = Object::json(
            json!({
                "schemaVersion": 2,
                "mediaType": media_type::DOCKER_MANIFEST_LIST,
                "manifests": [with_platform(&docker_image, "amd64")],
            }),
            media_type::DOCKER_MANIFEST_LIST,
        );
        let oci_index = Object::json(
            json!({
                "schemaVersion": 2,
                "mediaType": media_type::OCI_INDEX,
                "manifests": [with_platform(&oci_image, "arm64"), with_platform(&docker_image, "amd64")],
                "annotations": {
                    NONCE_ANNOTATION: nonce,
                    "org.opencontainers.image.description": "manifest-web registry check",
                },
            }),
            media_type::OCI_INDEX,
        );
        let nested_index = Object::json(
            json!({
                "schemaVersion": 2,
                "mediaType": media_type::OCI_INDEX,
                "manifests": [oci_index.descriptor()],
                "annotations": {NONCE_ANNOTATION: nonce},
            }),
            media_type::OCI_INDEX,
        );
        let artifact = Object::json(
            json!({
                "schemaVersion": 2,
                "mediaType": media_type::OCI_MANIFEST,
                "artifactType": ARTIFACT_TYPE,
                "config": empty.descriptor(),
                "layers": [empty.descriptor()],
                "subject": oci_image.descriptor(),
                "annotations": {NONCE_ANNOTATION: nonce},
            }),
            media_type::OCI_MANIFEST,
        );
        let mut listed = artifact.descriptor();
        listed["artifactType"] = json!(ARTIFACT_TYPE);
        let fallback_index = Object::json(
            json!({
                "schemaVersion": 2,
                "mediaType": media_type::OCI_INDEX,
                "manifests": [listed],
            }),
            media_type::OCI_INDEX,
        );
        TestContent {
            layer,
            chunks,
            chunked,
            empty,
            docker_config,
            oci_config,
            docker_image,
            oci_image,
            docker_list,
            oci_index,
            nested_index,
            artifact,
            fallback_index,
        }
    }

    /// The tag the referrers tag schema uses for the OCI image.
    pub fn fallback_tag(&self) -> String {
        crate::api::referrers_tag(&self.oci_image.digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    #[test]
    fn every_manifest_parses_and_names_what_exists() {
        let c = TestContent::new("n1");
        for object in [
            &c.docker_image,
            &c.oci_image,
            &c.docker_list,
            &c.oci_index,
            &c.nested_index,
            &c.artifact,
            &c.fallback_index,
        ] {
            Manifest::parse(object.bytes.clone(), Some(object.media_type))
                .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&object.bytes)));
        }
        let text = String::from_utf8(c.artifact.bytes.clone()).unwrap();
        assert!(text.contains(&c.oci_image.digest.to_string()), "{text}");
        assert_eq!(c.chunked.bytes.len(), c.chunks[0].len() + c.chunks[1].len());
        assert!(c.fallback_tag().starts_with("sha256-"));
    }

    #[test]
    fn two_runs_share_nothing() {
        let (a, b) = (TestContent::new("a"), TestContent::new("b"));
        assert_ne!(a.layer.digest, b.layer.digest);
        assert_ne!(a.chunked.digest, b.chunked.digest);
        assert_ne!(a.docker_image.digest, b.docker_image.digest);
        assert_ne!(a.artifact.digest, b.artifact.digest);
    }
}
