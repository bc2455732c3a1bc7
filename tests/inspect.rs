//! `GET /api/v1/inspect` against a real registry: every kind of manifest the
//! page shows, pushed with the raw registry API, then read back through the
//! proxy. Expected values come from what was pushed, never from literals.

use reqwest::StatusCode;
use shared::api::{ErrorCode, InspectResponse};
use shared::media_type::{self, Kind};
use support::artifact::{ArtifactSpec, SPDX_JSON};
use support::attestation::{ATTESTATION_MANIFEST, REFERENCE_DIGEST, REFERENCE_TYPE};
use support::{Format, Image, ImageSpec, Index, IndexBuilder, Proxy, Registry};

const WINDOWS: &str = "windows/amd64:10.0.17763.2565";

/// A fresh registry and a proxy allowed to reach it.
async fn world() -> (Registry, Proxy) {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let proxy = Proxy::start(&[&registry]).await;
    (registry, proxy)
}

async fn push_image(registry: &Registry, repo: &str, image: &Image, tag: Option<&str>) {
    registry
        .pusher()
        .push_image(repo, image, tag)
        .await
        .unwrap_or_else(|e| panic!("push {repo}: {e}\nregistry log:\n{}", registry.log()));
}

async fn push_index(registry: &Registry, repo: &str, index: &Index, tag: Option<&str>) {
    registry
        .pusher()
        .push_index(repo, index, tag)
        .await
        .unwrap_or_else(|e| panic!("push {repo}: {e}\nregistry log:\n{}", registry.log()));
}

async fn inspect_ok(proxy: &Proxy, reference: &str) -> InspectResponse {
    proxy
        .client()
        .inspect(reference)
        .await
        .unwrap_or_else(|e| panic!("inspect {reference}: {e:?}"))
}

/// The root of the answer is exactly the pushed manifest.
fn assert_root(response: &InspectResponse, pushed: &support::Blob, kind: Kind) {
    assert_eq!(response.digest, pushed.digest);
    assert_eq!(response.media_type, pushed.media_type);
    assert_eq!(response.kind(), kind);
    assert_eq!(response.size, pushed.size());
    assert_eq!(
        response.raw.as_bytes(),
        pushed.bytes.as_slice(),
        "raw must be byte-identical to what was pushed"
    );
}

/// An image answer carries its config descriptor, layers and config essentials.
fn assert_image(response: &InspectResponse, image: &Image) {
    assert_eq!(
        response.image().map(|i| &i.config),
        Some(&image.config.descriptor())
    );
    assert_eq!(response.layers(), Some(image.layer_descriptors.as_slice()));
    assert_eq!(
        response
            .image()
            .and_then(|i| i.config_raw.as_deref())
            .map(str::as_bytes),
        Some(image.config.bytes.as_slice()),
        "the raw config must be byte-identical to the pushed blob"
    );
    let spec = image.spec.as_ref().expect("an image built from a spec");
    let config = response
        .image()
        .and_then(|i| i.image_config.as_ref())
        .expect("the image config essentials");
    assert_eq!(config.os, spec.platform.os);
    assert_eq!(config.architecture, spec.platform.architecture);
    assert_eq!(config.variant, spec.platform.variant);
    assert_eq!(config.os_version, spec.platform.os_version);
    assert_eq!(config.created.as_deref(), Some(spec.created.as_str()));
    let run = config.config.as_ref().expect("the run config");
    assert_eq!(run.env.as_ref(), Some(&spec.env));
    assert_eq!(run.cmd.as_ref(), Some(&spec.cmd));
    assert_eq!(run.entrypoint.as_ref(), Some(&spec.entrypoint));
    assert_eq!(run.working_dir.as_deref(), Some(spec.working_dir.as_str()));
    assert_eq!(run.labels.as_ref(), Some(&spec.labels));
    // One history entry per layer, plus the CMD line (an empty layer).
    assert_eq!(config.history.len(), spec.layers + 1);
    assert_eq!(
        config.history.iter().filter(|h| h.empty_layer).count(),
        1,
        "exactly the CMD entry is an empty layer"
    );
    assert!(
        config
            .history
            .iter()
            .all(|h| h.created.as_deref() == Some(spec.created.as_str()))
    );
}

#[tokio::test]
async fn docker_manifest_list_with_a_windows_entry() {
    let (registry, proxy) = world().await;
    let list = IndexBuilder::new(Format::Docker)
        .image(ImageSpec::new(Format::Docker, "linux/amd64", 1).build())
        .image(ImageSpec::new(Format::Docker, "linux/arm64/v8", 2).build())
        .image(ImageSpec::new(Format::Docker, "linux/arm/v7", 3).build())
        .image(ImageSpec::new(Format::Docker, WINDOWS, 4).build())
        .build();
    push_index(&registry, "lists/app", &list, Some("v1")).await;

    let reference = registry.reference("lists/app:v1");
    let response = inspect_ok(&proxy, &reference).await;
    assert_root(&response, &list.manifest, Kind::Index);
    assert_eq!(response.media_type, media_type::DOCKER_MANIFEST_LIST);
    assert_eq!(response.registry, registry.host());
    assert_eq!(response.repository, "lists/app");
    assert_eq!(response.tag.as_deref(), Some("v1"));
    assert!(
        response.reference.contains(&registry.host()) && response.reference.contains("lists/app"),
        "normalized reference {} names the registry and repository",
        response.reference
    );

    // The registry itself reports the same digest.
    let direct = registry
        .pusher()
        .get_manifest("lists/app", "v1", media_type::MANIFEST_ACCEPT)
        .await
        .unwrap();
    assert_eq!(
        direct.header("docker-content-digest"),
        Some(response.digest.to_string().as_str())
    );

    let entries = response.entries().expect("a list has entries");
    assert_eq!(entries.len(), list.entries.len());
    for (entry, pushed) in entries.iter().zip(&list.entries) {
        assert_eq!(
            &entry.descriptor, pushed,
            "the entry is listed as pushed (platform included)"
        );
        assert_eq!(entry.kind, Kind::Image);
        assert!(
            entry.error.is_none(),
            "child {} failed: {:?}",
            pushed.digest,
            entry.error
        );
        let child = list.image(&pushed.digest);
        let shown = response.index().unwrap().child(entry).expect("its child");
        assert_eq!(shown.kind, Kind::Image);
        assert_eq!(shown.config.as_ref(), Some(&child.config.descriptor()));
        assert_eq!(shown.layers.as_ref(), Some(&child.layer_descriptors));
        assert_eq!(shown.child_count, None);
    }

    let windows = entries
        .iter()
        .find(|e| {
            e.descriptor
                .platform
                .as_ref()
                .is_some_and(|p| p.os == "windows")
        })
        .expect("the Windows entry");
    let platform = windows.descriptor.platform.as_ref().unwrap();
    assert_eq!(platform.os_version.as_deref(), Some("10.0.17763.2565"));
    assert_eq!(platform.architecture, "amd64");
    // os.version survives in the raw bytes too (nothing was re-serialized).
    assert!(response.raw.contains("\"os.version\": \"10.0.17763.2565\""));
}

#[tokio::test]
async fn windows_child_by_digest_has_its_os_version_in_the_config() {
    let (registry, proxy) = world().await;
    let windows = ImageSpec::new(Format::Docker, WINDOWS, 9).build();
    let list = IndexBuilder::new(Format::Docker)
        .image(ImageSpec::new(Format::Docker, "linux/amd64", 8).build())
        .image(windows.clone())
        .build();
    push_index(&registry, "win/app", &list, Some("ltsc2019")).await;

    let reference = registry.reference(&format!("win/app@{}", windows.manifest.digest));
    let response = inspect_ok(&proxy, &reference).await;
    assert_root(&response, &windows.manifest, Kind::Image);
    assert_image(&response, &windows);
    let config = response
        .image()
        .and_then(|i| i.image_config.as_ref())
        .unwrap();
    assert_eq!(config.os, "windows");
    assert_eq!(config.os_version.as_deref(), Some("10.0.17763.2565"));
}

#[tokio::test]
async fn oci_index_with_annotations_and_attestations() {
    let (registry, proxy) = world().await;
    let amd64 = ImageSpec::new(Format::Oci, "linux/amd64", 10).build();
    let arm64 = ImageSpec::new(Format::Oci, "linux/arm64", 11).build();
    let index = IndexBuilder::new(Format::Oci)
        .annotation("org.opencontainers.image.title", "inspect test")
        .annotation("org.opencontainers.image.version", "2.5.0")
        .attested_image(amd64.clone())
        .attested_image(arm64.clone())
        .build();
    push_index(&registry, "oci/index", &index, Some("2.5.0")).await;

    let response = inspect_ok(&proxy, &registry.reference("oci/index:2.5.0")).await;
    assert_root(&response, &index.manifest, Kind::Index);
    assert_eq!(response.media_type, media_type::OCI_INDEX);
    assert_eq!(response.annotations, index.annotations);

    let entries = response.entries().expect("an index has entries");
    assert_eq!(entries.len(), 4, "two images, one attestation each");
    for (entry, pushed) in entries.iter().zip(&index.entries) {
        assert_eq!(&entry.descriptor, pushed);
        assert!(entry.error.is_none(), "{:?}", entry.error);
        let child = index.image(&pushed.digest);
        let shown = response.index().unwrap().child(entry).expect("its child");
        assert_eq!(shown.config.as_ref(), Some(&child.config.descriptor()));
        assert_eq!(shown.layers.as_ref(), Some(&child.layer_descriptors));
    }

    let attestations: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.descriptor
                .annotations
                .get(REFERENCE_TYPE)
                .map(String::as_str)
                == Some(ATTESTATION_MANIFEST)
        })
        .collect();
    assert_eq!(attestations.len(), 2);
    for (attestation, image) in attestations.iter().zip([&amd64, &arm64]) {
        let platform = attestation.descriptor.platform.as_ref().unwrap();
        assert!(platform.is_unknown(), "attestations are unknown/unknown");
        assert_eq!(
            attestation.descriptor.annotations.get(REFERENCE_DIGEST),
            Some(&image.manifest.digest.to_string()),
            "the attestation names the image it attests"
        );
        let shown = response.index().unwrap().child(attestation).unwrap();
        let layers = shown.layers.as_ref().unwrap();
        assert_eq!(layers[0].media_type, support::attestation::IN_TOTO_JSON);
    }
}

#[tokio::test]
async fn oci_index_is_served_although_the_registry_hides_it_from_other_accept_headers() {
    let (registry, proxy) = world().await;
    let index = IndexBuilder::new(Format::Oci)
        .image(ImageSpec::new(Format::Oci, "linux/amd64", 20).build())
        .build();
    push_index(&registry, "oci/hidden", &index, Some("1")).await;

    // distribution 2.8 answers 404 unless the OCI index type is accepted...
    let docker_only = registry
        .pusher()
        .get_manifest(
            "oci/hidden",
            "1",
            &format!(
                "{}, {}",
                media_type::DOCKER_MANIFEST_LIST,
                media_type::DOCKER_MANIFEST
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        docker_only.status,
        StatusCode::NOT_FOUND,
        "precondition: the registry hides OCI indexes from Docker-only clients"
    );

    // ...and the proxy asks the right way.
    let response = inspect_ok(&proxy, &registry.reference("oci/hidden:1")).await;
    assert_root(&response, &index.manifest, Kind::Index);
}

#[tokio::test]
async fn docker_schema2_image() {
    let (registry, proxy) = world().await;
    let mut spec = ImageSpec::new(Format::Docker, "linux/amd64", 30);
    spec.layers = 3;
    spec.labels
        .insert("org.example.team".into(), "registry-tools".into());
    let image = spec.build();
    push_image(&registry, "single/docker", &image, Some("1.0")).await;

    let response = inspect_ok(&proxy, &registry.reference("single/docker:1.0")).await;
    assert_root(&response, &image.manifest, Kind::Image);
    assert_eq!(response.media_type, media_type::DOCKER_MANIFEST);
    assert_eq!(response.entries(), None);
    assert_image(&response, &image);
    assert_eq!(response.layers().map(<[_]>::len), Some(3));
    assert_eq!(
        response.image().map(|i| &i.config).unwrap().media_type,
        media_type::DOCKER_CONFIG
    );
}

#[tokio::test]
async fn oci_image_with_variant_and_annotations() {
    let (registry, proxy) = world().await;
    let mut spec = ImageSpec::new(Format::Oci, "linux/arm/v7", 40);
    spec.annotations.insert(
        "org.opencontainers.image.description".into(),
        "an OCI test image".into(),
    );
    let image = spec.build();
    push_image(&registry, "single/oci", &image, Some("1.0")).await;

    let response = inspect_ok(&proxy, &registry.reference("single/oci:1.0")).await;
    assert_root(&response, &image.manifest, Kind::Image);
    assert_eq!(response.media_type, media_type::OCI_MANIFEST);
    assert_image(&response, &image);
    assert_eq!(response.annotations, spec.annotations);
    assert_eq!(
        response.image().map(|i| &i.config).unwrap().media_type,
        media_type::OCI_CONFIG
    );
}

#[tokio::test]
async fn nested_index() {
    let (registry, proxy) = world().await;
    let inner = IndexBuilder::new(Format::Oci)
        .image(ImageSpec::new(Format::Oci, "linux/amd64", 50).build())
        .image(ImageSpec::new(Format::Oci, "linux/arm64", 51).build())
        .image(ImageSpec::new(Format::Oci, "linux/ppc64le", 52).build())
        .build();
    let s390x = ImageSpec::new(Format::Oci, "linux/s390x", 53).build();
    let outer = IndexBuilder::new(Format::Oci)
        .index(inner.clone(), None)
        .image(s390x.clone())
        .build();
    push_index(&registry, "nested/app", &outer, Some("1")).await;

    let response = inspect_ok(&proxy, &registry.reference("nested/app:1")).await;
    assert_root(&response, &outer.manifest, Kind::Index);
    let entries = response.entries().unwrap();
    assert_eq!(entries.len(), 2);

    let nested = &entries[0];
    assert_eq!(nested.descriptor, outer.entries[0]);
    assert_eq!(nested.descriptor.media_type, media_type::OCI_INDEX);
    assert_eq!(nested.kind, Kind::Index);
    let children = response.index().unwrap();
    let nested_child = children.child(nested).expect("the nested index");
    assert_eq!(nested_child.kind, Kind::Index);
    assert_eq!(nested_child.child_count, Some(inner.entries.len()));
    assert!(nested.error.is_none(), "{:?}", nested.error);

    let image = &entries[1];
    assert_eq!(image.kind, Kind::Image);
    let image_child = children.child(image).expect("the image");
    assert_eq!(
        image_child.config.as_ref(),
        Some(&s390x.config.descriptor())
    );

    // The inner index is reachable by its digest, with its own entries.
    let inner_response = inspect_ok(
        &proxy,
        &registry.reference(&format!("nested/app@{}", inner.manifest.digest)),
    )
    .await;
    assert_root(&inner_response, &inner.manifest, Kind::Index);
    assert_eq!(
        inner_response.entries().map(<[_]>::len),
        Some(inner.entries.len())
    );
}

#[tokio::test]
async fn artifact_with_a_subject() {
    let (registry, proxy) = world().await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 60).build();
    push_image(&registry, "art/app", &image, Some("1.0")).await;
    let sbom = ArtifactSpec::sbom("art/app", Some(image.descriptor())).build();
    push_image(&registry, "art/app", &sbom, Some("sbom")).await;

    let response = inspect_ok(&proxy, &registry.reference("art/app:sbom")).await;
    assert_root(&response, &sbom.manifest, Kind::Image);
    assert_eq!(response.artifact_type.as_deref(), Some(SPDX_JSON));
    assert_eq!(response.subject.as_ref(), Some(&image.descriptor()));
    let config = response.image().map(|i| &i.config).unwrap();
    assert_eq!(config.media_type, media_type::OCI_EMPTY);
    assert_eq!(config.size, 2, "the empty config is `{{}}`");
    assert_eq!(
        response.image().and_then(|i| i.config_raw.as_deref()),
        None,
        "not an image config"
    );
    assert_eq!(response.layers(), Some(sbom.layer_descriptors.as_slice()));
    assert_eq!(
        response.annotations,
        ArtifactSpec::sbom("art/app", None).annotations
    );
}

#[tokio::test]
async fn digest_reference() {
    let (registry, proxy) = world().await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 70).build();
    // Pushed by digest only: no tag points at it.
    push_image(&registry, "bydigest/app", &image, None).await;

    let reference = registry.reference(&format!("bydigest/app@{}", image.manifest.digest));
    let response = inspect_ok(&proxy, &reference).await;
    assert_root(&response, &image.manifest, Kind::Image);
    assert_eq!(response.tag, None);
    assert_image(&response, &image);
}

#[tokio::test]
async fn tag_and_digest_reference_fetches_the_digest() {
    let (registry, proxy) = world().await;
    let tagged = ImageSpec::new(Format::Docker, "linux/amd64", 80).build();
    let pinned = ImageSpec::new(Format::Docker, "linux/arm64/v8", 81).build();
    push_image(&registry, "pinned/app", &tagged, Some("stable")).await;
    push_image(&registry, "pinned/app", &pinned, None).await;

    // The digest wins over the tag (as with docker pull name:tag@digest).
    let reference = registry.reference(&format!("pinned/app:stable@{}", pinned.manifest.digest));
    let response = inspect_ok(&proxy, &reference).await;
    assert_root(&response, &pinned.manifest, Kind::Image);
    assert_image(&response, &pinned);
}

#[tokio::test]
async fn missing_tag_is_not_found_and_names_the_reference() {
    let (registry, proxy) = world().await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 90).build();
    push_image(&registry, "present/app", &image, Some("1.0")).await;

    let reference = registry.reference("present/app:no-such-tag");
    let failure = proxy
        .client()
        .inspect(&reference)
        .await
        .expect_err("a missing tag is an error");
    assert_eq!(failure.status, StatusCode::NOT_FOUND);
    assert_eq!(failure.error.code, ErrorCode::NotFound);
    assert!(
        failure.error.message.contains("no-such-tag"),
        "the message names the tag: {}",
        failure.error.message
    );
    assert!(
        failure.error.message.contains("present/app"),
        "the message names the repository: {}",
        failure.error.message
    );
}

#[tokio::test]
async fn missing_repository_is_not_found() {
    let (registry, proxy) = world().await;
    let reference = registry.reference("never/pushed:latest");
    let failure = proxy
        .client()
        .inspect(&reference)
        .await
        .expect_err("a missing repository is an error");
    assert_eq!(failure.status, StatusCode::NOT_FOUND);
    assert_eq!(failure.error.code, ErrorCode::NotFound);
    assert!(
        failure.error.message.contains("never/pushed"),
        "the message names the repository: {}",
        failure.error.message
    );
}

#[tokio::test]
async fn missing_digest_is_not_found() {
    let (registry, proxy) = world().await;
    let pushed = ImageSpec::new(Format::Oci, "linux/amd64", 95).build();
    let never = ImageSpec::new(Format::Oci, "linux/amd64", 96).build();
    push_image(&registry, "digests/app", &pushed, Some("1")).await;

    let reference = registry.reference(&format!("digests/app@{}", never.manifest.digest));
    let failure = proxy
        .client()
        .inspect(&reference)
        .await
        .expect_err("missing");
    assert_eq!(failure.status, StatusCode::NOT_FOUND);
    assert_eq!(failure.error.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn invalid_references_are_bad_requests() {
    let (registry, proxy) = world().await;
    let host = registry.host();
    let cases = [
        format!("{host}/Upper/Case:1"),
        format!("{host}/app:bad tag"),
        format!("{host}/app@sha256:1234"),
        String::new(),
    ];
    for input in cases {
        let failure = proxy
            .client()
            .inspect(&input)
            .await
            .expect_err("an invalid reference is an error");
        assert_eq!(failure.status, StatusCode::BAD_REQUEST, "for `{input}`");
        assert_eq!(
            failure.error.code,
            ErrorCode::InvalidReference,
            "for `{input}`"
        );
        assert!(
            !failure.error.message.is_empty(),
            "`{input}` gets an explanation"
        );
    }
}

/// `GET path?ref=REFERENCE[&format=FORMAT]`, raw.
async fn get_raw(
    proxy: &Proxy,
    path: &str,
    reference: &str,
    format: Option<&str>,
) -> support::RawResponse {
    let client = proxy.client();
    let mut request = client
        .request(reqwest::Method::GET, path)
        .query(&[("ref", reference)]);
    if let Some(format) = format {
        request = request.query(&[("format", format)]);
    }
    client.send(request).await
}

fn header<'a>(answer: &'a support::RawResponse, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header: {answer:?}"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn mquery_summary_and_badge_list_the_platforms_without_attestations() {
    let (registry, proxy) = world().await;
    let index = IndexBuilder::new(Format::Oci)
        .attested_image(ImageSpec::new(Format::Oci, "linux/amd64", 70).build())
        .attested_image(ImageSpec::new(Format::Oci, "linux/arm64/v8", 71).build())
        .image(ImageSpec::new(Format::Oci, WINDOWS, 72).build())
        .build();
    push_index(&registry, "mq/app", &index, Some("1")).await;
    let by_tag = registry.reference("mq/app:1");
    let by_digest = registry.reference(&format!("mq/app@{}", index.manifest.digest));
    let digest = &index.manifest.digest;

    let text = get_raw(&proxy, shared::api::INSPECT_PATH, &by_tag, Some("mquery")).await;
    assert_eq!(text.status, StatusCode::OK);
    assert_eq!(header(&text, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(header(&text, "cache-control"), "no-cache");
    assert_eq!(
        std::str::from_utf8(&text.body).unwrap(),
        format!(
            "Image: {by_tag} (digest: {digest})\n \
             * Manifest List: Yes (Image type: {})\n \
             * Supported platforms:\n   \
             - linux/amd64\n   \
             - linux/arm64/v8\n   \
             - {WINDOWS}\n",
            media_type::OCI_INDEX
        )
    );

    let summary = get_raw(
        &proxy,
        shared::api::INSPECT_PATH,
        &by_digest,
        Some("summary"),
    )
    .await;
    assert_eq!(summary.status, StatusCode::OK);
    assert_eq!(header(&summary, "content-type"), "application/json");
    assert_eq!(
        header(&summary, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let json: serde_json::Value = serde_json::from_slice(&summary.body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "reference": by_digest,
            "digest": digest.to_string(),
            "mediaType": media_type::OCI_INDEX,
            "manifestList": true,
            "platforms": ["linux/amd64", "linux/arm64/v8", WINDOWS],
        })
    );

    for (reference, cache) in [
        (&by_tag, "no-cache"),
        (&by_digest, "public, max-age=31536000, immutable"),
    ] {
        let badge = get_raw(&proxy, shared::api::BADGE_PATH, reference, None).await;
        assert_eq!(badge.status, StatusCode::OK, "{badge:?}");
        assert_eq!(header(&badge, "content-type"), "image/svg+xml");
        assert_eq!(header(&badge, "cache-control"), cache);
        assert_eq!(
            header(&badge, "content-security-policy"),
            "default-src 'none'; style-src 'unsafe-inline'"
        );
        let svg = std::str::from_utf8(&badge.body).unwrap();
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(
            svg.contains(&format!(">linux/amd64 · linux/arm64/v8 · {WINDOWS}</text>")),
            "{svg}"
        );
        assert!(
            !svg.contains("unknown"),
            "attestations are no platforms: {svg}"
        );
    }

    // A single image; an unknown format; a badge for a tag that is not there.
    let single = ImageSpec::new(Format::Docker, "linux/s390x", 73).build();
    push_image(&registry, "mq/single", &single, Some("1")).await;
    let single_ref = registry.reference("mq/single:1");
    let text = get_raw(
        &proxy,
        shared::api::INSPECT_PATH,
        &single_ref,
        Some("mquery"),
    )
    .await;
    assert_eq!(
        std::str::from_utf8(&text.body).unwrap(),
        format!(
            "Image: {single_ref} (digest: {})\n \
             * Manifest List: No (Image type: {})\n \
             * Supports: linux/s390x\n",
            single.manifest.digest,
            media_type::DOCKER_MANIFEST
        )
    );
    let bad = get_raw(
        &proxy,
        shared::api::INSPECT_PATH,
        &single_ref,
        Some("mquer"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let missing = get_raw(
        &proxy,
        shared::api::BADGE_PATH,
        &registry.reference("mq/none:1"),
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{missing:?}");
}
