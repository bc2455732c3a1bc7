//! `GET /api/v1/compare?a=REF&b=REF` against a real registry: indexes that
//! share an identical platform, a platform whose images share their layers
//! but not their config, images that share nothing, and an index against one
//! of its own images.

use reqwest::StatusCode;
use shared::api::{ErrorBody, ErrorCode};
use shared::compare::{COMPARE_PATH, Comparison};
use shared::media_type::Kind;
use support::{Format, Image, ImageSpec, IndexBuilder, Proxy, RawResponse, Registry};

async fn compare(proxy: &Proxy, a: &str, b: &str) -> RawResponse {
    let client = proxy.client();
    client
        .send(
            client
                .request(reqwest::Method::GET, COMPARE_PATH)
                .query(&[("a", a), ("b", b)]),
        )
        .await
}

fn decode(r: &RawResponse) -> Comparison {
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    serde_json::from_slice(&r.body).expect("a comparison")
}

fn layer_sizes(image: &Image) -> u64 {
    image.layers.iter().map(|l| l.bytes.len() as u64).sum()
}

struct Pushed {
    registry: Registry,
    amd: Image,
    amd_cmd: Image,
    arm: Image,
    other: Image,
}

/// `cmp/app:a` = [amd64, arm64]; `cmp/app:b` = [amd64 with another `Cmd`
/// (the same layers), the same arm64, ppc64le]; `cmp/app:other`: an amd64
/// image sharing nothing.
async fn pushed() -> Pushed {
    let registry = Registry::start().await.expect("docker-registry");
    let pusher = registry.pusher();
    let amd = ImageSpec::new(Format::Oci, "linux/amd64", 1).build();
    let amd_cmd = ImageSpec {
        cmd: vec!["serve".into(), "--verbose".into()],
        ..ImageSpec::new(Format::Oci, "linux/amd64", 1)
    }
    .build();
    let arm = ImageSpec::new(Format::Oci, "linux/arm64", 2).build();
    let ppc = ImageSpec::new(Format::Oci, "linux/ppc64le", 3).build();
    let other = ImageSpec::new(Format::Oci, "linux/amd64", 4).build();
    let a = IndexBuilder::new(Format::Oci)
        .image(amd.clone())
        .image(arm.clone())
        .build();
    let b = IndexBuilder::new(Format::Oci)
        .image(amd_cmd.clone())
        .image(arm.clone())
        .image(ppc)
        .build();
    for (index, tag) in [(&a, "a"), (&b, "b")] {
        pusher
            .push_index("cmp/app", index, Some(tag))
            .await
            .unwrap_or_else(|e| panic!("push {tag}: {e}\n{}", registry.log()));
    }
    pusher
        .push_image("cmp/app", &other, Some("other"))
        .await
        .unwrap_or_else(|e| panic!("push other: {e}"));
    pusher
        .push_image("cmp/app", &amd, Some("amd"))
        .await
        .unwrap_or_else(|e| panic!("push amd: {e}"));
    Pushed {
        registry,
        amd,
        amd_cmd,
        arm,
        other,
    }
}

#[tokio::test]
async fn indexes_sharing_layers_and_a_platform() {
    let p = pushed().await;
    let proxy = Proxy::start(&[&p.registry]).await;
    let c = decode(
        &compare(
            &proxy,
            &p.registry.reference("cmp/app:a"),
            &p.registry.reference("cmp/app:b"),
        )
        .await,
    );
    assert_eq!((c.a.kind, c.b.kind), (Kind::Index, Kind::Index));
    assert_eq!(c.platforms.both, ["linux/amd64", "linux/arm64"]);
    assert_eq!(c.platforms.only_b, ["linux/ppc64le"]);
    assert!(c.platforms.only_a.is_empty());

    let arm = &c.layers["linux/arm64"];
    assert!(arm.identical);
    assert_eq!(arm.digest_a.as_ref(), Some(&p.arm.manifest.digest));

    let amd = &c.layers["linux/amd64"];
    assert!(!amd.identical);
    assert_eq!(amd.digest_a.as_ref(), Some(&p.amd.manifest.digest));
    assert_eq!(amd.digest_b.as_ref(), Some(&p.amd_cmd.manifest.digest));
    assert_eq!(amd.shared.len(), 2, "the same layers");
    assert!(amd.only_a.is_empty() && amd.only_b.is_empty());
    assert_eq!(amd.shared_bytes, layer_sizes(&p.amd));
    let diffs: Vec<_> = c
        .config
        .iter()
        .map(|d| (d.platform.as_str(), d.field.as_str()))
        .collect();
    assert_eq!(diffs, [("linux/amd64", "cmd")]);
    assert_eq!(c.config[0].b.as_deref(), Some(r#"["serve","--verbose"]"#));
}

#[tokio::test]
async fn images_sharing_nothing_and_an_index_against_its_own_image() {
    let p = pushed().await;
    let proxy = Proxy::start(&[&p.registry]).await;
    let c = decode(
        &compare(
            &proxy,
            &p.registry.reference("cmp/app:amd"),
            &p.registry.reference("cmp/app:other"),
        )
        .await,
    );
    assert_eq!((c.a.kind, c.b.kind), (Kind::Image, Kind::Image));
    assert_eq!(c.platforms.both, ["linux/amd64"]);
    let l = &c.layers["linux/amd64"];
    assert!(!l.identical && l.shared.is_empty());
    assert_eq!((l.only_a.len(), l.only_b.len()), (2, 2));
    assert_eq!(
        (l.only_a_bytes, l.only_b_bytes),
        (layer_sizes(&p.amd), layer_sizes(&p.other))
    );
    assert!(
        c.config
            .iter()
            .any(|d| d.field == "env" && d.key.as_deref() == Some("IMAGE_SEED")),
        "{:?}",
        c.config
    );

    // The index's amd64 image is the one pushed as `amd`.
    let by_digest = p
        .registry
        .reference(&format!("cmp/app@{}", p.amd.manifest.digest));
    let c = decode(&compare(&proxy, &p.registry.reference("cmp/app:a"), &by_digest).await);
    assert_eq!(c.platforms.both, ["linux/amd64"]);
    assert_eq!(c.platforms.only_a, ["linux/arm64"]);
    assert!(c.layers["linux/amd64"].identical);
    assert!(c.config.is_empty());
    assert_eq!(c.b.digest, p.amd.manifest.digest);

    // Either reference missing or wrong is named.
    let r = compare(&proxy, &p.registry.reference("cmp/app:a"), "").await;
    let body: ErrorBody = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        (r.status, body.error.code),
        (StatusCode::BAD_REQUEST, ErrorCode::InvalidReference)
    );
    let r = compare(
        &proxy,
        &p.registry.reference("cmp/app:a"),
        &p.registry.reference("cmp/app:gone"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
