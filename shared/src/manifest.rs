//! Manifests parsed from the exact bytes a registry sent.
//!
//! The raw bytes are kept beside the parsed value: they are what the digest is
//! over, what the raw view shows, and what a push copies. Nothing is ever
//! re-serialized to compute a digest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::descriptor::Descriptor;
use crate::digest::{Digest, DigestError};
use crate::json_error::message_without_position;
use crate::media_type::{self, Kind};
use crate::platform::Platform;

/// A manifest of any kind, with its bytes, digest and effective media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub raw: Vec<u8>,
    /// sha256 of `raw` (or the algorithm of the expected digest when verified).
    pub digest: Digest,
    /// From the body's `mediaType`, else the Content-Type, else inferred.
    pub media_type: String,
    pub body: ManifestBody,
}

// Few of these exist at a time (one per fetched manifest); boxing would only
// make every match noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestBody {
    Index(Index),
    Image(ImageManifest),
    Schema1(Schema1),
}

/// OCI index / Docker manifest list. Field order as image-spec's Go struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// OCI image manifest / Docker schema2 manifest (artifacts included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// Docker schema1 (legacy, read-only): what there is to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema1 {
    pub name: String,
    pub tag: String,
    pub architecture: String,
    /// Layer digests (`fsLayers[].blobSum`), top-most first as in the manifest.
    pub fs_layers: Vec<Digest>,
}

/// Why bytes are not a manifest we can read, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("the manifest is not valid JSON (line {line}, column {column}): {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the manifest is JSON but not an object: it is {found}")]
    NotAnObject { found: &'static str },
    #[error("`{field}` is missing: the {kind} format requires it")]
    MissingField { field: String, kind: &'static str },
    #[error("`{field}` should be {expected}, but it is {found}")]
    WrongType {
        field: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("`schemaVersion` is {found}, but the {kind} format requires schemaVersion {expected}")]
    UnsupportedSchemaVersion {
        found: String,
        expected: u32,
        kind: &'static str,
    },
    #[error(
        "`{media_type}` ({kind}) is not a manifest media type: expected an OCI image index or manifest, a Docker manifest list, or a Docker schema 2 or schema 1 manifest"
    )]
    UnknownMediaType {
        media_type: String,
        kind: &'static str,
    },
    #[error(
        "cannot tell what kind of manifest this is: it has no `mediaType`, the Content-Type {content_type} does not name a manifest type, and it has neither `manifests` (an index), `config` (an image manifest) nor schemaVersion 1"
    )]
    CannotInfer { content_type: String },
    #[error("`{field}` is not a valid digest: {source}")]
    InvalidDigest {
        field: String,
        #[source]
        source: DigestError,
    },
    #[error("`{field}` is invalid: {message}")]
    InvalidField { field: String, message: String },
    #[error(transparent)]
    Digest(#[from] DigestError),
}

type Object = serde_json::Map<String, Value>;

/// A JSON value's type, for "expected X, but it is Y" messages.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `manifests[3]` + `digest` = `manifests[3].digest`.
fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The field, treating `null` as absent (Go writes nil slices and maps so).
fn optional<'a>(obj: &'a Object, name: &str) -> Option<&'a Value> {
    obj.get(name).filter(|v| !v.is_null())
}

/// Reads the fields of one JSON object at `path`, for one kind of document.
struct Fields<'a> {
    obj: &'a Object,
    path: &'a str,
    kind: &'static str,
}

impl<'a> Fields<'a> {
    fn required(&self, name: &str) -> Result<&'a Value, ManifestError> {
        optional(self.obj, name).ok_or_else(|| ManifestError::MissingField {
            field: join(self.path, name),
            kind: self.kind,
        })
    }
    fn wrong_type(&self, name: &str, expected: &'static str, v: &Value) -> ManifestError {
        ManifestError::WrongType {
            field: join(self.path, name),
            expected,
            found: json_type(v),
        }
    }
    fn string(&self, name: &str) -> Result<Option<String>, ManifestError> {
        match optional(self.obj, name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong_type(name, "a string", v)),
        }
    }
    fn required_string(&self, name: &str) -> Result<String, ManifestError> {
        match self.required(name)? {
            Value::String(s) => Ok(s.clone()),
            v => Err(self.wrong_type(name, "a string", v)),
        }
    }
    /// An array that may be absent or null (then empty).
    fn array(&self, name: &str) -> Result<&'a [Value], ManifestError> {
        match optional(self.obj, name) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(v) => Err(self.wrong_type(name, "an array", v)),
        }
    }
    fn digest(&self, name: &str) -> Result<Digest, ManifestError> {
        let text = self.required_string(name)?;
        Digest::parse(&text).map_err(|source| ManifestError::InvalidDigest {
            field: join(self.path, name),
            source,
        })
    }
    fn annotations(&self) -> Result<BTreeMap<String, String>, ManifestError> {
        let Some(v) = optional(self.obj, "annotations") else {
            return Ok(BTreeMap::new());
        };
        let Value::Object(map) = v else {
            return Err(self.wrong_type("annotations", "an object of strings", v));
        };
        map.iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(ManifestError::WrongType {
                    field: format!("{}[\"{k}\"]", join(self.path, "annotations")),
                    expected: "a string",
                    found: json_type(other),
                }),
            })
            .collect()
    }
    fn schema_version(&self, expected: u32) -> Result<u32, ManifestError> {
        let v = self.required("schemaVersion")?;
        match v.as_u64() {
            Some(n) if n == u64::from(expected) => Ok(expected),
            Some(_) => Err(ManifestError::UnsupportedSchemaVersion {
                found: v.to_string(),
                expected,
                kind: self.kind,
            }),
            None if v.is_number() => Err(ManifestError::UnsupportedSchemaVersion {
                found: v.to_string(),
                expected,
                kind: self.kind,
            }),
            None => Err(self.wrong_type("schemaVersion", "an integer", v)),
        }
    }
}

/// A descriptor at `path` (`manifests[3]`, `config`, `subject`...).
fn descriptor_at(v: &Value, path: &str) -> Result<Descriptor, ManifestError> {
    let Value::Object(obj) = v else {
        return Err(ManifestError::WrongType {
            field: path.to_string(),
            expected: "a descriptor object",
            found: json_type(v),
        });
    };
    let f = Fields {
        obj,
        path,
        kind: "descriptor",
    };
    let media_type = f.required_string("mediaType")?;
    let digest = f.digest("digest")?;
    let size_value = f.required("size")?;
    let size = size_value
        .as_u64()
        .ok_or_else(|| f.wrong_type("size", "a non-negative integer", size_value))?;
    let urls = f
        .array("urls")?
        .iter()
        .enumerate()
        .map(|(i, u)| match u {
            Value::String(s) => Ok(s.clone()),
            other => Err(ManifestError::WrongType {
                field: format!("{}[{i}]", join(path, "urls")),
                expected: "a string",
                found: json_type(other),
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let platform = match optional(obj, "platform") {
        None => None,
        Some(p @ Value::Object(_)) => {
            Some(
                Platform::deserialize(p).map_err(|e| ManifestError::InvalidField {
                    field: join(path, "platform"),
                    message: e.to_string(),
                })?,
            )
        }
        Some(other) => return Err(f.wrong_type("platform", "an object", other)),
    };
    Ok(Descriptor {
        media_type,
        digest,
        size,
        urls,
        annotations: f.annotations()?,
        platform,
        artifact_type: f.string("artifactType")?,
    })
}

fn descriptors_at(f: &Fields<'_>, name: &str) -> Result<Vec<Descriptor>, ManifestError> {
    f.array(name)?
        .iter()
        .enumerate()
        .map(|(i, d)| descriptor_at(d, &format!("{}[{i}]", join(f.path, name))))
        .collect()
}

fn optional_descriptor(f: &Fields<'_>, name: &str) -> Result<Option<Descriptor>, ManifestError> {
    optional(f.obj, name)
        .map(|d| descriptor_at(d, &join(f.path, name)))
        .transpose()
}

/// The effective media type: the body's, else the Content-Type's, else
/// inferred from the fields present.
fn effective_media_type(obj: &Object, content_type: Option<&str>) -> Result<String, ManifestError> {
    let body = Fields {
        obj,
        path: "",
        kind: "manifest",
    };
    if let Some(declared) = body.string("mediaType")?.filter(|m| !m.is_empty()) {
        let essence = media_type::essence(&declared).to_string();
        if media_type::kind_of(&essence) == Kind::Unknown {
            return Err(ManifestError::UnknownMediaType {
                kind: media_type::describe(&essence),
                media_type: declared,
            });
        }
        return Ok(essence);
    }
    let header = content_type.map(media_type::essence).unwrap_or("");
    if media_type::kind_of(header) != Kind::Unknown {
        return Ok(header.to_string());
    }
    if optional(obj, "manifests").is_some() {
        Ok(media_type::OCI_INDEX.to_string())
    } else if optional(obj, "config").is_some() {
        Ok(media_type::OCI_MANIFEST.to_string())
    } else if obj.get("schemaVersion").and_then(Value::as_u64) == Some(1) {
        Ok(if obj.contains_key("signatures") {
            media_type::DOCKER_SCHEMA1_SIGNED
        } else {
            media_type::DOCKER_SCHEMA1
        }
        .to_string())
    } else {
        Err(ManifestError::CannotInfer {
            content_type: if header.is_empty() {
                "(none)".to_string()
            } else {
                format!("`{header}`")
            },
        })
    }
}

fn parse_index(obj: &Object, kind: &'static str) -> Result<Index, ManifestError> {
    let f = Fields {
        obj,
        path: "",
        kind,
    };
    let schema_version = f.schema_version(2)?;
    // Required, but `null` is how Go writes an empty list.
    if !obj.contains_key("manifests") {
        return Err(ManifestError::MissingField {
            field: "manifests".into(),
            kind,
        });
    }
    Ok(Index {
        schema_version,
        media_type: f.string("mediaType")?,
        artifact_type: f.string("artifactType")?,
        manifests: descriptors_at(&f, "manifests")?,
        subject: optional_descriptor(&f, "subject")?,
        annotations: f.annotations()?,
    })
}

fn parse_image(obj: &Object, kind: &'static str) -> Result<ImageManifest, ManifestError> {
    let f = Fields {
        obj,
        path: "",
        kind,
    };
    let schema_version = f.schema_version(2)?;
    let config = descriptor_at(f.required("config")?, "config")?;
    Ok(ImageManifest {
        schema_version,
        media_type: f.string("mediaType")?,
        artifact_type: f.string("artifactType")?,
        config,
        layers: descriptors_at(&f, "layers")?,
        subject: optional_descriptor(&f, "subject")?,
        annotations: f.annotations()?,
    })
}

fn parse_schema1(obj: &Object, kind: &'static str) -> Result<Schema1, ManifestError> {
    let f = Fields {
        obj,
        path: "",
        kind,
    };
    f.schema_version(1)?;
    let name = f.required_string("name")?;
    let tag = f.required_string("tag")?;
    let architecture = f.required_string("architecture")?;
    f.required("fsLayers")?;
    let fs_layers = f
        .array("fsLayers")?
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            let path = format!("fsLayers[{i}]");
            let Value::Object(layer) = layer else {
                return Err(ManifestError::WrongType {
                    field: path,
                    expected: "an object with `blobSum`",
                    found: json_type(layer),
                });
            };
            Fields {
                obj: layer,
                path: &path,
                kind,
            }
            .digest("blobSum")
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Schema1 {
        name,
        tag,
        architecture,
        fs_layers,
    })
}

impl Manifest {
    /// Parse and classify `raw`. `content_type` is the registry's Content-Type
    /// header, if any; the body's `mediaType` wins when both are present.
    pub fn parse(raw: Vec<u8>, content_type: Option<&str>) -> Result<Self, ManifestError> {
        let digest = Digest::sha256(&raw);
        Manifest::parse_with_digest(raw, content_type, digest)
    }
    /// `parse`, after checking that `raw` hashes to `expected`.
    pub fn parse_verified(
        raw: Vec<u8>,
        content_type: Option<&str>,
        expected: &Digest,
    ) -> Result<Self, ManifestError> {
        expected.verify(&raw)?;
        Manifest::parse_with_digest(raw, content_type, expected.clone())
    }

    /// `parse` of bytes the caller has already checked hash to `digest`
    /// (a child fetched by digest, verified as it arrived): `digest` is
    /// taken as it is, the bytes are not hashed again.
    pub fn parse_with_digest(
        raw: Vec<u8>,
        content_type: Option<&str>,
        digest: Digest,
    ) -> Result<Self, ManifestError> {
        let value: Value = serde_json::from_slice(&raw).map_err(|e| ManifestError::NotJson {
            line: e.line(),
            column: e.column(),
            message: message_without_position(&e),
        })?;
        let Value::Object(obj) = &value else {
            return Err(ManifestError::NotAnObject {
                found: json_type(&value),
            });
        };
        let media_type = effective_media_type(obj, content_type)?;
        let kind = media_type::describe(&media_type);
        let body = match media_type::kind_of(&media_type) {
            Kind::Index => ManifestBody::Index(parse_index(obj, kind)?),
            Kind::Image => ManifestBody::Image(parse_image(obj, kind)?),
            Kind::Schema1 => ManifestBody::Schema1(parse_schema1(obj, kind)?),
            Kind::Unknown => {
                return Err(ManifestError::UnknownMediaType {
                    media_type,
                    kind: "other",
                });
            }
        };
        Ok(Manifest {
            raw,
            digest,
            media_type,
            body,
        })
    }

    pub fn kind(&self) -> Kind {
        match self.body {
            ManifestBody::Index(_) => Kind::Index,
            ManifestBody::Image(_) => Kind::Image,
            ManifestBody::Schema1(_) => Kind::Schema1,
        }
    }
    pub fn size(&self) -> u64 {
        self.raw.len() as u64
    }
    /// The raw bytes as text (manifests are JSON, so UTF-8; lossy otherwise).
    pub fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media_type::*;
    use proptest::prelude::*;

    const AMD64: &str = "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51";
    const ARM64: &str = "sha256:f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265";
    const ARMV7: &str = "sha256:5ba6c8710dd1369ce61603ab9b7a81b25f92d4a9f74956ab72a7ea75884f07ee";
    const WIN: &str = "sha256:823a3180dad3c9c3c4dea43ab2baf9f04bac9c3a7711745ff5f702551496d735";
    const CFG: &str = "sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8db5079eeb60d82f14894c0";
    const L1: &str = "sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740";
    const L2: &str = "sha256:8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041";
    const ATT: &str = "sha256:f745a15153c4dacf0ea4bbf57265e73283941f8335939b33c693975315cf5916";
    const EMPTY: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    fn d(s: &str) -> Digest {
        Digest::parse(s).unwrap()
    }

    fn docker_list() -> String {
        format!(
            r#"{{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "manifests": [
      {{
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "{AMD64}",
         "platform": {{
            "architecture": "amd64",
            "os": "linux"
         }}
      }},
      {{
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "{ARMV7}",
         "platform": {{
            "architecture": "arm",
            "os": "linux",
            "variant": "v7"
         }}
      }},
      {{
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 1161,
         "digest": "{WIN}",
         "platform": {{
            "architecture": "amd64",
            "os": "windows",
            "os.version": "10.0.17763.2565",
            "os.features": ["win32k"]
         }}
      }}
   ]
}}"#
        )
    }

    fn oci_index() -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{AMD64}","size":1234,"platform":{{"architecture":"amd64","os":"linux"}}}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{ARM64}","size":1234,"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{ATT}","size":839,"annotations":{{"vnd.docker.reference.digest":"{AMD64}","vnd.docker.reference.type":"attestation-manifest"}},"platform":{{"architecture":"unknown","os":"unknown"}}}}],"annotations":{{"org.opencontainers.image.created":"2024-03-01T10:00:00Z","org.opencontainers.image.source":"https://example.invalid/o/r"}}}}"#
        )
    }

    fn docker_manifest() -> String {
        format!(
            r#"{{
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {{
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1472,
      "digest": "{CFG}"
   }},
   "layers": [
      {{
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 3374563,
         "digest": "{L1}"
      }},
      {{
         "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
         "size": 1718332879,
         "digest": "{L2}",
         "urls": ["https://example.invalid/layer"]
      }}
   ]
}}"#
        )
    }

    // No `mediaType` in the body: OCI allows it, the Content-Type says.
    fn oci_manifest() -> String {
        format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{CFG}","size":611}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{L1}","size":2811321}}],"annotations":{{"org.opencontainers.image.base.name":"alpine:3.19"}}}}"#
        )
    }

    fn oci_artifact() -> String {
        format!(
            r#"{{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "artifactType": "application/vnd.example.sbom.v1+json",
  "config": {{
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "{EMPTY}",
    "size": 2,
    "data": "e30="
  }},
  "layers": [
    {{
      "mediaType": "application/vnd.example.sbom.v1+json",
      "digest": "{L2}",
      "size": 4096,
      "annotations": {{ "org.opencontainers.image.title": "sbom.json" }}
    }}
  ],
  "subject": {{
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "{AMD64}",
    "size": 1234
  }},
  "annotations": {{ "org.opencontainers.image.created": "2024-03-01T10:00:00Z" }}
}}"#
        )
    }

    fn schema1_signed() -> String {
        format!(
            r#"{{
   "schemaVersion": 1,
   "name": "library/hello-world",
   "tag": "latest",
   "architecture": "amd64",
   "fsLayers": [
      {{ "blobSum": "{L2}" }},
      {{ "blobSum": "{L1}" }}
   ],
   "history": [
      {{ "v1Compatibility": "{{\"id\":\"a\"}}" }},
      {{ "v1Compatibility": "{{\"id\":\"b\"}}" }}
   ],
   "signatures": [
      {{
         "header": {{ "jwk": {{ "crv": "P-256", "kty": "EC", "x": "x", "y": "y" }}, "alg": "ES256" }},
         "signature": "c2lnbmF0dXJl",
         "protected": "eyJmb3JtYXRMZW5ndGgiOjF9"
      }}
   ]
}}"#
        )
    }

    fn parse(text: &str, content_type: Option<&str>) -> Result<Manifest, ManifestError> {
        Manifest::parse(text.as_bytes().to_vec(), content_type)
    }

    fn index(m: &Manifest) -> &Index {
        match &m.body {
            ManifestBody::Index(i) => i,
            other => panic!("expected an index, got {other:?}"),
        }
    }

    fn image(m: &Manifest) -> &ImageManifest {
        match &m.body {
            ManifestBody::Image(i) => i,
            other => panic!("expected an image manifest, got {other:?}"),
        }
    }

    #[test]
    fn docker_manifest_list_with_windows_entry() {
        let text = docker_list();
        let m = parse(&text, Some(DOCKER_MANIFEST_LIST)).unwrap();
        assert_eq!(m.kind(), Kind::Index);
        assert_eq!(m.media_type, DOCKER_MANIFEST_LIST);
        assert_eq!(m.digest, Digest::sha256(text.as_bytes()));
        assert_eq!(m.size(), text.len() as u64);
        assert_eq!(m.raw_text(), text);
        let i = index(&m);
        assert_eq!(i.schema_version, 2);
        assert_eq!(i.manifests.len(), 3);
        let platforms: Vec<String> = i
            .manifests
            .iter()
            .map(|e| e.platform.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(
            platforms,
            [
                "linux/amd64",
                "linux/arm/v7",
                "windows/amd64:10.0.17763.2565"
            ]
        );
        let win = i.manifests[2].platform.as_ref().unwrap();
        assert_eq!(win.os_features, ["win32k"]);
        assert_eq!(i.manifests[2].digest, d(WIN));
        assert_eq!(i.manifests[2].size, 1161);
        assert_eq!(i.manifests[2].media_type, DOCKER_MANIFEST);
    }

    #[test]
    fn oci_index_with_annotations_and_attestation() {
        let m = parse(&oci_index(), None).unwrap();
        assert_eq!(m.media_type, OCI_INDEX);
        let i = index(&m);
        assert_eq!(i.media_type.as_deref(), Some(OCI_INDEX));
        assert_eq!(
            i.annotations
                .get("org.opencontainers.image.source")
                .map(String::as_str),
            Some("https://example.invalid/o/r")
        );
        let att = &i.manifests[2];
        assert!(att.platform.as_ref().unwrap().is_unknown());
        assert_eq!(
            att.annotations
                .get("vnd.docker.reference.type")
                .map(String::as_str),
            Some("attestation-manifest")
        );
        assert_eq!(
            att.annotations
                .get("vnd.docker.reference.digest")
                .map(String::as_str),
            Some(AMD64)
        );
        assert_eq!(
            i.manifests[1].platform.as_ref().unwrap().variant.as_deref(),
            Some("v8")
        );
    }

    #[test]
    fn docker_schema2_manifest() {
        let m = parse(&docker_manifest(), Some("application/json")).unwrap();
        assert_eq!(m.kind(), Kind::Image);
        assert_eq!(m.media_type, DOCKER_MANIFEST);
        let im = image(&m);
        assert_eq!(im.config.media_type, DOCKER_CONFIG);
        assert_eq!(im.config.digest, d(CFG));
        assert_eq!(im.layers.len(), 2);
        assert_eq!(im.layers[1].size, 1_718_332_879);
        assert_eq!(im.layers[1].urls, ["https://example.invalid/layer"]);
        assert!(is_non_distributable(&im.layers[1].media_type));
        assert_eq!(im.subject, None);
    }

    #[test]
    fn oci_manifest_without_body_media_type_uses_content_type() {
        let m = parse(
            &oci_manifest(),
            Some("application/vnd.oci.image.manifest.v1+json; charset=utf-8"),
        )
        .unwrap();
        assert_eq!(m.media_type, OCI_MANIFEST);
        let im = image(&m);
        assert_eq!(im.media_type, None);
        assert_eq!(im.layers[0].media_type, OCI_LAYER_GZIP);
        assert_eq!(
            im.annotations
                .get("org.opencontainers.image.base.name")
                .map(String::as_str),
            Some("alpine:3.19")
        );
        // Without any header, `config` says it is an image manifest.
        let m = parse(&oci_manifest(), None).unwrap();
        assert_eq!(m.media_type, OCI_MANIFEST);
    }

    #[test]
    fn oci_artifact_with_artifact_type_and_subject() {
        let m = parse(&oci_artifact(), Some(OCI_MANIFEST)).unwrap();
        let im = image(&m);
        assert_eq!(
            im.artifact_type.as_deref(),
            Some("application/vnd.example.sbom.v1+json")
        );
        assert_eq!(im.config.media_type, OCI_EMPTY);
        assert_eq!(im.config.size, 2);
        let subject = im.subject.as_ref().unwrap();
        assert_eq!(subject.digest, d(AMD64));
        assert_eq!(subject.media_type, OCI_MANIFEST);
        assert_eq!(
            im.layers[0]
                .annotations
                .get("org.opencontainers.image.title")
                .map(String::as_str),
            Some("sbom.json")
        );
    }

    #[test]
    fn schema1_signed_and_unsigned() {
        let text = schema1_signed();
        let m = parse(&text, Some(DOCKER_SCHEMA1_SIGNED)).unwrap();
        assert_eq!(m.kind(), Kind::Schema1);
        assert_eq!(m.media_type, DOCKER_SCHEMA1_SIGNED);
        let ManifestBody::Schema1(s1) = &m.body else {
            panic!("expected schema1")
        };
        assert_eq!(s1.name, "library/hello-world");
        assert_eq!(s1.tag, "latest");
        assert_eq!(s1.architecture, "amd64");
        assert_eq!(s1.fs_layers, [d(L2), d(L1)]);
        // Inferred from the body alone.
        assert_eq!(
            parse(&text, None).unwrap().media_type,
            DOCKER_SCHEMA1_SIGNED
        );
        let unsigned = text.replace("\"signatures\"", "\"notsignatures\"");
        assert_eq!(parse(&unsigned, None).unwrap().media_type, DOCKER_SCHEMA1);
        assert_eq!(
            parse(&unsigned, Some(DOCKER_SCHEMA1)).unwrap().kind(),
            Kind::Schema1
        );
    }

    #[test]
    fn body_media_type_wins_over_content_type() {
        let m = parse(&docker_list(), Some(OCI_MANIFEST)).unwrap();
        assert_eq!(m.media_type, DOCKER_MANIFEST_LIST);
        assert_eq!(m.kind(), Kind::Index);
    }

    #[test]
    fn index_inferred_from_manifests_field() {
        let text = oci_index().replace(
            r#""mediaType":"application/vnd.oci.image.index.v1+json","#,
            "",
        );
        assert!(!text.contains(OCI_INDEX));
        let m = parse(&text, Some("application/octet-stream")).unwrap();
        assert_eq!(m.media_type, OCI_INDEX);
        assert_eq!(index(&m).media_type, None);
    }

    #[test]
    fn digest_is_over_the_exact_bytes() {
        let compact = oci_index();
        let value: Value = serde_json::from_str(&compact).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let trailing = format!("{compact}\n");
        let a = parse(&compact, None).unwrap();
        let b = parse(&pretty, None).unwrap();
        let c = parse(&trailing, None).unwrap();
        assert_eq!(a.body, b.body);
        assert_eq!(a.body, c.body);
        assert_ne!(a.digest, b.digest);
        assert_ne!(a.digest, c.digest);
        assert_eq!(a.digest, Digest::sha256(compact.as_bytes()));
        assert_eq!(b.digest, Digest::sha256(pretty.as_bytes()));
        assert_eq!(c.raw, trailing.as_bytes());
    }

    #[test]
    fn parse_verified_checks_the_digest_first() {
        let text = docker_manifest();
        let good = Digest::sha256(text.as_bytes());
        let m = Manifest::parse_verified(text.clone().into_bytes(), None, &good).unwrap();
        assert_eq!(m.digest, good);

        let sha512 = Digest::compute(crate::digest::Algorithm::Sha512, text.as_bytes());
        let m = Manifest::parse_verified(text.clone().into_bytes(), None, &sha512).unwrap();
        assert_eq!(m.digest, sha512);

        let wrong = d(AMD64);
        let err = Manifest::parse_verified(text.clone().into_bytes(), None, &wrong).unwrap_err();
        assert_eq!(
            err,
            ManifestError::Digest(DigestError::Mismatch {
                expected: wrong.clone(),
                actual: good
            })
        );
        // Checked before parsing: garbage with the wrong digest is a mismatch.
        let err = Manifest::parse_verified(b"not json".to_vec(), None, &wrong).unwrap_err();
        assert!(matches!(
            err,
            ManifestError::Digest(DigestError::Mismatch { .. })
        ));
    }

    #[test]
    fn not_json_reports_line_and_column() {
        let err = parse("{\n  \"schemaVersion\": 2,\n  oops\n}", None).unwrap_err();
        match err {
            ManifestError::NotJson { line, column, .. } => {
                assert_eq!(line, 3);
                assert_eq!(column, 3);
            }
            other => panic!("expected NotJson, got {other:?}"),
        }
        let err = parse("", None).unwrap_err();
        assert!(
            matches!(err, ManifestError::NotJson { line: 1, .. }),
            "{err}"
        );
        let err = Manifest::parse(vec![0xff, 0xfe], None).unwrap_err();
        assert!(matches!(err, ManifestError::NotJson { .. }), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");
        assert_eq!(
            parse("[1,2]", None).unwrap_err(),
            ManifestError::NotAnObject { found: "an array" }
        );
    }

    #[test]
    fn missing_required_fields_are_named() {
        let err = parse(&docker_list().replace("\"schemaVersion\": 2,", ""), None).unwrap_err();
        assert_eq!(
            err,
            ManifestError::MissingField {
                field: "schemaVersion".into(),
                kind: "Docker manifest list"
            }
        );
        assert_eq!(
            err.to_string(),
            "`schemaVersion` is missing: the Docker manifest list format requires it"
        );
        let err = parse(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}"#,
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, ManifestError::MissingField { ref field, .. } if field == "manifests")
        );
        let err = parse(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","layers":[]}"#,
            None,
        )
        .unwrap_err();
        assert!(matches!(err, ManifestError::MissingField { ref field, .. } if field == "config"));
        let text = docker_manifest().replacen("\"size\": 3374563,", "", 1);
        let err = parse(&text, None).unwrap_err();
        assert!(
            matches!(err, ManifestError::MissingField { ref field, .. } if field == "layers[0].size"),
            "{err}"
        );
        let err = parse(&schema1_signed().replace("\"tag\": \"latest\",", ""), None).unwrap_err();
        assert!(matches!(err, ManifestError::MissingField { ref field, .. } if field == "tag"));
    }

    #[test]
    fn schema_version_must_match_the_type() {
        let err = parse(
            &docker_list().replace("\"schemaVersion\": 2", "\"schemaVersion\": 1"),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ManifestError::UnsupportedSchemaVersion {
                found: "1".into(),
                expected: 2,
                kind: "Docker manifest list"
            }
        );
        let err = parse(
            &oci_manifest().replace("\"schemaVersion\":2", "\"schemaVersion\":3"),
            Some(OCI_MANIFEST),
        )
        .unwrap_err();
        assert!(
            matches!(err, ManifestError::UnsupportedSchemaVersion { ref found, .. } if found == "3")
        );
        let err = parse(
            &oci_manifest().replace("\"schemaVersion\":2", "\"schemaVersion\":\"2\""),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, ManifestError::WrongType { ref field, .. } if field == "schemaVersion")
        );
    }

    #[test]
    fn unknown_media_types_are_rejected() {
        let err = parse(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.container.image.v1+json"}"#,
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ManifestError::UnknownMediaType {
                media_type: DOCKER_CONFIG.into(),
                kind: "Docker image config"
            }
        );
        assert!(err.to_string().contains("Docker image config"), "{err}");
        let err = parse(r#"{"schemaVersion":2,"mediaType":"text/html"}"#, None).unwrap_err();
        assert!(matches!(err, ManifestError::UnknownMediaType { .. }));
        let err = parse(r#"{"hello":"world"}"#, Some("text/html")).unwrap_err();
        assert_eq!(
            err,
            ManifestError::CannotInfer {
                content_type: "`text/html`".into()
            }
        );
        let err = parse(r#"{"mediaType": 5}"#, None).unwrap_err();
        assert!(matches!(err, ManifestError::WrongType { ref field, .. } if field == "mediaType"));
    }

    #[test]
    fn invalid_descriptor_digests_name_the_field_path() {
        let text = oci_index().replace(ATT, "sha256:1234");
        let err = parse(&text, None).unwrap_err();
        assert_eq!(
            err,
            ManifestError::InvalidDigest {
                field: "manifests[2].digest".into(),
                source: DigestError::WrongLength {
                    algorithm: crate::digest::Algorithm::Sha256,
                    expected: 64,
                    found: 4
                }
            }
        );
        assert!(
            err.to_string()
                .starts_with("`manifests[2].digest` is not a valid digest")
        );
        // The first bad descriptor is the one reported.
        let err = parse(&oci_index().replace(AMD64, "md5:abc"), None).unwrap_err();
        assert!(
            matches!(err, ManifestError::InvalidDigest { ref field, .. } if field == "manifests[0].digest")
        );
        let err = parse(&docker_manifest().replace(CFG, "sha256:XYZ"), None).unwrap_err();
        assert!(
            matches!(err, ManifestError::InvalidDigest { ref field, .. } if field == "config.digest")
        );
        let err = parse(
            &oci_artifact().replace(&format!("\"digest\": \"{AMD64}\""), "\"digest\": \"nope\""),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, ManifestError::InvalidDigest { ref field, .. } if field == "subject.digest"),
            "{err}"
        );
        let err = parse(&schema1_signed().replace(L1, "sha256:"), None).unwrap_err();
        assert!(
            matches!(err, ManifestError::InvalidDigest { ref field, .. } if field == "fsLayers[1].blobSum")
        );
    }

    #[test]
    fn wrong_types_name_the_field_path() {
        let err = parse(
            &docker_manifest().replace("\"size\": 3374563", "\"size\": -1"),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ManifestError::WrongType {
                field: "layers[0].size".into(),
                expected: "a non-negative integer",
                found: "a number"
            }
        );
        let err = parse(&docker_list().replace("\"os\": \"windows\",", ""), None).unwrap_err();
        assert!(
            matches!(err, ManifestError::InvalidField { ref field, ref message } if field == "manifests[2].platform" && message.contains("`os`")),
            "{err}"
        );
        let err = parse(r#"{"schemaVersion":2,"manifests":[1]}"#, None).unwrap_err();
        assert!(
            matches!(err, ManifestError::WrongType { ref field, .. } if field == "manifests[0]")
        );
        let err = parse(r#"{"schemaVersion":2,"manifests":{}}"#, None).unwrap_err();
        assert!(matches!(err, ManifestError::WrongType { ref field, .. } if field == "manifests"));
        let text = oci_index().replace(
            "\"org.opencontainers.image.created\":\"2024-03-01T10:00:00Z\"",
            "\"org.opencontainers.image.created\":1",
        );
        let err = parse(&text, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("annotations[\"org.opencontainers.image.created\"]"),
            "{err}"
        );
    }

    #[test]
    fn null_optional_fields_are_absent() {
        let text = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":null,"annotations":null,"subject":null}"#;
        let m = parse(text, None).unwrap();
        assert!(index(&m).manifests.is_empty());
        let text = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"{OCI_CONFIG}","digest":"{CFG}","size":1,"urls":null,"annotations":null,"platform":null}},"layers":null}}"#
        );
        let m = parse(&text, None).unwrap();
        assert!(image(&m).layers.is_empty());
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Manifest::parse(bytes, None);
        }

        #[test]
        fn parse_never_panics_on_mutated_manifests(
            which in 0usize..6,
            cut in any::<proptest::sample::Index>(),
            insert in "[\\[\\]{}\",:0-9a-z ]{0,4}",
            content_type in proptest::option::of("[a-z./+;= -]{0,40}"),
        ) {
            let docs = [docker_list(), oci_index(), docker_manifest(), oci_manifest(), oci_artifact(), schema1_signed()];
            let doc = &docs[which];
            let at = cut.index(doc.len() + 1);
            let mut text = doc.as_bytes()[..at].to_vec();
            text.extend_from_slice(insert.as_bytes());
            text.extend_from_slice(&doc.as_bytes()[at..]);
            if let Ok(m) = Manifest::parse(text.clone(), content_type.as_deref()) {
                prop_assert_eq!(m.digest, Digest::sha256(&text));
                prop_assert_eq!(m.raw, text);
            }
        }

        #[test]
        fn parse_never_panics_on_arbitrary_json(
            v in json_value()
        ) {
            let bytes = serde_json::to_vec(&v).unwrap();
            let _ = Manifest::parse(bytes, None);
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            prop_oneof![
                Just("schemaVersion".to_string()),
                Just(AMD64.to_string()),
                Just(OCI_INDEX.to_string()),
                "[a-z:]{0,8}",
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("schemaVersion".to_string()),
                        Just("mediaType".to_string()),
                        Just("manifests".to_string()),
                        Just("config".to_string()),
                        Just("layers".to_string()),
                        Just("digest".to_string()),
                        Just("size".to_string()),
                        Just("platform".to_string()),
                        Just("fsLayers".to_string()),
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
