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

use shared::api::{InspectResponse, PUSH_PATH, PushEvent, PushPhase, StepState};
use shared::media_type::Kind;
use shared::plan::StepKind;
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

/// `(round trips, requests)` an answer says it cost upstream.
fn upstream(raw: &support::RawResponse) -> (usize, usize) {
    let number = |name: &str| -> usize {
        raw.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} header: {:?}", raw.headers))
    };
    (
        number("x-upstream-round-trips"),
        number("x-upstream-requests"),
    )
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
    let raw = client.inspect_first_raw(&tag).await;
    // The proxy's own count of what the answer cost says the same.
    assert_eq!(upstream(&raw), (2, 1 + N));
    let first: InspectResponse = ok(support::proxy::decode(raw), "inspect the index");
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

/// The push's events.
async fn push(proxy: &Proxy, spec: &serde_json::Value) -> Vec<PushEvent> {
    let client = proxy.client();
    let request = client
        .request(reqwest::Method::POST, PUSH_PATH)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(spec.to_string());
    let response = client.send(request).await;
    assert!(response.status.is_success(), "{response:?}");
    let text = String::from_utf8(response.body.to_vec()).expect("NDJSON is UTF-8");
    let events: Vec<PushEvent> = text
        .lines()
        .map(|l| PushEvent::from_ndjson(l).unwrap_or_else(|e| panic!("event `{l}`: {e}")))
        .collect();
    assert!(
        matches!(events.last(), Some(PushEvent::Done { .. })),
        "the push did not finish: {events:#?}"
    );
    events
}

/// `(phase, round trips, requests)` in the order reported.
fn phases(events: &[PushEvent]) -> Vec<(PushPhase, usize, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            PushEvent::Phase {
                phase,
                round_trips,
                requests,
            } => Some((*phase, *round_trips, *requests)),
            _ => None,
        })
        .collect()
}

fn step_details(events: &[PushEvent], kind: StepKind) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            PushEvent::Step {
                state: StepState::Done,
                kind: k,
                detail,
                ..
            } if *k == kind => Some(detail.clone().unwrap_or_default()),
            _ => None,
        })
        .collect()
}

/// Four sources from four repositories into an OCI index and two more
/// tags: the sources resolved at once (manifest, then config), every blob
/// mounted at once with no HEAD before it, every child put at once, the
/// index by digest, every tag at once: six round trips, each phase's
/// requests counted by the registry's side too.
#[tokio::test]
async fn a_push_is_six_round_trips() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let platforms = [
        "linux/amd64",
        "linux/arm64/v8",
        "linux/ppc64le",
        "linux/s390x",
    ];
    let mut sources = Vec::new();
    for (i, platform) in platforms.iter().enumerate() {
        let image = ImageSpec::new(Format::Oci, platform, 6900 + i as u64).build();
        let repo = format!("src/p{i}");
        registry
            .pusher()
            .push_image(&repo, &image, Some("1"))
            .await
            .unwrap_or_else(|e| panic!("seed {repo}: {e}"));
        sources.push((repo, image));
    }
    let fault = FaultProxy::start(&registry).await;
    let proxy = Proxy::start_with(|c| c.insecure_registries.push(fault.host())).await;
    // The registry is known (its scheme probed) before the push.
    ok(
        proxy
            .client()
            .inspect_first(&fault.reference("src/p0:1"))
            .await,
        "learn the registry",
    );
    let spec = serde_json::json!({
        "type": "oci",
        "image": fault.reference("team/app:1.0"),
        "tags": ["1", "latest"],
        "manifests": sources
            .iter()
            .map(|(repo, _)| serde_json::json!({"image": fault.reference(&format!("{repo}:1"))}))
            .collect::<Vec<_>>(),
    });
    let blobs: usize = sources.iter().map(|(_, i)| 1 + i.layers.len()).sum();

    fault.reset_counts();
    fault.hold_until("POST", "/v2/team/app/blobs/uploads/", blobs);
    let events = push(&proxy, &spec).await;
    assert_eq!(
        fault.hold_timeouts(),
        0,
        "mounts sent in more than one wave"
    );
    assert_eq!(
        phases(&events),
        [
            // Four tags, then the configs not held yet (p0's was read
            // by the inspection above).
            (PushPhase::Resolve, 2, 4 + 3),
            // The mounts and one HEAD of the index (is this a rerun?).
            (PushPhase::Blobs, 1, blobs + 1),
            (PushPhase::Manifests, 1, 4),
            (PushPhase::Index, 1, 1),
            (PushPhase::Tags, 1, 3),
        ]
    );
    let trips: usize = phases(&events).iter().map(|(_, t, _)| t).sum();
    assert_eq!(trips, 6);
    // The registry saw the same: no HEAD of a blob, no GET of one.
    let counts = fault.counts();
    assert_eq!(
        fault.count("POST", "/v2/team/app/blobs/uploads/"),
        blobs,
        "{counts:?}"
    );
    assert_eq!(fault.count("HEAD", "/blobs/"), 0, "{counts:?}");
    assert_eq!(
        fault.count("HEAD", "/v2/team/app/manifests/"),
        1,
        "{counts:?}"
    );
    assert_eq!(
        fault.count("PUT", "/v2/team/app/manifests/sha256:"),
        4 + 1,
        "{counts:?}"
    );
    for tag in ["1.0", "1", "latest"] {
        let put = ("PUT".to_string(), format!("/v2/team/app/manifests/{tag}"));
        assert_eq!(counts.get(&put), Some(&1), "{counts:?}");
    }
    assert!(
        step_details(&events, StepKind::Blob)
            .iter()
            .all(|d| d == "mounted")
    );

    // Again: the index is there, so everything it names is; nothing but
    // the index and the tags is written.
    fault.reset_counts();
    let again = push(&proxy, &spec).await;
    let details = step_details(&again, StepKind::Manifest);
    assert!(
        details.iter().all(|d| d == "already present"),
        "{details:?}"
    );
    assert_eq!(
        phases(&again)
            .iter()
            .find(|(p, ..)| *p == PushPhase::Manifests),
        Some(&(PushPhase::Manifests, 0, 0))
    );
    assert_eq!(fault.count("PUT", "/v2/team/app/manifests/sha256:"), 1);
}
