//! Content descriptors, as they appear in indexes and manifests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::platform::Platform;

/// Field order follows image-spec's Go struct so that serialized indexes look
/// like those of other tools. Unknown fields are not kept: descriptors we
/// re-emit are ones we build; what we receive stays in its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

/// Read by hand, not derived: every page reads descriptors, and a derived
/// reader (a field-name visitor, a reader for arrays) costs each page's wasm
/// more than this loop over keys. As the derived one did, it refuses a
/// field named twice (two `digest`s must not let two readers disagree) and
/// a missing `mediaType`, `digest` or `size`, and skips unknown fields.
impl<'de> Deserialize<'de> for Descriptor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Descriptor;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a descriptor")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Descriptor, A::Error> {
                use serde::de::Error;
                let (mut media_type, mut digest, mut size) = (None, None, None);
                let (mut urls, mut annotations, mut platform, mut artifact_type) =
                    (None, None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    let seen = match key.as_str() {
                        "mediaType" => media_type.replace(map.next_value()?).is_some(),
                        "digest" => digest.replace(map.next_value()?).is_some(),
                        "size" => size.replace(map.next_value()?).is_some(),
                        "urls" => urls.replace(map.next_value()?).is_some(),
                        "annotations" => annotations.replace(map.next_value()?).is_some(),
                        "platform" => platform.replace(map.next_value()?).is_some(),
                        "artifactType" => artifact_type.replace(map.next_value()?).is_some(),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            false
                        }
                    };
                    if seen {
                        return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                }
                Ok(Descriptor {
                    media_type: media_type.ok_or_else(|| A::Error::missing_field("mediaType"))?,
                    digest: digest.ok_or_else(|| A::Error::missing_field("digest"))?,
                    size: size.ok_or_else(|| A::Error::missing_field("size"))?,
                    urls: urls.unwrap_or_default(),
                    annotations: annotations.unwrap_or_default(),
                    platform: platform.unwrap_or_default(),
                    artifact_type: artifact_type.unwrap_or_default(),
                })
            }
        }
        d.deserialize_map(Visitor)
    }
}

#[cfg(test)]
mod read_tests {
    use super::*;

    #[test]
    fn read_by_hand_as_the_derived_reader_did() {
        let d = Digest::sha256(b"x");
        let json = format!(
            r#"{{"mediaType":"m","digest":"{d}","size":3,"platform":null,"extra":[1,{{"a":2}}],"annotations":{{"k":"v"}}}}"#
        );
        let read: Descriptor = serde_json::from_str(&json).unwrap();
        assert_eq!((read.media_type.as_str(), read.size), ("m", 3));
        assert_eq!(read.digest, d);
        assert_eq!(read.annotations["k"], "v");
        assert!(read.platform.is_none() && read.urls.is_empty() && read.artifact_type.is_none());
        let twice = format!(r#"{{"mediaType":"m","digest":"{d}","size":3,"digest":"{d}"}}"#);
        let e = serde_json::from_str::<Descriptor>(&twice).unwrap_err();
        assert!(e.to_string().contains("duplicate field `digest`"), "{e}");
        let e = serde_json::from_str::<Descriptor>(r#"{"mediaType":"m","size":3}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `digest`"), "{e}");
        assert!(
            serde_json::from_str::<Descriptor>(&format!(
                r#"{{"mediaType":"m","digest":"{d}","size":-1}}"#
            ))
            .is_err()
        );
    }
}
