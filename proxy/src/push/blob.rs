//! Making one blob exist in the target repository: a cross-repository
//! mount with no HEAD before it (its answer says the blob is there, or
//! starts the upload a copy then fills), or, from another registry, a HEAD
//! and a copy streamed through with its digest checked on the way.

use std::time::Instant;

use registry::digesting::{StreamCheckError, verify_stream};
use registry::{MountOutcome, RegistryError};
use shared::digest::Digest;
use shared::reference::Reference;

use super::{Executor, IndexThere, mounts_from};
use crate::error::{Internal, ProxyError};

/// The blob a step wants in the target: where from, which, how big.
#[derive(Clone, Copy)]
pub(super) struct Wanted<'a> {
    pub from: &'a Reference,
    pub digest: &'a Digest,
    pub size: u64,
}

impl Executor<'_> {
    /// Make the blob exist in the target repository. A transfer that
    /// failed in a way another try may fix (a 5xx or 429, a reset or timed
    /// out connection) is started over from the HEAD, within the client's
    /// retry policy: a copy that landed after all is found there, and an
    /// abandoned upload session is only garbage for the registry to collect.
    /// A wrong digest or size is never retried.
    pub(super) async fn blob(
        &self,
        wanted: Wanted<'_>,
        index_there: &IndexThere<'_>,
    ) -> Result<&'static str, ProxyError> {
        let digest = wanted.digest;
        let policy = self.client.retry_policy();
        let started = Instant::now();
        let mut tries = 0;
        loop {
            tries += 1;
            match self.transfer(&wanted, index_there).await {
                Err(e) if e.is_transient() => {
                    let pause = policy.backoff(tries);
                    if !policy.allows(tries, started, pause) {
                        return Err(e);
                    }
                    tracing::debug!(tries, ?pause, "transferring blob {digest} again after: {e}");
                    tokio::time::sleep(pause).await;
                }
                outcome => return outcome,
            }
        }
    }

    /// One try at making the blob exist in the target repository. A mount
    /// goes first, with no HEAD before it: its answer says the blob is
    /// there (201) or starts the upload a copy needs (202). A copy from
    /// another registry is costly, so the target is asked first.
    async fn transfer(
        &self,
        wanted: &Wanted<'_>,
        index_there: &IndexThere<'_>,
    ) -> Result<&'static str, ProxyError> {
        let Wanted { from, digest, size } = *wanted;
        if mounts_from(&self.plan.target, from) {
            let (mounted, there) = tokio::join!(
                self.target.mount_blob(digest, from.repository()),
                index_there.clone()
            );
            return match mounted? {
                MountOutcome::Mounted if there => Ok("already present"),
                MountOutcome::Mounted => Ok("mounted"),
                MountOutcome::Upload(location) => {
                    self.copy(from, digest, size, location).await?;
                    Ok("copied (the registry did not mount it)")
                }
            };
        }
        if index_there.clone().await || self.target.has_blob(digest).await? {
            return Ok("already present");
        }
        let location = self.target.start_upload().await?;
        self.copy(from, digest, size, location).await?;
        Ok("copied")
    }

    /// Stream the blob from its source into the upload at `location`,
    /// checking its digest and size on the way.
    async fn copy(
        &self,
        from: &Reference,
        digest: &Digest,
        size: u64,
        location: reqwest::Url,
    ) -> Result<(), ProxyError> {
        let source = self
            .sources
            .get(&from.name())
            .ok_or_else(|| Internal::NoSourceHandle(from.name()))?;
        let what = format!("blob {digest} of {}", source.name());
        if size == 0 {
            // Nothing to stream: an HTTP client never reads a body it was
            // told is 0 bytes long, so the streamed check would never see
            // its end. The content is known; only its digest is checked.
            RegistryError::verify(digest, &[], &what)?;
            return Ok(self
                .target
                .finish_upload(location, digest, 0, reqwest::Body::from(Vec::<u8>::new()))
                .await?);
        }
        let response = source.open_blob(digest).await?;
        if let Some(length) = response.content_length()
            && length != size
        {
            return Err(RegistryError::BadManifest {
                what,
                detail: format!(
                    "the registry sends {length} bytes, but its descriptor says {size}"
                ),
            }
            .into());
        }
        let (body, check) = verify_stream(response.bytes_stream(), digest.clone(), size);
        let uploaded = self
            .target
            .finish_upload(location, digest, size, reqwest::Body::wrap_stream(body))
            .await;
        // A content problem is the real cause of a failed upload.
        match (check.outcome(), uploaded) {
            (Some(Err(e)), _) => Err(stream_error(&what, e).into()),
            (_, Err(e)) => Err(e.into()),
            (Some(Ok(())), Ok(())) => Ok(()),
            (None, Ok(())) => Err(Internal::UploadUnread(what).into()),
        }
    }
}

fn stream_error(what: &str, e: StreamCheckError) -> RegistryError {
    match e {
        StreamCheckError::Mismatch { expected, actual } => {
            RegistryError::digest(what, shared::DigestError::Mismatch { expected, actual })
        }
        other => RegistryError::BadManifest {
            what: what.to_string(),
            detail: other.to_string(),
        },
    }
}
