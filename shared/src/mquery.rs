//! "Which platforms does this image support?", answered as mquery answers it.
//!
//! People know mquery's few lines (`Image: ... * Supported platforms: ...`)
//! from CI logs and READMEs; the CLI's `mquery`, the API's `format=mquery`
//! and `format=summary` and the badge all read the one [`Summary`] built
//! here, so they cannot list different platforms for one image.
//! Attestation entries are not platforms (`shared::attestation` decides).
//! An entry that declares no platform is described by its child's image
//! config when that was read, and as `unknown` otherwise, so the list still
//! says an image is there.

use serde::{Deserialize, Serialize};

use crate::api::{Content, InspectResponse};
use crate::attestation::is_attestation;

/// What an entry or image whose platform nobody declared is listed as.
pub const UNKNOWN_PLATFORM: &str = "unknown";

/// The platforms of one reference: `format=summary`'s JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The normalized reference.
    pub reference: String,
    pub digest: String,
    pub media_type: String,
    /// Whether the root is an index / manifest list.
    pub manifest_list: bool,
    /// `os/arch[/variant][:os.version]`, in index order, attestations left out.
    pub platforms: Vec<String>,
}

impl Summary {
    /// The summary of an inspection.
    pub fn of(r: &InspectResponse) -> Self {
        let platforms = match &r.content {
            Content::Index(index) => index
                .manifests
                .iter()
                .filter(|e| !is_attestation(&e.descriptor))
                .map(|e| {
                    e.descriptor
                        .platform
                        .clone()
                        .or_else(|| {
                            index
                                .child(e)
                                .and_then(|c| c.image_config.as_ref())
                                .map(|c| c.platform())
                        })
                        .map_or_else(|| UNKNOWN_PLATFORM.to_string(), |p| p.to_string())
                })
                .collect(),
            Content::Image(image) => vec![image.image_config.as_ref().map_or_else(
                || UNKNOWN_PLATFORM.to_string(),
                |c| c.platform().to_string(),
            )],
            Content::Schema1(_) => vec![UNKNOWN_PLATFORM.to_string()],
        };
        Summary {
            reference: r.reference.clone(),
            digest: r.digest.to_string(),
            media_type: r.media_type.clone(),
            manifest_list: matches!(r.content, Content::Index(_)),
            platforms,
        }
    }

    /// mquery's text; `name` is the reference as the person typed it.
    pub fn render(&self, name: &str) -> String {
        let mut out = format!("Image: {name} (digest: {})\n", self.digest);
        if self.manifest_list {
            out.push_str(&format!(
                " * Manifest List: Yes (Image type: {})\n * Supported platforms:\n",
                self.media_type
            ));
            for p in &self.platforms {
                out.push_str(&format!("   - {p}\n"));
            }
        } else {
            out.push_str(&format!(
                " * Manifest List: No (Image type: {})\n * Supports: {}\n",
                self.media_type,
                self.platforms.join(", ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ChildView, EntryView, ImageContent, IndexContent};
    use crate::attestation::{ATTESTATION_MANIFEST, REFERENCE_TYPE};
    use crate::config::ImageConfig;
    use crate::descriptor::Descriptor;
    use crate::digest::Digest;
    use crate::media_type::{self, Kind};
    use crate::platform::Platform;
    use crate::reference::Reference;

    fn d(seed: &str, platform: Option<&str>) -> Descriptor {
        Descriptor {
            media_type: media_type::DOCKER_MANIFEST.into(),
            digest: Digest::sha256(seed.as_bytes()),
            size: 10,
            urls: Vec::new(),
            annotations: Default::default(),
            platform: platform.map(|p| Platform::parse(p).unwrap()),
            artifact_type: None,
        }
    }

    fn response(media: &str, content: Content) -> InspectResponse {
        let reference = Reference::parse("mplatform/mquery:latest").unwrap();
        InspectResponse::new(&reference, Digest::sha256(b"root"), media, b"{}", content)
    }

    fn config(os: &str, arch: &str) -> ImageConfig {
        ImageConfig::parse(format!(r#"{{"os":"{os}","architecture":"{arch}"}}"#).as_bytes())
            .unwrap()
    }

    #[test]
    fn an_index_lists_its_platforms_without_attestations() {
        let mut attestation = d("att", Some("unknown/unknown"));
        attestation
            .annotations
            .insert(REFERENCE_TYPE.into(), ATTESTATION_MANIFEST.into());
        let mut windows = d("win", Some("windows/amd64"));
        windows.platform.as_mut().unwrap().os_version = Some("10.0.17763.2300".into());
        let content = Content::Index(IndexContent {
            manifests: vec![
                EntryView::new(d("amd64", Some("linux/amd64"))),
                EntryView::new(attestation),
                EntryView::new(d("arm64", Some("linux/arm64/v8"))),
                EntryView::new(windows),
            ],
            children: Default::default(),
        });
        let r = response(media_type::DOCKER_MANIFEST_LIST, content);
        let summary = Summary::of(&r);
        assert!(summary.manifest_list);
        assert_eq!(
            summary.platforms,
            [
                "linux/amd64",
                "linux/arm64/v8",
                "windows/amd64:10.0.17763.2300"
            ]
        );
        assert_eq!(
            summary.render("mplatform/mquery:latest"),
            format!(
                "Image: mplatform/mquery:latest (digest: {})\n \
                 * Manifest List: Yes (Image type: application/vnd.docker.distribution.manifest.list.v2+json)\n \
                 * Supported platforms:\n   \
                 - linux/amd64\n   \
                 - linux/arm64/v8\n   \
                 - windows/amd64:10.0.17763.2300\n",
                Digest::sha256(b"root")
            )
        );
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["reference"], "docker.io/mplatform/mquery:latest");
        assert_eq!(json["manifestList"], true);
        assert_eq!(json["mediaType"], media_type::DOCKER_MANIFEST_LIST);
        assert_eq!(json["platforms"][2], "windows/amd64:10.0.17763.2300");
    }

    #[test]
    fn a_single_image_supports_its_configs_platform() {
        let mut image = ImageContent::new(d("config", None), Vec::new());
        image.image_config = Some(config("linux", "arm64"));
        let r = response(media_type::OCI_MANIFEST, Content::Image(image));
        let summary = Summary::of(&r);
        assert!(!summary.manifest_list);
        assert_eq!(
            summary.render("x"),
            format!(
                "Image: x (digest: {})\n \
                 * Manifest List: No (Image type: application/vnd.oci.image.manifest.v1+json)\n \
                 * Supports: linux/arm64\n",
                Digest::sha256(b"root")
            )
        );
        // An artifact: its config is no image config.
        let r = response(
            media_type::OCI_MANIFEST,
            Content::Image(ImageContent::new(d("config", None), Vec::new())),
        );
        assert_eq!(Summary::of(&r).platforms, [UNKNOWN_PLATFORM]);
    }

    #[test]
    fn an_entry_without_platform_is_described_by_its_config_or_unknown() {
        let read = EntryView::new(d("read", None));
        let unread = EntryView::new(d("unread", None));
        let mut children = crate::api::ChildViews::default();
        children.insert(
            read.descriptor.digest.clone(),
            ChildView {
                image_config: Some(config("linux", "s390x")),
                ..ChildView::new(Kind::Image)
            },
        );
        let r = response(
            media_type::OCI_INDEX,
            Content::Index(IndexContent {
                manifests: vec![read, unread],
                children,
            }),
        );
        assert_eq!(Summary::of(&r).platforms, ["linux/s390x", UNKNOWN_PLATFORM]);
    }
}
