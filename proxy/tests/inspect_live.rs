//! The proxy against a real `docker-registry` (CNCF distribution 2.8) and small
//! fake registries, all on 127.0.0.1. The full suite lives in `tests/`; these
//! check the proxy's own paths: index with a missing child, by-digest, errors,
//! Basic and Bearer auth, digest verification, origin and target guards.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};
use shared::credentials::{CREDENTIALS_HEADER, Credential, CredentialSet};
use shared::digest::Digest;
use shared::media_type;

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

struct Registry {
    child: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "proxy-test-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn start_registry(htpasswd: Option<(&str, &str)>) -> Registry {
    let dir = temp_dir("registry");
    let port = free_port();
    let mut auth = String::new();
    if let Some((user, pass)) = htpasswd {
        let out = Command::new("htpasswd")
            .args(["-Bbn", user, pass])
            .output()
            .expect("htpasswd");
        std::fs::write(dir.join("htpasswd"), &out.stdout).unwrap();
        auth = format!(
            "auth:\n  htpasswd:\n    realm: Registry Realm\n    path: {}\n",
            dir.join("htpasswd").display()
        );
    }
    let cfg = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
        dir.join("data").display()
    );
    std::fs::write(dir.join("config.yml"), cfg).unwrap();
    let child = Command::new(REGISTRY_BIN)
        .arg("serve")
        .arg(dir.join("config.yml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docker-registry");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let registry = Registry { child, dir, addr };
    let http = client();
    for _ in 0..200 {
        if http.get(format!("http://{addr}/v2/")).send().await.is_ok() {
            return registry;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("docker-registry did not start on {addr}");
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Push helpers speaking plain HTTP to the test registry.
struct Pusher {
    http: reqwest::Client,
    base: String,
    auth: Option<(String, String)>,
}

impl Pusher {
    fn req(&self, m: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(m, url);
        match &self.auth {
            Some((u, p)) => r.basic_auth(u, Some(p)),
            None => r,
        }
    }

    async fn blob(&self, repo: &str, bytes: &[u8]) -> Digest {
        let digest = Digest::sha256(bytes);
        let resp = self
            .req(
                reqwest::Method::POST,
                &format!("{}/v2/{repo}/blobs/uploads/", self.base),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 202, "start upload");
        let loc = resp.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        let mut url = reqwest::Url::parse(&self.base).unwrap().join(&loc).unwrap();
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let resp = self
            .req(reqwest::Method::PUT, url.as_str())
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "finish upload");
        digest
    }

    async fn manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Digest {
        let resp = self
            .req(
                reqwest::Method::PUT,
                &format!("{}/v2/{repo}/manifests/{reference}", self.base),
            )
            .header(header::CONTENT_TYPE, media_type)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        assert_eq!(
            status,
            201,
            "put manifest: {}",
            resp.text().await.unwrap_or_default()
        );
        Digest::sha256(bytes)
    }

    /// A config + one layer + an OCI image manifest; returns (bytes, digest).
    async fn image(&self, repo: &str, arch: &str) -> (Vec<u8>, Digest) {
        let config = format!(
            r#"{{"architecture":"{arch}","os":"linux","config":{{"Env":["A=1"],"Cmd":["/bin/sh"]}},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#
        );
        let config_digest = self.blob(repo, config.as_bytes()).await;
        let layer = format!("layer for {arch}");
        let layer_digest = self.blob(repo, layer.as_bytes()).await;
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"{}","digest":"{layer_digest}","size":{}}}]}}"#,
            media_type::OCI_MANIFEST,
            media_type::OCI_CONFIG,
            config.len(),
            media_type::OCI_LAYER_GZIP,
            layer.len()
        );
        let digest = Digest::sha256(manifest.as_bytes());
        self.manifest(
            repo,
            &digest.to_string(),
            media_type::OCI_MANIFEST,
            manifest.as_bytes(),
        )
        .await;
        (manifest.into_bytes(), digest)
    }
}

struct Proxy {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start_proxy(insecure: &[SocketAddr]) -> Proxy {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = proxy::Config::new(addr);
    config.insecure_registries = insecure.iter().map(|a| a.to_string()).collect();
    config.dist_dir = temp_dir("dist");
    std::fs::write(
        config.dist_dir.join("index.html"),
        "<html><script type=module>boot()</script></html>",
    )
    .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        proxy::serve_with_shutdown(listener, config, async {
            let _ = rx.await;
        })
        .await
        .expect("proxy serves");
    });
    Proxy {
        base: format!("http://{addr}"),
        stop: Some(tx),
    }
}

async fn inspect(
    proxy: &Proxy,
    reference: &str,
    headers: &[(&str, String)],
) -> (StatusCode, Value) {
    let mut req = client()
        .get(format!("{}/api/v1/inspect", proxy.base))
        .query(&[("ref", reference)]);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let resp = req.send().await.unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn inspects_an_index_image_and_errors_against_a_real_registry() {
    let registry = start_registry(None).await;
    let pusher = Pusher {
        http: client(),
        base: format!("http://{}", registry.addr),
        auth: None,
    };
    let (amd64, amd64_digest) = pusher.image("team/app", "amd64").await;
    let (arm64, arm64_digest) = pusher.image("team/app", "arm64").await;
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[{{"mediaType":"{}","digest":"{amd64_digest}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}},{{"mediaType":"{}","digest":"{arm64_digest}","size":{},"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}}],"annotations":{{"org.example":"yes"}}}}"#,
        media_type::OCI_INDEX,
        media_type::OCI_MANIFEST,
        amd64.len(),
        media_type::OCI_MANIFEST,
        arm64.len()
    );
    let index_digest = pusher
        .manifest("team/app", "1.0", media_type::OCI_INDEX, index.as_bytes())
        .await;

    let proxy = start_proxy(&[registry.addr]).await;
    let reg = registry.addr.to_string();

    // By tag: the index, both children with their configs verified.
    let (status, body) = inspect(&proxy, &format!("{reg}/team/app:1.0"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["kind"], "index");
    assert_eq!(body["digest"], index_digest.to_string());
    assert_eq!(body["raw"], index);
    assert_eq!(body["size"], index.len());
    assert_eq!(body["tag"], "1.0");
    assert_eq!(body["annotations"]["org.example"], "yes");
    let entries = body["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["digest"], amd64_digest.to_string());
    assert_eq!(entries[1]["platform"]["variant"], "v8");
    for e in entries {
        assert_eq!(e["kind"], "image", "{e}");
        assert!(e.get("error").is_none(), "{e}");
        assert_eq!(e["layers"].as_array().unwrap().len(), 1);
        assert_eq!(e["config"]["mediaType"], media_type::OCI_CONFIG);
    }

    // By digest: the child image, with its parsed config.
    let (status, body) = inspect(&proxy, &format!("{reg}/team/app@{arm64_digest}"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["kind"], "image");
    assert_eq!(body["digest"], arm64_digest.to_string());
    assert_eq!(body["imageConfig"]["architecture"], "arm64");
    assert_eq!(body["imageConfig"]["config"]["Cmd"][0], "/bin/sh");

    // A missing child: the entry shows the error, the rest still shows.
    let resp = client()
        .delete(format!("http://{reg}/v2/team/app/manifests/{arm64_digest}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    // Content by digest is immutable, so the first proxy still has it cached;
    // a fresh proxy sees the registry as it is now.
    let fresh = start_proxy(&[registry.addr]).await;
    let (status, body) = inspect(&fresh, &format!("{reg}/team/app:1.0"), &[]).await;
    assert_eq!(status, 200, "{body}");
    let entries = body["manifests"].as_array().unwrap();
    assert!(entries[0].get("error").is_none(), "{}", entries[0]);
    assert_eq!(entries[1]["error"]["code"], "NOT_FOUND", "{}", entries[1]);
    assert!(
        entries[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&arm64_digest.to_string())
    );

    // Unknown tag and repository: 404 naming the reference.
    let (status, body) = inspect(&proxy, &format!("{reg}/team/app:nope"), &[]).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("team/app:nope")
    );
    let (status, _) = inspect(&proxy, &format!("{reg}/nobody/here:1"), &[]).await;
    assert_eq!(status, 404);

    // A digest the tag does not have: asked-for digest is checked (registry 404s).
    let wrong = Digest::sha256(b"other");
    let (status, _) = inspect(&proxy, &format!("{reg}/team/app@{wrong}"), &[]).await;
    assert_eq!(status, 404);

    // Invalid reference: 400.
    let (status, body) = inspect(&proxy, "UPPER/Case", &[]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_REFERENCE");

    // Loopback registry not on the allow-list: refused before any traffic.
    let other = format!("127.0.0.1:{}", registry.addr.port() + 1);
    let (status, body) = inspect(&proxy, &format!("{other}/team/app:1.0"), &[]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "FORBIDDEN_TARGET");

    // Foreign origin: 403; allowed origin: CORS headers.
    let (status, body) = inspect(
        &proxy,
        &format!("{reg}/team/app:1.0"),
        &[("origin", "https://evil.example".into())],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "FORBIDDEN_ORIGIN");
    let resp = client()
        .get(format!("{}/api/v1/health", proxy.base))
        .header("origin", "http://127.0.0.1:8081")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8081"
    );
    assert!(
        resp.headers().get_all("vary").iter().any(|v| v
            .to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("origin"))
    );
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"ok": true}));

    // The page: SPA fallback with CSP including the inline script's hash.
    let resp = client()
        .get(format!("{}/some/client/route", proxy.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("'wasm-unsafe-eval' 'sha256-"), "{csp}");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(resp.text().await.unwrap().contains("boot()"));
    let resp = client()
        .get(format!("{}/api/v2/nothing", proxy.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn basic_auth_registry_needs_the_typed_in_credentials() {
    let registry = start_registry(Some(("alice", "s3cret"))).await;
    let pusher = Pusher {
        http: client(),
        base: format!("http://{}", registry.addr),
        auth: Some(("alice".into(), "s3cret".into())),
    };
    let (_, digest) = pusher.image("private/app", "amd64").await;
    let proxy = start_proxy(&[registry.addr]).await;
    let reference = format!("{}/private/app@{digest}", registry.addr);

    let (status, body) = inspect(&proxy, &reference, &[]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");

    let creds = |password: &str| {
        let mut set = CredentialSet::default();
        set.0.insert(
            registry.addr.to_string(),
            Credential {
                username: "alice".into(),
                password: password.into(),
            },
        );
        vec![(CREDENTIALS_HEADER, set.encode())]
    };
    let (status, body) = inspect(&proxy, &reference, &creds("wrong")).await;
    assert_eq!(status, 401, "{body}");
    assert!(!body.to_string().contains("wrong"));

    let (status, body) = inspect(&proxy, &reference, &creds("s3cret")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["imageConfig"]["architecture"], "amd64");

    // Content cached for alice is not served to an anonymous caller.
    let (status, _) = inspect(&proxy, &reference, &[]).await;
    assert_eq!(status, 401);
}

/// A fake registry with a Bearer token service, serving one manifest whose
/// bytes can be swapped to test digest verification.
#[derive(Clone)]
struct Fake {
    token_requests: Arc<AtomicUsize>,
    manifest: Arc<std::sync::Mutex<(Vec<u8>, Option<String>)>>,
}

async fn fake_token(
    State(fake): State<Fake>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> impl IntoResponse {
    fake.token_requests.fetch_add(1, Ordering::SeqCst);
    if q.get("scope").map(String::as_str) == Some("repository:fake/app:pull")
        && q.get("service").map(String::as_str) == Some("fake-registry")
    {
        (StatusCode::OK, r#"{"access_token":"t0k","expires_in":300}"#).into_response()
    } else {
        (StatusCode::FORBIDDEN, "bad scope").into_response()
    }
}

async fn fake_manifest(State(fake): State<Fake>, headers: HeaderMap) -> impl IntoResponse {
    let host = headers[header::HOST].to_str().unwrap().to_string();
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some("Bearer t0k")
    {
        let challenge = format!(
            r#"Bearer realm="http://{host}/token",service="fake-registry",scope="repository:fake/app:pull""#
        );
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
        )
            .into_response();
    }
    let (bytes, dcd) = fake.manifest.lock().unwrap().clone();
    let mut resp = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, media_type::OCI_INDEX.to_string())],
        bytes,
    )
        .into_response();
    if let Some(d) = dcd {
        resp.headers_mut()
            .insert("docker-content-digest", d.parse().unwrap());
    }
    resp
}

#[tokio::test]
async fn bearer_tokens_are_fetched_once_and_digests_are_verified() {
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[]}}"#,
        media_type::OCI_INDEX
    );
    let good = Digest::sha256(index.as_bytes());
    let fake = Fake {
        token_requests: Arc::new(AtomicUsize::new(0)),
        manifest: Arc::new(std::sync::Mutex::new((
            index.clone().into_bytes(),
            Some(good.to_string()),
        ))),
    };
    let app = Router::new()
        .route("/token", get(fake_token))
        .route("/v2/fake/app/manifests/{reference}", get(fake_manifest))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let proxy = start_proxy(&[addr]).await;

    let (status, body) = inspect(&proxy, &format!("{addr}/fake/app:v1"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["digest"], good.to_string());
    assert_eq!(body["manifests"].as_array().unwrap().len(), 0);
    let (status, _) = inspect(&proxy, &format!("{addr}/fake/app@{good}"), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        fake.token_requests.load(Ordering::SeqCst),
        1,
        "token cached"
    );

    // Bytes that do not match the requested digest.
    let tampered = index.replace("[]", "[ ]");
    *fake.manifest.lock().unwrap() = (tampered.clone().into_bytes(), None);
    let (status, body) = inspect(&proxy, &format!("{addr}/fake/app@{good}"), &[]).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "DIGEST_MISMATCH");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&good.to_string()), "{msg}");
    assert!(
        msg.contains(&Digest::sha256(tampered.as_bytes()).to_string()),
        "{msg}"
    );

    // By tag, a Docker-Content-Digest that does not match the bytes.
    *fake.manifest.lock().unwrap() = (tampered.into_bytes(), Some(good.to_string()));
    let (status, body) = inspect(&proxy, &format!("{addr}/fake/app:v1"), &[]).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "DIGEST_MISMATCH");
}
