//! The proxy is not an open proxy and not a tool for other sites.
//!
//! SSRF: a registry on loopback that is not allow-listed is refused however
//! its address is spelled, when a redirect leads there, and when a token
//! realm points there, and the refusal says which flag allows it; the
//! fault proxy's counters prove no request reached it. (Other address
//! classes are tested on the classifier, `proxy::registry::guard`, because
//! tests never send traffic off loopback.)
//! CSRF/CORS: a foreign Origin, a cross-site browser request without an
//! allowed Origin (`<img src>`), or a form-style body is refused before any
//! registry traffic; CORS never answers `*`. The page carries its security
//! headers. An answer with failed index entries is never cached for a year.

use reqwest::Method;
use serde_json::json;
use shared::api::{
    ErrorCode, INSPECT_PATH, InspectResponse, PLAN_PATH, PUSH_PATH, SPEC_PARSE_PATH,
};
use support::proxy::decode;
use support::{
    ApiFailure, Fault, FaultProxy, Format, ImageSpec, IndexBuilder, Proxy, Registry, Rule,
};

const HEALTH: &str = "/api/v1/health";
/// `trunk serve`'s origin, which these tests allow as `--dev` does.
const DEV_ORIGIN: &str = "http://127.0.0.1:8081";

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

/// A registry with `app:v1`, behind a fault proxy (for its counters).
async fn seeded() -> (Registry, FaultProxy) {
    let registry = registry().await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 1).build();
    registry
        .pusher()
        .push_image("app", &image, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let fault = FaultProxy::start(&registry).await;
    (registry, fault)
}

async fn proxy_allowing(hosts: &[String]) -> Proxy {
    let hosts = hosts.to_vec();
    Proxy::start_with(move |c| {
        c.insecure_registries.extend(hosts);
        c.allowed_origins.push(DEV_ORIGIN.to_string());
    })
    .await
}

async fn inspect(proxy: &Proxy, reference: &str) -> Result<(), ApiFailure> {
    proxy.client().inspect(reference).await.map(|_| ())
}

fn assert_forbidden_target(result: Result<(), ApiFailure>, allow: &str) {
    let e = result.expect_err("the target must be refused");
    assert_eq!(e.status.as_u16(), 403, "{e:?}");
    assert_eq!(e.error.code, ErrorCode::ForbiddenTarget, "{e:?}");
    assert!(
        e.error
            .message
            .contains(&format!("--insecure-registry {allow}")),
        "the message should say which flag allows {allow}: {}",
        e.error.message
    );
}

#[tokio::test]
async fn loopback_registries_not_allow_listed_are_refused_however_spelled() {
    let (_registry, fault) = seeded().await;
    let port = fault.addr().port();
    // Allow-listed: another port only.
    let proxy = proxy_allowing(&["127.0.0.1:1".into()]).await;
    for (host, allow) in [
        (format!("127.0.0.1:{port}"), format!("127.0.0.1:{port}")),
        (format!("127.1:{port}"), format!("127.1:{port}")),
        (format!("2130706433:{port}"), format!("2130706433:{port}")),
        (format!("0x7f.0.0.1:{port}"), format!("0x7f.0.0.1:{port}")),
        (format!("0177.0.0.1:{port}"), format!("0177.0.0.1:{port}")),
        (format!("[::1]:{port}"), format!("[::1]:{port}")),
        // A name: refused when it resolves, in the proxy's DNS resolver.
        (format!("localhost:{port}"), format!("localhost:{port}")),
    ] {
        let result = inspect(&proxy, &format!("{host}/app:v1")).await;
        assert_forbidden_target(result, &allow);
    }
    assert_eq!(
        fault.total(),
        0,
        "requests got through: {:?}",
        fault.counts()
    );
}

#[tokio::test]
async fn allow_listed_loopback_registries_work() {
    let (_registry, fault) = seeded().await;
    let port = fault.addr().port();
    let proxy = proxy_allowing(&[fault.host(), format!("localhost:{port}")]).await;
    inspect(&proxy, &fault.reference("app:v1"))
        .await
        .expect("an allow-listed registry works");
    inspect(&proxy, &format!("localhost:{port}/app:v1"))
        .await
        .expect("an allow-listed name works");
    assert!(fault.count("GET", "/v2/app/manifests/v1") >= 2);
}

#[tokio::test]
async fn redirects_to_hosts_not_allow_listed_are_refused() {
    let registry = registry().await;
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 2).build();
    registry
        .pusher()
        .push_image("app", &image, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let front = FaultProxy::start(&registry).await;
    let elsewhere = FaultProxy::start(&registry).await;
    let proxy = proxy_allowing(&[front.host()]).await;
    let to_elsewhere = format!("http://{}{{path}}", elsewhere.host());

    // A manifest redirected.
    front.inject(Rule::new(
        "GET",
        "/manifests/v1",
        Fault::Redirect(to_elsewhere.clone()),
    ));
    let result = inspect(&proxy, &front.reference("app:v1")).await;
    assert_forbidden_target(result, &elsewhere.host());

    // A blob redirected (as registries do to their storage).
    front.clear_rules();
    front.inject(Rule::new("GET", "/blobs/", Fault::Redirect(to_elsewhere)));
    let result = inspect(&proxy, &front.reference("app:v1")).await;
    assert_forbidden_target(result, &elsewhere.host());
    assert_eq!(elsewhere.total(), 0, "{:?}", elsewhere.counts());

    // Redirects between allow-listed hosts are followed.
    let both = proxy_allowing(&[front.host(), elsewhere.host()]).await;
    inspect(&both, &front.reference("app:v1"))
        .await
        .expect("a redirect to an allow-listed host is followed");
    let config = format!("/v2/app/blobs/{}", image.config.digest);
    assert_eq!(elsewhere.count("GET", &config), 1);
}

#[tokio::test]
async fn token_realms_on_hosts_not_allow_listed_are_refused() {
    let (_registry, front) = seeded().await;
    let elsewhere = FaultProxy::start_for(front.addr()).await;
    let proxy = proxy_allowing(&[front.host()]).await;
    for realm in [
        format!("http://{}/token", elsewhere.host()),
        format!("https://{}/token", elsewhere.host()),
        format!("http://localhost:{}/token", elsewhere.addr().port()),
    ] {
        front.clear_rules();
        front.inject(Rule::new(
            "GET",
            "/manifests/v1",
            Fault::Challenge(format!(r#"Bearer realm="{realm}",service="x""#)),
        ));
        let e = inspect(&proxy, &front.reference("app:v1"))
            .await
            .expect_err("the realm must be refused");
        assert_eq!(e.error.code, ErrorCode::ForbiddenTarget, "{realm}: {e:?}");
        assert!(
            e.error.message.contains("--insecure-registry"),
            "{realm}: {}",
            e.error.message
        );
    }
    assert_eq!(elsewhere.total(), 0, "{:?}", elsewhere.counts());
}

fn spec_for(fault: &FaultProxy) -> String {
    json!({
        "image": fault.reference("target:v1"),
        "type": "oci",
        "manifests": [{"image": fault.reference("app:v1")}],
    })
    .to_string()
}

#[tokio::test]
async fn foreign_origins_are_refused_before_any_registry_traffic() {
    let (_registry, fault) = seeded().await;
    let proxy = proxy_allowing(&[fault.host()]).await;
    let client = proxy.client();
    for path in [PLAN_PATH, PUSH_PATH] {
        for origin in ["https://evil.example", "null", "http://127.0.0.1:1"] {
            let request = client
                .request(Method::POST, path)
                .header("origin", origin)
                .header("content-type", "application/json")
                .body(spec_for(&fault));
            let e = decode::<serde_json::Value>(client.send(request).await)
                .expect_err("a foreign origin is refused");
            assert_eq!(e.status.as_u16(), 403, "{path} {origin}");
            assert_eq!(e.error.code, ErrorCode::ForbiddenOrigin);
            assert!(
                e.error.message.contains("--allow-origin"),
                "{}",
                e.error.message
            );
        }
    }
    let request = client
        .request(
            Method::GET,
            &format!("{INSPECT_PATH}?ref={}", fault.reference("app:v1")),
        )
        .header("origin", "https://evil.example");
    assert_eq!(client.send(request).await.status.as_u16(), 403);
    assert_eq!(fault.total(), 0, "{:?}", fault.counts());

    // The same request from an allowed origin does reach the registry.
    let request = client
        .request(Method::POST, PLAN_PATH)
        .header("origin", DEV_ORIGIN)
        .header("content-type", "application/json")
        .body(spec_for(&fault));
    let answer = client.send(request).await;
    assert!(answer.status.is_success(), "{answer:?}");
    assert!(fault.total() > 0);
}

#[tokio::test]
async fn cross_site_requests_without_an_origin_are_refused_before_any_registry_traffic() {
    let (_registry, fault) = seeded().await;
    let proxy = proxy_allowing(&[fault.host()]).await;
    let client = proxy.client();
    let path = format!("{INSPECT_PATH}?ref={}", fault.reference("app:v1"));
    // What `<img src="http://127.0.0.1:PORT/api/v1/inspect?ref=...">` on
    // another site sends: no Origin, but Sec-Fetch-Site.
    for site in ["cross-site", "same-site"] {
        let request = client
            .request(Method::GET, &path)
            .header("sec-fetch-site", site);
        let e = decode::<serde_json::Value>(client.send(request).await)
            .expect_err("a cross-site request without an Origin is refused");
        assert_eq!(e.status.as_u16(), 403, "{site}");
        assert_eq!(e.error.code, ErrorCode::ForbiddenOrigin, "{site}");
        assert!(
            e.error.message.contains("--allow-origin"),
            "{}",
            e.error.message
        );
    }
    assert_eq!(fault.total(), 0, "{:?}", fault.counts());

    // The proxy's own page, a CORS fetch from an allowed origin, and a
    // non-browser client (no Sec-Fetch-Site, no Origin) are served.
    for (site, origin) in [
        (Some("same-origin"), None),
        (Some("same-site"), Some(DEV_ORIGIN)),
        (None, None),
    ] {
        let mut request = client.request(Method::GET, &path);
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let answer = decode::<InspectResponse>(client.send(request).await)
            .unwrap_or_else(|e| panic!("{site:?} {origin:?}: {e:?}"));
        assert_eq!(answer.repository, "app");
    }
    assert!(fault.count("GET", "/v2/app/manifests/v1") >= 1);
}

#[tokio::test]
async fn answers_with_failed_entries_are_not_cached_for_a_year() {
    let registry = registry().await;
    let list = IndexBuilder::new(Format::Oci)
        .image(ImageSpec::new(Format::Oci, "linux/amd64", 31).build())
        .image(ImageSpec::new(Format::Oci, "linux/arm64/v8", 32).build())
        .build();
    registry
        .pusher()
        .push_index("list", &list, Some("v1"))
        .await
        .unwrap_or_else(|e| panic!("seed: {e}"));
    let fault = FaultProxy::start(&registry).await;
    let proxy = proxy_allowing(&[fault.host()]).await;
    let client = proxy.client();
    let by_digest = fault.reference(&format!("list@{}", list.manifest.digest));
    let lost = &list.entries[0].digest;
    fault.inject(Rule::new(
        "GET",
        &format!("/manifests/{lost}"),
        Fault::NotFound,
    ));
    let raw = client.inspect_raw(&by_digest, None).await;
    let cache_control = raw.header("cache-control").map(str::to_string);
    let answer = decode::<InspectResponse>(raw).expect("the index is answered");
    let entries = answer.entries().expect("index entries");
    assert!(
        entries[0].error.is_some(),
        "the lost child is an entry error"
    );
    assert_eq!(cache_control.as_deref(), Some("no-cache"));

    // The same digest once every child is read: kept for a year.
    fault.clear_rules();
    let raw = client.inspect_raw(&by_digest, None).await;
    let cache_control = raw.header("cache-control").map(str::to_string);
    let answer = decode::<InspectResponse>(raw).expect("the index is answered");
    let entries = answer.entries().expect("index entries");
    assert!(entries.iter().all(|e| e.error.is_none()), "{entries:?}");
    assert_eq!(
        cache_control.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
}

#[tokio::test]
async fn form_and_text_bodies_are_refused_before_any_registry_traffic() {
    let (_registry, fault) = seeded().await;
    let proxy = proxy_allowing(&[fault.host()]).await;
    let client = proxy.client();
    for path in [PLAN_PATH, PUSH_PATH, SPEC_PARSE_PATH] {
        for content_type in [
            "text/plain",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            let request = client
                .request(Method::POST, path)
                .header("content-type", content_type)
                .body(spec_for(&fault));
            let answer = client.send(request).await;
            assert_eq!(answer.status.as_u16(), 415, "{path} {content_type}");
        }
    }
    // Larger than the body limit: 413, also without registry traffic.
    let huge = format!("{{\"image\":\"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let request = client
        .request(Method::POST, PLAN_PATH)
        .header("content-type", "application/json")
        .body(huge);
    assert_eq!(client.send(request).await.status.as_u16(), 413);
    assert_eq!(fault.total(), 0, "{:?}", fault.counts());
}

#[tokio::test]
async fn cors_names_the_origin_never_star_and_varies_on_it() {
    let proxy = Proxy::start_with(|c| c.allowed_origins.push(DEV_ORIGIN.to_string())).await;
    let client = proxy.client();
    let preflight = client
        .request(Method::OPTIONS, PLAN_PATH)
        .header("origin", DEV_ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type");
    let answer = client.send(preflight).await;
    assert!(answer.status.is_success(), "{answer:?}");
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(DEV_ORIGIN)
    );
    let vary = answer
        .header("vary")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(vary.contains("origin"), "Vary: {vary}");

    let get = client
        .request(Method::GET, HEALTH)
        .header("origin", DEV_ORIGIN);
    let answer = client.send(get).await;
    assert!(answer.status.is_success());
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(DEV_ORIGIN)
    );
    let vary = answer
        .header("vary")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(vary.contains("origin"), "Vary: {vary}");

    // Without an Origin, or with a foreign one: never `*`.
    let answer = client.send(client.request(Method::GET, HEALTH)).await;
    assert_ne!(answer.header("access-control-allow-origin"), Some("*"));
    let foreign = client
        .request(Method::OPTIONS, PLAN_PATH)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST");
    let answer = client.send(foreign).await;
    assert_eq!(answer.status.as_u16(), 403);
    assert_eq!(answer.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn requests_addressed_to_foreign_host_names_are_refused() {
    let proxy = Proxy::start_with(|_| {}).await;
    let client = proxy.client();
    let request = client
        .request(Method::GET, HEALTH)
        .header("host", "rebound.evil.example");
    let answer = client.send(request).await;
    assert_eq!(answer.status.as_u16(), 403);
    let ok = client.send(client.request(Method::GET, HEALTH)).await;
    assert!(ok.status.is_success());
}

#[tokio::test]
async fn the_page_carries_its_security_headers() {
    let dist = tempfile::tempdir().expect("temp dir");
    let script = "import init from '/app.js'; await init();";
    std::fs::write(
        dist.path().join("index.html"),
        format!("<html><head><script type=\"module\">{script}</script></head><body></body></html>"),
    )
    .expect("write index.html");
    let dir = dist.path().to_path_buf();
    let proxy = Proxy::start_with(move |c| c.dist_dir = Some(dir)).await;
    let client = proxy.client();
    for path in ["/", "/some/client/route", HEALTH] {
        let answer = client.send(client.request(Method::GET, path)).await;
        assert!(answer.status.is_success(), "{path}: {}", answer.status);
        let csp = answer.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            answer.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(answer.header("x-frame-options"), Some("DENY"), "{path}");
    }
    // The inline module script is allowed by its hash, not by 'unsafe-inline'.
    let answer = client.send(client.request(Method::GET, "/")).await;
    let csp = answer.header("content-security-policy").unwrap_or_default();
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
    );
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap_or_default();
    assert!(script_src.contains(&hash), "{script_src}");
    assert!(!script_src.contains("unsafe-inline"), "{script_src}");
}

/// A navigation from another site (or another port of this one) gets the
/// page marked, so that it only offers to inspect the `?ref=` in its URL;
/// whole and fresh even when the browser holds a copy. Typed URLs,
/// bookmarks, reloads and clients without `Sec-Fetch-Site` get it as it is.
#[tokio::test]
async fn pages_opened_from_another_site_are_marked() {
    const MARKER: &str = r#"<meta name="mw-opened-from" content="another-site">"#;
    let dist = tempfile::tempdir().expect("temp dir");
    let html = "<html><head><title>t</title></head><body></body></html>";
    std::fs::write(dist.path().join("index.html"), html).expect("write index.html");
    std::fs::write(dist.path().join("app.js"), "export default 1;").expect("write app.js");
    let dir = dist.path().to_path_buf();
    let proxy = Proxy::start_with(move |c| c.dist_dir = Some(dir)).await;
    let client = proxy.client();
    let paths = ["/", "/?ref=private.example/app:1", "/index.html", "/create"];
    for path in paths {
        for site in [
            Some("cross-site"),
            Some("same-site"),
            Some("none"),
            Some("same-origin"),
            None,
        ] {
            // As a browser holding a copy asks.
            let mut request = client
                .request(Method::GET, path)
                .header("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT");
            if let Some(site) = site {
                request = request.header("sec-fetch-site", site);
            }
            let answer = client.send(request).await;
            assert!(
                answer.header("content-security-policy").is_some(),
                "{path} {site:?}"
            );
            if matches!(site, Some("cross-site" | "same-site")) {
                // Never "use your copy": it may be one without the marker.
                assert_eq!(answer.status, reqwest::StatusCode::OK, "{path} {site:?}");
                assert_eq!(
                    String::from_utf8_lossy(&answer.body),
                    html.replace("</head>", &format!("{MARKER}</head>")),
                    "{path} {site:?}"
                );
                assert!(answer.header("last-modified").is_none(), "{path} {site:?}");
            } else {
                assert_eq!(
                    answer.status,
                    reqwest::StatusCode::NOT_MODIFIED,
                    "{path} {site:?}"
                );
            }
            // Without a copy: the page as it is, never reused unasked, and
            // never a copy of one kind for the other.
            let mut request = client.request(Method::GET, path);
            if let Some(site) = site {
                request = request.header("sec-fetch-site", site);
            }
            let answer = client.send(request).await;
            assert_eq!(answer.status, reqwest::StatusCode::OK, "{path} {site:?}");
            assert_eq!(
                answer.header("cache-control"),
                Some("no-cache"),
                "{path} {site:?}"
            );
            assert_eq!(
                answer.header("vary"),
                Some("Sec-Fetch-Site"),
                "{path} {site:?}"
            );
            let marked = String::from_utf8_lossy(&answer.body).contains(MARKER);
            assert_eq!(
                marked,
                matches!(site, Some("cross-site" | "same-site")),
                "{path} {site:?}"
            );
        }
    }
    // Not HTML: untouched.
    let answer = client
        .send(
            client
                .request(Method::GET, "/app.js")
                .header("sec-fetch-site", "cross-site"),
        )
        .await;
    assert_eq!(&answer.body[..], b"export default 1;");
    assert!(answer.header("vary").is_none());
}

/// The `trunk serve` origins drive the API only when asked for with
/// `--dev`: by default a page on local port 8081 is a foreign origin.
#[tokio::test]
async fn the_dev_server_origins_are_allowed_only_with_dev() {
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_manifest-web-under-test"));
    for (args, allowed) in [(vec![], false), (vec!["--dev".to_string()], true)] {
        let proxy = support::proxy_process::ProxyProcess::spawn(binary, &args, &[]).await;
        let client = proxy.client();
        for origin in ["http://127.0.0.1:8081", "http://localhost:8081"] {
            let request = client.request(Method::GET, HEALTH).header("origin", origin);
            let answer = client.send(request).await;
            let cors = answer
                .header("access-control-allow-origin")
                .map(str::to_string);
            if allowed {
                assert_eq!(answer.status.as_u16(), 200, "{args:?} {origin}");
                assert_eq!(cors.as_deref(), Some(origin), "{args:?}");
            } else {
                assert_eq!(answer.status.as_u16(), 403, "{args:?} {origin}");
                assert_eq!(cors, None, "{args:?}");
            }
        }
        proxy.stop().await;
    }
}
