//! A minimal pusher speaking the raw registry API, independent of the proxy:
//! tests put content into a registry with it, then check what the proxy says.
//! It must not share code with the proxy, or a bug in one would hide in both.
//!
//! distribution 2.8 has no single-request monolithic upload, so a blob is
//! `POST /v2/<name>/blobs/uploads/` then `PUT <Location>&digest=`. Manifests
//! are PUT with their own media type as `Content-Type`. Only loopback
//! registries are accepted: tests and demos never talk to anything else.

use std::net::IpAddr;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{Method, StatusCode, Url};
use shared::digest::Digest;

use crate::blob::Blob;
use crate::image::Image;
use crate::index::{Child, Index};

/// HTTP Basic credentials for a test registry.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

impl BasicAuth {
    pub fn new(username: &str, password: &str) -> BasicAuth {
        BasicAuth {
            username: username.to_string(),
            password: password.to_string(),
        }
    }
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("`{url}` is not a registry URL: {reason} (expected http://127.0.0.1:PORT)")]
    BadUrl { url: String, reason: String },
    #[error(
        "refusing to push to `{host}`: only loopback registries (127.0.0.0/8, ::1, localhost) are allowed"
    )]
    NotLoopback { host: String },
    #[error("{what}: request failed: {source}")]
    Http {
        what: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{what}: the registry answered {status}: {body}")]
    Status {
        what: String,
        status: StatusCode,
        body: String,
    },
    #[error("{what}: the registry answered 202 without a Location header")]
    MissingLocation { what: String },
    #[error("{what}: the registry stored digest {actual}, but the bytes hash to {expected}")]
    DigestMismatch {
        what: String,
        expected: Digest,
        actual: String,
    },
}

/// A registry response as received (for tests that look at it directly).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug, Clone)]
pub struct Pusher {
    http: reqwest::Client,
    base: Url,
    auth: Option<BasicAuth>,
}

impl Pusher {
    /// `base_url` like `http://127.0.0.1:5000`; anything not on loopback is refused.
    pub fn new(base_url: &str, auth: Option<BasicAuth>) -> Result<Pusher, PushError> {
        let base = Url::parse(base_url).map_err(|e| PushError::BadUrl {
            url: base_url.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(PushError::BadUrl {
                url: base_url.to_string(),
                reason: format!("the scheme `{}` is not http or https", base.scheme()),
            });
        }
        let host = base.host_str().unwrap_or_default().to_string();
        if !is_loopback_host(&host) {
            return Err(PushError::NotLoopback { host });
        }
        let http = reqwest::Client::builder()
            .no_proxy()
            // Redirects could lead off loopback; the registry needs none.
            .redirect(reqwest::redirect::Policy::none())
            // Loopback only (checked above): a test registry's self-signed
            // certificate is fine.
            .danger_accept_invalid_certs(true)
            .build()
            .map_err(|source| PushError::Http {
                what: "building the HTTP client".into(),
                source,
            })?;
        Ok(Pusher { http, base, auth })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("registry API paths are valid relative URLs")
    }

    fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let request = self.http.request(method, url);
        match &self.auth {
            Some(auth) => request.basic_auth(&auth.username, Some(&auth.password)),
            None => request,
        }
    }

    async fn send(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<RawResponse, PushError> {
        let response = request.send().await.map_err(|source| PushError::Http {
            what: what.to_string(),
            source,
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|source| PushError::Http {
            what: what.to_string(),
            source,
        })?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    fn expect(what: &str, response: &RawResponse, ok: StatusCode) -> Result<(), PushError> {
        if response.status == ok {
            Ok(())
        } else {
            Err(PushError::Status {
                what: what.to_string(),
                status: response.status,
                body: String::from_utf8_lossy(&response.body).into_owned(),
            })
        }
    }

    /// `HEAD /v2/<repo>/blobs/<digest>`: is the blob there?
    pub async fn blob_exists(&self, repo: &str, digest: &Digest) -> Result<bool, PushError> {
        let what = format!("HEAD blob {digest} in {repo}");
        let url = self.url(&format!("/v2/{repo}/blobs/{digest}"));
        let response = self.send(&what, self.request(Method::HEAD, url)).await?;
        match response.status {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(PushError::Status {
                what,
                status: response.status,
                body: String::new(),
            }),
        }
    }

    /// Upload a blob (skipped when the registry already has it).
    pub async fn push_blob(&self, repo: &str, blob: &Blob) -> Result<(), PushError> {
        if self.blob_exists(repo, &blob.digest).await? {
            return Ok(());
        }
        let what = format!("starting the upload of {} to {repo}", blob.digest);
        let url = self.url(&format!("/v2/{repo}/blobs/uploads/"));
        let started = self.send(&what, self.request(Method::POST, url)).await?;
        Self::expect(&what, &started, StatusCode::ACCEPTED)?;
        let location = started
            .header(LOCATION.as_str())
            .ok_or_else(|| PushError::MissingLocation { what: what.clone() })?;
        // The Location may be absolute or relative, and may carry a query.
        let mut upload = self.base.join(location).map_err(|e| PushError::BadUrl {
            url: location.to_string(),
            reason: e.to_string(),
        })?;
        if upload.host_str() != self.base.host_str() || upload.port() != self.base.port() {
            return Err(PushError::NotLoopback {
                host: upload.host_str().unwrap_or_default().to_string(),
            });
        }
        upload
            .query_pairs_mut()
            .append_pair("digest", &blob.digest.to_string());
        let what = format!("uploading {} to {repo}", blob.digest);
        let finished = self
            .send(
                &what,
                self.request(Method::PUT, upload)
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .body(blob.bytes.clone()),
            )
            .await?;
        Self::expect(&what, &finished, StatusCode::CREATED)
    }

    /// `PUT /v2/<repo>/manifests/<reference>` with the manifest's exact bytes;
    /// checks the digest the registry reports.
    pub async fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        manifest: &Blob,
    ) -> Result<(), PushError> {
        let what = format!("PUT manifest {repo}:{reference} ({})", manifest.media_type);
        let url = self.url(&format!("/v2/{repo}/manifests/{reference}"));
        let response = self
            .send(
                &what,
                self.request(Method::PUT, url)
                    .header(CONTENT_TYPE, &manifest.media_type)
                    .body(manifest.bytes.clone()),
            )
            .await?;
        Self::expect(&what, &response, StatusCode::CREATED)?;
        match response.header("docker-content-digest") {
            Some(actual) if actual != manifest.digest.to_string() => {
                Err(PushError::DigestMismatch {
                    what,
                    expected: manifest.digest.clone(),
                    actual: actual.to_string(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Blobs, then the manifest: to `tag`, or by digest when `tag` is `None`.
    pub async fn push_image(
        &self,
        repo: &str,
        image: &Image,
        tag: Option<&str>,
    ) -> Result<(), PushError> {
        for blob in image.blobs() {
            self.push_blob(repo, blob).await?;
        }
        let reference = tag.map_or_else(|| image.manifest.digest.to_string(), str::to_string);
        self.push_manifest(repo, &reference, &image.manifest).await
    }

    /// Every child (by digest, recursively), then the index itself.
    pub async fn push_index(
        &self,
        repo: &str,
        index: &Index,
        tag: Option<&str>,
    ) -> Result<(), PushError> {
        for child in &index.children {
            match child {
                Child::Image(image) => self.push_image(repo, image, None).await?,
                Child::Index(nested) => Box::pin(self.push_index(repo, nested, None)).await?,
            }
        }
        let reference = tag.map_or_else(|| index.manifest.digest.to_string(), str::to_string);
        self.push_manifest(repo, &reference, &index.manifest).await
    }

    /// `GET /v2/<repo>/manifests/<reference>` with this `Accept`, as received.
    pub async fn get_manifest(
        &self,
        repo: &str,
        reference: &str,
        accept: &str,
    ) -> Result<RawResponse, PushError> {
        let what = format!("GET manifest {repo}:{reference}");
        let url = self.url(&format!("/v2/{repo}/manifests/{reference}"));
        self.send(
            &what,
            self.request(Method::GET, url)
                .header(reqwest::header::ACCEPT, accept),
        )
        .await
    }

    /// `DELETE /v2/<repo>/manifests/<digest>` (the registry must allow deletes).
    pub async fn delete_manifest(&self, repo: &str, digest: &Digest) -> Result<(), PushError> {
        let what = format!("DELETE manifest {repo}@{digest}");
        let url = self.url(&format!("/v2/{repo}/manifests/{digest}"));
        let response = self.send(&what, self.request(Method::DELETE, url)).await?;
        Self::expect(&what, &response, StatusCode::ACCEPTED)
    }
}

/// 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
