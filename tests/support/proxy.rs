//! The real proxy, in-process on a free loopback port, and a small client for
//! its HTTP API. Going through HTTP (not calling handlers) tests what the page
//! sees: status codes, JSON shapes, headers.

use std::net::SocketAddr;

use reqwest::{Method, StatusCode, Url};
use shared::api::{
    ApiError, CONFIGS_PATH, ChildConfigs, ErrorBody, FIRST_PART_PARAM, INSPECT_PATH,
    InspectResponse,
};
use shared::credentials::{CREDENTIALS_HEADER, CredentialSet};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::push::RawResponse;
use crate::registry::Registry;

/// A running proxy; shut down when dropped.
pub struct Proxy {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), proxy::ProxyError>>,
}

impl Proxy {
    /// A proxy allowed to reach these registries over plain HTTP on loopback.
    pub async fn start(registries: &[&Registry]) -> Proxy {
        Proxy::start_with(|config| {
            config
                .insecure_registries
                .extend(registries.iter().map(|r| r.host()));
        })
        .await
    }

    /// A proxy with the default config changed by `configure`.
    ///
    /// # Panics
    /// When no loopback port can be bound (nothing a test could do about it).
    pub async fn start_with(configure: impl FnOnce(&mut proxy::Config)) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free 127.0.0.1 port for the proxy");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let mut config = proxy::Config::new(addr);
        configure(&mut config);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(proxy::serve_with_shutdown(listener, config, async {
            let _ = rx.await;
        }));
        Proxy {
            addr,
            shutdown: Some(tx),
            task,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn client(&self) -> ProxyClient {
        ProxyClient::new(&self.url())
    }

    /// True while the server task runs (false after it failed to start).
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}

/// A non-2xx answer from the proxy: its status and the `{"error": ...}` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub error: ApiError,
}

/// Calls the proxy's API like the page does.
#[derive(Debug, Clone)]
pub struct ProxyClient {
    http: reqwest::Client,
    base: Url,
}

impl ProxyClient {
    pub fn new(base_url: &str) -> ProxyClient {
        let base = Url::parse(base_url).expect("the proxy URL is http://127.0.0.1:PORT");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a default reqwest client builds");
        ProxyClient { http, base }
    }

    /// A request to `path` (e.g. `/api/v1/push/plan`) on the proxy.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let url = self
            .base
            .join(path)
            .expect("API paths are valid relative URLs");
        self.http.request(method, url)
    }

    /// Send and collect the whole answer.
    ///
    /// # Panics
    /// When the proxy cannot be reached at all (the test cannot go on).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> RawResponse {
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("the proxy at {} did not answer: {e}", self.base));
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("reading the proxy's answer failed: {e}"));
        RawResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET /api/v1/inspect?ref=REFERENCE`, raw.
    pub async fn inspect_raw(
        &self,
        reference: &str,
        credentials: Option<&CredentialSet>,
    ) -> RawResponse {
        let mut url = self.base.join(INSPECT_PATH).expect("a valid path");
        url.query_pairs_mut().append_pair("ref", reference);
        let mut request = self.http.get(url);
        if let Some(credentials) = credentials {
            request = request.header(CREDENTIALS_HEADER, credentials.encode());
        }
        self.send(request).await
    }

    /// `GET /api/v1/inspect?ref=REFERENCE`: the inspection, or the error.
    pub async fn inspect(&self, reference: &str) -> Result<InspectResponse, ApiFailure> {
        decode(self.inspect_raw(reference, None).await)
    }

    /// `GET /api/v1/inspect?ref=REFERENCE&configs=later`: the first part
    /// (an index's children without their configs), as the page asks.
    pub async fn inspect_first(&self, reference: &str) -> Result<InspectResponse, ApiFailure> {
        decode(self.inspect_first_raw(reference).await)
    }

    /// The first part, raw (its headers say what it cost upstream).
    pub async fn inspect_first_raw(&self, reference: &str) -> RawResponse {
        let mut url = self.base.join(INSPECT_PATH).expect("a valid path");
        url.query_pairs_mut()
            .append_pair("ref", reference)
            .append_pair(FIRST_PART_PARAM.0, FIRST_PART_PARAM.1);
        self.send(self.http.get(url)).await
    }

    /// `GET /api/v1/inspect/configs?ref=REFERENCE`: the second part.
    pub async fn child_configs(&self, reference: &str) -> Result<ChildConfigs, ApiFailure> {
        let mut url = self.base.join(CONFIGS_PATH).expect("a valid path");
        url.query_pairs_mut().append_pair("ref", reference);
        decode(self.send(self.http.get(url)).await)
    }

    /// Inspect with typed-in credentials (the `x-registry-auth` header).
    pub async fn inspect_with(
        &self,
        reference: &str,
        credentials: &CredentialSet,
    ) -> Result<InspectResponse, ApiFailure> {
        decode(self.inspect_raw(reference, Some(credentials)).await)
    }
}

/// A 2xx body as `T`, anything else as the API's error body.
///
/// # Panics
/// When the body is not the JSON the API promises (that is the test failing).
pub fn decode<T: serde::de::DeserializeOwned>(response: RawResponse) -> Result<T, ApiFailure> {
    let text = String::from_utf8_lossy(&response.body);
    if response.status.is_success() {
        return Ok(serde_json::from_slice(&response.body).unwrap_or_else(|e| {
            panic!(
                "a {} answer that is not the expected JSON ({e}): {text}",
                response.status
            )
        }));
    }
    let body: ErrorBody = serde_json::from_slice(&response.body).unwrap_or_else(|e| {
        panic!(
            "a {} answer without an {{\"error\": ...}} body ({e}): {text}",
            response.status
        )
    });
    Err(ApiFailure {
        status: response.status,
        error: body.error,
    })
}
