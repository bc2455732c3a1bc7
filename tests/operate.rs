//! Operating the real binary: `/metrics` counting known traffic, the
//! health endpoints, a SIGTERM during a push (the push finishes, then the
//! process exits 0), flags from environment variables and JSON logs.

use std::path::Path;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::api::{PUSH_PATH, PushEvent};
use support::metrics::scrape;
use support::proxy_process::ProxyProcess;
use support::{Fault, FaultProxy, Format, ImageSpec, Registry, Rule};

const BINARY: &str = env!("CARGO_BIN_EXE_manifest-web-under-test");

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `GET /v2/` (the TLS-or-plain-HTTP probe of an insecure registry).
fn probes(counter: &FaultProxy) -> usize {
    counter
        .counts()
        .get(&("GET".to_string(), "/v2/".to_string()))
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn metrics_count_real_requests() {
    let registry = registry().await;
    let counter = FaultProxy::start(&registry).await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 51).build();
    registry
        .pusher()
        .push_image("ops/app", &image, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}"));
    let proxy = ProxyProcess::spawn(
        Path::new(BINARY),
        &args(&["--insecure-registry", &counter.host()]),
        &[],
    )
    .await;
    let client = proxy.client();
    let by_digest = counter.reference(&format!("ops/app@{}", image.manifest.digest));
    for _ in 0..2 {
        client.inspect(&by_digest).await.expect("inspect by digest");
    }
    let missing = client.inspect(&counter.reference("ops/app:nope")).await;
    assert_eq!(
        missing.expect_err("no such tag").status,
        StatusCode::NOT_FOUND
    );
    let refused = client.inspect("10.1.2.3/ops/app:v1").await;
    assert_eq!(
        refused.expect_err("a private address").status,
        StatusCode::FORBIDDEN
    );

    let m = scrape(&client).await;
    let inspect = |status: u16| {
        m.value(&format!(
            "manifest_web_http_requests_total{{route=\"/api/v1/inspect\",status=\"{status}\"}}"
        ))
    };
    assert_eq!(inspect(200), 2.0, "{}", m.0);
    assert_eq!(inspect(404), 1.0);
    assert_eq!(inspect(403), 1.0);
    assert_eq!(
        m.value(r#"manifest_web_rejected_requests_total{reason="refused_target"}"#),
        1.0
    );
    // Upstream: exactly what the registry saw through the request path, by
    // registry and status (the plain-HTTP probe of an insecure registry,
    // `GET /v2/`, is not such a request).
    let host = format!("registry=\"{}\"", counter.host());
    let sent = (counter.total() - probes(&counter)) as f64;
    assert!(sent >= 2.0, "{:?}", counter.counts());
    assert_eq!(
        m.sum("manifest_web_upstream_requests_total", &host),
        sent,
        "{}",
        m.0
    );
    assert!(m.sum("manifest_web_upstream_requests_total", "status=\"404\"") >= 1.0);
    assert_eq!(
        m.value(r#"manifest_web_upstream_request_duration_seconds_bucket{le="+Inf"}"#),
        sent
    );
    assert_eq!(
        m.value("manifest_web_upstream_request_duration_seconds_count"),
        sent
    );
    // The second inspection by digest was the first one's answer, sent
    // again from its bytes; the manifest itself sits in the digest cache.
    assert_eq!(
        m.value("manifest_web_answer_cache_hits_total"),
        1.0,
        "{}",
        m.0
    );
    assert!(
        m.value("manifest_web_answer_cache_hit_bytes_total") >= image.manifest.bytes.len() as f64
    );
    assert!(m.value("manifest_web_answer_cache_bytes") > 0.0);
    assert!(m.value("manifest_web_cache_bytes") >= image.manifest.bytes.len() as f64);
    assert_eq!(
        m.value("manifest_web_tokens_fetched_total"),
        0.0,
        "a registry without auth"
    );
    assert_eq!(m.value("manifest_web_pushes_in_flight"), 0.0);
    proxy.stop().await;
}

#[tokio::test]
async fn health_endpoints_answer_probes_from_anywhere() {
    let proxy = ProxyProcess::spawn(Path::new(BINARY), &[], &[]).await;
    let client = proxy.client();
    for path in ["/healthz", "/readyz", "/api/v1/health"] {
        let answer = client.send(client.request(Method::GET, path)).await;
        assert_eq!(answer.status, 200, "{path}");
    }
    // A probe or scraper has no origin of ours (Host is the pod's address).
    let probe = client
        .request(Method::GET, "/readyz")
        .header("host", "10.0.0.7:8080");
    assert_eq!(client.send(probe).await.status, 200);
    let ready: serde_json::Value = serde_json::from_slice(
        &client
            .send(client.request(Method::GET, "/readyz"))
            .await
            .body,
    )
    .expect("JSON");
    assert_eq!(ready, json!({"ready": true}));
    proxy.stop().await;
}

/// SIGTERM while a push is writing its tags: new connections are refused,
/// the push finishes (the tag is written), then the process exits 0.
#[tokio::test]
async fn sigterm_during_a_push_lets_it_finish_then_exits_0() {
    let registry = registry().await;
    let slow = FaultProxy::start(&registry).await;
    let amd64 = ImageSpec::new(Format::Docker, "linux/amd64", 61).build();
    let arm64 = ImageSpec::new(Format::Docker, "linux/arm64/v8", 62).build();
    for (repo, image) in [("src/a", &amd64), ("src/b", &arm64)] {
        registry
            .pusher()
            .push_image(repo, image, Some("1"))
            .await
            .unwrap_or_else(|e| panic!("push: {e}"));
    }
    let proxy = ProxyProcess::spawn(
        Path::new(BINARY),
        &args(&[
            "--insecure-registry",
            &slow.host(),
            "--shutdown-grace",
            "60",
        ]),
        &[],
    )
    .await;
    slow.inject(Rule::new(
        "PUT",
        "/team/app/manifests/1.0",
        Fault::Delay(3000),
    ));
    let spec = json!({
        "image": slow.reference("team/app:1.0"),
        "manifests": [
            {"image": slow.reference("src/a:1")},
            {"image": slow.reference("src/b:1")},
        ],
    });
    let client = proxy.client();
    let push = client
        .request(Method::POST, PUSH_PATH)
        .header("content-type", "application/json")
        .body(spec.to_string());
    let pushing = tokio::spawn(async move { client.send(push).await });
    for _ in 0..500 {
        if slow.count("PUT", "/team/app/manifests/1.0") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        slow.count("PUT", "/team/app/manifests/1.0"),
        1,
        "{:?}",
        slow.counts()
    );
    let addr = proxy.addr();
    proxy.terminate().await;
    // It stops accepting at once.
    let mut refused = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "new connections are refused after SIGTERM");
    let answer = pushing.await.expect("joined");
    assert_eq!(answer.status, 200);
    let text = String::from_utf8(answer.body.to_vec()).expect("NDJSON");
    let last = text.lines().last().map(PushEvent::from_ndjson);
    assert!(matches!(last, Some(Ok(PushEvent::Done { .. }))), "{text}");
    let tag = registry
        .pusher()
        .get_manifest("team/app", "1.0", shared::media_type::DOCKER_MANIFEST_LIST)
        .await
        .expect("the tag was written");
    assert!(!tag.body.is_empty());
    let (status, output) = proxy.wait_exit(Duration::from_secs(30)).await;
    let status = status.unwrap_or_else(|| panic!("still running: {}", output.stderr));
    assert_eq!(status.code(), Some(0), "{}", output.stderr);
}

#[tokio::test]
async fn environment_variables_set_the_server_flags() {
    let proxy = ProxyProcess::spawn(
        Path::new(BINARY),
        &[],
        &[
            ("MANIFEST_WEB_PUBLIC", "1".to_string()),
            ("MANIFEST_WEB_CLIENT_RATE", "0.01".to_string()),
            ("MANIFEST_WEB_CLIENT_BURST", "1".to_string()),
            ("MANIFEST_WEB_LOG_FORMAT", "json".to_string()),
            ("RUST_LOG", "info".to_string()),
        ],
    )
    .await;
    let client = proxy.client();
    let first = client.inspect("127.0.0.1:9/x/y:1").await;
    assert_eq!(first.expect_err("refused").status, StatusCode::FORBIDDEN);
    let second = client.inspect("127.0.0.1:9/x/y:1").await;
    assert_eq!(
        second.expect_err("limited").status,
        StatusCode::TOO_MANY_REQUESTS,
        "public mode and its rate came from the environment"
    );
    let output = proxy.stop().await;
    let lines: Vec<&str> = output
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!lines.is_empty(), "the server logs something at info");
    for line in lines {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
        assert!(parsed.get("level").is_some(), "{line}");
    }
}
