//! Registry faults, injected by `support::fault::FaultProxy` between the
//! proxy and a real registry: each one either passes after bounded retries
//! (the fault proxy's counters prove how many requests were made) or gives
//! the specific error a person can act on; a push either completes or leaves
//! the target tag exactly where it was (read back from the registry itself).

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use shared::api::{ErrorCode, InspectResponse, PUSH_PATH, PushEvent, RateLimitInfo};
use shared::digest::Digest;
use shared::media_type;
use support::fault::TOKEN_PATH;
use support::{
    ApiFailure, Fault, FaultProxy, Format, Image, ImageSpec, Index, IndexBuilder, Proxy, Registry,
    Rule,
};

/// Tries per request the proxy under test makes (its retry policy below).
const ATTEMPTS: usize = 4;

/// Short timeouts and pauses so that a fault costs milliseconds, not minutes.
fn fast_settings() -> proxy::config::RegistrySettings {
    proxy::config::RegistrySettings {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(1),
        operation_timeout: Duration::from_secs(120),
        retry: proxy::registry::retry::RetryPolicy {
            attempts: ATTEMPTS as u32,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(1),
            budget: Duration::from_secs(60),
        },
        ..proxy::config::RegistrySettings::default()
    }
}

/// A registry, the fault proxy in front of it, and the proxy under test
/// allowed to reach the fault proxy (and only it).
struct World {
    registry: Registry,
    fault: FaultProxy,
    proxy: Proxy,
}

async fn world() -> World {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let fault = FaultProxy::start(&registry).await;
    let host = fault.host();
    let proxy = Proxy::start_with(|c| {
        c.insecure_registries.push(host);
        c.registry = fast_settings();
    })
    .await;
    World {
        registry,
        fault,
        proxy,
    }
}

fn image(platform: &str, seed: u64) -> Image {
    ImageSpec::new(Format::Oci, platform, seed).build()
}

impl World {
    async fn seed_image(&self, repo: &str, image: &Image, tag: &str) {
        self.registry
            .pusher()
            .push_image(repo, image, Some(tag))
            .await
            .unwrap_or_else(|e| panic!("seed {repo}:{tag}: {e}"));
    }

    async fn seed_index(&self, repo: &str, index: &Index, tag: &str) {
        self.registry
            .pusher()
            .push_index(repo, index, Some(tag))
            .await
            .unwrap_or_else(|e| panic!("seed {repo}:{tag}: {e}"));
    }

    async fn inspect(&self, repo_tag: &str) -> Result<InspectResponse, ApiFailure> {
        self.proxy
            .client()
            .inspect(&self.fault.reference(repo_tag))
            .await
    }

    async fn inspect_ok(&self, repo_tag: &str) -> InspectResponse {
        self.inspect(repo_tag).await.unwrap_or_else(|e| {
            panic!(
                "inspect {repo_tag}: {e:?}\nrequests: {:?}",
                self.fault.counts()
            )
        })
    }

    async fn inspect_err(&self, repo_tag: &str) -> ApiFailure {
        match self.inspect(repo_tag).await {
            Ok(r) => panic!("inspect {repo_tag} should fail, got {}", r.digest),
            Err(e) => e,
        }
    }

    /// The digest the registry itself (not through any proxy) gives `repo:tag`.
    async fn tag_digest(&self, repo: &str, tag: &str) -> Option<String> {
        let accept = [
            media_type::OCI_INDEX,
            media_type::OCI_MANIFEST,
            media_type::DOCKER_MANIFEST_LIST,
            media_type::DOCKER_MANIFEST,
        ]
        .join(", ");
        let raw = self
            .registry
            .pusher()
            .get_manifest(repo, tag, &accept)
            .await
            .unwrap_or_else(|e| panic!("read {repo}:{tag} from the registry: {e}"));
        if raw.status == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        assert!(raw.status.is_success(), "{repo}:{tag}: {}", raw.status);
        Some(Digest::sha256(&raw.body).to_string())
    }

    /// POST the spec to the push endpoint; the NDJSON events.
    async fn push(&self, spec: serde_json::Value) -> Vec<PushEvent> {
        let client = self.proxy.client();
        let request = client
            .request(Method::POST, PUSH_PATH)
            .header("content-type", "application/json")
            .body(spec.to_string());
        let raw = client.send(request).await;
        let text = String::from_utf8_lossy(&raw.body).into_owned();
        assert!(
            raw.status.is_success(),
            "push answered {}: {text}",
            raw.status
        );
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a push event ({e}): {l}"))
            })
            .collect()
    }
}

fn assert_code(e: &ApiFailure, code: ErrorCode) {
    assert_eq!(e.error.code, code, "{e:?}");
}

#[tokio::test]
async fn server_errors_are_retried_until_they_pass() {
    let w = world().await;
    let img = image("linux/amd64", 1);
    w.seed_image("app", &img, "v1").await;
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::Status(503)).times(2));
    w.fault
        .inject(Rule::new("GET", "/blobs/", Fault::Status(502)).times(1));
    let r = w.inspect_ok("app:v1").await;
    assert_eq!(r.digest, img.manifest.digest);
    assert!(r.image().is_some_and(|i| i.image_config.is_some()));
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 3);
    let config = format!("/v2/app/blobs/{}", img.config.digest);
    assert_eq!(w.fault.count("GET", &config), 2);
}

#[tokio::test]
async fn persistent_server_errors_fail_after_bounded_attempts() {
    let w = world().await;
    w.seed_image("app", &image("linux/amd64", 2), "v1").await;
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::Status(500)));
    let e = w.inspect_err("app:v1").await;
    assert_code(&e, ErrorCode::Upstream);
    assert_eq!(e.status.as_u16(), 502);
    assert!(e.error.message.contains("500"), "{}", e.error.message);
    assert!(e.error.message.contains("app:v1"), "{}", e.error.message);
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), ATTEMPTS);
}

#[tokio::test]
async fn not_implemented_is_not_retried() {
    let w = world().await;
    w.seed_image("app", &image("linux/amd64", 3), "v1").await;
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::Status(501)));
    let e = w.inspect_err("app:v1").await;
    assert_code(&e, ErrorCode::Upstream);
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 1);
}

/// The pull quota is news about the registry, not about the content: an
/// answer by tag (revalidated every time) carries it; an answer by digest,
/// which a browser keeps for a year, does not.
#[tokio::test]
async fn the_pull_quota_is_only_on_answers_that_are_revalidated() {
    let w = world().await;
    let img = image("linux/amd64", 41);
    w.seed_image("app", &img, "v1").await;
    w.fault.inject(Rule::new(
        "GET",
        "/manifests/",
        Fault::Quota { remaining: 76 },
    ));
    let client = w.proxy.client();

    let by_tag = client.inspect_raw(&w.fault.reference("app:v1"), None).await;
    assert_eq!(by_tag.header("cache-control"), Some("no-cache"));
    let answer: InspectResponse = support::proxy::decode(by_tag).unwrap();
    assert_eq!(
        answer.rate_limit,
        Some(RateLimitInfo {
            remaining: 76,
            limit: Some(100),
            window_seconds: Some(21600),
        })
    );

    let pinned = format!("app@{}", img.manifest.digest);
    let by_digest = client.inspect_raw(&w.fault.reference(&pinned), None).await;
    assert_eq!(
        by_digest.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let json: serde_json::Value = serde_json::from_slice(&by_digest.body).unwrap();
    assert_eq!(json["digest"], img.manifest.digest.to_string());
    assert!(json.get("rateLimit").is_none(), "{json}");
}

#[tokio::test]
async fn rate_limits_honour_retry_after_then_give_up() {
    let w = world().await;
    let img = image("linux/amd64", 4);
    w.seed_image("app", &img, "v1").await;
    w.fault.inject(
        Rule::new(
            "GET",
            "/manifests/v1",
            Fault::TooManyRequests { retry_after: 1 },
        )
        .times(1),
    );
    assert_eq!(w.inspect_ok("app:v1").await.digest, img.manifest.digest);
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 2);

    // Another tag: the first one's digest is now cached (a HEAD would do).
    w.seed_image("app", &img, "v2").await;
    w.fault.reset_counts();
    w.fault.inject(Rule::new(
        "GET",
        "/manifests/v2",
        Fault::TooManyRequests { retry_after: 0 },
    ));
    let e = w.inspect_err("app:v2").await;
    assert_code(&e, ErrorCode::RateLimited);
    assert_eq!(e.status.as_u16(), 429);
    assert!(
        e.error.message.contains("TOOMANYREQUESTS"),
        "{}",
        e.error.message
    );
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v2"), ATTEMPTS);
}

#[tokio::test]
async fn hung_requests_time_out_and_are_retried() {
    let w = world().await;
    let img = image("linux/amd64", 5);
    w.seed_image("app", &img, "v1").await;
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::Hang).times(1));
    assert_eq!(w.inspect_ok("app:v1").await.digest, img.manifest.digest);
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 2);

    // Another tag: the first one's digest is now cached (a HEAD would do).
    w.seed_image("app", &img, "v2").await;
    w.fault.reset_counts();
    w.fault
        .inject(Rule::new("GET", "/manifests/v2", Fault::Hang));
    let e = w.inspect_err("app:v2").await;
    assert_code(&e, ErrorCode::Unreachable);
    assert!(e.error.message.contains("timed out"), "{}", e.error.message);
    assert!(
        e.error.message.contains(&w.fault.host()),
        "{}",
        e.error.message
    );
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v2"), ATTEMPTS);
}

#[tokio::test]
async fn reset_connections_are_retried() {
    let w = world().await;
    let img = image("linux/amd64", 6);
    w.seed_image("app", &img, "v1").await;
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::Reset).times(2));
    assert_eq!(w.inspect_ok("app:v1").await.digest, img.manifest.digest);
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 3);

    // Another tag: the first one's digest is now cached (a HEAD would do).
    w.seed_image("app", &img, "v2").await;
    w.fault.reset_counts();
    w.fault
        .inject(Rule::new("GET", "/manifests/v2", Fault::Reset));
    let e = w.inspect_err("app:v2").await;
    assert_code(&e, ErrorCode::Unreachable);
    assert!(
        e.error.message.contains(&w.fault.host()),
        "{}",
        e.error.message
    );
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v2"), ATTEMPTS);
}

#[tokio::test]
async fn truncated_bodies_are_fetched_again() {
    let w = world().await;
    let img = image("linux/amd64", 7);
    w.seed_image("app", &img, "v1").await;
    let config = format!("/v2/app/blobs/{}", img.config.digest);
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::Truncate).times(1));
    w.fault
        .inject(Rule::new("GET", &config, Fault::Truncate).times(1));
    let r = w.inspect_ok("app:v1").await;
    assert_eq!(r.digest, img.manifest.digest);
    assert!(r.image().is_some_and(|i| i.image_config.is_some()));
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 2);
    assert_eq!(w.fault.count("GET", &config), 2);

    // Another tag: the first one's digest is now cached (a HEAD would do).
    w.seed_image("app", &img, "v2").await;
    w.fault.reset_counts();
    w.fault
        .inject(Rule::new("GET", "/manifests/v2", Fault::Truncate));
    let e = w.inspect_err("app:v2").await;
    assert_code(&e, ErrorCode::Unreachable);
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v2"), ATTEMPTS);
}

#[tokio::test]
async fn flipped_bytes_are_digest_mismatches_not_retried() {
    let w = world().await;
    let img = image("linux/amd64", 8);
    w.seed_image("app", &img, "v1").await;

    // The root, by tag: caught by the registry's own Docker-Content-Digest.
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::FlipByte).times(1));
    let e = w.inspect_err("app:v1").await;
    assert_code(&e, ErrorCode::DigestMismatch);
    assert!(
        e.error.message.contains(&img.manifest.digest.to_string()),
        "{}",
        e.error.message
    );
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 1);

    // The config blob: caught against the digest the manifest gives.
    let config = format!("/v2/app/blobs/{}", img.config.digest);
    w.fault.inject(Rule::new("GET", &config, Fault::FlipByte));
    let e = w.inspect_err("app:v1").await;
    assert_code(&e, ErrorCode::DigestMismatch);
    assert!(
        e.error.message.contains(&img.config.digest.to_string()),
        "{}",
        e.error.message
    );
    assert_eq!(w.fault.count("GET", &config), 1);

    // A child of an index: that entry fails, the others still show.
    let list = IndexBuilder::new(Format::Oci)
        .image(image("linux/amd64", 9))
        .image(image("linux/arm64", 10))
        .build();
    w.seed_index("list", &list, "v1").await;
    let bad = &list.entries[0].digest;
    w.fault.inject(Rule::new(
        "GET",
        &format!("/v2/list/manifests/{bad}"),
        Fault::FlipByte,
    ));
    let r = w.inspect_ok("list:v1").await;
    let entries = r.entries().expect("index entries");
    let error = entries[0].error.as_ref().expect("the flipped child fails");
    assert_eq!(error.code, ErrorCode::DigestMismatch);
    assert!(
        error.message.contains(&bad.to_string()),
        "{}",
        error.message
    );
    assert!(entries[1].error.is_none(), "{:?}", entries[1].error);
}

#[tokio::test]
async fn a_wrong_docker_content_digest_is_refused() {
    let w = world().await;
    let img = image("linux/amd64", 11);
    w.seed_image("app", &img, "v1").await;
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::WrongDigestHeader).times(1));
    let e = w.inspect_err("app:v1").await;
    assert_code(&e, ErrorCode::DigestMismatch);
    let m = &e.error.message;
    assert!(m.contains("Docker-Content-Digest"), "{m}");
    // Both: what the header claims and what the content really is.
    assert!(m.contains(&img.manifest.digest.to_string()), "{m}");
    assert_eq!(m.matches("sha256:").count(), 2, "{m}");

    // On a blob, too.
    let config = format!("/v2/app/blobs/{}", img.config.digest);
    w.fault
        .inject(Rule::new("GET", &config, Fault::WrongDigestHeader));
    let e = w.inspect_err("app:v1").await;
    assert_code(&e, ErrorCode::DigestMismatch);
    assert!(
        e.error.message.contains(&img.config.digest.to_string()),
        "{}",
        e.error.message
    );

    // On a child fetched by digest.
    let list = IndexBuilder::new(Format::Oci)
        .image(image("linux/amd64", 12))
        .image(image("linux/arm64", 13))
        .build();
    w.seed_index("list", &list, "v1").await;
    let bad = &list.entries[1].digest;
    w.fault.inject(Rule::new(
        "GET",
        &format!("/v2/list/manifests/{bad}"),
        Fault::WrongDigestHeader,
    ));
    let r = w.inspect_ok("list:v1").await;
    let entries = r.entries().expect("index entries");
    assert!(entries[0].error.is_none(), "{:?}", entries[0].error);
    let error = entries[1]
        .error
        .as_ref()
        .expect("the child with the bad header fails");
    assert_eq!(error.code, ErrorCode::DigestMismatch);
    assert!(
        error.message.contains("Docker-Content-Digest"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn unauthorized_forever_is_reported_not_looped() {
    let w = world().await;
    w.seed_image("app", &image("linux/amd64", 14), "v1").await;
    w.fault
        .inject(Rule::new("GET", "/manifests/v1", Fault::Unauthorized));
    let e = w.inspect_err("app:v1").await;
    assert_code(&e, ErrorCode::Unauthorized);
    assert_eq!(e.status.as_u16(), 401);
    assert!(
        e.error.message.contains(&w.fault.host()),
        "{}",
        e.error.message
    );
    // Once without, once with the token: no more.
    assert_eq!(w.fault.count("GET", "/v2/app/manifests/v1"), 2);
    assert_eq!(w.fault.count("GET", TOKEN_PATH), 1);
}

#[tokio::test]
async fn a_lost_child_manifest_is_an_entry_error() {
    let w = world().await;
    let list = IndexBuilder::new(Format::Docker)
        .image(ImageSpec::new(Format::Docker, "linux/amd64", 15).build())
        .image(ImageSpec::new(Format::Docker, "linux/arm64/v8", 16).build())
        .build();
    w.seed_index("list", &list, "v1").await;
    let lost = &list.entries[0].digest;
    w.fault.inject(Rule::new(
        "GET",
        &format!("/manifests/{lost}"),
        Fault::NotFound,
    ));
    let r = w.inspect_ok("list:v1").await;
    assert_eq!(r.digest, list.manifest.digest);
    let entries = r.entries().expect("index entries");
    assert_eq!(entries.len(), 2);
    let error = entries[0]
        .error
        .as_ref()
        .expect("the lost child is an error");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(
        error.message.contains(&lost.to_string()),
        "{}",
        error.message
    );
    assert!(entries[1].error.is_none());
    // A 404 is an answer, not a failure: asked once.
    assert_eq!(w.fault.count("GET", &format!("/manifests/{lost}")), 1);
}

#[tokio::test]
async fn requests_to_one_registry_are_bounded() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let fault = FaultProxy::start(&registry).await;
    let mut builder = IndexBuilder::new(Format::Oci);
    for seed in 0..12 {
        builder = builder.image(image("linux/amd64", 100 + seed));
    }
    let list = builder.build();
    registry
        .pusher()
        .push_index("many", &list, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let host = fault.host();
    let proxy = Proxy::start_with(|c| {
        c.insecure_registries.push(host);
        c.registry = proxy::config::RegistrySettings {
            per_registry_concurrency: 2,
            ..fast_settings()
        };
    })
    .await;
    let r = proxy
        .client()
        .inspect(&fault.reference("many:v1"))
        .await
        .unwrap_or_else(|e| panic!("inspect: {e:?}"));
    let entries = r.entries().expect("entries");
    assert!(entries.iter().all(|e| e.error.is_none()));
    // 1 root + 12 children + 12 configs, never more than 2 at once.
    assert_eq!(fault.count("GET", "/v2/many/"), 25);
    assert!(
        fault.max_in_flight() <= 2,
        "{} requests were in flight at once",
        fault.max_in_flight()
    );
}

#[tokio::test]
async fn an_allow_listed_plain_http_registry_is_probed_for_tls_once() {
    let w = world().await;
    for tag in ["a", "b", "c", "d"] {
        w.seed_image("probe/app", &image("linux/amd64", 140), tag)
            .await;
    }
    // Four inspections starting together: one TLS probe among them.
    tokio::join!(
        w.inspect_ok("probe/app:a"),
        w.inspect_ok("probe/app:b"),
        w.inspect_ok("probe/app:c"),
        w.inspect_ok("probe/app:d"),
    );
    assert_eq!(w.fault.not_http_connections(), 1, "{:?}", w.fault.counts());
    // Remembered: later requests go straight to plain HTTP.
    w.inspect_ok("probe/app:a").await;
    assert_eq!(w.fault.not_http_connections(), 1);
}

// ---- pushes ----------------------------------------------------------------

/// Two source images in other repositories of the same registry, and a
/// target tag that already points at something else.
struct PushWorld {
    w: World,
    a: Image,
    before: String,
}

async fn push_world() -> PushWorld {
    let w = world().await;
    let a = image("linux/amd64", 20);
    w.seed_image("src/a", &a, "1").await;
    w.seed_image("src/b", &image("linux/arm64", 21), "1").await;
    w.seed_image("target/app", &image("linux/amd64", 22), "v1")
        .await;
    let before = w
        .tag_digest("target/app", "v1")
        .await
        .expect("the target tag exists before the push");
    PushWorld { w, a, before }
}

impl PushWorld {
    fn spec(&self) -> serde_json::Value {
        let f = &self.w.fault;
        json!({
            "image": f.reference("target/app:v1"),
            "type": "oci",
            "manifests": [
                {"image": f.reference("src/a:1")},
                {"image": f.reference("src/b:1")},
            ],
        })
    }

    async fn after(&self) -> String {
        self.w
            .tag_digest("target/app", "v1")
            .await
            .expect("the target tag still exists")
    }
}

fn outcome(events: &[PushEvent]) -> &PushEvent {
    events.last().expect("at least one push event")
}

fn done_digest(events: &[PushEvent]) -> String {
    match outcome(events) {
        PushEvent::Done { digest, .. } => digest.to_string(),
        other => panic!("the push did not complete: {other:?}\nall events: {events:?}"),
    }
}

fn push_error(events: &[PushEvent]) -> shared::api::ApiError {
    match outcome(events) {
        PushEvent::Error { error, .. } => error.clone(),
        other => panic!("the push should have failed: {other:?}"),
    }
}

#[tokio::test]
async fn a_push_whose_manifest_puts_fail_leaves_the_tag_alone() {
    let p = push_world().await;
    p.w.fault.reset_counts();
    p.w.fault.inject(Rule::new(
        "PUT",
        "/v2/target/app/manifests/sha256:",
        Fault::Status(500),
    ));
    let events = p.w.push(p.spec()).await;
    let error = push_error(&events);
    assert_eq!(error.code, ErrorCode::Upstream, "{error:?}");
    assert_eq!(p.after().await, p.before, "the target tag moved");
    assert_eq!(p.w.fault.count("PUT", "/v2/target/app/manifests/v1"), 0);
}

#[tokio::test]
async fn a_push_whose_blob_copy_breaks_leaves_the_tag_alone() {
    let p = push_world().await;
    p.w.fault.reset_counts();
    // No mount, so blobs are copied; and every upload is reset.
    p.w.fault
        .inject(Rule::new("POST", "mount=", Fault::NotMounted));
    p.w.fault
        .inject(Rule::new("PUT", "/blobs/uploads/", Fault::Reset));
    let events = p.w.push(p.spec()).await;
    let error = push_error(&events);
    assert_eq!(error.code, ErrorCode::Unreachable, "{error:?}");
    assert_eq!(p.after().await, p.before, "the target tag moved");
    assert_eq!(p.w.fault.count("PUT", "/v2/target/app/manifests/"), 0);
}

#[tokio::test]
async fn a_wrong_digest_from_a_source_blob_is_never_committed() {
    let p = push_world().await;
    p.w.fault.reset_counts();
    p.w.fault
        .inject(Rule::new("POST", "mount=", Fault::NotMounted));
    // A layer (the config is read, and checked, while planning).
    let layer = format!("/v2/src/a/blobs/{}", p.a.layers[0].digest);
    p.w.fault.inject(Rule::new("GET", &layer, Fault::FlipByte));
    let events = p.w.push(p.spec()).await;
    let error = push_error(&events);
    assert_eq!(error.code, ErrorCode::DigestMismatch, "{error:?}");
    assert_eq!(p.after().await, p.before, "the target tag moved");
}

#[tokio::test]
async fn not_mounted_falls_back_to_copying() {
    let p = push_world().await;
    p.w.fault.reset_counts();
    p.w.fault
        .inject(Rule::new("POST", "mount=", Fault::NotMounted));
    let events = p.w.push(p.spec()).await;
    let pushed = done_digest(&events);
    assert_eq!(p.after().await, pushed);
    assert_ne!(pushed, p.before);
    let copied = events.iter().any(
        |e| matches!(e, PushEvent::Step { detail: Some(d), .. } if d.contains("did not mount")),
    );
    assert!(
        copied,
        "no step says it copied instead of mounting: {events:?}"
    );
    assert!(p.w.fault.count("POST", "/v2/target/app/blobs/uploads/") > 0);
    assert!(p.w.fault.count("PUT", "/v2/target/app/blobs/uploads/") > 0);
}

#[tokio::test]
async fn transient_failures_during_a_push_are_retried_and_it_completes() {
    let p = push_world().await;
    p.w.fault.reset_counts();
    p.w.fault
        .inject(Rule::new("HEAD", "/v2/target/app/blobs/", Fault::Status(503)).times(2));
    p.w.fault.inject(
        Rule::new(
            "PUT",
            "/v2/target/app/manifests/sha256:",
            Fault::Status(503),
        )
        .times(1),
    );
    p.w.fault
        .inject(Rule::new("GET", "/v2/src/b/manifests/1", Fault::Reset).times(1));
    let events = p.w.push(p.spec()).await;
    let pushed = done_digest(&events);
    assert_eq!(p.after().await, pushed);
    // Every injected fault was met and retried past.
    assert!(p.w.fault.count("GET", "/v2/src/b/manifests/1") >= 2);
    assert_eq!(p.w.fault.count("PUT", "/v2/target/app/manifests/v1"), 1);
}

#[tokio::test]
async fn a_blob_upload_that_fails_once_is_started_over_and_the_push_completes() {
    let p = push_world().await;
    p.w.fault.reset_counts();
    // Copies, not mounts; the first upload's final PUT (not retried by
    // itself: its streamed body cannot be sent twice) answers 503.
    p.w.fault
        .inject(Rule::new("POST", "mount=", Fault::NotMounted));
    p.w.fault
        .inject(Rule::new("PUT", "/blobs/uploads/", Fault::Status(503)).times(1));
    let events = p.w.push(p.spec()).await;
    let pushed = done_digest(&events);
    assert_eq!(p.after().await, pushed);
    let puts = p.w.fault.count("PUT", "/v2/target/app/blobs/uploads/");
    let posts = p.w.fault.count("POST", "/v2/target/app/blobs/uploads/");
    assert!(puts >= 2, "{:?}", p.w.fault.counts());
    assert_eq!(
        posts,
        puts,
        "the failed transfer started a new upload session: {:?}",
        p.w.fault.counts()
    );
}

#[tokio::test]
async fn a_wrong_digest_for_the_index_leaves_the_tag_alone() {
    let p = push_world().await;
    // The index's digest, from the plan (the push plans the same again).
    let client = p.w.proxy.client();
    let planned: shared::api::PlanResponse = support::proxy::decode(
        client
            .send(
                client
                    .request(Method::POST, shared::api::PLAN_PATH)
                    .header("content-type", "application/json")
                    .body(p.spec().to_string()),
            )
            .await,
    )
    .unwrap_or_else(|e| panic!("plan: {e:?}"));
    p.w.fault.reset_counts();
    p.w.fault.inject(Rule::new(
        "PUT",
        &format!("/v2/target/app/manifests/{}", planned.digest),
        Fault::WrongDigestHeader,
    ));
    let events = p.w.push(p.spec()).await;
    let error = push_error(&events);
    assert_eq!(error.code, ErrorCode::DigestMismatch, "{error:?}");
    assert!(
        error.message.contains(&planned.digest.to_string()),
        "{}",
        error.message
    );
    assert_eq!(p.after().await, p.before, "the target tag moved");
    assert_eq!(p.w.fault.count("PUT", "/v2/target/app/manifests/v1"), 0);
    assert_eq!(
        p.w.fault.count(
            "PUT",
            &format!("/v2/target/app/manifests/{}", planned.digest)
        ),
        1
    );
}

#[tokio::test]
async fn a_challenge_from_a_redirect_target_is_not_answered() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    // The registry (behind `front`) redirects blobs to `cdn`, which asks for
    // a token from `realm`. All three are allowed, so only the rule that
    // credentials go to the registry alone can keep `realm` from being asked.
    let front = FaultProxy::start(&registry).await;
    let cdn = FaultProxy::start(&registry).await;
    let realm = FaultProxy::start(&registry).await;
    let img = image("linux/amd64", 40);
    registry
        .pusher()
        .push_image("app", &img, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let hosts = [front.host(), cdn.host(), realm.host()];
    let proxy = Proxy::start_with(|c| {
        c.insecure_registries.extend(hosts);
        c.registry = fast_settings();
    })
    .await;
    front.inject(Rule::new(
        "GET",
        "/v2/app/blobs/",
        Fault::Redirect(format!("http://{}{{path}}", cdn.host())),
    ));
    cdn.inject(Rule::new(
        "GET",
        "/v2/app/blobs/",
        Fault::Challenge(format!(
            r#"Bearer realm="http://{}/token",service="cdn""#,
            realm.host()
        )),
    ));
    let e = proxy
        .client()
        .inspect(&front.reference("app:v1"))
        .await
        .expect_err("the config cannot be fetched");
    assert_code(&e, ErrorCode::Upstream);
    let m = &e.error.message;
    assert!(m.contains(&cdn.host()), "{m}");
    assert!(m.contains("only ever sent to the registry"), "{m}");
    assert_eq!(
        realm.total(),
        0,
        "the realm was asked: {:?}",
        realm.counts()
    );
    // Asked once, and never again with credentials.
    assert_eq!(
        cdn.count("GET", &format!("/v2/app/blobs/{}", img.config.digest)),
        1
    );
}

#[tokio::test]
async fn an_index_listing_one_child_many_times_fetches_it_once() {
    let w = world().await;
    let a = image("linux/amd64", 50);
    let b = image("linux/arm64", 51);
    w.seed_image("many", &a, "a").await;
    w.seed_image("many", &b, "b").await;
    let limit = proxy::config::OperationSettings::default().max_described_entries;
    let listed = limit + 200;
    let mut builder = IndexBuilder::new(Format::Oci);
    for i in 0..listed {
        let child = if i % 2 == 0 { &a } else { &b };
        builder = builder.entry(
            child.entry(),
            support::Child::Image(Box::new(child.clone())),
        );
    }
    let list = builder.build();
    // The children are there already: only the index itself is pushed.
    w.registry
        .pusher()
        .push_manifest("many", "v1", &list.manifest)
        .await
        .unwrap_or_else(|e| panic!("seed the index: {e}"));
    w.fault.reset_counts();

    let r = w.inspect_ok("many:v1").await;
    assert_eq!(r.digest, list.manifest.digest);
    let entries = r.entries().expect("index entries");
    assert_eq!(entries.len(), listed);
    for (i, e) in entries.iter().enumerate() {
        let child = if i % 2 == 0 { &a } else { &b };
        assert_eq!(e.descriptor.digest, child.manifest.digest, "entry {i}");
        if i < limit {
            assert!(e.error.is_none(), "entry {i}: {:?}", e.error);
            let shown = r.index().unwrap().child(e).expect("its child");
            assert_eq!(
                shown.layers.as_deref(),
                Some(child.layer_descriptors.as_slice()),
                "entry {i}"
            );
        } else {
            let error = e.error.as_ref().expect("entries past the cap say why");
            assert_eq!(error.code, ErrorCode::TooLarge, "entry {i}");
            assert!(
                error.message.contains(&format!("only the first {limit}"))
                    && error.message.contains(&listed.to_string()),
                "entry {i}: {}",
                error.message
            );
            assert!(r.index().unwrap().child(e).is_none(), "entry {i}");
        }
    }
    // The two children are described once each, not once per entry.
    assert_eq!(r.index().unwrap().children.len(), 2);
    // Each distinct child (and its config) was asked for once.
    for child in [&a, &b] {
        let manifest = format!("/v2/many/manifests/{}", child.manifest.digest);
        assert_eq!(w.fault.count("GET", &manifest), 1, "{:?}", w.fault.counts());
        let config = format!("/v2/many/blobs/{}", child.config.digest);
        assert_eq!(w.fault.count("GET", &config), 1, "{:?}", w.fault.counts());
    }
    assert_eq!(w.fault.count("GET", "/v2/many/manifests/"), 3);
}

/// Entries are deduplicated by digest alone: a media-type parameter does
/// not make a second fetch, and each entry's own claim (its size) is checked
/// against the one manifest that was fetched.
#[tokio::test]
async fn children_are_fetched_once_per_digest_and_each_entry_is_checked() {
    let w = world().await;
    let a = image("linux/amd64", 60);
    w.seed_image("dedupe", &a, "a").await;
    let with_parameter = shared::descriptor::Descriptor {
        media_type: format!("{}; charset=utf-8", a.entry().media_type),
        ..a.entry()
    };
    let wrong_size = shared::descriptor::Descriptor {
        size: a.entry().size + 1,
        ..a.entry()
    };
    let child = || support::Child::Image(Box::new(a.clone()));
    let list = IndexBuilder::new(Format::Oci)
        .entry(a.entry(), child())
        .entry(with_parameter, child())
        .entry(wrong_size, child())
        .build();
    w.registry
        .pusher()
        .push_manifest("dedupe", "v1", &list.manifest)
        .await
        .unwrap_or_else(|e| panic!("seed the index: {e}"));
    w.fault.reset_counts();

    let r = w.inspect_ok("dedupe:v1").await;
    let entries = r.entries().expect("index entries");
    assert_eq!(entries.len(), 3);
    for e in &entries[..2] {
        assert!(e.error.is_none(), "{:?}", e.error);
        let shown = r.index().unwrap().child(e).expect("its child");
        assert_eq!(
            shown.layers.as_deref(),
            Some(a.layer_descriptors.as_slice())
        );
    }
    let error = entries[2]
        .error
        .as_ref()
        .expect("the wrong size is an error");
    assert_eq!(error.code, ErrorCode::BadManifest);
    assert!(error.message.contains("bytes"), "{}", error.message);
    let manifest = format!("/v2/dedupe/manifests/{}", a.manifest.digest);
    assert_eq!(w.fault.count("GET", &manifest), 1, "{:?}", w.fault.counts());
    let config = format!("/v2/dedupe/blobs/{}", a.config.digest);
    assert_eq!(w.fault.count("GET", &config), 1, "{:?}", w.fault.counts());
}
