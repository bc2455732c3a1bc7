//! Raw exchanges for the registry check: one request through the one
//! request path (bounds, retries, redirect policy, authentication), and the
//! answer handed back as plain data whatever its status.
//!
//! The operations in `ops` turn a refusal into a typed error, which is what
//! inspecting and pushing need; the check needs the refusal itself (its
//! status, the headers that decided it, the error body) to say which
//! registry behaviour it saw. The body is read under a small cap: the check
//! only ever sends and reads its own tiny test content.

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use shared::credentials::Credential;
use shared::reference::Reference;

use crate::auth;
use crate::body;
use crate::client::RegistryClient;
use crate::error::RegistryError;
use crate::repository::Repository;
use crate::request::{OutBody, Outgoing};

/// The most of an answer's body a probe keeps.
pub const PROBE_BODY_LIMIT: u64 = 64 * 1024;
/// The most headers of an answer a probe keeps, and the most of each value
/// (an upload's `Location` can be a long signed URL, and is used whole).
const MAX_HEADERS: usize = 64;
const MAX_HEADER_VALUE: usize = 8 * 1024;

/// Where a probe goes.
#[derive(Debug, Clone)]
pub enum ProbePath {
    /// `/v2/`: the API's base, reachability and the auth challenge.
    Base,
    /// `/v2/<repository>/<tail>` (the tail may carry a query).
    Repository(String),
    /// A URL the registry handed out (an upload's `Location`), already
    /// resolved; other origins are guarded as redirects are.
    Url(Url),
}

/// One request of the check.
#[derive(Debug, Clone)]
pub struct Probe {
    pub method: Method,
    pub path: ProbePath,
    pub accept: Option<String>,
    /// A body and its Content-Type.
    pub body: Option<(Bytes, String)>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// `false`: send no credentials and do not answer a 401 (to see what
    /// the registry offers a stranger).
    pub authenticate: bool,
}

impl Probe {
    pub fn new(method: Method, path: ProbePath) -> Probe {
        Probe {
            method,
            path,
            accept: None,
            body: None,
            headers: Vec::new(),
            authenticate: true,
        }
    }

    pub fn at(method: Method, tail: impl Into<String>) -> Probe {
        Probe::new(method, ProbePath::Repository(tail.into()))
    }

    pub fn accept(mut self, accept: &str) -> Probe {
        self.accept = Some(accept.to_string());
        self
    }

    pub fn body(mut self, bytes: impl Into<Bytes>, content_type: &str) -> Probe {
        self.body = Some((bytes.into(), content_type.to_string()));
        self
    }

    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Probe {
        self.headers.push((name, value));
        self
    }

    pub fn anonymously(mut self) -> Probe {
        self.authenticate = false;
        self
    }
}

/// What a probe sent and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeAnswer {
    pub method: String,
    /// The request's path and query (never credentials).
    pub target: String,
    /// The URL the answer came from (after redirects).
    pub url: Url,
    pub status: u16,
    /// Header names lowercased, values as text (capped).
    pub headers: Vec<(String, String)>,
    /// At most [`PROBE_BODY_LIMIT`] bytes.
    pub body: Bytes,
}

impl ProbeAnswer {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl RegistryClient {
    /// A handle for the registry check on `reference`'s repository: its
    /// token asks for `pull,push,delete` there (a registry that grants less
    /// shows it as refused deletion).
    pub async fn repository_for_check(
        &self,
        reference: &Reference,
        credential: Option<Credential>,
    ) -> Result<Repository<'_>, RegistryError> {
        let mut repo = self.repository(reference, credential).await?;
        repo.scopes = vec![format!(
            "{},delete",
            auth::push_scope(reference.repository())
        )];
        Ok(repo)
    }
}

impl Repository<'_> {
    /// The registry's base URL (`https://host:port/`): where a relative
    /// `Location` is resolved.
    pub fn base_url(&self) -> Url {
        self.target.base.clone()
    }

    /// Send `probe` through the one request path and read the answer,
    /// whatever its status. Only a failure to get an answer at all
    /// (unreachable, TLS, a guard refusing a redirect, a failed token
    /// request) is an error.
    pub async fn probe(&self, probe: &Probe) -> Result<ProbeAnswer, RegistryError> {
        let url = match &probe.path {
            ProbePath::Base => self
                .target
                .base
                .join("v2/")
                .map_err(|e| RegistryError::Url {
                    what: "/v2/".into(),
                    detail: e.to_string(),
                })?,
            ProbePath::Repository(tail) => self.url(tail)?,
            ProbePath::Url(url) => url.clone(),
        };
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let what = format!("{} {target}", probe.method);
        let extras = Outgoing {
            accept: probe.accept.as_deref(),
            body: probe
                .body
                .as_ref()
                .map(|(bytes, content_type)| OutBody::Bytes(bytes.clone(), content_type)),
            headers: probe.headers.clone(),
            ..Outgoing::default()
        };
        let resp = if probe.authenticate {
            self.exchange(probe.method.clone(), url, &extras, &what)
                .await?
        } else {
            self.follow(&probe.method, url, &extras, None, &what)
                .await?
        };
        let status = resp.status().as_u16();
        let answered_at = resp.url().clone();
        let headers = resp
            .headers()
            .iter()
            .take(MAX_HEADERS)
            .map(|(name, value)| {
                let text = String::from_utf8_lossy(value.as_bytes());
                (
                    name.as_str().to_string(),
                    text.chars().take(MAX_HEADER_VALUE).collect(),
                )
            })
            .collect();
        let body = if probe.method == Method::HEAD {
            Bytes::new()
        } else {
            body::read_truncated(resp, PROBE_BODY_LIMIT).await
        };
        Ok(ProbeAnswer {
            method: probe.method.to_string(),
            target,
            url: answered_at,
            status,
            headers,
            body,
        })
    }
}
