//! Hostile registries against the real proxy (issue 11): each test plays
//! one attack from `support::attack` and checks that it does no harm:
//! bounded answers and memory, clear errors at once, no write sent where
//! it was not meant to go, no credential helper run for a refused target.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use shared::api::{ErrorCode, PLAN_PATH, PUSH_PATH};
use support::docker_config::DockerConfigDir;
use support::proxy::decode;
use support::{Attack, AttackRegistry, Proxy, RawResponse};

/// A proxy allowed to reach these attack registries.
async fn proxy_for(
    registries: &[&AttackRegistry],
    configure: impl FnOnce(&mut proxy::Config),
) -> Proxy {
    let hosts: Vec<String> = registries.iter().map(|r| r.host()).collect();
    Proxy::start_with(move |config| {
        config.insecure_registries.extend(hosts);
        configure(config);
    })
    .await
}

/// Every `"message"` string anywhere in a JSON answer.
fn messages(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("message", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => messages(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| messages(v, out)),
        _ => {}
    }
}

/// The failure in an API answer: the registry's fault (502), too large,
/// with a message naming `limit`. Answers the message.
async fn expect_too_large(response: reqwest::Response, limit: u64) -> String {
    let status = response.status();
    let body: shared::api::ErrorBody = response.json().await.expect("an error body");
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body:?}");
    assert_eq!(body.error.code, ErrorCode::TooLarge, "{body:?}");
    let message = body.error.message;
    assert!(message.contains(&limit.to_string()), "{message}");
    message
}

fn push_spec(target: &str, source: &str) -> String {
    serde_json::json!({"image": target, "type": "oci", "manifests": [{"image": source}]})
        .to_string()
}

async fn post_spec(proxy: &Proxy, path: &str, spec: &str) -> reqwest::Response {
    proxy
        .client()
        .request(Method::POST, path)
        .header("content-type", "application/json")
        .body(spec.to_string())
        .send()
        .await
        .expect("the proxy answers")
}

/// 1,000 entries naming one missing child whose 404 carries a 1 MB error
/// message: the registry's text is capped in every message, so the answer
/// grows with the entry count by a few hundred bytes each, not a megabyte.
#[tokio::test]
async fn a_registrys_huge_error_text_is_capped() {
    let registry = AttackRegistry::start(Attack::MissingChild {
        entries: 50,
        message_bytes: 1_000_000,
    })
    .await;
    let proxy = proxy_for(&[&registry], |_| {}).await;
    let answer = proxy
        .client()
        .inspect_raw(&registry.reference("app"), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.body.len() < 200_000,
        "50 failed entries take {} bytes",
        answer.body.len()
    );
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    let mut found = Vec::new();
    messages(&json, &mut found);
    assert_eq!(found.len(), 50, "one error per entry");
    for m in &found {
        assert!(m.len() < 1000, "a {}-byte message", m.len());
        assert!(m.contains("MANIFEST_UNKNOWN"), "{m}");
    }
}

/// An index of 1,000 entries naming one child whose config has a 10,000-item
/// history: the child is described once (in `children`, by digest) and each
/// entry is a few hundred bytes, so the answer is about one child plus
/// 1,000 small entries (it used to repeat the child's details in every
/// entry: about 1,000 children).
#[tokio::test]
async fn an_answer_grows_with_unique_content_not_with_entries() {
    let registry = AttackRegistry::start(Attack::HugeHistory {
        entries: 1000,
        history: 10_000,
    })
    .await;
    let proxy = proxy_for(&[&registry], |_| {}).await;
    let answer = proxy
        .client()
        .inspect_raw(&registry.reference("app"), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    let index = &json["content"]["index"];
    let children = index["children"].as_object().expect("children");
    assert_eq!(children.len(), 1, "one child, described once");
    let child = serde_json::to_vec(&children).unwrap().len();
    let history = children.values().next().unwrap()["imageConfig"]["history"]
        .as_array()
        .map(Vec::len);
    assert_eq!(history, Some(10_000));
    assert!(child > 500_000, "the child is {child} bytes");
    let entries = index["manifests"].as_array().expect("entries");
    assert_eq!(entries.len(), 1000);
    for entry in entries {
        assert!(entry.get("error").is_none(), "{entry}");
        let bytes = serde_json::to_vec(entry).unwrap().len();
        assert!(bytes < 300, "an entry of {bytes} bytes: {entry}");
    }
    // The root's own bytes (`raw`, JSON-escaped) are the rest.
    let raw = json["raw"].as_str().unwrap().len();
    let expected = child + 1000 * 300 + 2 * raw;
    assert!(
        answer.body.len() < expected,
        "{} bytes, more than one child ({child}) + 1,000 small entries + the root ({raw})",
        answer.body.len()
    );
    // The manifest-tool text reads the same shape.
    let text = proxy
        .client()
        .request(
            Method::GET,
            &format!(
                "{}?ref={}&format=text",
                shared::api::INSPECT_PATH,
                registry.reference("app")
            ),
        )
        .send()
        .await
        .expect("the proxy answers");
    assert_eq!(text.status(), StatusCode::OK);
    let text = text.text().await.unwrap();
    assert!(
        text.contains(" * Contains 1000 manifest references (1000 images, 0 attestation):"),
        "{}",
        &text[..text.len().min(500)]
    );
    assert!(
        text.contains("[1000] # Layers: 0\n"),
        "the last entry is read"
    );
}

/// An answer is at most `max_answer_bytes`, JSON or text: an index of 1,000
/// entries naming one child of 1,000 layers is small as JSON (the child
/// once) but its manifest-tool text lists the layers under every entry
/// (about 150 MB): 502 naming the limit. Over a small limit the JSON is
/// refused too.
#[tokio::test]
async fn an_answer_is_at_most_its_budget_json_or_text() {
    let registry = AttackRegistry::start(Attack::RepeatedLayers {
        entries: 1000,
        layers: 1000,
    })
    .await;
    let reference = registry.reference("app");
    let path = |format: &str| {
        format!(
            "{}?ref={reference}&format={format}",
            shared::api::INSPECT_PATH
        )
    };
    let proxy = proxy_for(&[&registry], |_| {}).await;
    let limit = proxy::config::OperationSettings::default().max_answer_bytes;
    let json = proxy.client().inspect_raw(&reference, None).await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json.body.len() < 1_000_000, "{} bytes", json.body.len());
    let text = proxy.client().request(Method::GET, &path("text"));
    let message = expect_too_large(text.send().await.unwrap(), limit).await;
    assert!(message.contains("manifest-tool text"), "{message}");

    let small = 100_000;
    let proxy = proxy_for(&[&registry], |c| c.operations.max_answer_bytes = small).await;
    for format in ["json", "text"] {
        let answer = proxy.client().request(Method::GET, &path(format));
        let message = expect_too_large(answer.send().await.unwrap(), small).await;
        assert!(message.contains("inspect answer"), "{format}: {message}");
    }
}

/// One operation may fetch only so many bytes from registries: a child
/// whose config is larger than what is left fails the inspection and the
/// plan with a 502 naming the limit.
#[tokio::test]
async fn an_operation_fetches_at_most_its_budget() {
    let registry = AttackRegistry::start(Attack::HugeHistory {
        entries: 10,
        history: 100_000,
    })
    .await;
    let limit: u64 = 1024 * 1024;
    let proxy = proxy_for(&[&registry], |c| {
        c.operations.max_fetched_bytes = limit;
        // What the plan would hold is bounded too (see below): not here.
        c.operations.max_source_child_bytes = u64::MAX;
    })
    .await;
    let failure = proxy
        .client()
        .inspect(&registry.reference("app"))
        .await
        .map(|answer| answer.digest)
        .expect_err("over the budget");
    assert_eq!(failure.status, StatusCode::BAD_GATEWAY, "{failure:?}");
    assert_eq!(failure.error.code, ErrorCode::TooLarge, "{failure:?}");
    assert!(
        failure.error.message.contains(&limit.to_string()),
        "{}",
        failure.error.message
    );

    let spec = push_spec(
        &format!("{}/target:1", registry.host()),
        &registry.reference("app"),
    );
    expect_too_large(post_spec(&proxy, PLAN_PATH, &spec).await, limit).await;
}

/// A referrers list of pages at the manifest cap: listing referrers is one
/// operation with the same fetch budget, refused with a 502 naming it.
#[tokio::test]
async fn a_referrers_list_is_read_within_the_budget() {
    let registry = AttackRegistry::start(Attack::ReferrersPages {
        pages: 4,
        page_bytes: 400_000,
    })
    .await;
    let limit: u64 = 1024 * 1024;
    let proxy = proxy_for(&[&registry], |c| c.operations.max_fetched_bytes = limit).await;
    let subject = shared::Digest::sha256(b"subject");
    let mut url = reqwest::Url::parse(&proxy.url()).unwrap();
    url.set_path(shared::api::REFERRERS_PATH);
    url.query_pairs_mut()
        .append_pair("ref", &format!("{}/app@{subject}", registry.host()));
    let response = reqwest::get(url).await.expect("the proxy answers");
    expect_too_large(response, limit).await;
}

/// A source index of 1,000 entries naming one child with a 15 KB config,
/// named twice by a spec: each entry of the plan holds its own copy of the
/// child and its config, so what the plan would hold is checked (across
/// its sources, each entry counted) before any copy is made, and refused
/// with a 502 naming the limit. It used to be built, and only then refused.
#[tokio::test]
async fn a_plan_holds_a_bounded_amount_of_copies() {
    let registry = AttackRegistry::start(Attack::HugeHistory {
        entries: 1000,
        history: 200,
    })
    .await;
    let limit: u64 = 1024 * 1024;
    let proxy = proxy_for(&[&registry], |c| {
        c.operations.max_source_child_bytes = limit
    })
    .await;
    let source = registry.reference("app");
    let spec = serde_json::json!({
        "image": format!("{}/target:1", registry.host()),
        "type": "oci",
        "manifests": [{"image": source}, {"image": source}],
    })
    .to_string();
    let message = expect_too_large(post_spec(&proxy, PLAN_PATH, &spec).await, limit).await;
    assert!(message.contains("1000 entries"), "{message}");
}

/// A registry answering 199 (an informational status, then nothing) gets
/// a clear error at once, not a hang until the 60 s request timeout.
#[tokio::test]
async fn an_informational_status_is_an_error_at_once() {
    let registry = AttackRegistry::start(Attack::Informational).await;
    // The default (30 s) leaves slow registries room; the mechanism is the same.
    let proxy = proxy_for(&[&registry], |c| {
        c.registry.answer_timeout = Duration::from_secs(3)
    })
    .await;
    let started = Instant::now();
    let answer = tokio::time::timeout(
        Duration::from_secs(30),
        proxy.client().inspect(&registry.reference("app")),
    )
    .await
    .expect("an answer well before the 60 s timeouts");
    let failure = answer
        .map(|answer| answer.digest)
        .expect_err("199 is no answer");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(failure.status, StatusCode::BAD_GATEWAY, "{failure:?}");
    assert!(
        failure.error.message.contains(&registry.host()),
        "{}",
        failure.error.message
    );
}

/// A malformed `Docker-Content-Digest` is the registry's error, said as
/// such (it used to be ignored, skipping the check it is for).
#[tokio::test]
async fn a_malformed_docker_content_digest_is_an_error() {
    let registry = AttackRegistry::start(Attack::MalformedDigestHeader).await;
    let proxy = proxy_for(&[&registry], |_| {}).await;
    let failure = proxy
        .client()
        .inspect(&registry.reference("app"))
        .await
        .map(|answer| answer.digest)
        .expect_err("a malformed digest header");
    assert_eq!(failure.status, StatusCode::BAD_GATEWAY, "{failure:?}");
    let message = &failure.error.message;
    assert!(message.contains("Docker-Content-Digest"), "{message}");
    assert!(message.contains("sha256:not-a-digest"), "{message}");
}

/// A registry that redirects a manifest PUT to another (allow-listed)
/// host: the proxy refuses, naming both hosts, and writes nothing there.
#[tokio::test]
async fn writes_never_follow_a_redirect_to_another_origin() {
    let elsewhere = AttackRegistry::start(Attack::Sink).await;
    let registry = AttackRegistry::start(Attack::RedirectWrites {
        to: elsewhere.url(),
    })
    .await;
    let proxy = proxy_for(&[&registry, &elsewhere], |_| {}).await;
    let spec = push_spec(
        &format!("{}/target:1", registry.host()),
        &registry.reference("source"),
    );
    let response = post_spec(&proxy, PUSH_PATH, &spec).await;
    let status = response.status();
    let text = response.text().await.expect("the event stream");
    assert_eq!(status, StatusCode::OK, "{text}");
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("events")).expect("NDJSON");
    assert_eq!(last["event"], "error", "{text}");
    let message = last["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&registry.host()), "{message}");
    assert!(message.contains(&elsewhere.host()), "{message}");
    let written: Vec<String> = elsewhere
        .requests()
        .into_iter()
        .filter(|r| !r.starts_with("GET") && !r.starts_with("HEAD"))
        .collect();
    assert!(written.is_empty(), "written elsewhere: {written:?}");
}

/// Pushes running and waiting are held to a fixed count: past it a push is
/// refused at once with a 503, instead of waiting without limit.
#[tokio::test]
async fn pushes_beyond_the_queue_are_refused_at_once() {
    let registry = AttackRegistry::start(Attack::HoldWrites).await;
    let proxy = proxy_for(&[&registry], |c| {
        c.operations.max_concurrent_pushes = 1;
        c.operations.max_queued_pushes = 1;
    })
    .await;
    let spec = push_spec(
        &format!("{}/target:1", registry.host()),
        &registry.reference("source"),
    );
    // One runs (its manifest PUT is never answered), one waits.
    let running = post_spec(&proxy, PUSH_PATH, &spec).await;
    assert_eq!(running.status(), StatusCode::OK);
    let waiting = post_spec(&proxy, PUSH_PATH, &spec).await;
    assert_eq!(waiting.status(), StatusCode::OK);
    let started = Instant::now();
    let refused = tokio::time::timeout(Duration::from_secs(10), async {
        let response = post_spec(&proxy, PUSH_PATH, &spec).await;
        let status = response.status();
        let body = response.bytes().await.unwrap_or_default();
        (status, body)
    })
    .await
    .expect("the third push is answered at once");
    assert!(started.elapsed() < Duration::from_secs(5));
    let failure = decode::<serde_json::Value>(RawResponse {
        status: refused.0,
        headers: Default::default(),
        body: refused.1,
    })
    .expect_err("refused");
    assert_eq!(
        failure.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{failure:?}"
    );
    assert!(
        failure.error.message.contains("queue"),
        "{}",
        failure.error.message
    );
    drop((running, waiting));
}

/// A missing credential helper is named; the proxy's search path is not.
#[tokio::test]
async fn a_missing_helper_is_named_without_the_search_path() {
    let registry = AttackRegistry::start(Attack::Sink).await;
    let docker = DockerConfigDir::new();
    docker.write(&serde_json::json!({"credsStore": "nothere"}));
    let credentials = docker.credentials();
    let proxy = proxy_for(&[&registry], |c| c.docker_credentials = Some(credentials)).await;
    let failure = proxy
        .client()
        .inspect(&registry.reference("app"))
        .await
        .map(|answer| answer.digest)
        .expect_err("no such helper");
    let message = &failure.error.message;
    assert!(message.contains("docker-credential-nothere"), "{message}");
    let searched = docker.bin_dir().display().to_string();
    assert!(!message.contains(&searched), "{message}");
    assert!(!message.contains("PATH="), "{message}");
}

/// The SSRF guard refuses first: the owner's credential helper never runs
/// for a target that is refused anyway (a loopback address or a name that
/// resolves to one, not allow-listed).
#[tokio::test]
async fn no_credential_helper_runs_for_a_refused_target() {
    let docker = DockerConfigDir::new();
    docker.install_helper("spy", &BTreeMap::new());
    docker.write(&serde_json::json!({"credsStore": "spy"}));
    let credentials = docker.credentials();
    let proxy = Proxy::start_with(|c| c.docker_credentials = Some(credentials)).await;
    for reference in ["127.0.0.1:9/app:1", "localhost:9/app:1", "10.0.0.1/app:1"] {
        let failure = proxy
            .client()
            .inspect(reference)
            .await
            .map(|answer| answer.digest)
            .expect_err("refused");
        assert_eq!(
            failure.error.code,
            ErrorCode::ForbiddenTarget,
            "{failure:?}"
        );
    }
    let spec = push_spec("127.0.0.1:9/app:1", "localhost:9/app:1");
    let response = post_spec(&proxy, PLAN_PATH, &spec).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(docker.helper_calls("spy"), Vec::<String>::new());
}
