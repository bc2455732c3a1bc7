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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferrersSource {
    /// `GET /v2/<name>/referrers/<digest>`.
    Api,
    /// The `sha256-<hex>` tag (the referrers tag schema).
    TagSchema,
    /// Neither exists: nothing refers to it (as far as can be told).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

// Both read by hand, not derived: only the inspect page reads them, and a
// derived reader (field-name and variant visitors, a reader for arrays the
// proxy never sends) costs that page's wasm more than these (the same as
// `ChildView`'s; docs/performance.md has the bytes).
impl<'de> Deserialize<'de> for ReferrersSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const NAMES: &[&str] = &["api", "tag-schema", "none"];
        const SOURCES: [ReferrersSource; 3] = [
            ReferrersSource::Api,
            ReferrersSource::TagSchema,
            ReferrersSource::None,
        ];
        Ok(SOURCES[crate::unit_variant::read(d, NAMES)?])
    }
}

impl<'de> Deserialize<'de> for ReferrersResponse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ReferrersResponse;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("what refers to a manifest")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ReferrersResponse, A::Error> {
                let (mut reference, mut subject, mut source, mut referrers) =
                    (None, None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "reference" => reference = Some(map.next_value()?),
                        "subject" => subject = Some(map.next_value()?),
                        "source" => source = Some(map.next_value()?),
                        "referrers" => referrers = Some(map.next_value()?),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let missing = serde::de::Error::missing_field;
                Ok(ReferrersResponse {
                    reference: reference.ok_or_else(|| missing("reference"))?,
                    subject: subject.ok_or_else(|| missing("subject"))?,
                    source: source.ok_or_else(|| missing("source"))?,
                    referrers: referrers.ok_or_else(|| missing("referrers"))?,
                })
            }
        }
        d.deserialize_map(Visitor)
    }
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
    fn read_by_hand_as_written() {
        let answer = ReferrersResponse {
            reference: "r.example/app@sha256:1".into(),
            subject: Digest::sha256(b"s"),
            source: ReferrersSource::TagSchema,
            referrers: vec![],
        };
        let mut json = serde_json::to_value(&answer).unwrap();
        json["later"] = serde_json::json!({"a": [1]});
        let read: ReferrersResponse = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(read, answer);
        json["source"] = "other".into();
        let e = serde_json::from_value::<ReferrersResponse>(json.clone()).unwrap_err();
        assert!(e.to_string().contains("unknown variant `other`"), "{e}");
        json["source"] = "api".into();
        json.as_object_mut().unwrap().remove("subject");
        let e = serde_json::from_value::<ReferrersResponse>(json).unwrap_err();
        assert!(e.to_string().contains("missing field `subject`"), "{e}");
    }

    #[test]
    fn tag_schema_name() {
        let d = Digest::sha256(b"x");
        let tag = referrers_tag(&d);
        assert_eq!(tag, format!("sha256-{}", d.hex()));
        assert_eq!(tag.len(), 7 + 64);
    }
}
