//! Public-service mode on the real binary (and its limits in-process where
//! a registry must be reachable): what it refuses at start, the per-client
//! limits (429 + Retry-After, recovery, forwarded-for only from trusted
//! proxies, a bounded table of clients), and the instance's upstream budget
//! with the digest cache answering first.

use std::path::Path;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use shared::api::{ErrorBody, ErrorCode};
use support::metrics::scrape;
use support::proxy_process::ProxyProcess;
use support::{
    Fault, FaultProxy, Format, ImageSpec, Proxy, ProxyClient, RawResponse, Registry, Rule,
};

const BINARY: &str = env!("CARGO_BIN_EXE_manifest-web-under-test");
/// A loopback registry: refused by a public instance before anything is sent.
const REFUSED: &str = "127.0.0.1:9/x/y:1";

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Run the binary with `args` and expect it to refuse to start.
async fn refused_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = tokio::process::Command::new(BINARY);
    command
        .arg("--listen")
        .arg("127.0.0.1:0")
        .args(args)
        .env_remove("DOCKER_CONFIG")
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("it stops at once")
        .expect("run the binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(!output.status.success(), "it started: {stdout}{stderr}");
    assert!(!stdout.contains("listening"), "{stdout}");
    stderr
}

async fn inspect_as(client: &ProxyClient, reference: &str, forwarded: Option<&str>) -> RawResponse {
    let mut request = client
        .request(Method::GET, shared::api::INSPECT_PATH)
        .query(&[("ref", reference)]);
    if let Some(addr) = forwarded {
        request = request.header("x-forwarded-for", addr);
    }
    client.send(request).await
}

fn error_code(response: &RawResponse) -> ErrorCode {
    serde_json::from_slice::<ErrorBody>(&response.body)
        .unwrap_or_else(|e| panic!("error body: {e}: {:?}", response.body))
        .error
        .code
}

#[tokio::test]
async fn public_mode_refuses_proxy_credentials_and_insecure_registries() {
    let stderr = refused_start(&["--public", "--insecure-registry", "127.0.0.1:5000"], &[]).await;
    assert!(
        stderr.contains("--public refuses --insecure-registry 127.0.0.1:5000"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"auths":{}}"#).expect("write a Docker config");
    let config = config.to_string_lossy().to_string();
    let stderr = refused_start(&["--public", "--docker-config", &config], &[]).await;
    assert!(
        stderr.contains("--public refuses proxy-side credentials"),
        "{stderr}"
    );
    assert!(stderr.contains(&config), "names the config: {stderr}");

    let stderr = refused_start(
        &["--public", "--docker-credentials", "on"],
        &[("HOME", dir.path().to_str().unwrap())],
    )
    .await;
    assert!(
        stderr.contains("--public refuses proxy-side credentials"),
        "{stderr}"
    );

    // The same through the environment.
    let stderr = refused_start(
        &[],
        &[
            ("MANIFEST_WEB_PUBLIC", "true"),
            ("MANIFEST_WEB_INSECURE_REGISTRY", "127.0.0.1:5001"),
        ],
    )
    .await;
    assert!(
        stderr.contains("--public refuses --insecure-registry 127.0.0.1:5001"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after_and_recovers() {
    let proxy = ProxyProcess::spawn(
        Path::new(BINARY),
        &args(&["--public", "--client-rate", "1", "--client-burst", "3"]),
        &[],
    )
    .await;
    let client = proxy.client();
    for i in 0..3 {
        let answer = inspect_as(&client, REFUSED, None).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "request {i} is within the burst"
        );
        assert_eq!(error_code(&answer), ErrorCode::ForbiddenTarget);
    }
    let limited = inspect_as(&client, REFUSED, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&limited), ErrorCode::RateLimited);
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert_eq!(retry_after, 1, "one token a second");
    // Probes and scrapes are not the client's API traffic.
    let live = client.send(client.request(Method::GET, "/healthz")).await;
    assert_eq!(live.status, 200);

    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(100)).await;
    let again = inspect_as(&client, REFUSED, None).await;
    assert_eq!(
        again.status,
        StatusCode::FORBIDDEN,
        "recovered after Retry-After"
    );

    let metrics = scrape(&client).await;
    assert_eq!(
        metrics.value(r#"manifest_web_rejected_requests_total{reason="client_rate_limited"}"#),
        1.0,
        "{}",
        metrics.0
    );
    assert_eq!(
        metrics.value(r#"manifest_web_rejected_requests_total{reason="refused_target"}"#),
        4.0
    );
    assert_eq!(
        metrics.value(r#"manifest_web_http_requests_total{route="/api/v1/inspect",status="429"}"#),
        1.0
    );
    proxy.stop().await;
}

#[tokio::test]
async fn forwarded_for_is_honoured_only_from_a_trusted_proxy() {
    let limited = ["--public", "--client-rate", "0.01", "--client-burst", "1"];
    // Behind a trusted proxy (this test, on 127.0.0.1): each forwarded
    // address has its own budget; a forged entry left of ours is ignored.
    let mut trusted = args(&limited);
    trusted.extend(args(&["--trusted-proxy", "127.0.0.0/8"]));
    let proxy = ProxyProcess::spawn(Path::new(BINARY), &trusted, &[]).await;
    let client = proxy.client();
    let a = inspect_as(&client, REFUSED, Some("198.51.100.1")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a_again = inspect_as(&client, REFUSED, Some("203.0.113.66, 198.51.100.1")).await;
    assert_eq!(
        a_again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the same client, whatever it forged"
    );
    let b = inspect_as(&client, REFUSED, Some("198.51.100.2")).await;
    assert_eq!(b.status, StatusCode::FORBIDDEN, "another client");
    proxy.stop().await;

    // Not trusted: the header is anybody's words; the peer is the client.
    let mut untrusted = args(&limited);
    untrusted.extend(args(&["--trusted-proxy", "10.0.0.0/8"]));
    let proxy = ProxyProcess::spawn(Path::new(BINARY), &untrusted, &[]).await;
    let client = proxy.client();
    let first = inspect_as(&client, REFUSED, Some("198.51.100.1")).await;
    assert_eq!(first.status, StatusCode::FORBIDDEN);
    let second = inspect_as(&client, REFUSED, Some("198.51.100.2")).await;
    assert_eq!(
        second.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a new header is not a new client"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn per_client_state_is_bounded() {
    let proxy = ProxyProcess::spawn(
        Path::new(BINARY),
        &args(&[
            "--public",
            "--client-rate",
            "0.01",
            "--client-burst",
            "1",
            "--max-clients",
            "8",
            "--trusted-proxy",
            "127.0.0.1",
        ]),
        &[],
    )
    .await;
    let client = proxy.client();
    let first = inspect_as(&client, REFUSED, Some("192.0.2.1")).await;
    assert_eq!(first.status, StatusCode::FORBIDDEN);
    assert_eq!(
        inspect_as(&client, REFUSED, Some("192.0.2.1")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A client with many addresses (IPv4, and IPv6 /64s).
    for i in 0..100u32 {
        let addr = if i % 2 == 0 {
            format!("198.51.{}.{}", i / 250, i % 250 + 1)
        } else {
            format!("2001:db8:{i:x}::1")
        };
        inspect_as(&client, REFUSED, Some(&addr)).await;
    }
    let metrics = scrape(&client).await;
    assert_eq!(
        metrics.value("manifest_web_clients_tracked"),
        8.0,
        "{}",
        metrics.0
    );
    // The first client was forgotten (least recently seen): a fresh budget.
    assert_eq!(
        inspect_as(&client, REFUSED, Some("192.0.2.1")).await.status,
        StatusCode::FORBIDDEN
    );
    proxy.stop().await;
}

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

/// Inspections a client may have running at once: the second one waits
/// on a slow registry's answer, the third is turned away, and once they
/// end the client is served again. In-process, because a public binary
/// reaches no loopback registry.
#[tokio::test]
async fn concurrent_inspections_per_client_are_limited() {
    let registry = registry().await;
    let slow = FaultProxy::start(&registry).await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 41).build();
    registry
        .pusher()
        .push_image("pub/app", &image, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}"));
    let proxy = Proxy::start_with(|c| {
        c.insecure_registries.push(slow.host());
        c.client_limits = Some(proxy::client_limits::ClientLimitSettings {
            concurrent: 2,
            ..Default::default()
        });
        c.tag_caching = proxy::routes::cache_control::TagCaching::ShortShared;
    })
    .await;
    slow.inject(Rule::new("GET", "/manifests/v1", Fault::Delay(2000)));
    let reference = slow.reference("pub/app:v1");
    let running: Vec<_> = (0..2)
        .map(|_| {
            let client = proxy.client();
            let reference = reference.clone();
            tokio::spawn(async move { inspect_as(&client, &reference, None).await })
        })
        .collect();
    // Both have reached the registry (and wait on it).
    for _ in 0..200 {
        if slow.count("GET", "/manifests/v1") >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(slow.count("GET", "/manifests/v1"), 2, "{:?}", slow.counts());
    let third = inspect_as(&proxy.client(), &reference, None).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(third.header("retry-after"), Some("1"));
    assert_eq!(
        slow.count("GET", "/manifests/v1"),
        2,
        "the third never reached the registry"
    );
    for task in running {
        assert_eq!(task.await.expect("joined").status, StatusCode::OK);
    }
    slow.clear_rules();
    let later = inspect_as(&proxy.client(), &reference, None).await;
    assert_eq!(later.status, StatusCode::OK, "served again once they ended");
    // A public instance lets shared caches keep an anonymous tag answer briefly.
    assert_eq!(later.header("cache-control"), Some("public, max-age=60"));
}

/// The instance's budget for one registry: once spent, inspections that
/// need the registry get 429 with Retry-After and nothing is sent; what the
/// digest cache holds is still answered.
#[tokio::test]
async fn the_upstream_budget_refuses_but_the_digest_cache_still_answers() {
    let registry = registry().await;
    let counter = FaultProxy::start(&registry).await;
    let image = ImageSpec::new(Format::Oci, "linux/arm64", 42).build();
    registry
        .pusher()
        .push_image("pub/budget", &image, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}"));
    let proxy = ProxyProcess::spawn(
        Path::new(BINARY),
        &args(&[
            "--insecure-registry",
            &counter.host(),
            "--upstream-rate",
            "0.001",
            "--upstream-burst",
            "10",
        ]),
        &[],
    )
    .await;
    let client = proxy.client();
    let by_digest = counter.reference(&format!("pub/budget@{}", image.manifest.digest));
    let first = inspect_as(&client, &by_digest, None).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let by_tag = counter.reference("pub/budget:v1");
    let mut refused = None;
    for _ in 0..20 {
        let answer = inspect_as(&client, &by_tag, None).await;
        if answer.status != StatusCode::OK {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("the budget of 10 requests runs out");
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&refused), ErrorCode::RateLimited);
    let message = String::from_utf8_lossy(&refused.body).to_string();
    assert!(message.contains("budget of requests to"), "{message}");
    let wait: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(wait >= 1);
    // The probe of an insecure registry (`GET /v2/`) is not a request of
    // the request path.
    let probes = counter
        .counts()
        .get(&("GET".to_string(), "/v2/".to_string()))
        .copied()
        .unwrap_or(0);
    let sent = counter.total() - probes;
    assert_eq!(
        sent,
        10,
        "the whole budget, never more: {:?}",
        counter.counts()
    );

    let cached = inspect_as(&client, &by_digest, None).await;
    assert_eq!(
        cached.status,
        StatusCode::OK,
        "the digest cache answers first"
    );
    assert_eq!(
        counter.total() - probes,
        sent,
        "without asking the registry"
    );
    let metrics = scrape(&client).await;
    assert!(metrics.value("manifest_web_upstream_budget_refused_total") >= 1.0);
    assert_eq!(
        metrics.sum(
            "manifest_web_upstream_requests_total",
            &format!("registry=\"{}\"", counter.host())
        ),
        sent as f64,
        "{}",
        metrics.0
    );
    proxy.stop().await;
}
