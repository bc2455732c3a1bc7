//! Reading response bodies with a hard size cap.
//!
//! A registry (or anything pretending to be one) can send an endless body;
//! `Response::bytes()` would buffer all of it. Bodies are read chunk by chunk
//! and abandoned as soon as they pass the cap.

use bytes::{Bytes, BytesMut};

/// Manifests: the distribution spec recommends registries accept at least 4 MiB.
pub const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024;
/// Image config blobs.
pub const CONFIG_LIMIT: u64 = 8 * 1024 * 1024;
/// Error bodies and token responses.
pub const ERROR_LIMIT: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("reading the body failed: {0}")]
    Read(#[from] reqwest::Error),
}

/// Read at most `limit` bytes; more (announced or actual) is `TooLarge`.
pub async fn read_capped(mut response: reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if (buf.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Read up to `limit` bytes for a diagnostic, dropping the rest silently.
pub async fn read_truncated(mut response: reqwest::Response, limit: u64) -> Bytes {
    let mut buf = BytesMut::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = (limit as usize).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if buf.len() as u64 >= limit {
            break;
        }
    }
    buf.freeze()
}
