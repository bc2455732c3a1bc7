//! Round trips to a registry, counted where machine load cannot move them:
//! the requests that reach the registry (through the fault proxy, which
//! counts them) and whether a wave of requests was really one wave (the
//! fault proxy holds every answer until all of the wave's requests have
//! arrived: a client that sent them in two waves, or one after another,
//! would only be answered after the proxy's safety timeout, which
//! `hold_timeouts` counts). No clock is asserted.
//!
//! An inspection is two round trips to its first answer (the root, then
//! every child at once; no `/v2/` ping, no HEAD, no configs), and the
//! configs one more, asked for separately.

use shared::api::InspectResponse;
use shared::media_type::Kind;
use support::token_server::{Grants, TokenServer};
use support::{
    FaultProxy, Format, ImageSpec, Index, IndexBuilder, Proxy, Registry, RegistryOptions,
};

/// Exactly `GET /v2/` (a ping, or the TLS probe's plain-HTTP half).
fn pings(fault: &FaultProxy) -> usize {
    fault
        .counts()
        .get(&("GET".to_string(), "/v2/".to_string()))
        .copied()
        .unwrap_or(0)
}

async fn index_of(registry: &Registry, repo: &str, entries: u64) -> Index {
    let mut builder = IndexBuilder::new(Format::Oci);
    for seed in 0..entries {
        builder = builder.image(ImageSpec::new(Format::Oci, "linux/amd64", 7000 + seed).build());
    }
    let index = builder.build();
    registry
        .pusher()
        .push_index(repo, &index, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("push {repo}: {e}\n{}", registry.log()));
    index
}

fn ok<T>(result: Result<T, support::ApiFailure>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

#[tokio::test]
async fn an_inspection_is_the_root_then_every_child_at_once_then_the_configs() {
    const N: usize = 48;
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let index = index_of(&registry, "wave/app", N as u64).await;
    let single = ImageSpec::new(Format::Oci, "linux/arm64", 6999).build();
    registry
        .pusher()
        .push_image("known/app", &single, Some("1"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}"));
    let fault = FaultProxy::start(&registry).await;
    let proxy = Proxy::start_with(|c| c.insecure_registries.push(fault.host())).await;
    let client = proxy.client();

    // The first request to an --insecure-registry: one probe (TLS and plain
    // HTTP at once), then the request itself.
    ok(
        client.inspect_first(&fault.reference("known/app:1")).await,
        "inspect known/app",
    );
    assert_eq!(
        pings(&fault),
        1,
        "the probe's plain half: {:?}",
        fault.counts()
    );
    assert_eq!(fault.count("GET", "/v2/known/app/manifests/1"), 1);

    // Cold, registry known: the tag, then all N children in one wave.
    fault.reset_counts();
    fault.hold_until("GET", "/v2/wave/app/manifests/sha256:", N);
    let tag = fault.reference("wave/app:v1");
    let first = ok(client.inspect_first(&tag).await, "inspect the index");
    assert_eq!(
        fault.hold_timeouts(),
        0,
        "children sent in more than one wave"
    );
    assert_eq!(fault.held_arrivals(), N);
    let counts = fault.counts();
    assert_eq!(
        fault.count("GET", "/v2/wave/app/manifests/v1"),
        1,
        "{counts:?}"
    );
    assert_eq!(
        fault.count("GET", "/v2/wave/app/manifests/sha256:"),
        N,
        "{counts:?}"
    );
    assert_eq!(fault.count("GET", "/blobs/"), 0, "no configs: {counts:?}");
    assert_eq!(fault.count("HEAD", "/"), 0, "no HEAD: {counts:?}");
    assert_eq!(pings(&fault), 0, "no ping: {counts:?}");
    assert_eq!(fault.total(), 1 + N, "{counts:?}");
    let entries = first.entries().expect("an index");
    assert_eq!(entries.len(), N);
    let content = first.index().unwrap();
    for entry in entries {
        assert!(entry.error.is_none(), "{entry:?}");
        let child = content.child(entry).expect("each child is described");
        assert_eq!(child.kind, Kind::Image);
        assert!(child.layers.is_some() && child.config.is_some());
        assert!(child.image_config.is_none(), "configs come later");
    }

    // The second part: every config at once, nothing else.
    fault.reset_counts();
    fault.hold_until("GET", "/v2/wave/app/blobs/", N);
    let by_digest = fault.reference(&format!("wave/app@{}", index.manifest.digest));
    let configs = ok(client.child_configs(&by_digest).await, "the configs");
    assert_eq!(
        fault.hold_timeouts(),
        0,
        "configs sent in more than one wave"
    );
    assert_eq!(
        fault.count("GET", "/v2/wave/app/blobs/"),
        N,
        "{:?}",
        fault.counts()
    );
    assert_eq!(fault.total(), N, "{:?}", fault.counts());
    assert_eq!(configs.configs.len(), N);

    // First part + configs = the whole answer, entry for entry.
    fault.reset_counts();
    let whole = ok(client.inspect(&tag).await, "the whole answer");
    assert_eq!(fault.total(), 1, "warm: the tag only: {:?}", fault.counts());
    let mut merged: InspectResponse = first.clone();
    if let shared::api::Content::Index(content) = &mut merged.content {
        content.add_configs(configs);
    }
    assert_eq!(merged, whole);
    for (entry, image) in whole.entries().unwrap().iter().zip(&index.children) {
        let support::Child::Image(image) = image else {
            panic!("an image child")
        };
        let config = whole
            .index()
            .unwrap()
            .child(entry)
            .unwrap()
            .image_config
            .as_ref();
        assert_eq!(
            config.map(|c| c.platform()),
            image.spec.as_ref().map(|s| s.platform.clone())
        );
    }

    // Warm: the tag is one GET (no HEAD), a digest nothing at all.
    fault.reset_counts();
    let again = ok(client.inspect_first(&tag).await, "inspect again");
    assert_eq!(again, first);
    assert_eq!(fault.count("GET", "/v2/wave/app/manifests/v1"), 1);
    assert_eq!(fault.total(), 1, "{:?}", fault.counts());
    fault.reset_counts();
    ok(client.inspect_first(&by_digest).await, "by digest");
    ok(client.child_configs(&by_digest).await, "configs by digest");
    assert_eq!(fault.total(), 0, "{:?}", fault.counts());
}

/// A registry that challenged once is answered before it challenges again:
/// a new repository's first request goes with a token fetched first, not
/// after a 401.
#[tokio::test]
async fn a_known_registry_s_challenge_is_answered_before_the_request() {
    let tokens = TokenServer::start(Grants::all()).await;
    let seed = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let guarded = Registry::start_with(RegistryOptions {
        auth_yaml: Some(tokens.registry_auth()),
        storage: Some(seed.storage_dir()),
        ..RegistryOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start docker-registry with token auth: {e}"));
    for repo in ["one/app", "two/app"] {
        seed.pusher()
            .push_image(
                repo,
                &ImageSpec::new(Format::Oci, "linux/amd64", 6990).build(),
                Some("1"),
            )
            .await
            .unwrap_or_else(|e| panic!("seed {repo}: {e}"));
    }
    let fault = FaultProxy::start(&guarded).await;
    let hosts = [fault.host(), tokens.host()];
    let proxy = Proxy::start_with(|c| c.insecure_registries.extend(hosts)).await;
    let client = proxy.client();

    ok(
        client.inspect_first(&fault.reference("one/app:1")).await,
        "one",
    );
    // Refused once (no token yet), then sent with one.
    assert_eq!(
        fault.count("GET", "/v2/one/app/manifests/1"),
        2,
        "{:?}",
        fault.counts()
    );
    let issued = tokens.issued();

    fault.reset_counts();
    ok(
        client.inspect_first(&fault.reference("two/app:1")).await,
        "two",
    );
    assert_eq!(
        fault.count("GET", "/v2/two/app/manifests/1"),
        1,
        "{:?}",
        fault.counts()
    );
    assert_eq!(pings(&fault), 0, "{:?}", fault.counts());
    assert_eq!(
        tokens.issued(),
        issued + 1,
        "one token, for the new repository"
    );
}
