//! The HTTP side of registry traffic: two reqwest clients (public targets
//! over HTTPS only; `--insecure-registry` targets over plain HTTP or TLS with
//! any certificate), how each allow-listed registry is spoken to (probed once,
//! remembered), the in-flight bounds and retries every request is sent
//! under, and what a transport failure is called in a message.
//!
//! Both clients follow no redirects themselves: `redirect` does, so that
//! every hop is guarded and credentials stay with the registry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::{Method, RequestBuilder, Response, StatusCode, Url, redirect};
use tokio::sync::OnceCell;

use crate::error::RegistryError;
use crate::guard::{GuardedResolver, RefusedAddress, Target, TargetPolicy, filter_addresses};
use crate::limits::Limits;
use crate::retry::{self, RetryPolicy};
use crate::settings::RegistrySettings;

/// Connection pools, the target policy and the in-flight bounds: what every
/// request to any registry goes through.
pub struct Transport {
    /// Public addresses only, https only.
    public: reqwest::Client,
    /// For `--insecure-registry` targets: plain HTTP or TLS with any
    /// certificate (self-signed), any address for those names.
    insecure: reqwest::Client,
    pub(crate) policy: TargetPolicy,
    /// How each allow-listed registry is spoken to, once found out.
    schemes: InsecureSchemes,
    /// Which failures are retried (see `retry`).
    pub(crate) retry: RetryPolicy,
    /// In-flight request bounds (see `limits`).
    limits: Limits,
    settings: RegistrySettings,
}

impl Transport {
    pub fn new(
        insecure_registries: &[String],
        settings: &RegistrySettings,
    ) -> Result<Self, RegistryError> {
        let policy = TargetPolicy::new(insecure_registries)?;
        let build = |resolver: GuardedResolver, any_certificate: bool| {
            reqwest::Client::builder()
                .user_agent(concat!("manifest-web/", env!("CARGO_PKG_VERSION")))
                .danger_accept_invalid_certs(any_certificate)
                .redirect(redirect::Policy::none())
                .no_proxy()
                .connect_timeout(settings.connect_timeout)
                .timeout(settings.request_timeout)
                .dns_resolver(std::sync::Arc::new(resolver))
                .build()
                .map_err(|e| RegistryError::Client(e.to_string()))
        };
        Ok(Transport {
            public: build(GuardedResolver::public_only(), false)?,
            // The person named these registries as insecure: like the
            // Docker daemon, TLS to them accepts any certificate.
            insecure: build(
                GuardedResolver::allowing(policy.insecure_host_names()),
                true,
            )?,
            policy,
            schemes: InsecureSchemes::default(),
            retry: settings.retry,
            limits: Limits::new(
                settings.per_registry_concurrency,
                settings.global_concurrency,
            ),
            settings: settings.clone(),
        })
    }

    pub fn settings(&self) -> &RegistrySettings {
        &self.settings
    }

    /// Where `api_host`'s API is. An allow-listed registry is asked over
    /// HTTPS (any certificate, the written port) and over plain HTTP at
    /// once, TLS preferred, as the Docker daemon does for its insecure
    /// registries (see `probe`). A definite outcome is remembered for the life of the
    /// process (one probe, however many requests start together); when
    /// neither answers (the registry is down), nothing is remembered and
    /// plain HTTP is used this time.
    pub(crate) async fn target(&self, api_host: &str) -> Result<Target, RegistryError> {
        let mut target = self.policy.target(api_host)?;
        let Some(tls_base) = target.tls_base.clone() else {
            return Ok(target);
        };
        let https = self
            .schemes
            .cell(target.base.as_str())
            .get_or_try_init(|| self.probe(&target.base, &tls_base))
            .await
            .copied()
            .unwrap_or(false);
        if https {
            target.base = tls_base;
        }
        Ok(target)
    }

    /// Would the guard let a request to `api_host` through? The same
    /// checks as a request (the allow-list, literal addresses, and what a
    /// host name resolves to now), made before anything else is done for
    /// the target: the proxy-side credential lookup runs a credential
    /// helper, which must not happen for a target that will be refused.
    /// A name that does not resolve passes: the request reports that.
    pub(crate) async fn admit(&self, api_host: &str) -> Result<(), RegistryError> {
        let target = self.policy.target(api_host)?;
        if target.insecure {
            return Ok(());
        }
        let Some(host) = target.base.host_str() else {
            return Ok(());
        };
        let port = target.base.port_or_known_default().unwrap_or(443);
        let name = host.trim_start_matches('[').trim_end_matches(']');
        match tokio::net::lookup_host((name, port)).await {
            Ok(addrs) => filter_addresses(api_host, false, addrs)
                .map(|_| ())
                .map_err(RefusedAddress::into_error),
            Err(_) => Ok(()),
        }
    }

    /// Does this allow-listed registry speak TLS (`Ok(true)`) or plain HTTP
    /// (`Ok(false)`)? Both are asked at once (`GET /v2/` over TLS and over
    /// plain HTTP), so the probe costs one round trip, and the first
    /// definite answer wins: any HTTP answer over TLS (401 included) means
    /// TLS; a plain HTTP answer means plain HTTP, unless it is a 400 (how an
    /// HTTPS server answers plain HTTP sent to it), which waits for the TLS
    /// side. `Err`: no answer either way.
    async fn probe(&self, base: &Url, tls_base: &Url) -> Result<bool, ()> {
        let ping = |url: &Url| url.join("v2/").map_err(|_| ());
        let (tls_ping, plain_ping) = (ping(tls_base)?, ping(base)?);
        let _permit = self.limits.acquire(&host_of(base)).await;
        let timeout = self.settings.tls_probe_timeout;
        let get = |url: Url| self.insecure.get(url).timeout(timeout).send();
        crate::round_trips::note_request();
        let tls = get(tls_ping);
        let plain = get(plain_ping);
        tokio::pin!(tls, plain);
        let (mut tls_done, mut plain_done) = (false, false);
        let outcome = loop {
            tokio::select! {
                answer = &mut tls, if !tls_done => {
                    tls_done = true;
                    if answer.is_ok() {
                        break Ok(true);
                    }
                }
                answer = &mut plain, if !plain_done => {
                    plain_done = true;
                    if matches!(answer, Ok(r) if r.status() != StatusCode::BAD_REQUEST) {
                        break Ok(false);
                    }
                }
            }
            if tls_done && plain_done {
                break Err(());
            }
        };
        tracing::debug!(registry = %host_of(base), ?outcome, "insecure registry probed (Ok(true): TLS)");
        outcome
    }

    /// Send with the in-flight bounds held until the answer's headers are
    /// in, retrying transient failures of requests that may be sent again
    /// (`replayable`: idempotent, and with a body that can be sent again).
    /// A replayable request gets `answer_timeout` for its final status line
    /// (see `RegistrySettings::answer_timeout`); a streamed upload only
    /// answers once its body is through, so it is not held to it.
    pub(crate) async fn send_bounded(
        &self,
        method: &Method,
        url: &Url,
        replayable: bool,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, RegistryError> {
        let idempotent = replayable && retry::is_idempotent(method, url);
        let deadline = self.settings.answer_timeout;
        retry::send(&self.retry, idempotent, || async {
            let _permit = self.limits.acquire(&host_of(url)).await;
            if !replayable {
                return build().send().await.map_err(Sent::Failed);
            }
            match tokio::time::timeout(deadline, build().send()).await {
                Ok(sent) => sent.map_err(Sent::Failed),
                Err(_) => Err(Sent::NoAnswer(deadline)),
            }
        })
        .await
        .map_err(|e| match e {
            Sent::Failed(e) => transport_error(url, &e),
            Sent::NoAnswer(deadline) => RegistryError::Unreachable {
                host: host_of(url),
                detail: format!(
                    "it sent no final answer within {} s (an informational 1xx status, such as 199, is not an answer)",
                    deadline.as_secs_f32()
                ),
                transient: false,
            },
        })
    }

    pub(crate) fn http(&self, insecure: bool) -> &reqwest::Client {
        if insecure {
            &self.insecure
        } else {
            &self.public
        }
    }
}

/// Why one try of a request got no answer.
#[derive(Debug)]
enum Sent {
    Failed(reqwest::Error),
    /// No final status line within this long.
    NoAnswer(std::time::Duration),
}

impl std::fmt::Display for Sent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sent::Failed(e) => e.fmt(f),
            Sent::NoAnswer(d) => write!(f, "no final answer within {d:?}"),
        }
    }
}

impl retry::SendFailure for Sent {
    /// A registry that answered nothing final in time is not asked again:
    /// that is how a 1xx status that never ends looks.
    fn is_transient(&self) -> bool {
        match self {
            Sent::Failed(e) => retry::is_retryable_transport(e),
            Sent::NoAnswer(_) => false,
        }
    }
}

/// Whether each allow-listed registry (by its `http://` base URL) speaks
/// TLS, found out once.
#[derive(Default)]
struct InsecureSchemes(Mutex<HashMap<String, Arc<OnceCell<bool>>>>);

impl InsecureSchemes {
    fn cell(&self, base: &str) -> Arc<OnceCell<bool>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(base.to_string())
            .or_default()
            .clone()
    }
}

/// Map a reqwest failure: a guard refusal stays a refusal; the rest is
/// "cannot reach HOST" with the innermost cause (DNS, refused, TLS, timeout).
pub fn transport_error(url: &Url, e: &reqwest::Error) -> RegistryError {
    let host = host_of(url);
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut innermost = e.to_string();
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<RefusedAddress>() {
            // Named with its port: that is what --insecure-registry takes.
            return RefusedAddress {
                host: host.clone(),
                ..refused.clone()
            }
            .into_error();
        }
        innermost = err.to_string();
        source = err.source();
    }
    let detail = if e.is_timeout() {
        "the request timed out".to_string()
    } else {
        // Messages name URLs; an upload URL's query is a session secret.
        let mut text = innermost;
        for u in std::iter::once(url).chain(e.url()) {
            text = text.replace(u.as_str(), &without_query(u));
        }
        text
    };
    RegistryError::Unreachable {
        host,
        detail,
        transient: retry::is_retryable_transport(e),
    }
}

/// `url` without its query, fragment and user info: fit for a message.
fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// `host[:port]` of a URL, as messages and the per-registry bound name it.
pub(crate) fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn urls_in_messages_lose_their_query() {
        let url =
            Url::parse("http://u:p@127.0.0.1:5000/v2/a/blobs/uploads/x?_state=SECRET#f").unwrap();
        assert_eq!(
            without_query(&url),
            "http://127.0.0.1:5000/v2/a/blobs/uploads/x"
        );
    }

    /// A reqwest error whose message is the URL itself (it has no source):
    /// the upload session's `_state` must not reach the page.
    #[tokio::test]
    async fn transport_errors_do_not_echo_upload_state() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        });
        let url = Url::parse(&format!(
            "http://{addr}/v2/app/blobs/uploads/abc?_state=SECRET-SESSION"
        ))
        .unwrap();
        let e = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(url.clone())
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap_err();
        assert!(e.to_string().contains("SECRET-SESSION"), "{e}");
        let message = transport_error(&url, &e).to_string();
        assert!(!message.contains("SECRET-SESSION"), "{message}");
        assert!(message.contains(&addr.to_string()), "{message}");
    }
}
