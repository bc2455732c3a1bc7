//! Blob operations: a config read whole (capped, verified, cached), a layer
//! opened for streaming, existence checks, mounts and uploads.

use std::sync::Mutex;

use bytes::Bytes;
use reqwest::header::LOCATION;
use reqwest::{Method, Response, StatusCode, Url};
use shared::digest::Digest;

use super::{MountOutcome, header_string, verify_header};
use crate::error::RegistryError;
use crate::repository::Repository;
use crate::request::{OutBody, Outgoing};
use crate::retry;

impl Repository<'_> {
    /// GET a blob (a config, never a layer), capped at `limit`, verified
    /// against `digest`, cached.
    pub async fn get_blob_verified(
        &self,
        digest: &Digest,
        limit: u64,
    ) -> Result<Bytes, RegistryError> {
        let what = self.blob_what(digest);
        let key = digest.to_string();
        if let Some(hit) = self.cached_content(digest) {
            self.charge(&key, hit.bytes.len(), &what)?;
            return Ok(hit.bytes);
        }
        let url = self.url(&format!("blobs/{digest}"))?;
        let extras = Outgoing::default();
        let (bytes, header) = retry::rereading(&self.client.transport.retry, || async {
            let resp = self.send(Method::GET, url.clone(), &extras, &what).await?;
            let header = self.header_digest(resp.headers(), &what)?;
            Ok((self.read_whole(resp, limit, &what).await?, header))
        })
        .await?;
        RegistryError::verify(digest, &bytes, &what)?;
        verify_header(header.as_ref(), &bytes, &what)?;
        self.cache_content(digest, &bytes, None);
        Ok(bytes)
    }

    /// Is the blob in this repository? (HEAD; a 404 is `false`.)
    pub async fn has_blob(&self, digest: &Digest) -> Result<bool, RegistryError> {
        let what = self.blob_what(digest);
        let url = self.url(&format!("blobs/{digest}"))?;
        match self
            .send(Method::HEAD, url, &Outgoing::default(), &what)
            .await
        {
            Ok(_) => Ok(true),
            Err(RegistryError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// GET a blob for streaming: the response is handed over unread, because
    /// a layer can be far larger than what may be held in memory.
    pub async fn open_blob(&self, digest: &Digest) -> Result<Response, RegistryError> {
        let what = self.blob_what(digest);
        let url = self.url(&format!("blobs/{digest}"))?;
        let extras = Outgoing {
            timeout: Some(self.client.transport.settings().transfer_timeout),
            ..Outgoing::default()
        };
        self.send(Method::GET, url, &extras, &what).await
    }

    /// Ask the registry to mount `digest` from repository `from` (same
    /// registry) into this one. A registry that will not (the blob is not
    /// there, or mounting is off) starts an ordinary upload instead.
    pub async fn mount_blob(
        &self,
        digest: &Digest,
        from: &str,
    ) -> Result<MountOutcome, RegistryError> {
        let what = format!("mounting blob {digest} from {from} into {}", self.name());
        let mut url = self.url("blobs/uploads/")?;
        url.query_pairs_mut()
            .append_pair("mount", &digest.to_string())
            .append_pair("from", from);
        let resp = self
            .send(Method::POST, url, &Outgoing::default(), &what)
            .await?;
        match resp.status() {
            StatusCode::CREATED => Ok(MountOutcome::Mounted),
            StatusCode::ACCEPTED => Ok(MountOutcome::Upload(self.location(&resp, &what)?)),
            other => Err(RegistryError::upstream(
                &self.registry,
                &what,
                other,
                "expected 201 (mounted) or 202 (upload started)",
            )),
        }
    }

    /// Start a blob upload; the answer is the URL to send the blob to.
    pub async fn start_upload(&self) -> Result<Url, RegistryError> {
        let what = format!("starting a blob upload to {}", self.name());
        let url = self.url("blobs/uploads/")?;
        let resp = self
            .send(Method::POST, url, &Outgoing::default(), &what)
            .await?;
        self.location(&resp, &what)
    }

    /// Finish an upload with the whole blob in one streamed PUT
    /// (`?digest=`). The body streams through the one request path; it is
    /// sent once, never re-sent, so the authorization must already be known
    /// (the upload was started with this handle).
    pub async fn finish_upload(
        &self,
        location: Url,
        digest: &Digest,
        size: u64,
        body: reqwest::Body,
    ) -> Result<(), RegistryError> {
        let what = format!("uploading blob {digest} to {}", self.name());
        let mut url = location;
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let extras = Outgoing {
            body: Some(OutBody::Stream(Mutex::new(Some(body)), size)),
            timeout: Some(self.client.transport.settings().transfer_timeout),
            ..Outgoing::default()
        };
        let resp = self.send(Method::PUT, url, &extras, &what).await?;
        match self.header_digest(resp.headers(), &what)? {
            Some(d) if d != *digest => Err(RegistryError::DigestMismatch {
                what: format!("{what} (Docker-Content-Digest)"),
                expected: digest.clone(),
                actual: d,
            }),
            _ => Ok(()),
        }
    }

    /// The `Location` of an upload answer, resolved against the request URL.
    fn location(&self, resp: &Response, what: &str) -> Result<Url, RegistryError> {
        let upstream =
            |detail: String| RegistryError::upstream(&self.registry, what, resp.status(), detail);
        let location = header_string(resp.headers(), LOCATION.as_str())
            .ok_or_else(|| upstream("the answer has no Location header".into()))?;
        resp.url()
            .join(&location)
            .map_err(|e| upstream(format!("the Location `{location}` is not a URL: {e}")))
    }

    fn blob_what(&self, digest: &Digest) -> String {
        format!("blob {digest} of {}", self.name())
    }
}
