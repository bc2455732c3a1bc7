//! The one place that speaks the registry's `/v2/` API.
//!
//! Everything that touches the network goes through `RegistryClient`: the
//! target guard (which hosts, which scheme), authentication, size caps, error
//! mapping and the digest-keyed cache. Callers work with a `Repository`
//! handle and get verified bytes back; new operations (manifest PUT, blob
//! upload and mount) belong here as more `Repository` methods.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, LINK, LOCATION,
    WWW_AUTHENTICATE,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url, redirect};
use shared::api::RateLimitInfo;
use shared::credentials::Credential;
use shared::digest::Digest;
use shared::media_type::{self, MANIFEST_ACCEPT};
use shared::reference::Reference;
use tokio::sync::OnceCell;

use super::auth::{self, TokenCache, TokenKey};
use super::body::{self, BodyError};
use super::cache::{CacheKey, CachedContent, ContentCache};
use super::challenge::{insufficient_scope, parse_challenges};
use super::credentials::docker_config::is_identity_token;
use super::guard::{GuardedResolver, RefusedAddress, Target, TargetPolicy};
use super::limits::Limits;
use super::quota;
use super::refusal::{ErrorContext, map_registry_error};
use super::retry::{self, ReadFailure, RetryPolicy};
use super::tag_memo::{TagKey, TagMemo};
use super::token_request;
use crate::config::RegistrySettings;
use crate::error::ProxyError;

/// Registries send `Docker-Content-Digest` with manifests.
pub const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";
const MAX_REDIRECTS: usize = 5;
/// How long an allow-listed registry gets to answer over TLS before it is
/// taken for plain HTTP (a plain HTTP server usually refuses a handshake at
/// once; one that just waits would otherwise hold the first request up).
const TLS_PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Blob transfers (a layer can be gigabytes) get longer than other requests.
pub const TRANSFER_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// Bytes of verified manifests and configs kept in memory.
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Shared by all requests: connection pools, token cache, content cache.
pub struct RegistryClient {
    /// Public addresses only, https only.
    public: reqwest::Client,
    /// For `--insecure-registry` targets: plain HTTP or TLS with any
    /// certificate (self-signed), any address for those names.
    insecure: reqwest::Client,
    policy: TargetPolicy,
    /// How each allow-listed registry is spoken to, once found out.
    schemes: InsecureSchemes,
    tokens: TokenCache,
    cache: ContentCache,
    /// Tag -> digest hints, confirmed by HEAD before use (see `tag_memo`).
    tags: TagMemo,
    /// Which failures are retried (see `retry`).
    retry: RetryPolicy,
    /// In-flight request bounds (see `limits`).
    limits: Limits,
    /// How long one API operation may take in all.
    operation_timeout: Duration,
}

/// A manifest as the registry sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedManifest {
    pub bytes: Bytes,
    pub content_type: Option<String>,
    /// The `Docker-Content-Digest` header, when present and well-formed.
    pub docker_content_digest: Option<Digest>,
}

/// One page of a referrers list, and where the next one is (on the
/// registry's own origin), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrersPage {
    pub fetched: FetchedManifest,
    pub next: Option<Url>,
}

/// What a HEAD on a manifest tells (no body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    pub content_type: Option<String>,
    pub docker_content_digest: Option<Digest>,
    pub size: Option<u64>,
}

impl RegistryClient {
    /// How hard requests (and callers retrying at a higher level) try.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    pub fn new(insecure_registries: &[String]) -> Result<Self, ProxyError> {
        Self::with_settings(insecure_registries, &RegistrySettings::default())
    }

    /// A client with these timeouts, retries and concurrency bounds.
    pub fn with_settings(
        insecure_registries: &[String],
        settings: &RegistrySettings,
    ) -> Result<Self, ProxyError> {
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
                .map_err(|e| ProxyError::Internal(format!("cannot build the HTTP client: {e}")))
        };
        Ok(RegistryClient {
            public: build(GuardedResolver::public_only(), false)?,
            // The person named these registries as insecure: like the
            // Docker daemon, TLS to them accepts any certificate.
            insecure: build(
                GuardedResolver::allowing(policy.insecure_host_names()),
                true,
            )?,
            policy,
            schemes: InsecureSchemes::default(),
            tokens: TokenCache::default(),
            cache: ContentCache::new(DEFAULT_CACHE_BYTES),
            tags: TagMemo::default(),
            retry: settings.retry,
            limits: Limits::new(
                settings.per_registry_concurrency,
                settings.global_concurrency,
            ),
            operation_timeout: settings.operation_timeout,
        })
    }

    /// A handle on one repository, with the caller's credential for its registry.
    pub async fn repository(
        &self,
        reference: &Reference,
        credential: Option<Credential>,
    ) -> Result<Repository<'_>, ProxyError> {
        let api_host = reference.api_host().to_string();
        let target = self.target(&api_host).await?;
        Ok(Repository {
            client: self,
            identity: auth::identity(credential.as_ref()),
            scopes: vec![auth::pull_scope(reference.repository())],
            remembered: Mutex::new(None),
            rate_limit: Mutex::new(None),
            registry: reference.registry().to_string(),
            repository: reference.repository().to_string(),
            api_host,
            target,
            credential,
        })
    }

    /// A handle for writing to `reference`'s repository. Its token carries
    /// `pull,push` on it and `pull` on each of `mount_from` (repositories of
    /// the same registry that blobs are mounted from), all in one token, as
    /// a cross-repository mount needs.
    pub async fn repository_for_push(
        &self,
        reference: &Reference,
        credential: Option<Credential>,
        mount_from: &[String],
    ) -> Result<Repository<'_>, ProxyError> {
        let mut repo = self.repository(reference, credential).await?;
        repo.scopes = vec![auth::push_scope(reference.repository())];
        for source in mount_from {
            let scope = auth::pull_scope(source);
            if source != reference.repository() && !repo.scopes.contains(&scope) {
                repo.scopes.push(scope);
            }
        }
        Ok(repo)
    }

    /// Where `api_host`'s API is. An allow-listed registry is asked over
    /// HTTPS first (any certificate, the written port) and over plain HTTP
    /// when no TLS answers, as the Docker daemon does for its insecure
    /// registries. A definite outcome is remembered for the life of the
    /// process (one probe, however many requests start together); when
    /// neither answers (the registry is down), nothing is remembered and
    /// plain HTTP is used this time.
    async fn target(&self, api_host: &str) -> Result<Target, ProxyError> {
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

    /// Does this allow-listed registry speak TLS (`Ok(true)`) or plain HTTP
    /// (`Ok(false)`)? Any HTTP answer to `GET /v2/` over TLS (401 included)
    /// means TLS. Otherwise a plain HTTP answer means plain HTTP, unless it
    /// is a 400 (how an HTTPS server answers plain HTTP sent to it, e.g. while
    /// its TLS side was too slow for the probe). `Err`: no answer either way.
    async fn probe(&self, base: &Url, tls_base: &Url) -> Result<bool, ()> {
        let ping = |url: &Url| url.join("v2/").map_err(|_| ());
        let (tls_ping, plain_ping) = (ping(tls_base)?, ping(base)?);
        let _permit = self.limits.acquire(&host_of(base)).await;
        let get = |url: Url| self.insecure.get(url).timeout(TLS_PROBE_TIMEOUT).send();
        let outcome = if get(tls_ping).await.is_ok() {
            Ok(true)
        } else {
            match get(plain_ping).await {
                Ok(r) if r.status() != StatusCode::BAD_REQUEST => Ok(false),
                _ => Err(()),
            }
        };
        tracing::debug!(registry = %host_of(base), ?outcome, "insecure registry probed (Ok(true): TLS)");
        outcome
    }

    /// How long one API operation (an inspection, a plan) may take in all;
    /// see `limits::within`.
    pub fn operation_timeout(&self) -> Duration {
        self.operation_timeout
    }

    /// Send with the in-flight bounds held until the answer's headers are
    /// in, retrying transient failures of idempotent requests.
    async fn send_bounded(
        &self,
        method: &Method,
        url: &Url,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, reqwest::Error> {
        let idempotent = retry::is_idempotent(method, url);
        retry::send(&self.retry, idempotent, || async {
            let _permit = self.limits.acquire(&host_of(url)).await;
            build().send().await
        })
        .await
    }

    fn http(&self, insecure: bool) -> &reqwest::Client {
        if insecure {
            &self.insecure
        } else {
            &self.public
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

/// One repository at one registry, as one caller (credential) sees it.
pub struct Repository<'a> {
    client: &'a RegistryClient,
    target: Target,
    /// As the user wrote it (`docker.io`), for messages and credentials.
    registry: String,
    /// Where requests go (`registry-1.docker.io`).
    api_host: String,
    repository: String,
    credential: Option<Credential>,
    identity: String,
    /// Token scopes; more than one for a push that mounts blobs.
    scopes: Vec<String>,
    /// The last Authorization that worked here (Basic registries have no
    /// token to cache): a streamed upload cannot be re-sent after a 401.
    remembered: Mutex<Option<HeaderValue>>,
    /// The pull quota the registry last reported to this handle.
    rate_limit: Mutex<Option<RateLimitInfo>>,
}

/// What a cross-repository mount did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountOutcome {
    /// 201: the blob is now in the repository.
    Mounted,
    /// 202: not mounted; an upload session was started at this URL instead.
    Upload(Url),
}

/// Extras of one request: what to accept, a body, a longer timeout.
#[derive(Default)]
struct Outgoing<'a> {
    accept: Option<&'a str>,
    /// A body that can be sent again (after a 401) and its Content-Type.
    body: Option<(Bytes, &'a str)>,
    timeout: Option<Duration>,
}

impl Repository<'_> {
    pub fn registry(&self) -> &str {
        &self.registry
    }

    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// `registry/repository`, for messages.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// GET a manifest by tag or digest. Not cached (tags move); not verified
    /// (the caller knows what digest to expect, if any).
    pub async fn get_manifest(&self, reference: &str) -> Result<FetchedManifest, ProxyError> {
        let what = self.manifest_what(reference);
        let url = self.url(&format!("manifests/{reference}"))?;
        // A body cut off part-way is fetched again (GET is idempotent).
        retry::rereading(&self.client.retry, || async {
            let resp = self
                .send(Method::GET, url.clone(), Some(MANIFEST_ACCEPT), &what)
                .await?;
            let content_type = header_string(resp.headers(), CONTENT_TYPE.as_str());
            let docker_content_digest = header_digest(resp.headers());
            self.note_rate_limit(resp.headers());
            let bytes = self.read_whole(resp, body::MANIFEST_LIMIT, &what).await?;
            Ok(FetchedManifest {
                bytes,
                content_type,
                docker_content_digest,
            })
        })
        .await
    }

    /// GET a manifest by digest, verified against that digest, from the
    /// cache when this caller fetched it before.
    pub async fn get_manifest_verified(
        &self,
        digest: &Digest,
    ) -> Result<FetchedManifest, ProxyError> {
        let key = self.cache_key(digest);
        if let Some(hit) = self.client.cache.get(&key) {
            return Ok(FetchedManifest {
                bytes: hit.bytes,
                content_type: hit.content_type,
                docker_content_digest: Some(digest.clone()),
            });
        }
        let what = self.manifest_what(&digest.to_string());
        let fetched = self.get_manifest(&digest.to_string()).await?;
        ProxyError::verify(digest, &fetched.bytes, &what)?;
        verify_header(
            fetched.docker_content_digest.as_ref(),
            &fetched.bytes,
            &what,
        )?;
        self.client.cache.insert(
            key,
            CachedContent {
                bytes: fetched.bytes.clone(),
                content_type: fetched.content_type.clone(),
            },
        );
        Ok(fetched)
    }

    /// HEAD a manifest: does it exist, and what digest does the registry give it.
    pub async fn head_manifest(&self, reference: &str) -> Result<Option<ManifestHead>, ProxyError> {
        let what = self.manifest_what(reference);
        let url = self.url(&format!("manifests/{reference}"))?;
        match self
            .send(Method::HEAD, url, Some(MANIFEST_ACCEPT), &what)
            .await
        {
            Ok(resp) => {
                self.note_rate_limit(resp.headers());
                Ok(Some(ManifestHead {
                    content_type: header_string(resp.headers(), CONTENT_TYPE.as_str()),
                    docker_content_digest: header_digest(resp.headers()),
                    size: resp.content_length(),
                }))
            }
            Err(ProxyError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GET a blob (a config, never a layer), capped at `limit`, verified
    /// against `digest`, cached.
    pub async fn get_blob_verified(
        &self,
        digest: &Digest,
        limit: u64,
    ) -> Result<Bytes, ProxyError> {
        let key = self.cache_key(digest);
        if let Some(hit) = self.client.cache.get(&key) {
            return Ok(hit.bytes);
        }
        let what = format!("blob {digest} of {}", self.name());
        let url = self.url(&format!("blobs/{digest}"))?;
        let (bytes, header) = retry::rereading(&self.client.retry, || async {
            let resp = self.send(Method::GET, url.clone(), None, &what).await?;
            let header = header_digest(resp.headers());
            Ok((self.read_whole(resp, limit, &what).await?, header))
        })
        .await?;
        ProxyError::verify(digest, &bytes, &what)?;
        verify_header(header.as_ref(), &bytes, &what)?;
        self.client.cache.insert(
            key,
            CachedContent {
                bytes: bytes.clone(),
                content_type: None,
            },
        );
        Ok(bytes)
    }

    /// Is the blob in this repository? (HEAD; a 404 is `false`.)
    pub async fn has_blob(&self, digest: &Digest) -> Result<bool, ProxyError> {
        let what = format!("blob {digest} of {}", self.name());
        let url = self.url(&format!("blobs/{digest}"))?;
        match self.send(Method::HEAD, url, None, &what).await {
            Ok(_) => Ok(true),
            Err(ProxyError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// GET a blob for streaming: the response is handed over unread, because
    /// a layer can be far larger than what may be held in memory.
    pub async fn open_blob(&self, digest: &Digest) -> Result<Response, ProxyError> {
        let what = format!("blob {digest} of {}", self.name());
        let url = self.url(&format!("blobs/{digest}"))?;
        let extras = Outgoing {
            timeout: Some(TRANSFER_TIMEOUT),
            ..Outgoing::default()
        };
        self.send_with(Method::GET, url, &extras, &what).await
    }

    /// Ask the registry to mount `digest` from repository `from` (same
    /// registry) into this one. A registry that will not (the blob is not
    /// there, or mounting is off) starts an ordinary upload instead.
    pub async fn mount_blob(
        &self,
        digest: &Digest,
        from: &str,
    ) -> Result<MountOutcome, ProxyError> {
        let what = format!("mounting blob {digest} from {from} into {}", self.name());
        let mut url = self.url("blobs/uploads/")?;
        url.query_pairs_mut()
            .append_pair("mount", &digest.to_string())
            .append_pair("from", from);
        let resp = self.send(Method::POST, url, None, &what).await?;
        match resp.status() {
            StatusCode::CREATED => Ok(MountOutcome::Mounted),
            StatusCode::ACCEPTED => Ok(MountOutcome::Upload(self.location(&resp, &what)?)),
            other => Err(ProxyError::Upstream {
                registry: self.registry.clone(),
                what,
                status: other.as_u16(),
                detail: "expected 201 (mounted) or 202 (upload started)".into(),
            }),
        }
    }

    /// Start a blob upload; the answer is the URL to send the blob to.
    pub async fn start_upload(&self) -> Result<Url, ProxyError> {
        let what = format!("starting a blob upload to {}", self.name());
        let url = self.url("blobs/uploads/")?;
        let resp = self.send(Method::POST, url, None, &what).await?;
        self.location(&resp, &what)
    }

    /// Finish an upload with the whole blob in one streamed PUT
    /// (`?digest=`). The body streams through; it is sent once, never
    /// re-sent, so the authorization must already be known (the upload was
    /// started with this handle).
    pub async fn finish_upload(
        &self,
        location: Url,
        digest: &Digest,
        size: u64,
        body: reqwest::Body,
    ) -> Result<(), ProxyError> {
        let what = format!("uploading blob {digest} to {}", self.name());
        let mut url = location;
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let insecure = self.client.policy.check_url(&url)?;
        let mut req = self
            .client
            .http(insecure)
            .put(url.clone())
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, size)
            .timeout(TRANSFER_TIMEOUT)
            .body(body);
        if url.origin() == self.target.base.origin()
            && let Some(a) = self.current_authorization()
        {
            req = req.header(AUTHORIZATION, a);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport_error(&url, e))?;
        if !resp.status().is_success() {
            return Err(self.refusal(resp, &what).await);
        }
        match header_digest(resp.headers()) {
            Some(d) if d != *digest => Err(ProxyError::DigestMismatch {
                what: format!("{what} (Docker-Content-Digest)"),
                expected: digest.clone(),
                actual: d,
            }),
            _ => Ok(()),
        }
    }

    /// PUT a manifest (by digest or to a tag) with exactly `bytes`; answers
    /// the digest the registry says it stored, if it says.
    pub async fn put_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: Bytes,
    ) -> Result<Option<Digest>, ProxyError> {
        let what = format!("pushing {}", self.manifest_what(reference));
        let url = self.url(&format!("manifests/{reference}"))?;
        let extras = Outgoing {
            body: Some((bytes, media_type)),
            ..Outgoing::default()
        };
        let resp = self.send_with(Method::PUT, url, &extras, &what).await?;
        Ok(header_digest(resp.headers()))
    }

    /// The `Location` of an upload answer, resolved against the request URL.
    fn location(&self, resp: &Response, what: &str) -> Result<Url, ProxyError> {
        let upstream = |detail: String| ProxyError::Upstream {
            registry: self.registry.clone(),
            what: what.to_string(),
            status: resp.status().as_u16(),
            detail,
        };
        let location = header_string(resp.headers(), LOCATION.as_str())
            .ok_or_else(|| upstream("the answer has no Location header".into()))?;
        resp.url()
            .join(&location)
            .map_err(|e| upstream(format!("the Location `{location}` is not a URL: {e}")))
    }

    fn manifest_what(&self, reference: &str) -> String {
        let sep = if reference.contains(':') { "@" } else { ":" };
        format!("manifest `{}{sep}{reference}`", self.name())
    }

    /// A manifest this caller fetched and verified before, by digest.
    pub fn cached_manifest(&self, digest: &Digest) -> Option<FetchedManifest> {
        self.client
            .cache
            .get(&self.cache_key(digest))
            .map(|hit| FetchedManifest {
                bytes: hit.bytes,
                content_type: hit.content_type,
                docker_content_digest: Some(digest.clone()),
            })
    }

    /// Keep a manifest fetched by tag under its digest, when its bytes
    /// really hash to it (checked here, so nothing unverified is cached).
    pub fn cache_manifest(&self, digest: &Digest, fetched: &FetchedManifest) {
        if digest.verify(&fetched.bytes).is_ok() {
            self.client.cache.insert(
                self.cache_key(digest),
                CachedContent {
                    bytes: fetched.bytes.clone(),
                    content_type: fetched.content_type.clone(),
                },
            );
        }
    }

    /// The digest `tag` pointed at when this caller last read it (a hint:
    /// confirm with `head_manifest` before use).
    pub fn remembered_tag(&self, tag: &str) -> Option<Digest> {
        self.client.tags.get(&self.tag_key(tag))
    }

    pub fn remember_tag(&self, tag: &str, digest: &Digest) {
        self.client.tags.insert(self.tag_key(tag), digest.clone());
    }

    fn tag_key(&self, tag: &str) -> TagKey {
        TagKey {
            registry: self.api_host.clone(),
            repository: self.repository.clone(),
            identity: self.identity.clone(),
            tag: tag.to_string(),
        }
    }

    /// The pull quota the registry last reported (Docker Hub), if any.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        self.rate_limit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn note_rate_limit(&self, headers: &HeaderMap) {
        if let Some(q) = quota::rate_limit(headers) {
            *self.rate_limit.lock().unwrap_or_else(|p| p.into_inner()) = Some(q);
        }
    }

    /// One page of the OCI 1.1 referrers API's index for `digest`, or
    /// `None` when the registry has no such API (404; distribution 2.8).
    /// `page`: `None` for the first page, else the previous page's `next`.
    /// Not verified: the answer is generated by the registry, not
    /// content-addressed.
    pub async fn get_referrers(
        &self,
        digest: &Digest,
        page: Option<&Url>,
    ) -> Result<Option<ReferrersPage>, ProxyError> {
        let what = format!("the referrers of {}@{digest}", self.name());
        let url = match page {
            Some(url) => url.clone(),
            None => self.url(&format!("referrers/{digest}"))?,
        };
        let fetched = retry::rereading(&self.client.retry, || async {
            let resp = self
                .send(Method::GET, url.clone(), Some(media_type::OCI_INDEX), &what)
                .await?;
            let content_type = header_string(resp.headers(), CONTENT_TYPE.as_str());
            // Every `Link` header: `rel="next"` may come in a header of its own.
            let link = resp
                .headers()
                .get_all(LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(", ");
            let bytes = self.read_whole(resp, body::MANIFEST_LIMIT, &what).await?;
            Ok((
                FetchedManifest {
                    bytes,
                    content_type,
                    docker_content_digest: None,
                },
                link,
            ))
        })
        .await;
        let (fetched, link) = match fetched {
            Ok(f) => f,
            Err(ProxyError::NotFound { .. }) if page.is_none() => return Ok(None),
            Err(e) => return Err(e),
        };
        let next = match shared::link_header::next_link(&link) {
            Some(target) => Some(self.same_origin_link(&url, target, &what)?),
            None => None,
        };
        Ok(Some(ReferrersPage { fetched, next }))
    }

    /// A `Link` target from an answer to `from`, resolved against it, which
    /// must stay on the registry's origin: a paging link is followed with the
    /// registry's credentials, so it must not lead anywhere else.
    fn same_origin_link(&self, from: &Url, target: &str, what: &str) -> Result<Url, ProxyError> {
        let url = from.join(target).map_err(|e| ProxyError::Upstream {
            registry: self.registry.clone(),
            what: what.to_string(),
            status: 200,
            detail: format!("its `Link` to the next page (`{target}`) is not a URL: {e}"),
        })?;
        if url.origin() != self.target.base.origin() {
            return Err(ProxyError::ForbiddenTarget {
                host: url.host_str().unwrap_or_default().to_string(),
                reason: format!(
                    "{} links the next page of {what} to another origin ({}); only the registry itself is asked",
                    self.registry,
                    url.origin().ascii_serialization()
                ),
            });
        }
        Ok(url)
    }

    fn cache_key(&self, digest: &Digest) -> CacheKey {
        CacheKey {
            registry: self.api_host.clone(),
            repository: self.repository.clone(),
            identity: self.identity.clone(),
            digest: digest.to_string(),
        }
    }

    fn url(&self, tail: &str) -> Result<Url, ProxyError> {
        self.target
            .base
            .join(&format!("v2/{}/{tail}", self.repository))
            .map_err(|e| ProxyError::Internal(format!("cannot build the URL for {tail}: {e}")))
    }

    fn token_key(&self) -> TokenKey {
        TokenKey {
            registry: self.api_host.clone(),
            scope: self.scopes.join(" "),
            identity: self.identity.clone(),
        }
    }

    fn ctx<'w>(&'w self, what: &'w str) -> ErrorContext<'w> {
        ErrorContext {
            registry: &self.registry,
            what,
        }
    }

    /// Send with authentication (cached token, or answer the 401 once) and
    /// guarded redirects; a non-success answer becomes a `ProxyError`.
    async fn send(
        &self,
        method: Method,
        url: Url,
        accept: Option<&str>,
        what: &str,
    ) -> Result<Response, ProxyError> {
        let extras = Outgoing {
            accept,
            ..Outgoing::default()
        };
        self.send_with(method, url, &extras, what).await
    }

    /// `send` with a body and/or a timeout of its own.
    async fn send_with(
        &self,
        method: Method,
        url: Url,
        extras: &Outgoing<'_>,
        what: &str,
    ) -> Result<Response, ProxyError> {
        let key = self.token_key();
        let mut authorization = self.current_authorization();
        let had_cached = authorization.is_some();
        let mut resp = self
            .follow(
                method.clone(),
                url.clone(),
                extras,
                authorization.clone(),
                what,
            )
            .await?;
        if resp.status() == StatusCode::UNAUTHORIZED {
            if let Some(e) = self.foreign_challenge(&resp, what) {
                return Err(e);
            }
            if had_cached {
                self.client.tokens.remove(&key);
                self.forget_authorization();
            }
            let answer = self.answer_challenge(&resp).await?;
            self.remember_authorization(&answer);
            authorization = Some(answer);
            resp = self
                .follow(method, url, extras, authorization, what)
                .await?;
        }
        if resp.status().is_success() {
            return Ok(resp);
        }
        if let Some(e) = self.foreign_challenge(&resp, what) {
            return Err(e);
        }
        Err(self.refusal(resp, what).await)
    }

    /// A 401 from a host the registry redirected to (a CDN, a storage
    /// bucket) is not the registry's challenge: answering it would send the
    /// registry's credentials to whatever realm that host names, and cache
    /// the token under the registry's key. It is reported instead.
    fn foreign_challenge(&self, resp: &Response, what: &str) -> Option<ProxyError> {
        if resp.status() != StatusCode::UNAUTHORIZED
            || resp.url().origin() == self.target.base.origin()
        {
            return None;
        }
        Some(ProxyError::Upstream {
            registry: self.registry.clone(),
            what: what.to_string(),
            status: 401,
            detail: format!(
                "the registry redirected to {}, which asks for credentials; credentials are only ever sent to the registry itself, so this content cannot be fetched",
                host_of(resp.url())
            ),
        })
    }

    /// The cached token for this handle's scopes, else what worked last.
    fn current_authorization(&self) -> Option<HeaderValue> {
        self.client
            .tokens
            .get(&self.token_key())
            .and_then(|t| auth::bearer_header(&t))
            .or_else(|| {
                self.remembered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
            })
    }

    fn remember_authorization(&self, value: &HeaderValue) {
        *self.remembered.lock().unwrap_or_else(|p| p.into_inner()) = Some(value.clone());
    }

    fn forget_authorization(&self) {
        *self.remembered.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// A non-success answer as a `ProxyError` (401s say what to do).
    async fn refusal(&self, resp: Response, what: &str) -> ProxyError {
        let status = resp.status().as_u16();
        let scope_denied = status == 401 && insufficient_scope(resp.headers());
        let quota_note = if status == 429 {
            quota::explain_too_many_requests(resp.headers(), std::time::SystemTime::now())
        } else {
            String::new()
        };
        let bytes = body::read_truncated(resp, body::ERROR_LIMIT).await;
        let err = map_registry_error(status, &bytes, &self.ctx(what));
        match err {
            ProxyError::RateLimited { registry, detail } if !quota_note.is_empty() => {
                ProxyError::RateLimited {
                    registry,
                    detail: join_detail(&quota_note, &detail),
                }
            }
            // A token was issued, but without the access asked for: the
            // credentials are fine and not allowed to do this (a 403 in spirit).
            ProxyError::Unauthorized { registry, detail }
                if scope_denied && self.credential.is_some() =>
            {
                let lead = format!(
                    "the credentials are valid but do not grant {}",
                    self.scopes.join(" ")
                );
                ProxyError::Denied {
                    registry,
                    detail: join_detail(&lead, &detail),
                }
            }
            ProxyError::Unauthorized { registry, detail } => {
                let lead = match &self.credential {
                    Some(_) => "the credentials were rejected".to_string(),
                    // Docker Hub answers 401 for repositories that do not exist, too.
                    None => format!(
                        "the registry wants credentials; add them in the credentials panel ({} may also not exist)",
                        self.name()
                    ),
                };
                ProxyError::Unauthorized {
                    registry,
                    detail: join_detail(&lead, &detail),
                }
            }
            other => other,
        }
    }

    /// One request plus up to `MAX_REDIRECTS` redirects, each target guarded;
    /// the Authorization header only goes to the registry itself.
    async fn follow(
        &self,
        method: Method,
        mut url: Url,
        extras: &Outgoing<'_>,
        authorization: Option<HeaderValue>,
        what: &str,
    ) -> Result<Response, ProxyError> {
        let mut insecure = self.target.insecure;
        for _ in 0..=MAX_REDIRECTS {
            let same_origin = url.origin() == self.target.base.origin();
            let build = || {
                let mut req: RequestBuilder = self
                    .client
                    .http(insecure)
                    .request(method.clone(), url.clone());
                if let Some(a) = extras.accept {
                    req = req.header(ACCEPT, a);
                }
                if let Some((body, content_type)) = &extras.body {
                    req = req.header(CONTENT_TYPE, *content_type).body(body.clone());
                }
                if let Some(t) = extras.timeout {
                    req = req.timeout(t);
                }
                if let (true, Some(a)) = (same_origin, &authorization) {
                    req = req.header(AUTHORIZATION, a.clone());
                }
                req
            };
            let resp = self
                .client
                .send_bounded(&method, &url, build)
                .await
                .map_err(|e| self.transport_error(&url, e))?;
            if !resp.status().is_redirection() || resp.status() == StatusCode::NOT_MODIFIED {
                return Ok(resp);
            }
            let location = header_string(resp.headers(), LOCATION.as_str()).ok_or_else(|| {
                ProxyError::Upstream {
                    registry: self.registry.clone(),
                    what: what.to_string(),
                    status: resp.status().as_u16(),
                    detail: "a redirect without a Location header".into(),
                }
            })?;
            url = url.join(&location).map_err(|e| ProxyError::Upstream {
                registry: self.registry.clone(),
                what: what.to_string(),
                status: resp.status().as_u16(),
                detail: format!("a redirect to an invalid URL: {e}"),
            })?;
            insecure = self.client.policy.check_url(&url)?;
        }
        Err(ProxyError::Upstream {
            registry: self.registry.clone(),
            what: what.to_string(),
            status: 310,
            detail: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// Build the Authorization header for a 401's challenge.
    async fn answer_challenge(&self, resp: &Response) -> Result<HeaderValue, ProxyError> {
        let registry = self.registry.clone();
        let mut challenges = Vec::new();
        for value in resp.headers().get_all(WWW_AUTHENTICATE) {
            let text = value.to_str().map_err(|_| ProxyError::Upstream {
                registry: registry.clone(),
                what: "its authentication challenge".into(),
                status: 401,
                detail: "the WWW-Authenticate header is not text".into(),
            })?;
            challenges.extend(parse_challenges(text).map_err(|e| ProxyError::Upstream {
                registry: registry.clone(),
                what: "its authentication challenge".into(),
                status: 401,
                detail: e.to_string(),
            })?);
        }
        let Some(challenge) = auth::choose(&challenges) else {
            return Err(ProxyError::Unauthorized {
                registry,
                detail: "it did not say how to authenticate (no Basic or Bearer challenge)".into(),
            });
        };
        if challenge.is("basic") {
            let Some(cred) = &self.credential else {
                return Err(ProxyError::Unauthorized {
                    registry,
                    detail: "the registry wants credentials (a username and password); add them in the credentials panel"
                        .into(),
                });
            };
            if is_identity_token(cred) {
                return Err(ProxyError::Unauthorized {
                    registry,
                    detail: "the credential for it is an identity token, which only works with token (Bearer) authentication, but the registry asks for Basic auth".into(),
                });
            }
            return auth::basic_header(cred).ok_or_else(|| {
                ProxyError::InvalidInput(format!(
                    "the credentials for {registry} contain characters that cannot be sent in a header"
                ))
            });
        }
        let token_url = auth::token_url_for_scopes(challenge, &self.scopes).map_err(|detail| {
            ProxyError::Upstream {
                registry: registry.clone(),
                what: "its authentication challenge".into(),
                status: 401,
                detail,
            }
        })?;
        let insecure = self.client.policy.check_url(&token_url)?;
        let what = format!(
            "a token for {} from {}",
            self.scopes.join(" "),
            host_of(&token_url)
        );
        let build = || {
            token_request::build(
                self.client.http(insecure),
                challenge,
                &token_url,
                &self.scopes,
                self.credential.as_ref(),
            )
        };
        let method = token_request::method(self.credential.as_ref());
        let resp = self
            .client
            .send_bounded(&method, &token_url, build)
            .await
            .map_err(|e| self.transport_error(&token_url, e))?;
        let status = resp.status();
        if !status.is_success() {
            let bytes = body::read_truncated(resp, body::ERROR_LIMIT).await;
            let err = map_registry_error(status.as_u16(), &bytes, &self.ctx(&what));
            return Err(match err {
                ProxyError::Unauthorized { registry, detail }
                | ProxyError::Denied { registry, detail } => {
                    let lead = if self.credential.is_some() {
                        format!(
                            "the token service at {} answered {status}: it rejected the credentials",
                            host_of(&token_url)
                        )
                    } else {
                        format!(
                            "the token service at {} answered {status}: the registry wants credentials; add them in the credentials panel",
                            host_of(&token_url)
                        )
                    };
                    ProxyError::Unauthorized {
                        registry,
                        detail: join_detail(&lead, &detail),
                    }
                }
                ProxyError::Upstream { detail, .. } => ProxyError::Upstream {
                    registry: registry.clone(),
                    what: what.clone(),
                    status: status.as_u16(),
                    detail: join_detail(
                        &format!(
                            "the token service at {} answered {status}",
                            host_of(&token_url)
                        ),
                        &detail,
                    ),
                },
                other => other,
            });
        }
        let bytes = self.read(resp, body::ERROR_LIMIT, &what).await?;
        let token = auth::parse_token_response(&bytes).map_err(|detail| ProxyError::Upstream {
            registry: registry.clone(),
            what: what.clone(),
            status: status.as_u16(),
            detail,
        })?;
        let header = auth::bearer_header(&token.token).ok_or_else(|| ProxyError::Upstream {
            registry: registry.clone(),
            what,
            status: status.as_u16(),
            detail: "the token contains characters that cannot be sent in a header".into(),
        })?;
        self.client.tokens.insert(self.token_key(), &token);
        Ok(header)
    }

    async fn read(&self, resp: Response, limit: u64, what: &str) -> Result<Bytes, ProxyError> {
        let url = resp.url().clone();
        body::read_capped(resp, limit).await.map_err(|e| match e {
            BodyError::TooLarge { limit } => ProxyError::TooLarge {
                what: what.to_string(),
                limit,
            },
            BodyError::Read(e) => self.transport_error(&url, e),
        })
    }

    /// `read`, telling a body that broke off (worth fetching again) from
    /// one that is too large (not).
    async fn read_whole(
        &self,
        resp: Response,
        limit: u64,
        what: &str,
    ) -> Result<Bytes, ReadFailure> {
        let url = resp.url().clone();
        body::read_capped(resp, limit).await.map_err(|e| match e {
            BodyError::TooLarge { limit } => ReadFailure::Final(ProxyError::TooLarge {
                what: what.to_string(),
                limit,
            }),
            BodyError::Read(e) => ReadFailure::Interrupted(self.transport_error(&url, e)),
        })
    }

    fn transport_error(&self, url: &Url, e: reqwest::Error) -> ProxyError {
        transport_error(url, &e)
    }
}

/// Map a reqwest failure: a guard refusal stays a refusal; the rest is
/// "cannot reach HOST" with the innermost cause (DNS, refused, TLS, timeout).
pub fn transport_error(url: &Url, e: &reqwest::Error) -> ProxyError {
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
            .into_proxy_error();
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
    ProxyError::Unreachable {
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

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.to_string(),
    }
}

/// The registry's `Docker-Content-Digest`, when it sent one, must be the
/// digest of the bytes it sent (the error names both).
fn verify_header(header: Option<&Digest>, bytes: &[u8], what: &str) -> Result<(), ProxyError> {
    match header {
        Some(claimed) => {
            ProxyError::verify(claimed, bytes, &format!("{what} (Docker-Content-Digest)"))
        }
        None => Ok(()),
    }
}

fn join_detail(lead: &str, detail: &str) -> String {
    if detail.is_empty() {
        lead.to_string()
    } else {
        format!("{lead}: {detail}")
    }
}

fn header_string(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn header_digest(headers: &HeaderMap) -> Option<Digest> {
    header_string(headers, DOCKER_CONTENT_DIGEST).and_then(|s| Digest::parse(&s).ok())
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
