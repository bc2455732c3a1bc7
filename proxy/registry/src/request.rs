//! The one request path: every `/v2/` call goes through `Repository::send`,
//! which always applies the in-flight bounds and retries (`transport`), the
//! redirect policy (`redirect`), authentication (`auth`) and turns a
//! non-success answer into a typed error (`refusal`). Bodies are read under
//! a size cap (`body`).
//!
//! A streamed body (a layer being copied) cannot be sent twice: it gets the
//! bounds, the redirect guard and the Authorization known to work, but no
//! retry, no redirect that would need the body again and no second try
//! after a 401.

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};

use crate::auth::challenge::insufficient_scope;
use crate::body::{self, BodyError};
use crate::error::{RegistryError, join_detail};
use crate::quota;
use crate::refusal::map_registry_error;
use crate::repository::Repository;
use crate::retry::ReadFailure;
use crate::transport::transport_error;

/// What a request carries besides its method and URL.
#[derive(Default)]
pub(crate) struct Outgoing<'a> {
    pub accept: Option<&'a str>,
    pub body: Option<OutBody<'a>>,
    /// A longer timeout than the client's (blob transfers).
    pub timeout: Option<Duration>,
}

/// A request body.
pub(crate) enum OutBody<'a> {
    /// Bytes that can be sent again (after a 401, a retry, a 307), and
    /// their Content-Type.
    Bytes(Bytes, &'a str),
    /// A body that streams through once, with its length.
    Stream(Mutex<Option<reqwest::Body>>, u64),
}

impl<'a> Outgoing<'a> {
    pub fn accepting(accept: Option<&'a str>) -> Self {
        Outgoing {
            accept,
            ..Outgoing::default()
        }
    }

    /// Can this request be sent again with the same body?
    pub fn replayable(&self) -> bool {
        !matches!(self.body, Some(OutBody::Stream(..)))
    }

    /// Is there (still) a body to send? Only a streamed one runs out.
    pub fn can_send(&self) -> bool {
        match &self.body {
            Some(OutBody::Stream(body, _)) => {
                body.lock().unwrap_or_else(|p| p.into_inner()).is_some()
            }
            _ => true,
        }
    }

    pub fn apply(&self, mut req: RequestBuilder) -> RequestBuilder {
        if let Some(a) = self.accept {
            req = req.header(ACCEPT, a);
        }
        match &self.body {
            Some(OutBody::Bytes(body, content_type)) => {
                req = req.header(CONTENT_TYPE, *content_type).body(body.clone());
            }
            Some(OutBody::Stream(body, size)) => {
                if let Some(body) = body.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    req = req
                        .header(CONTENT_TYPE, "application/octet-stream")
                        .header(CONTENT_LENGTH, *size)
                        .body(body);
                }
            }
            None => {}
        }
        if let Some(t) = self.timeout {
            req = req.timeout(t);
        }
        req
    }
}

impl Repository<'_> {
    /// Send with authentication (cached token, or answer the 401 once) and
    /// guarded redirects; a non-success answer becomes a `RegistryError`.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        extras: &Outgoing<'_>,
        what: &str,
    ) -> Result<Response, RegistryError> {
        let authorization = match self.current_authorization() {
            Some(known) => Some(known),
            None => self.preauthorize().await,
        };
        let mut resp = self
            .follow(&method, url.clone(), extras, authorization.as_ref(), what)
            .await?;
        if resp.status() == StatusCode::UNAUTHORIZED && extras.replayable() {
            let answer = self
                .reauthorize(&resp, authorization.as_ref(), what)
                .await?;
            resp = self
                .follow(&method, url, extras, Some(&answer), what)
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

    /// A non-success answer as a `RegistryError` (401s say what to do).
    async fn refusal(&self, resp: Response, what: &str) -> RegistryError {
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
            RegistryError::RateLimited { registry, detail } if !quota_note.is_empty() => {
                RegistryError::RateLimited {
                    registry,
                    detail: join_detail(&quota_note, &detail),
                }
            }
            // A token was issued, but without the access asked for: the
            // credentials are fine and not allowed to do this (a 403 in spirit).
            RegistryError::Unauthorized { registry, detail }
                if scope_denied && self.credential.is_some() =>
            {
                let lead = format!(
                    "the credentials are valid but do not grant {}",
                    self.scopes.join(" ")
                );
                RegistryError::Denied {
                    registry,
                    detail: join_detail(&lead, &detail),
                }
            }
            RegistryError::Unauthorized { registry, detail } => {
                let lead = match &self.credential {
                    Some(_) => "the credentials were rejected".to_string(),
                    // Docker Hub answers 401 for repositories that do not exist, too.
                    None => format!(
                        "the registry wants credentials; add them in the credentials panel ({} may also not exist)",
                        self.name()
                    ),
                };
                RegistryError::Unauthorized {
                    registry,
                    detail: join_detail(&lead, &detail),
                }
            }
            other => other,
        }
    }

    /// Read a whole body that is not content (a token answer), at most
    /// `limit` bytes.
    pub(crate) async fn read(
        &self,
        resp: Response,
        limit: u64,
        what: &str,
    ) -> Result<Bytes, RegistryError> {
        read_capped(resp, limit, what)
            .await
            .map_err(ReadFailure::into_error)
    }

    /// Read a body, at most `limit` bytes and no more than the operation's
    /// budget has left; counted against that budget under the digest of
    /// the bytes received. Tells a
    /// body that broke off (worth fetching again) from one that is too
    /// large (not).
    pub(crate) async fn read_whole(
        &self,
        resp: Response,
        limit: u64,
        what: &str,
    ) -> Result<Bytes, ReadFailure> {
        let Some(budget) = &self.budget else {
            return read_capped(resp, limit, what).await;
        };
        // Over the object's own cap whatever is left: that object's error
        // (an entry's), not the whole operation's.
        if resp.content_length().is_some_and(|n| n > limit) {
            return read_capped(resp, limit, what).await;
        }
        let allowed = budget.allowance(limit)?;
        let bytes = match read_capped(resp, allowed, what).await {
            Err(ReadFailure::Final(RegistryError::TooLarge { .. })) if allowed < limit => {
                return Err(budget.exhausted_by(what).into());
            }
            other => other?,
        };
        // Counted under what the bytes are, not what they were asked for as.
        let key = shared::digest::Digest::sha256(&bytes).to_string();
        self.charge(&key, bytes.len(), what)?;
        Ok(bytes)
    }
}

/// Read at most `limit` bytes of `resp`.
async fn read_capped(resp: Response, limit: u64, what: &str) -> Result<Bytes, ReadFailure> {
    let url = resp.url().clone();
    body::read_capped(resp, limit).await.map_err(|e| match e {
        BodyError::TooLarge { limit } => ReadFailure::Final(RegistryError::TooLarge {
            what: what.to_string(),
            limit,
        }),
        BodyError::Read(e) => ReadFailure::Interrupted(transport_error(&url, &e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A streamed body goes out once: after that the request cannot be
    /// sent again (no retry, no redirect, no second try after a 401).
    #[test]
    fn a_streamed_body_is_sent_once() {
        let stream = Outgoing {
            body: Some(OutBody::Stream(
                Mutex::new(Some(reqwest::Body::from("blob"))),
                4,
            )),
            ..Outgoing::default()
        };
        assert!(!stream.replayable());
        assert!(stream.can_send());
        let client = reqwest::Client::new();
        let request = stream
            .apply(client.put("http://127.0.0.1:1/v2/a/blobs/uploads/x"))
            .build()
            .unwrap();
        assert_eq!(request.headers()[CONTENT_LENGTH], "4");
        assert!(!stream.can_send(), "the body was taken");

        let bytes = Outgoing {
            body: Some(OutBody::Bytes(
                Bytes::from_static(b"{}"),
                "application/json",
            )),
            ..Outgoing::default()
        };
        assert!(bytes.replayable());
        for _ in 0..2 {
            let request = bytes
                .apply(client.put("http://127.0.0.1:1/v2/a/manifests/1"))
                .build()
                .unwrap();
            assert_eq!(request.body().and_then(|b| b.as_bytes()), Some(&b"{}"[..]));
        }
        assert!(bytes.can_send());
    }
}
