//! `GET /api/v1/inspect/configs?ref=REFERENCE`: the image configs of an
//! index's children, the second part of an inspection.
//!
//! An index's table (platforms, digests, sizes, layers) needs only the root
//! and its children: two round trips. Each child's config (created,
//! history, env) is one more, so the page asks for the first part
//! (`&configs=later`), shows it, and then asks for this; merged with
//! [`IndexContent::add_configs`] the two are the whole answer
//! (`GET /api/v1/inspect?ref=` without the parameter), entry for entry.

use serde::{Deserialize, Serialize};

use crate::config::ImageConfig;
use crate::digest::Digest;

use super::{ApiError, IndexContent};

/// `GET {CONFIGS_PATH}?ref=REFERENCE`
pub const CONFIGS_PATH: &str = "/api/v1/inspect/configs";
/// `GET /api/v1/inspect?ref=REFERENCE&configs=later`: the answer without the
/// configs of an index's children (they come from [`CONFIGS_PATH`]).
pub const FIRST_PART_PARAM: (&str, &str) = ("configs", "later");

/// The configs of an index's distinct image children, in the order the
/// index first lists them. Children that are not images (a nested index)
/// or whose config is not an image config (an artifact) are not listed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ChildConfigs {
    pub configs: Vec<ChildConfig>,
}

/// One child's config, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildConfig {
    /// The child manifest's digest (as the index lists it).
    pub digest: Digest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

// Both read by hand, not derived: only the inspect page reads them, and a
// derived reader (field-name visitors, a reader for arrays that the proxy
// never sends) costs that page's wasm more than these loops over keys (the
// same as `ChildView`'s; docs/performance.md has the bytes).
impl<'de> Deserialize<'de> for ChildConfigs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ChildConfigs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("the configs of an index's children")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ChildConfigs, A::Error> {
                let mut configs = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "configs" => configs = Some(map.next_value()?),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let configs = configs.ok_or_else(|| serde::de::Error::missing_field("configs"))?;
                Ok(ChildConfigs { configs })
            }
        }
        d.deserialize_map(Visitor)
    }
}

impl<'de> Deserialize<'de> for ChildConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ChildConfig;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a child's config")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ChildConfig, A::Error> {
                let mut digest = None;
                let mut image_config = None;
                let mut error = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "digest" => digest = Some(map.next_value()?),
                        "imageConfig" => image_config = map.next_value()?,
                        "error" => error = map.next_value()?,
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let digest = digest.ok_or_else(|| serde::de::Error::missing_field("digest"))?;
                Ok(ChildConfig {
                    digest,
                    image_config,
                    error,
                })
            }
        }
        d.deserialize_map(Visitor)
    }
}

impl IndexContent {
    /// Fill in the configs of the second part: each child's `image_config`;
    /// a config that could not be read is an error on every entry naming
    /// that child, and the child is no longer described, as in the whole
    /// answer.
    pub fn add_configs(&mut self, configs: ChildConfigs) {
        for config in configs.configs {
            match config.error {
                None => {
                    if let Some(child) = self.children.get_mut(&config.digest) {
                        child.image_config = config.image_config;
                    }
                }
                Some(error) => {
                    if self.children.remove(&config.digest).is_none() {
                        continue;
                    }
                    for entry in &mut self.manifests {
                        if entry.descriptor.digest == config.digest && entry.error.is_none() {
                            entry.kind = crate::media_type::kind_of(&entry.descriptor.media_type);
                            entry.error = Some(error.clone());
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ChildView, EntryView, ErrorCode};
    use crate::descriptor::Descriptor;
    use crate::media_type::{self, Kind};

    fn entry(seed: &[u8]) -> EntryView {
        EntryView::new(Descriptor {
            media_type: media_type::OCI_MANIFEST.to_string(),
            digest: Digest::sha256(seed),
            size: 10,
            urls: Vec::new(),
            annotations: Default::default(),
            platform: None,
            artifact_type: None,
        })
    }

    #[test]
    fn configs_fill_children_and_errors_fail_their_entries() {
        let (a, b) = (entry(b"a"), entry(b"b"));
        let mut index = IndexContent {
            manifests: vec![a.clone(), b.clone(), a.clone()],
            ..IndexContent::default()
        };
        index
            .children
            .insert(a.descriptor.digest.clone(), ChildView::new(Kind::Image));
        index
            .children
            .insert(b.descriptor.digest.clone(), ChildView::new(Kind::Image));
        let config = ImageConfig {
            os: "linux".into(),
            architecture: "arm64".into(),
            ..ImageConfig::default()
        };
        let failed = ApiError::new(ErrorCode::DigestMismatch, "flipped");
        let json = serde_json::to_string(&ChildConfigs {
            configs: vec![
                ChildConfig {
                    digest: a.descriptor.digest.clone(),
                    image_config: Some(config.clone()),
                    error: None,
                },
                ChildConfig {
                    digest: b.descriptor.digest.clone(),
                    image_config: None,
                    error: Some(failed.clone()),
                },
            ],
        })
        .unwrap();
        index.add_configs(serde_json::from_str(&json).unwrap());
        let child = index.child(&index.manifests[0]).unwrap();
        assert_eq!(child.image_config.as_ref(), Some(&config));
        assert_eq!(index.manifests[1].error.as_ref(), Some(&failed));
        assert!(index.children.get(&b.descriptor.digest).is_none());
        assert!(index.manifests[2].error.is_none());
        assert_eq!(index.children.len(), 1);
    }
}
