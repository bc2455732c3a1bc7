//! The proxy's cache, seen from the registry's side: a counting forwarder
//! (the fault proxy with no rules) sits between the proxy and a real
//! registry and counts what the proxy really asks for.
//!
//! Content by digest never changes, so a second inspection of the same
//! index reads only the tag's manifest (one GET, the same one round trip a
//! HEAD would take, with the bytes whose digest says whether the tag still
//! points at the cached index); a tag that moved is noticed by that GET.
//! Only Docker Hub, whose pull quota counts GETs, is asked with a HEAD
//! first (`registry::quota::counts_manifest_gets`).

use shared::api::InspectResponse;
use support::{FaultProxy, Format, ImageSpec, IndexBuilder, Proxy, Registry};

async fn inspect(proxy: &Proxy, reference: &str) -> InspectResponse {
    proxy
        .client()
        .inspect(reference)
        .await
        .unwrap_or_else(|e| panic!("inspect {reference}: {e:?}"))
}

#[tokio::test]
async fn a_second_inspection_makes_fewer_upstream_requests() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let counter = FaultProxy::start(&registry).await;
    let proxy = Proxy::start_with(|c| c.insecure_registries.push(counter.host())).await;

    let list = IndexBuilder::new(Format::Docker)
        .image(ImageSpec::new(Format::Docker, "linux/amd64", 11).build())
        .image(ImageSpec::new(Format::Docker, "linux/arm64/v8", 12).build())
        .image(ImageSpec::new(Format::Docker, "windows/amd64:10.0.17763.2565", 13).build())
        .build();
    registry
        .pusher()
        .push_index("cache/app", &list, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));
    let by_tag = counter.reference("cache/app:v1");

    counter.reset_counts();
    let first = inspect(&proxy, &by_tag).await;
    let cold = counter.total();
    let cold_counts = counter.counts();
    // The index, each child and each child's config.
    assert!(
        cold > 2 * list.entries.len(),
        "cold inspection: {cold_counts:?}"
    );
    assert_eq!(counter.count("HEAD", "/manifests/"), 0, "{cold_counts:?}");

    counter.reset_counts();
    let second = inspect(&proxy, &by_tag).await;
    let warm = counter.total();
    assert_eq!(second, first, "the cached answer is the same answer");
    assert!(
        warm < cold,
        "warm {warm} < cold {cold}: {:?}",
        counter.counts()
    );
    assert_eq!(warm, 1, "{:?}", counter.counts());
    assert_eq!(
        counter.count("GET", "/manifests/v1"),
        1,
        "{:?}",
        counter.counts()
    );
    assert_eq!(counter.count("HEAD", "/"), 0, "{:?}", counter.counts());

    // By digest: nothing to ask at all.
    counter.reset_counts();
    let by_digest = inspect(
        &proxy,
        &counter.reference(&format!("cache/app@{}", list.manifest.digest)),
    )
    .await;
    assert_eq!(by_digest.digest, first.digest);
    assert_eq!(counter.total(), 0, "{:?}", counter.counts());

    // The tag moves: the GET reads the new index.
    let moved = IndexBuilder::new(Format::Docker)
        .image(ImageSpec::new(Format::Docker, "linux/s390x", 14).build())
        .build();
    registry
        .pusher()
        .push_index("cache/app", &moved, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));
    counter.reset_counts();
    let after_move = inspect(&proxy, &by_tag).await;
    assert_eq!(after_move.digest, moved.manifest.digest);
    assert_eq!(after_move.entries().map(<[_]>::len), Some(1));
    assert!(
        counter.count("GET", "/manifests/v1") >= 1,
        "{:?}",
        counter.counts()
    );
}

#[tokio::test]
async fn entries_carry_their_image_config() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let proxy = Proxy::start(&[&registry]).await;
    let windows = ImageSpec::new(Format::Docker, "windows/amd64:10.0.17763.2565", 21).build();
    let linux = ImageSpec::new(Format::Docker, "linux/arm/v7", 22).build();
    let list = IndexBuilder::new(Format::Docker)
        .image(linux.clone())
        .image(windows.clone())
        .build();
    registry
        .pusher()
        .push_index("cache/configs", &list, Some("1"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));
    let response = inspect(&proxy, &registry.reference("cache/configs:1")).await;
    let entries = response.entries().expect("an index");
    for (entry, image) in entries.iter().zip([&linux, &windows]) {
        let spec = image.spec.as_ref().unwrap();
        let index = response.index().unwrap();
        let child = index.child(entry).expect("the child");
        let config = child.image_config.as_ref().expect("the child's config");
        assert_eq!(config.os, spec.platform.os);
        assert_eq!(config.architecture, spec.platform.architecture);
        assert_eq!(config.variant, spec.platform.variant);
        assert_eq!(config.os_version, spec.platform.os_version);
        assert_eq!(
            config.config.as_ref().and_then(|c| c.cmd.clone()),
            Some(spec.cmd.clone())
        );
        let total: u64 = image.layer_descriptors.iter().map(|l| l.size).sum();
        assert_eq!(
            shared::inspect::entry_layer_total(index, entry),
            Some(total)
        );
    }
}
