//! Manifest reads (by tag or digest, verified and cached by digest), HEADs
//! and writes.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use shared::digest::Digest;
use shared::media_type::MANIFEST_ACCEPT;

use super::{FetchedManifest, ManifestHead, header_string, verify_header};
use crate::body;
use crate::error::RegistryError;
use crate::repository::Repository;
use crate::request::{OutBody, Outgoing};
use crate::retry;

impl Repository<'_> {
    /// GET a manifest by tag or digest. Not cached (tags move); not verified
    /// (the caller knows what digest to expect, if any).
    pub async fn get_manifest(&self, reference: &str) -> Result<FetchedManifest, RegistryError> {
        let what = self.manifest_what(reference);
        let url = self.url(&format!("manifests/{reference}"))?;
        let extras = Outgoing::accepting(Some(MANIFEST_ACCEPT));
        // A body cut off part-way is fetched again (GET is idempotent).
        retry::rereading(&self.client.transport.retry, || async {
            let resp = self.send(Method::GET, url.clone(), &extras, &what).await?;
            let content_type = header_string(resp.headers(), CONTENT_TYPE.as_str());
            let docker_content_digest = self.header_digest(resp.headers(), &what)?;
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
    ) -> Result<FetchedManifest, RegistryError> {
        let what = self.manifest_what(&digest.to_string());
        if let Some(hit) = self.cached_manifest(digest) {
            self.charge(&digest.to_string(), hit.bytes.len(), &what)?;
            return Ok(hit);
        }
        let fetched = self.get_manifest(&digest.to_string()).await?;
        RegistryError::verify(digest, &fetched.bytes, &what)?;
        // A header naming that same digest was checked with it just now.
        if fetched.docker_content_digest.as_ref() != Some(digest) {
            verify_header(
                fetched.docker_content_digest.as_ref(),
                &fetched.bytes,
                &what,
            )?;
        }
        self.cache_content(digest, &fetched.bytes, fetched.content_type.clone());
        Ok(fetched)
    }

    /// HEAD a manifest: does it exist, and what digest does the registry give it.
    pub async fn head_manifest(
        &self,
        reference: &str,
    ) -> Result<Option<ManifestHead>, RegistryError> {
        let what = self.manifest_what(reference);
        let url = self.url(&format!("manifests/{reference}"))?;
        let extras = Outgoing::accepting(Some(MANIFEST_ACCEPT));
        match self.send(Method::HEAD, url, &extras, &what).await {
            Ok(resp) => {
                self.note_rate_limit(resp.headers());
                Ok(Some(ManifestHead {
                    content_type: header_string(resp.headers(), CONTENT_TYPE.as_str()),
                    docker_content_digest: self.header_digest(resp.headers(), &what)?,
                    size: resp.content_length(),
                }))
            }
            Err(RegistryError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PUT a manifest (by digest or to a tag) with exactly `bytes`; answers
    /// the digest the registry says it stored, if it says.
    pub async fn put_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: Bytes,
    ) -> Result<Option<Digest>, RegistryError> {
        let what = format!("pushing {}", self.manifest_what(reference));
        let url = self.url(&format!("manifests/{reference}"))?;
        let extras = Outgoing {
            body: Some(OutBody::Bytes(bytes, media_type)),
            ..Outgoing::default()
        };
        let resp = self.send(Method::PUT, url, &extras, &what).await?;
        self.header_digest(resp.headers(), &what)
    }
}
