//! A fault-injecting HTTP proxy in front of a real registry.
//!
//! Real registries fail in ways a happy-path test never sees: a 503 during a
//! deploy, a 429 with `Retry-After`, a connection that hangs or is reset, a
//! body cut short, a flipped byte, a `Docker-Content-Digest` that does not
//! match, an auth loop, a mount that is not done, a child manifest that went
//! missing. It can also lend the registry a quirk it lacks: distribution 2.8
//! has no OCI 1.1 referrers API, so [`Fault::ReferrersApi`] answers that API
//! the way a 1.1 registry does (in pages, with `Link` headers), from what the
//! registry holds under the referrers tag schema. `FaultProxy` listens on a loopback port and forwards to a
//! `Registry` unless a [`Rule`] matches the request, in which case it injects
//! that fault. It counts every request by (method, path) so tests can assert
//! how often the proxy under test really asked (retries, or no traffic at all).
//!
//! It is plain tokio + `httparse` rather than a hyper server on purpose:
//! resets, truncated bodies and hangs need control over the raw connection.
//! It only ever connects to its loopback upstream.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::push::is_loopback_host;
use crate::registry::Registry;

/// Requests to this path are answered by the fault proxy itself with a
/// token (for [`Fault::Unauthorized`]'s Bearer challenge).
pub const TOKEN_PATH: &str = "/fault-token";

/// What to do instead of (or to) the registry's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this status with a distribution-style error body.
    Status(u16),
    /// 429 with `Retry-After: seconds`.
    TooManyRequests { retry_after: u64 },
    /// Read the request, then never answer (until the client gives up).
    Hang,
    /// Wait this many milliseconds, then forward as usual (a slow write).
    Delay(u64),
    /// Close the connection with a TCP reset instead of answering.
    Reset,
    /// Forward, then send the headers and only half the body, and close.
    Truncate,
    /// Forward, then flip one bit in the middle of the body.
    FlipByte,
    /// Forward, but replace `Docker-Content-Digest` with another digest.
    WrongDigestHeader,
    /// Forward, without the `Docker-Content-Digest` header (registries
    /// that never send it).
    NoDigestHeader,
    /// Forward, adding Docker Hub's quota headers: `ratelimit-remaining:
    /// {remaining};w=21600` and `ratelimit-limit: 100;w=21600`.
    Quota { remaining: u64 },
    /// 401 with a Bearer challenge whose token (from [`TOKEN_PATH`]) never works.
    Unauthorized,
    /// 401 with exactly this `WWW-Authenticate` value.
    Challenge(String),
    /// For `POST .../blobs/uploads/?mount=...&from=...`: drop the mount
    /// parameters, so the registry starts an ordinary upload (202).
    NotMounted,
    /// 404 `MANIFEST_UNKNOWN` without asking the registry.
    NotFound,
    /// 307 to this URL (`{path}` is replaced by the request's path and query).
    Redirect(String),
    /// For `GET /v2/<name>/referrers/<digest>`: answer as an OCI 1.1
    /// registry would, listing what the registry holds in the `sha256-<hex>`
    /// tag-schema index, `page_size` entries a page, each page but the last
    /// with `Link: <next>; rel="next"` (and each but the first with a
    /// separate `Link: <prev>; rel="prev"` header before it). The link is relative, or absolute on
    /// `link_origin` (`http://host:port`) when given.
    ReferrersApi {
        page_size: usize,
        link_origin: Option<String>,
    },
    /// For `GET /v2/<name>/tags/list`: the tag list paged as the
    /// distribution spec says (lexical order, `n`, `last`, `Link` to the
    /// next page), from the registry's whole list, at most `page_size` a
    /// page whatever `n` asks. Distribution 2.8 cannot be used for that
    /// itself: it lists tags in directory order but finds `last` by a
    /// binary search, so its pages overlap and skip. The link is relative,
    /// or absolute on `link_origin` (`http://host:port`) when given.
    TagPages {
        page_size: usize,
        link_origin: Option<String>,
    },
}

/// When to inject a fault: method + a substring of `path?query`, for the
/// first `times` matching requests or always.
#[derive(Debug, Clone)]
pub struct Rule {
    method: String,
    pattern: String,
    times: Option<usize>,
    fault: Fault,
    hits: usize,
}

impl Rule {
    /// Always inject `fault` into `method` requests whose `path?query`
    /// contains `pattern`.
    pub fn new(method: &str, pattern: &str, fault: Fault) -> Rule {
        Rule {
            method: method.to_ascii_uppercase(),
            pattern: pattern.to_string(),
            times: None,
            fault,
            hits: 0,
        }
    }

    /// Only the first `n` matching requests.
    pub fn times(mut self, n: usize) -> Rule {
        self.times = Some(n);
        self
    }

    fn take(&mut self, method: &str, target: &str) -> Option<Fault> {
        let matches = self.method == method && target.contains(&self.pattern);
        let left = self.times.is_none_or(|n| self.hits < n);
        if matches && left {
            self.hits += 1;
            Some(self.fault.clone())
        } else {
            None
        }
    }
}

#[derive(Default)]
struct Shared {
    rules: Vec<Rule>,
    /// (method, path without query) -> requests.
    counts: BTreeMap<(String, String), usize>,
    /// Connections that did not speak HTTP (a TLS handshake, say).
    not_http: usize,
    /// Requests read and not yet answered, now and at most.
    in_flight: usize,
    max_in_flight: usize,
}

/// Counts one request as in flight until dropped (answered, or the
/// connection given up).
struct InFlight(Arc<Mutex<Shared>>);

impl InFlight {
    fn start(shared: &Arc<Mutex<Shared>>) -> InFlight {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        s.in_flight += 1;
        s.max_in_flight = s.max_in_flight.max(s.in_flight);
        InFlight(shared.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        s.in_flight -= 1;
    }
}

/// A running fault proxy; stops when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
    hold: Arc<Hold>,
}

impl FaultProxy {
    /// In front of `registry`.
    pub async fn start(registry: &Registry) -> FaultProxy {
        FaultProxy::start_for(registry.addr()).await
    }

    /// In front of `upstream` (a loopback address; anything else panics).
    pub async fn start_for(upstream: SocketAddr) -> FaultProxy {
        assert!(
            is_loopback_host(&upstream.ip().to_string()),
            "the fault proxy only forwards to loopback, not {upstream}"
        );
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind a loopback port for the fault proxy");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a default reqwest client builds");
        let hold = Arc::new(Hold {
            spec: Mutex::new(None),
            arrived: tokio::sync::watch::channel(0).0,
            timed_out: std::sync::atomic::AtomicUsize::new(0),
        });
        let ctx = Arc::new(Ctx {
            addr,
            upstream,
            shared: shared.clone(),
            http,
            hold: hold.clone(),
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let _ = ctx.serve(stream).await;
                });
            }
        });
        FaultProxy {
            addr,
            shared,
            task,
            hold,
        }
    }

    /// `127.0.0.1:PORT`: a registry host for references and `--insecure-registry`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT/REPO:TAG`
    pub fn reference(&self, repo_and_tag_or_digest: &str) -> String {
        format!("{}/{repo_and_tag_or_digest}", self.host())
    }

    /// Add a rule (rules are tried in the order they were added).
    pub fn inject(&self, rule: Rule) {
        self.lock().rules.push(rule);
    }

    /// Hold the answer to every `method` request whose path contains
    /// `path_part` until `n` such requests have arrived: a client that sends
    /// them one after another (or in waves smaller than `n`) is held until
    /// [`HOLD_AT_MOST`] and [`FaultProxy::hold_timeouts`] says so; one that
    /// sends all `n` at once is answered at once. No clock is asserted:
    /// the count of answers released late is.
    pub fn hold_until(&self, method: &str, path_part: &str, n: usize) {
        self.hold.arrived.send_replace(0);
        self.hold
            .timed_out
            .store(0, std::sync::atomic::Ordering::SeqCst);
        *self.hold.spec.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((method.to_ascii_uppercase(), path_part.to_string(), n));
    }

    /// Held answers that were released because the requests to release
    /// them never all arrived (0: every one was in flight at once).
    pub fn hold_timeouts(&self) -> usize {
        self.hold
            .timed_out
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Requests that arrived while a hold was set and matched it.
    pub fn held_arrivals(&self) -> usize {
        *self.hold.arrived.borrow()
    }

    /// Remove every rule.
    pub fn clear_rules(&self) {
        self.lock().rules.clear();
    }

    /// Requests with `method` whose path (no query) contains `path_part`.
    pub fn count(&self, method: &str, path_part: &str) -> usize {
        let method = method.to_ascii_uppercase();
        self.lock()
            .counts
            .iter()
            .filter(|((m, p), _)| *m == method && p.contains(path_part))
            .map(|(_, n)| n)
            .sum()
    }

    /// Every request so far.
    pub fn total(&self) -> usize {
        self.lock().counts.values().sum()
    }

    /// Forget the counts (e.g. after seeding through the fault proxy).
    pub fn reset_counts(&self) {
        let mut shared = self.lock();
        shared.counts.clear();
        shared.max_in_flight = shared.in_flight;
    }

    /// Connections dropped because they did not start with an HTTP
    /// request (the proxy's TLS probe of an allow-listed registry).
    pub fn not_http_connections(&self) -> usize {
        self.lock().not_http
    }

    /// The most requests that were ever being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    /// `(method, path) -> count`, for failure messages.
    pub fn counts(&self) -> BTreeMap<(String, String), usize> {
        self.lock().counts.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Ctx {
    addr: SocketAddr,
    upstream: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    http: reqwest::Client,
    hold: Arc<Hold>,
}

/// Answers held back until enough requests have arrived (see
/// [`FaultProxy::hold_until`]).
struct Hold {
    /// Method, path part, how many must arrive.
    spec: Mutex<Option<(String, String, usize)>>,
    /// Matching requests arrived so far.
    arrived: tokio::sync::watch::Sender<usize>,
    /// Held answers released by the safety timeout, not by the count.
    timed_out: std::sync::atomic::AtomicUsize,
}

/// How long an answer is held at most: a test that waits for requests
/// that never come fails on `hold_timeouts`, instead of hanging.
const HOLD_AT_MOST: std::time::Duration = std::time::Duration::from_secs(10);

impl Hold {
    /// Wait, if `method path` is held, until enough have arrived.
    async fn wait(&self, method: &str, path: &str) {
        let until = match &*self.spec.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((m, part, n)) if m == method && path.contains(part.as_str()) => *n,
            _ => return,
        };
        self.arrived.send_modify(|n| *n += 1);
        let mut arrived = self.arrived.subscribe();
        let released = tokio::time::timeout(HOLD_AT_MOST, arrived.wait_for(|n| *n >= until)).await;
        if !matches!(released, Ok(Ok(_))) {
            self.timed_out
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// One parsed request.
struct Request {
    method: String,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    close: bool,
}

/// One answer to write.
struct Answer {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    /// For HEAD: the Content-Length to announce without a body.
    head_length: Option<String>,
}

const MAX_HEAD: usize = 64 * 1024;
const NOT_HTTP: &str = "not an HTTP request";

impl Ctx {
    async fn serve(&self, mut stream: TcpStream) -> std::io::Result<()> {
        let mut buf = Vec::new();
        loop {
            let request = match read_request(&mut stream, &mut buf).await {
                Ok(Some(request)) => request,
                Ok(None) => return Ok(()),
                Err(e) => {
                    if e.to_string() == NOT_HTTP {
                        self.shared
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .not_http += 1;
                    }
                    return Err(e);
                }
            };
            let _in_flight = InFlight::start(&self.shared);
            let path = request
                .target
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string();
            let fault = {
                let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
                *shared
                    .counts
                    .entry((request.method.clone(), path.clone()))
                    .or_default() += 1;
                let (method, target) = (&request.method, &request.target);
                shared.rules.iter_mut().find_map(|r| r.take(method, target))
            };
            self.hold.wait(&request.method, &path).await;
            let is_head = request.method == "HEAD";
            let close = request.close;
            if path == TOKEN_PATH {
                let body = br#"{"token":"fault-token-that-never-works"}"#.to_vec();
                write_answer(&mut stream, &json_answer(200, body), false).await?;
                continue;
            }
            match fault {
                None => {
                    let answer = self.forward(request).await;
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::Status(status)) => {
                    let body = error_body("UNAVAILABLE", "injected fault");
                    write_answer(&mut stream, &json_answer(status, body), is_head).await?;
                }
                Some(Fault::TooManyRequests { retry_after }) => {
                    let body = error_body("TOOMANYREQUESTS", "injected rate limit");
                    let mut answer = json_answer(429, body);
                    answer
                        .headers
                        .push(("Retry-After".into(), retry_after.to_string().into_bytes()));
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::Delay(millis)) => {
                    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
                    let answer = self.forward(request).await;
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::Hang) => {
                    // Until the client closes the connection (or sends more).
                    let mut byte = [0u8; 1];
                    let _ = stream.read(&mut byte).await;
                    return Ok(());
                }
                Some(Fault::Reset) => {
                    stream.set_zero_linger()?;
                    return Ok(());
                }
                Some(Fault::Truncate) => {
                    let answer = self.forward(request).await;
                    let full = answer.body.len();
                    let head = answer_head(&answer, Some(full.to_string()));
                    stream.write_all(&head).await?;
                    stream.write_all(&answer.body[..full / 2]).await?;
                    stream.flush().await?;
                    return Ok(());
                }
                Some(Fault::FlipByte) => {
                    let mut answer = self.forward(request).await;
                    let middle = answer.body.len() / 2;
                    if let Some(b) = answer.body.get_mut(middle) {
                        *b ^= 0x01;
                    }
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::WrongDigestHeader) => {
                    let mut answer = self.forward(request).await;
                    let mut other = answer.body.clone();
                    other.extend_from_slice(b"not these bytes");
                    let wrong = format!("sha256:{:x}", Sha256::digest(&other));
                    answer
                        .headers
                        .retain(|(n, _)| !n.eq_ignore_ascii_case("docker-content-digest"));
                    answer
                        .headers
                        .push(("Docker-Content-Digest".into(), wrong.into_bytes()));
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::NoDigestHeader) => {
                    let mut answer = self.forward(request).await;
                    answer
                        .headers
                        .retain(|(n, _)| !n.eq_ignore_ascii_case("docker-content-digest"));
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::Quota { remaining }) => {
                    let mut answer = self.forward(request).await;
                    for (name, value) in [
                        ("ratelimit-remaining", format!("{remaining};w=21600")),
                        ("ratelimit-limit", "100;w=21600".to_string()),
                    ] {
                        answer.headers.push((name.into(), value.into_bytes()));
                    }
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::Unauthorized) => {
                    let challenge = format!(
                        r#"Bearer realm="http://{}{TOKEN_PATH}",service="fault",scope="x""#,
                        self.addr
                    );
                    let answer = unauthorized(&challenge);
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::Challenge(challenge)) => {
                    write_answer(&mut stream, &unauthorized(&challenge), is_head).await?;
                }
                Some(Fault::NotMounted) => {
                    let mut request = request;
                    request.target = path.clone();
                    let answer = self.forward(request).await;
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::NotFound) => {
                    let body = error_body("MANIFEST_UNKNOWN", "manifest unknown (injected)");
                    write_answer(&mut stream, &json_answer(404, body), is_head).await?;
                }
                Some(Fault::ReferrersApi {
                    page_size,
                    link_origin,
                }) => {
                    let answer = self
                        .referrers_api(&request.target, page_size, link_origin.as_deref())
                        .await;
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::TagPages {
                    page_size,
                    link_origin,
                }) => {
                    let answer = self
                        .tag_pages(&request.target, page_size, link_origin.as_deref())
                        .await;
                    write_answer(&mut stream, &answer, is_head).await?;
                }
                Some(Fault::Redirect(to)) => {
                    let location = to.replace("{path}", &request.target);
                    let mut answer = json_answer(307, Vec::new());
                    answer
                        .headers
                        .push(("Location".into(), location.into_bytes()));
                    write_answer(&mut stream, &answer, is_head).await?;
                }
            }
            if close {
                return Ok(());
            }
        }
    }

    /// One page of `/v2/<name>/referrers/<alg>:<hex>[?page=K]`, built from
    /// the registry's `<alg>-<hex>` tag (no tag: an empty list, as a 1.1
    /// registry answers for a manifest nothing refers to).
    async fn referrers_api(
        &self,
        target: &str,
        page_size: usize,
        link_origin: Option<&str>,
    ) -> Answer {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let Some((name, digest)) = path
            .strip_prefix("/v2/")
            .and_then(|p| p.split_once("/referrers/"))
        else {
            return json_answer(400, error_body("NAME_INVALID", "not a referrers path"));
        };
        let page: usize = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|k| k.parse().ok())
            .unwrap_or(0);
        let tag = digest.replacen(':', "-", 1);
        let url = format!("http://{}/v2/{name}/manifests/{tag}", self.upstream);
        let listed = self
            .http
            .get(&url)
            .header("Accept", "application/vnd.oci.image.index.v1+json")
            .send()
            .await;
        let all: Vec<serde_json::Value> = match listed {
            Ok(r) if r.status().is_success() => r
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| v.get("manifests").and_then(|m| m.as_array()).cloned())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let size = page_size.max(1);
        let chunk: Vec<serde_json::Value> =
            all.iter().skip(page * size).take(size).cloned().collect();
        let body = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": chunk,
        });
        let mut answer = json_answer(200, body.to_string().into_bytes());
        answer.headers = vec![(
            "Content-Type".into(),
            b"application/vnd.oci.image.index.v1+json".to_vec(),
        )];
        // Like some registries: `prev` in a `Link` header of its own, first.
        if page > 0 {
            let prev = format!(
                "{}{path}?page={}",
                link_origin.unwrap_or_default(),
                page - 1
            );
            answer.headers.push((
                "Link".into(),
                format!("<{prev}>; rel=\"prev\"").into_bytes(),
            ));
        }
        if (page + 1) * size < all.len() {
            let next = format!(
                "{}{path}?page={}",
                link_origin.unwrap_or_default(),
                page + 1
            );
            answer.headers.push((
                "Link".into(),
                format!("<{next}>; rel=\"next\"").into_bytes(),
            ));
        }
        answer
    }

    /// One page of `/v2/<name>/tags/list?n=N&last=T`, from the registry's
    /// whole list, sorted.
    async fn tag_pages(&self, target: &str, page_size: usize, link_origin: Option<&str>) -> Answer {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_string))
        };
        let n = param("n")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
            .min(page_size.max(1));
        let last = param("last").unwrap_or_default();
        let url = format!("http://{}{path}", self.upstream);
        let listed = self.http.get(&url).send().await;
        let mut all: Vec<String> = match listed {
            Ok(r) if r.status().is_success() => r
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| serde_json::from_value(v["tags"].clone()).ok())
                .unwrap_or_default(),
            Ok(r) => {
                let status = r.status().as_u16();
                return json_answer(status, r.bytes().await.unwrap_or_default().to_vec());
            }
            Err(e) => return json_answer(502, error_body("UNAVAILABLE", &e.to_string())),
        };
        all.sort();
        let after: Vec<&String> = all.iter().filter(|t| t.as_str() > last.as_str()).collect();
        let page: Vec<&String> = after.iter().take(n).copied().collect();
        let name = path
            .strip_prefix("/v2/")
            .and_then(|p| p.strip_suffix("/tags/list"))
            .unwrap_or_default();
        let body = serde_json::json!({"name": name, "tags": page});
        let mut answer = json_answer(200, body.to_string().into_bytes());
        if after.len() > page.len()
            && let Some(end) = page.last()
        {
            let next = format!("{}{path}?last={end}&n={n}", link_origin.unwrap_or_default());
            answer.headers.push((
                "Link".into(),
                format!("<{next}>; rel=\"next\"").into_bytes(),
            ));
        }
        answer
    }

    /// Send the request on to the registry and collect its answer; a
    /// failure to reach it is a 502.
    async fn forward(&self, request: Request) -> Answer {
        let url = format!("http://{}{}", self.upstream, request.target);
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = self.http.request(method, &url);
        for (name, value) in &request.headers {
            if !is_hop_header(name) && !name.eq_ignore_ascii_case("host") {
                builder = builder.header(name.as_str(), value.as_slice());
            }
        }
        let response = match builder.body(request.body).send().await {
            Ok(r) => r,
            Err(e) => {
                return json_answer(502, error_body("UNAVAILABLE", &e.to_string()));
            }
        };
        let status = response.status().as_u16();
        let head_length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let upstream = self.upstream.to_string();
        let mine = self.addr.to_string();
        let headers = response
            .headers()
            .iter()
            .filter(|(n, _)| !is_hop_header(n.as_str()) && n.as_str() != "content-length")
            .map(|(n, v)| {
                let mut value = v.as_bytes().to_vec();
                if n.as_str() == "location" {
                    // Upload sessions must come back through us.
                    value = String::from_utf8_lossy(&value)
                        .replace(&upstream, &mine)
                        .into_bytes();
                }
                (n.as_str().to_string(), value)
            })
            .collect();
        let body = response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Answer {
            status,
            headers,
            body,
            head_length,
        }
    }
}

fn is_hop_header(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

fn error_body(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({"errors": [{"code": code, "message": message}]})
        .to_string()
        .into_bytes()
}

fn json_answer(status: u16, body: Vec<u8>) -> Answer {
    Answer {
        status,
        headers: vec![("Content-Type".into(), b"application/json".to_vec())],
        body,
        head_length: None,
    }
}

fn unauthorized(challenge: &str) -> Answer {
    let mut answer = json_answer(401, error_body("UNAUTHORIZED", "authentication required"));
    answer
        .headers
        .push(("WWW-Authenticate".into(), challenge.as_bytes().to_vec()));
    answer
}

fn answer_head(answer: &Answer, length: Option<String>) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {} Fault\r\n", answer.status).into_bytes();
    for (name, value) in &answer.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if let Some(length) = length {
        out.extend_from_slice(format!("Content-Length: {length}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

async fn write_answer(
    stream: &mut TcpStream,
    answer: &Answer,
    is_head: bool,
) -> std::io::Result<()> {
    if is_head {
        let length = answer
            .head_length
            .clone()
            .unwrap_or_else(|| answer.body.len().to_string());
        stream.write_all(&answer_head(answer, Some(length))).await?;
    } else {
        let head = answer_head(answer, Some(answer.body.len().to_string()));
        stream.write_all(&head).await?;
        stream.write_all(&answer.body).await?;
    }
    stream.flush().await
}

/// Read more into `buf`; false at end of stream.
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// The next request on the connection; `None` when the client closed it.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Request>> {
    let head_len = loop {
        // Not HTTP at all (a TLS handshake, say): dropped at once, as a
        // real HTTP server refuses it, rather than waited on.
        if buf.first().is_some_and(|b| !b.is_ascii_uppercase()) {
            return Err(invalid(NOT_HTTP));
        }
        if let Some(end) = find(buf, b"\r\n\r\n") {
            break end + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(invalid("request head too large"));
        }
        if !fill(stream, buf).await? {
            return Ok(None);
        }
    };
    let mut header_slots = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut header_slots);
    parsed
        .parse(&buf[..head_len])
        .map_err(|e| invalid(&format!("bad request head: {e}")))?;
    let method = parsed.method.unwrap_or("GET").to_string();
    let target = parsed.path.unwrap_or("/").to_string();
    let headers: Vec<(String, Vec<u8>)> = parsed
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
    };
    let close = header("connection").is_some_and(|v| v == "close");
    let chunked = header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    buf.drain(..head_len);
    let body = if chunked {
        read_chunked(stream, buf).await?
    } else {
        while buf.len() < length {
            if !fill(stream, buf).await? {
                return Err(invalid("the request body ended early"));
            }
        }
        buf.drain(..length).collect()
    };
    Ok(Some(Request {
        method,
        target,
        headers,
        body,
        close,
    }))
}

async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buf, b"\r\n") {
                break i;
            }
            if !fill(stream, buf).await? {
                return Err(invalid("a chunked body ended early"));
            }
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).to_string();
        let size_hex = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| invalid("bad chunk size"))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Trailers (none expected) up to the empty line.
            loop {
                if let Some(i) = find(buf, b"\r\n") {
                    buf.drain(..i + 2);
                    if i == 0 {
                        return Ok(body);
                    }
                    continue;
                }
                if !fill(stream, buf).await? {
                    return Ok(body);
                }
            }
        }
        while buf.len() < size + 2 {
            if !fill(stream, buf).await? {
                return Err(invalid("a chunk ended early"));
            }
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
}
