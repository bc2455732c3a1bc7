//! Checking a blob's digest while it streams through.
//!
//! A copied layer goes from one registry's response straight into another
//! registry's upload, chunk by chunk, so that no layer is ever held in memory.
//! Its digest can then only be checked on the way: every chunk is hashed as
//! it passes, the stream fails at the end if the content does not hash to the
//! digest it was fetched by (the upload is then never committed), and it
//! fails early if more bytes come than the descriptor says.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::stream::{self, Stream, StreamExt};
use sha2::Digest as _;
use shared::digest::{Algorithm, Digest};

/// What went wrong with the streamed content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamCheckError {
    #[error("the content hashes to {actual}, not {expected}")]
    Mismatch { expected: Digest, actual: Digest },
    #[error("the content is longer than the {expected} bytes its descriptor gives")]
    TooLong { expected: u64 },
    #[error("the content is {actual} bytes, but its descriptor gives {expected}")]
    WrongSize { expected: u64, actual: u64 },
}

enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }
    fn finish(self) -> String {
        let raw: Vec<u8> = match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        };
        raw.iter().map(|b| format!("{b:02x}")).collect()
    }
}

struct State {
    hasher: Option<Hasher>,
    seen: u64,
    outcome: Option<Result<(), StreamCheckError>>,
}

/// The verdict on a stream made by [`verify_stream`], once it has ended.
#[derive(Clone)]
pub struct StreamCheck {
    state: Arc<Mutex<State>>,
}

impl StreamCheck {
    /// `None` while the stream has not ended, else whether it matched.
    pub fn outcome(&self) -> Option<Result<(), StreamCheckError>> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .outcome
            .clone()
    }
}

/// Wrap `inner` so that it is hashed as it is read: when the content is not
/// `size` bytes hashing to `expected`, the wrapped stream fails instead of
/// handing on its last chunk, so the upload it feeds is never completed.
pub fn verify_stream<S, E>(
    inner: S,
    expected: Digest,
    size: u64,
) -> (
    impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    StreamCheck,
)
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    let state = Arc::new(Mutex::new(State {
        hasher: Some(Hasher::new(expected.algorithm())),
        seen: 0,
        outcome: None,
    }));
    let check = StreamCheck {
        state: state.clone(),
    };
    let passing = state.clone();
    let expected_at_end = expected.clone();
    let chunks = inner.map(move |chunk| {
        let bytes = chunk.map_err(std::io::Error::other)?;
        let mut s = passing.lock().unwrap_or_else(|p| p.into_inner());
        s.seen += bytes.len() as u64;
        if s.seen > size {
            let e = StreamCheckError::TooLong { expected: size };
            s.outcome = Some(Err(e.clone()));
            return Err(std::io::Error::other(e));
        }
        if let Some(h) = s.hasher.as_mut() {
            h.update(&bytes);
        }
        // Decided with the last chunk, before it is handed on: an HTTP
        // client that knows the length stops reading once it has it.
        if s.seen == size {
            let result = finish(&mut s, &expected, size);
            s.outcome = Some(result.clone());
            result.map_err(std::io::Error::other)?;
        }
        Ok(bytes)
    });
    let end = stream::once(async move {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(decided) = s.outcome.clone() {
            return decided.map_err(std::io::Error::other);
        }
        let result = finish(&mut s, &expected_at_end, size);
        s.outcome = Some(result.clone());
        result.map_err(std::io::Error::other)
    })
    .filter_map(|r| async move { r.err().map(Err) });
    (chunks.chain(end), check)
}

fn finish(s: &mut State, expected: &Digest, size: u64) -> Result<(), StreamCheckError> {
    if s.seen != size {
        return Err(StreamCheckError::WrongSize {
            expected: size,
            actual: s.seen,
        });
    }
    let hex = s.hasher.take().map(Hasher::finish).unwrap_or_default();
    let actual = Digest::parse(&format!("{}:{hex}", algorithm_name(expected.algorithm())))
        .unwrap_or_else(|_| expected.clone());
    if actual == *expected {
        Ok(())
    } else {
        Err(StreamCheckError::Mismatch {
            expected: expected.clone(),
            actual,
        })
    }
}

fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Sha256 => "sha256",
        Algorithm::Sha512 => "sha512",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    fn chunks(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
        stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
    }

    #[tokio::test]
    async fn matching_content_passes_unchanged() {
        let digest = Digest::sha256(b"hello world");
        let (s, check) = verify_stream(chunks(&[b"hello ", b"world"]), digest, 11);
        assert_eq!(check.outcome(), None);
        let out: Vec<Bytes> = s.try_collect().await.unwrap();
        assert_eq!(out.concat(), b"hello world");
        assert_eq!(check.outcome(), Some(Ok(())));
    }

    #[tokio::test]
    async fn other_content_fails_instead_of_its_last_chunk() {
        let expected = Digest::sha256(b"hello world");
        let (s, check) = verify_stream(chunks(&[b"hello ", b"WORLD"]), expected.clone(), 11);
        assert!(s.try_collect::<Vec<_>>().await.is_err());
        assert_eq!(
            check.outcome(),
            Some(Err(StreamCheckError::Mismatch {
                expected,
                actual: Digest::sha256(b"hello WORLD"),
            }))
        );
    }

    #[tokio::test]
    async fn sizes_are_enforced() {
        let digest = Digest::sha256(b"hello world");
        let (s, check) = verify_stream(chunks(&[b"hello ", b"world!!"]), digest.clone(), 11);
        assert!(s.try_collect::<Vec<_>>().await.is_err());
        assert_eq!(
            check.outcome(),
            Some(Err(StreamCheckError::TooLong { expected: 11 }))
        );
        let (s, check) = verify_stream(chunks(&[b"hello"]), digest, 11);
        assert!(s.try_collect::<Vec<_>>().await.is_err());
        assert_eq!(
            check.outcome(),
            Some(Err(StreamCheckError::WrongSize {
                expected: 11,
                actual: 5
            }))
        );
    }

    #[tokio::test]
    async fn sha512_digests_are_checked_with_sha512() {
        let digest = Digest::compute(Algorithm::Sha512, b"abc");
        let (s, check) = verify_stream(chunks(&[b"a", b"bc"]), digest, 3);
        s.try_collect::<Vec<_>>().await.unwrap();
        assert_eq!(check.outcome(), Some(Ok(())));
    }
}
