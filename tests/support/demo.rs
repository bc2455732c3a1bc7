//! The demo images of the sandbox (`scripts/run`) and of the browser tests:
//! one of every kind the page shows, plus per-platform images to assemble a
//! manifest list from. Built deterministically, so the same build always
//! pushes the same digests; tests can build the set again to compare.

use shared::api::referrers_tag;
use shared::digest::Digest;

use crate::artifact::{ArtifactSpec, SPDX_JSON};
use crate::image::{Format, Image, ImageSpec};
use crate::index::{Child, Index, IndexBuilder};
use crate::push::{PushError, Pusher};

/// The Windows Server 2019 build the demo list's Windows entry runs on.
pub const WINDOWS_OS_VERSION: &str = "10.0.17763.2565";

/// Per-platform source images for push demos: (tag in `demo/app`, platform).
pub const APP_PLATFORMS: [(&str, &str); 4] = [
    ("amd64", "linux/amd64"),
    ("arm64", "linux/arm64/v8"),
    ("armv7", "linux/arm/v7"),
    ("s390x", "linux/s390x"),
];

/// One of the demo objects and where it goes.
#[derive(Debug, Clone)]
pub struct DemoItem {
    pub repository: &'static str,
    pub tag: String,
    pub description: String,
    pub content: DemoContent,
}

#[derive(Debug, Clone)]
pub enum DemoContent {
    Image(Box<Image>),
    Index(Index),
}

impl DemoItem {
    /// The index this item is.
    ///
    /// # Panics
    /// When it is an image (a test asked for the wrong item).
    pub fn index(&self) -> &Index {
        match &self.content {
            DemoContent::Index(index) => index,
            DemoContent::Image(_) => panic!("{} is an image, not an index", self.repository),
        }
    }

    pub fn digest(&self) -> &Digest {
        match &self.content {
            DemoContent::Image(image) => &image.manifest.digest,
            DemoContent::Index(index) => &index.manifest.digest,
        }
    }
}

/// Every demo object, in push order (an artifact after its subject).
pub fn demo_set() -> Vec<DemoItem> {
    let mut items = Vec::new();

    let multiarch_platforms = [
        "linux/amd64",
        "linux/arm64/v8",
        "linux/arm/v7",
        "linux/ppc64le",
        "linux/s390x",
    ];
    let mut list = IndexBuilder::new(Format::Docker);
    for (i, platform) in multiarch_platforms.iter().enumerate() {
        list = list.image(ImageSpec::new(Format::Docker, platform, 100 + i as u64).build());
    }
    let windows = format!("windows/amd64:{WINDOWS_OS_VERSION}");
    let mut windows_spec = ImageSpec::new(Format::Docker, &windows, 199);
    windows_spec.entrypoint = vec!["cmd".into(), "/S".into(), "/C".into()];
    windows_spec.cmd = vec!["C:\\app\\serve.exe".into()];
    windows_spec.working_dir = "C:\\app".into();
    windows_spec.env = vec!["PATH=C:\\Windows\\system32;C:\\Windows".into()];
    list = list.image(windows_spec.build());
    items.push(DemoItem {
        repository: "demo/multiarch",
        tag: "latest".into(),
        description: "Docker manifest list: 5 Linux platforms + windows/amd64 with os.version"
            .into(),
        content: DemoContent::Index(list.build()),
    });

    let oci_index = IndexBuilder::new(Format::Oci)
        .annotation("org.opencontainers.image.title", "manifest-web demo")
        .annotation(
            "org.opencontainers.image.source",
            "https://example.invalid/manifest-web/demo",
        )
        .annotation("org.opencontainers.image.version", "1.0")
        .annotation("org.opencontainers.image.created", "2024-03-01T12:00:00Z")
        .attested_image(ImageSpec::new(Format::Oci, "linux/amd64", 200).build())
        .attested_image(ImageSpec::new(Format::Oci, "linux/arm64", 201).build())
        .build();
    items.push(DemoItem {
        repository: "demo/oci-index",
        tag: "1.0".into(),
        description: "OCI index with annotations: linux/amd64, linux/arm64, an attestation each"
            .into(),
        content: DemoContent::Index(oci_index),
    });

    items.push(DemoItem {
        repository: "demo/single",
        tag: "1.0".into(),
        description: "Docker schema2 image, linux/amd64".into(),
        content: DemoContent::Image(Box::new(
            ImageSpec::new(Format::Docker, "linux/amd64", 300).build(),
        )),
    });

    let mut oci_spec = ImageSpec::new(Format::Oci, "linux/amd64", 400);
    oci_spec.annotations.insert(
        "org.opencontainers.image.title".into(),
        "demo OCI image".into(),
    );
    let oci_image = oci_spec.build();
    let sbom = ArtifactSpec::sbom("demo/oci-image", Some(oci_image.descriptor())).build();
    // distribution 2.8 has no referrers API: the SBOM is also listed the way
    // oras and cosign do it there, in an index tagged `sha256-<hex>` of its
    // subject (the referrers tag schema), with its artifactType.
    let referrers_tag = referrers_tag(&oci_image.manifest.digest);
    let mut sbom_entry = sbom.descriptor();
    sbom_entry.artifact_type = Some(SPDX_JSON.to_string());
    let referrers_index = IndexBuilder::new(Format::Oci)
        .entry(sbom_entry, Child::Image(Box::new(sbom.clone())))
        .build();
    items.push(DemoItem {
        repository: "demo/oci-image",
        tag: "1.0".into(),
        description: "OCI image manifest, linux/amd64".into(),
        content: DemoContent::Image(Box::new(oci_image)),
    });
    items.push(DemoItem {
        repository: "demo/oci-image",
        tag: "sbom".into(),
        description: "SPDX SBOM artifact whose subject is demo/oci-image:1.0".into(),
        content: DemoContent::Image(Box::new(sbom)),
    });
    items.push(DemoItem {
        repository: "demo/oci-image",
        tag: referrers_tag,
        description: "Referrers index (tag schema) listing the SBOM of demo/oci-image:1.0".into(),
        content: DemoContent::Index(referrers_index),
    });

    let inner = IndexBuilder::new(Format::Oci)
        .image(ImageSpec::new(Format::Oci, "linux/amd64", 500).build())
        .image(ImageSpec::new(Format::Oci, "linux/arm64", 501).build())
        .build();
    let nested = IndexBuilder::new(Format::Oci)
        .index(inner, None)
        .image(ImageSpec::new(Format::Oci, "linux/s390x", 502).build())
        .build();
    items.push(DemoItem {
        repository: "demo/nested",
        tag: "1".into(),
        description: "OCI index holding an index (linux/amd64, linux/arm64) and linux/s390x".into(),
        content: DemoContent::Index(nested),
    });

    for (i, (tag, platform)) in APP_PLATFORMS.iter().enumerate() {
        items.push(DemoItem {
            repository: "demo/app",
            tag: (*tag).into(),
            description: format!("Docker schema2 image, {platform} (a push source)"),
            content: DemoContent::Image(Box::new(
                ImageSpec::new(Format::Docker, platform, 600 + i as u64).build(),
            )),
        });
    }
    items
}

/// The demo object pushed to `repository`.
///
/// # Panics
/// When the demo set has none (a test asked for the wrong item).
pub fn demo_item(repository: &str) -> DemoItem {
    demo_set()
        .into_iter()
        .find(|i| i.repository == repository)
        .unwrap_or_else(|| panic!("the demo set has no {repository}"))
}

/// Push every demo object; returns them as pushed.
pub async fn seed(pusher: &Pusher) -> Result<Vec<DemoItem>, PushError> {
    let items = demo_set();
    for item in &items {
        match &item.content {
            DemoContent::Image(image) => {
                pusher
                    .push_image(item.repository, image, Some(&item.tag))
                    .await?
            }
            DemoContent::Index(index) => {
                pusher
                    .push_index(item.repository, index, Some(&item.tag))
                    .await?
            }
        }
    }
    Ok(items)
}
