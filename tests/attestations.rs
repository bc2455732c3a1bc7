//! `GET /api/v1/attestation` against a real registry: buildx-style
//! attestation manifests with real in-toto layers (SPDX SBOM, SLSA
//! provenance), an SBOM artifact, a document over the size cap, a layer
//! whose bytes do not match its digest, and a cosign-style signature.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::api::{ATTESTATION_PATH, AttestationResponse, ErrorCode};
use shared::digest::Digest;
use shared::statement::Summary;
use support::attestation::{IN_TOTO_JSON, attestation_entry, attestation_with};
use support::blob::json_blob;
use support::image::ImageManifestJson;
use support::proxy::decode;
use support::{
    ApiFailure, ArtifactSpec, Child, Format, Image, ImageSpec, IndexBuilder, Proxy, Registry,
};

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

async fn attestation(proxy: &Proxy, reference: &str) -> Result<AttestationResponse, ApiFailure> {
    let client = proxy.client();
    let path = format!("{ATTESTATION_PATH}?ref={reference}");
    decode(client.send(client.request(Method::GET, &path)).await)
}

fn spdx_statement(subject: &Digest) -> serde_json::Value {
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [{"name": "pkg:docker/team/app@1?platform=linux%2Famd64", "digest": {"sha256": subject.hex()}}],
        "predicate": {
            "spdxVersion": "SPDX-2.3",
            "name": "sbom",
            "packages": [
                {"name": "busybox", "versionInfo": "1.36.1-r15", "licenseConcluded": "GPL-2.0-only",
                 "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:apk/alpine/busybox@1.36.1-r15"}]},
                {"name": "musl", "versionInfo": "1.2.4-r2", "licenseDeclared": "MIT"},
                {"name": "zlib", "versionInfo": "1.3.1-r0", "licenseConcluded": "Zlib"}
            ]
        }
    })
}

fn provenance_statement(subject: &Digest) -> serde_json::Value {
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "pkg:docker/team/app@1", "digest": {"sha256": subject.hex()}}],
        "predicate": {
            "builder": {"id": "https://github.com/team/app/actions/runs/1"},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "invocation": {
                "configSource": {"uri": "https://github.com/team/app.git#refs/heads/main", "digest": {"sha1": "5e3e4a4ac71b2f8a6f0cbd9d0b5b2bfe6c1e9b71"}},
                "parameters": {"args": {"build-arg:VERSION": "1.0"}}
            },
            "metadata": {"buildStartedOn": "2024-03-01T12:00:00Z", "buildFinishedOn": "2024-03-01T12:02:00Z"}
        }
    })
}

fn corrupt_blob(registry: &Registry, digest: &Digest) {
    let path: PathBuf = registry
        .storage_dir()
        .join("docker/registry/v2/blobs")
        .join(digest.algorithm().to_string())
        .join(&digest.hex()[..2])
        .join(digest.hex())
        .join("data");
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for b in bytes.iter_mut().take(64) {
        *b ^= 0xff;
    }
    std::fs::write(&path, bytes).unwrap();
}

#[tokio::test]
async fn a_buildx_attestation_says_its_sbom_and_provenance() {
    let registry = registry().await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 1401).build();
    let subject = image.manifest.digest.clone();
    let att = attestation_with(&[
        ("https://spdx.dev/Document", spdx_statement(&subject)),
        (
            "https://slsa.dev/provenance/v0.2",
            provenance_statement(&subject),
        ),
    ]);
    let entry = attestation_entry(&att, &image.manifest);
    let index = IndexBuilder::new(Format::Oci)
        .image(image)
        .entry(entry, Child::Image(Box::new(att.clone())))
        .build();
    registry
        .pusher()
        .push_index("team/app", &index, Some("1"))
        .await
        .unwrap();
    let proxy = Proxy::start(&[&registry]).await;
    let reference = registry.reference(&format!("team/app@{}", att.manifest.digest));
    let answer = attestation(&proxy, &reference).await.expect("answer");
    assert_eq!(answer.reference, reference);
    assert_eq!(answer.signature, None);
    assert_eq!(answer.documents.len(), 2);
    let sbom = &answer.documents[0];
    assert_eq!(sbom.media_type, IN_TOTO_JSON);
    assert_eq!(
        sbom.predicate_type.as_deref(),
        Some("https://spdx.dev/Document")
    );
    let view = sbom.view.as_ref().expect("read");
    assert_eq!(view.subjects[0].digest["sha256"], subject.hex());
    let Summary::Sbom(table) = &view.summary else {
        panic!("{view:#?}")
    };
    assert_eq!(table.package_count, 3);
    assert_eq!(table.packages[0].name, "busybox");
    assert_eq!(
        table.packages[0].purl.as_deref(),
        Some("pkg:apk/alpine/busybox@1.36.1-r15")
    );
    assert_eq!(table.packages[1].license.as_deref(), Some("MIT"));
    let view = answer.documents[1].view.as_ref().expect("read");
    let Summary::Provenance(p) = &view.summary else {
        panic!("{view:#?}")
    };
    assert_eq!(
        p.builder_id.as_deref(),
        Some("https://github.com/team/app/actions/runs/1")
    );
    assert_eq!(
        p.source.as_ref().and_then(|s| s.commit.as_deref()),
        Some("5e3e4a4ac71b2f8a6f0cbd9d0b5b2bfe6c1e9b71")
    );
    assert_eq!(p.build_args.get("VERSION").map(String::as_str), Some("1.0"));
    assert!(view.raw.as_deref().unwrap().contains("buildStartedOn"));

    // By tag it is refused: an attestation is named by digest.
    let failure = attestation(&proxy, &registry.reference("team/app:1"))
        .await
        .expect_err("needs a digest");
    assert_eq!(failure.status, StatusCode::BAD_REQUEST);
    // An index is not an attestation.
    let failure = attestation(
        &proxy,
        &registry.reference(&format!("team/app@{}", index.manifest.digest)),
    )
    .await
    .expect_err("an index");
    assert_eq!(failure.error.code, ErrorCode::BadManifest);
    assert!(
        failure.error.message.contains("index"),
        "{}",
        failure.error.message
    );
}

#[tokio::test]
async fn an_sbom_artifact_is_read_and_a_tampered_layer_is_not() {
    let registry = registry().await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 1402).build();
    let sbom = ArtifactSpec::sbom("team/app", Some(image.descriptor())).build();
    let pusher = registry.pusher();
    pusher
        .push_image("team/app", &image, Some("1"))
        .await
        .unwrap();
    pusher
        .push_image("team/app", &sbom, Some("sbom"))
        .await
        .unwrap();
    let proxy = Proxy::start(&[&registry]).await;
    let reference = registry.reference(&format!("team/app@{}", sbom.manifest.digest));
    let answer = attestation(&proxy, &reference).await.expect("answer");
    assert_eq!(
        answer.artifact_type.as_deref(),
        Some("application/spdx+json")
    );
    assert_eq!(answer.subject.as_ref(), Some(&image.manifest.digest));
    let view = answer.documents[0].view.as_ref().expect("read");
    assert_eq!(view.predicate_type, None, "a bare SPDX document");
    let Summary::Sbom(table) = &view.summary else {
        panic!("{view:#?}")
    };
    assert_eq!(table.package_count, 1);
    assert_eq!(table.packages[0].name, "team/app");

    // Same bytes in another repository, then tampered with on disk: the
    // digest check refuses them (and says so), the answer still comes.
    pusher
        .push_image("team/other", &sbom, Some("sbom"))
        .await
        .unwrap();
    corrupt_blob(&registry, &sbom.layers[0].digest);
    let fresh = Proxy::start(&[&registry]).await;
    let reference = registry.reference(&format!("team/other@{}", sbom.manifest.digest));
    let answer = attestation(&fresh, &reference).await.expect("answer");
    let skipped = answer.documents[0].skipped.as_deref().expect("not read");
    assert!(answer.documents[0].view.is_none());
    assert!(skipped.contains("digest"), "{skipped}");
}

#[tokio::test]
async fn documents_over_the_cap_are_named_and_signatures_not_read() {
    let registry = registry().await;
    // An SBOM statement of ~17 MiB: over the 16 MiB a document is read up to.
    let packages: Vec<_> = (0..170_000)
        .map(|i| json!({"name": format!("package-{i:06}"), "versionInfo": "1.0.0", "description": "x".repeat(64)}))
        .collect();
    let big = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [],
        "predicate": {"spdxVersion": "SPDX-2.3", "packages": packages}
    });
    let att = attestation_with(&[("https://spdx.dev/Document", big)]);
    assert!(att.layers[0].bytes.len() as u64 > proxy::attestations::MAX_DOCUMENT_BYTES);
    registry
        .pusher()
        .push_image("team/big", &att, None)
        .await
        .unwrap();
    // A cosign-style signature manifest (`sha256-<hex>.sig`).
    let payload = json_blob(
        "application/vnd.dev.cosign.simplesigning.v1+json",
        &json!({"critical": {"type": "cosign container image signature"}}),
    );
    let config = json_blob(
        shared::media_type::OCI_CONFIG,
        &json!({"architecture": "", "os": "", "rootfs": {"type": "layers", "diff_ids": []}}),
    );
    let mut layer = payload.descriptor();
    layer.annotations.insert(
        "dev.cosignproject.cosign/signature".into(),
        "MEUCIQ...".into(),
    );
    let manifest = ImageManifestJson {
        schema_version: 2,
        media_type: shared::media_type::OCI_MANIFEST.to_string(),
        artifact_type: None,
        config: config.descriptor(),
        layers: vec![layer.clone()],
        subject: None,
        annotations: BTreeMap::new(),
    };
    let signature = Image {
        manifest: json_blob(shared::media_type::OCI_MANIFEST, &manifest),
        config,
        layers: vec![payload],
        layer_descriptors: vec![layer],
        platform: None,
        spec: None,
    };
    registry
        .pusher()
        .push_image("team/big", &signature, Some("sha256-0123.sig"))
        .await
        .unwrap();

    let proxy = Proxy::start(&[&registry]).await;
    let answer = attestation(
        &proxy,
        &registry.reference(&format!("team/big@{}", att.manifest.digest)),
    )
    .await
    .expect("answer");
    let skipped = answer.documents[0].skipped.as_deref().expect("not read");
    assert!(skipped.contains("too large to render"), "{skipped}");
    assert!(answer.documents[0].view.is_none());

    let answer = attestation(
        &proxy,
        &registry.reference(&format!("team/big@{}", signature.manifest.digest)),
    )
    .await
    .expect("answer");
    assert_eq!(
        answer.signature.as_deref(),
        Some("cosign signature (not verified)")
    );
    assert!(answer.documents[0].view.is_none());
}
