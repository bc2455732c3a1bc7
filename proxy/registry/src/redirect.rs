//! The redirect policy, in one function: registries redirect blob (and
//! sometimes manifest) requests to a CDN or storage bucket. Every hop is
//! checked by the target guard like the first, at most
//! `RegistrySettings::max_redirects` are followed, and the Authorization
//! header only ever goes to the registry's own origin.
//!
//! Writes (PUT, POST, PATCH, DELETE) follow a redirect only within the
//! origin they were sent to: a registry that redirects a manifest PUT to
//! another (even allow-listed) host would otherwise have the proxy write
//! there and report the push as done on the first.

use reqwest::header::{AUTHORIZATION, HeaderValue, LOCATION};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};

use crate::error::RegistryError;
use crate::ops::header_string;
use crate::repository::Repository;
use crate::request::Outgoing;

impl Repository<'_> {
    /// One request plus its redirects, each target guarded, each sent under
    /// the in-flight bounds (and retried when it may be sent again).
    pub(crate) async fn follow(
        &self,
        method: &Method,
        mut url: Url,
        extras: &Outgoing<'_>,
        authorization: Option<&HeaderValue>,
        what: &str,
    ) -> Result<Response, RegistryError> {
        let transport = &self.client.transport;
        let mut insecure = if url.origin() == self.target.base.origin() {
            self.target.insecure
        } else {
            transport.policy.check_url(&url)?
        };
        let max_redirects = transport.settings().max_redirects;
        let mut hops = 0;
        loop {
            let same_origin = url.origin() == self.target.base.origin();
            let build = || {
                let req: RequestBuilder = transport
                    .http(insecure)
                    .request(method.clone(), url.clone());
                let req = extras.apply(req);
                match (same_origin, authorization) {
                    (true, Some(a)) => req.header(AUTHORIZATION, a.clone()),
                    _ => req,
                }
            };
            if !extras.can_send() {
                return Err(RegistryError::protocol(
                    &self.registry,
                    what,
                    format!(
                        "it redirected the upload to {}, but a streamed body cannot be sent twice",
                        crate::transport::host_of(&url)
                    ),
                ));
            }
            self.count_request();
            let resp = transport
                .send_bounded(method, &url, extras.replayable(), build)
                .await?;
            let status = resp.status();
            if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
                return Ok(resp);
            }
            if hops == max_redirects {
                return Err(RegistryError::upstream(
                    &self.registry,
                    what,
                    status,
                    format!("more than {max_redirects} redirects"),
                ));
            }
            hops += 1;
            let location = header_string(resp.headers(), LOCATION.as_str()).ok_or_else(|| {
                RegistryError::upstream(
                    &self.registry,
                    what,
                    status,
                    "a redirect without a Location header",
                )
            })?;
            let next = url.join(&location).map_err(|e| {
                RegistryError::upstream(
                    &self.registry,
                    what,
                    status,
                    format!("a redirect to an invalid URL: {e}"),
                )
            })?;
            if is_write(method) && next.origin() != url.origin() {
                return Err(RegistryError::protocol(
                    &self.registry,
                    what,
                    format!(
                        "it redirected a {method} from {} to {}; writes are never sent to another origin",
                        crate::transport::host_of(&url),
                        crate::transport::host_of(&next)
                    ),
                ));
            }
            url = next;
            insecure = transport.policy.check_url(&url)?;
        }
    }
}

/// Does `method` change what the registry holds?
fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
