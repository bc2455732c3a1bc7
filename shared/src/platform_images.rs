//! An inspection seen as its images, one per platform: what comparing two
//! references and counting where the bytes go both start from, so that an
//! index and a single image are read the same way (an image is an index of
//! one, its platform taken from its config).

use crate::api::{Content, InspectResponse};
use crate::attestation::is_attestation;
use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::media_type::Kind;

/// The name used for an image whose platform nobody says.
pub const UNKNOWN_PLATFORM: &str = "unknown";

/// One image of an inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformImage<'a> {
    /// `os/arch[/variant][:os.version]`, or `unknown`.
    pub platform: String,
    /// The platform normalized for matching (`linux/arm64/v8` is
    /// `linux/arm64`), or `unknown`.
    pub identity: String,
    /// The image manifest's digest.
    pub digest: &'a Digest,
    /// Its layers; `None` when its manifest was not read, or is no image
    /// (a nested index).
    pub layers: Option<&'a [Descriptor]>,
    /// Its config's essentials, when read.
    pub config: Option<&'a ImageConfig>,
}

/// The images of `r`: an index's entries in order (attestations left out; a
/// platform listed twice is the first entry's), or the single image.
pub fn platform_images(r: &InspectResponse) -> Vec<PlatformImage<'_>> {
    match &r.content {
        Content::Index(index) => {
            let mut out: Vec<PlatformImage> = Vec::new();
            for e in &index.manifests {
                if is_attestation(&e.descriptor) {
                    continue;
                }
                let (platform, identity) = match &e.descriptor.platform {
                    Some(p) => (p.to_string(), p.identity()),
                    None => (UNKNOWN_PLATFORM.to_string(), UNKNOWN_PLATFORM.to_string()),
                };
                if out.iter().any(|i| i.identity == identity) {
                    continue;
                }
                let child = index.child(e).filter(|c| c.kind == Kind::Image);
                out.push(PlatformImage {
                    platform,
                    identity,
                    digest: &e.descriptor.digest,
                    layers: child.and_then(|c| c.layers.as_deref()),
                    config: child.and_then(|c| c.image_config.as_ref()),
                });
            }
            out
        }
        Content::Image(image) => {
            let config = image.image_config.as_ref();
            let (platform, identity) = match config {
                Some(c) if !(c.os.is_empty() && c.architecture.is_empty()) => {
                    (c.platform().to_string(), c.platform().identity())
                }
                _ => (UNKNOWN_PLATFORM.to_string(), UNKNOWN_PLATFORM.to_string()),
            };
            vec![PlatformImage {
                platform,
                identity,
                digest: &r.digest,
                layers: Some(&image.layers),
                config,
            }]
        }
        Content::Schema1(s1) => vec![PlatformImage {
            platform: UNKNOWN_PLATFORM.to_string(),
            identity: UNKNOWN_PLATFORM.to_string(),
            digest: &r.digest,
            layers: Some(&s1.layers),
            config: None,
        }],
    }
}
