//! A piece of content as it is pushed: its exact bytes, their digest and media
//! type. Everything the tests build is held as a `Blob` so that the digest in
//! every descriptor is the digest of the bytes that go over the wire; nothing
//! is ever serialized a second time.

use shared::descriptor::Descriptor;
use shared::digest::Digest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub digest: Digest,
}

impl Blob {
    pub fn new(media_type: &str, bytes: Vec<u8>) -> Blob {
        let digest = Digest::sha256(&bytes);
        Blob {
            media_type: media_type.to_string(),
            bytes,
            digest,
        }
    }

    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// `{mediaType, digest, size}` pointing at these bytes.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.size(),
            urls: Vec::new(),
            annotations: Default::default(),
            platform: None,
            artifact_type: None,
        }
    }

    /// `{mediaType, digest, size}` as JSON, for documents written by hand
    /// (the attack registry's).
    pub fn descriptor_json(&self) -> serde_json::Value {
        serde_json::json!({"mediaType": self.media_type, "digest": self.digest.to_string(), "size": self.size()})
    }

    /// The bytes as text (manifests and configs are UTF-8 JSON).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Serialize a JSON document once, pretty-printed so that a proxy that
/// re-serialized it would visibly change the bytes.
pub fn json_blob(media_type: &str, value: &impl serde::Serialize) -> Blob {
    let bytes = serde_json::to_vec_pretty(value).expect("test documents always serialize");
    Blob::new(media_type, bytes)
}
