//! The auth state of one repository handle: what to send, how to answer a
//! challenge, and which challenges are refused (see the module above).

use reqwest::header::{HeaderValue, WWW_AUTHENTICATE};
use reqwest::{Response, StatusCode};

use super::challenge::{Challenge, parse_challenges};
use super::scheme::{self as auth, TokenKey};
use super::token_request;
use crate::body;
use crate::credentials::docker_config::is_identity_token;
use crate::error::{RegistryError, join_detail};
use crate::refusal::map_registry_error;
use crate::repository::Repository;
use crate::transport::host_of;

impl Repository<'_> {
    /// The cached token for this handle's scopes, else what worked last.
    pub(crate) fn current_authorization(&self) -> Option<HeaderValue> {
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

    /// Nothing to send yet, but this registry challenged before: answer
    /// its remembered challenge now (fetch the token, or send Basic), one
    /// round trip earlier than waiting for the 401. `None` when it never
    /// challenged, or the answer failed (the request then goes without, and
    /// its 401 is answered and reported as usual). Concurrent requests of
    /// one handle fetch one token, not one each.
    pub(crate) async fn preauthorize(&self) -> Option<HeaderValue> {
        let challenge = self.client.challenges.get(&self.origin_key())?;
        let _one = self.auth_flight.lock().await;
        if let Some(current) = self.current_authorization() {
            return Some(current);
        }
        match self.answer(&challenge).await {
            Ok(answer) => {
                self.set_remembered(Some(&answer));
                Some(answer)
            }
            Err(e) => {
                tracing::debug!(registry = %self.registry, "the remembered challenge was not answered: {e}");
                None
            }
        }
    }

    /// The registry answered 401 to a request sent with `sent` (what
    /// `current_authorization` gave): drop it if it came from a cache, and
    /// build the Authorization that answers the challenge (unless another
    /// request of this handle just did).
    pub(crate) async fn reauthorize(
        &self,
        resp: &Response,
        sent: Option<&HeaderValue>,
        what: &str,
    ) -> Result<HeaderValue, RegistryError> {
        if let Some(e) = self.foreign_challenge(resp, what) {
            return Err(e);
        }
        let _one = self.auth_flight.lock().await;
        if let Some(current) = self.current_authorization()
            && Some(&current) != sent
        {
            return Ok(current);
        }
        if sent.is_some() {
            self.client.tokens.remove(&self.token_key());
            self.set_remembered(None);
        }
        let answer = self.answer_challenge(resp).await?;
        self.set_remembered(Some(&answer));
        Ok(answer)
    }

    /// Where this handle's registry's challenge is remembered.
    fn origin_key(&self) -> String {
        self.target.base.origin().ascii_serialization()
    }

    fn set_remembered(&self, value: Option<&HeaderValue>) {
        *self.remembered.lock().unwrap_or_else(|p| p.into_inner()) = value.cloned();
    }

    fn token_key(&self) -> TokenKey {
        TokenKey {
            registry: self.api_host.clone(),
            scope: self.scopes.join(" "),
            identity: self.identity.clone(),
        }
    }

    /// A 401 from a host the registry redirected to (a CDN, a storage
    /// bucket) is not the registry's challenge: answering it would send the
    /// registry's credentials to whatever realm that host names, and cache
    /// the token under the registry's key. It is reported instead.
    pub(crate) fn foreign_challenge(&self, resp: &Response, what: &str) -> Option<RegistryError> {
        if resp.status() != StatusCode::UNAUTHORIZED
            || resp.url().origin() == self.target.base.origin()
        {
            return None;
        }
        Some(RegistryError::upstream(
            &self.registry,
            what,
            StatusCode::UNAUTHORIZED,
            format!(
                "the registry redirected to {}, which asks for credentials; credentials are only ever sent to the registry itself, so this content cannot be fetched",
                host_of(resp.url())
            ),
        ))
    }

    /// Build the Authorization header for a 401's challenge, and remember
    /// the challenge for the next request to this registry.
    async fn answer_challenge(&self, resp: &Response) -> Result<HeaderValue, RegistryError> {
        let registry = self.registry.clone();
        let challenge_what = "its authentication challenge";
        let bad_challenge = |detail: String| {
            RegistryError::upstream(&registry, challenge_what, resp.status(), detail)
        };
        let mut challenges = Vec::new();
        for value in resp.headers().get_all(WWW_AUTHENTICATE) {
            let text = value
                .to_str()
                .map_err(|_| bad_challenge("the WWW-Authenticate header is not text".into()))?;
            challenges.extend(parse_challenges(text).map_err(|e| bad_challenge(e.to_string()))?);
        }
        let Some(challenge) = auth::choose(&challenges) else {
            self.client.challenges.forget(&self.origin_key());
            return Err(RegistryError::Unauthorized {
                registry,
                detail: "it did not say how to authenticate (no Basic or Bearer challenge)".into(),
            });
        };
        self.client
            .challenges
            .remember(&self.origin_key(), challenge);
        self.answer(challenge).await
    }

    /// The Authorization that answers `challenge` (Basic from the
    /// credential, Bearer from the token service, cached).
    async fn answer(&self, challenge: &Challenge) -> Result<HeaderValue, RegistryError> {
        let registry = self.registry.clone();
        let status = StatusCode::UNAUTHORIZED;
        let bad_challenge = |detail: String| {
            RegistryError::upstream(&registry, "its authentication challenge", status, detail)
        };
        if challenge.is("basic") {
            let Some(cred) = &self.credential else {
                return Err(RegistryError::Unauthorized {
                    registry,
                    detail: "the registry wants credentials (a username and password); add them in the credentials panel"
                        .into(),
                });
            };
            if is_identity_token(cred) {
                return Err(RegistryError::Unauthorized {
                    registry,
                    detail: "the credential for it is an identity token, which only works with token (Bearer) authentication, but the registry asks for Basic auth".into(),
                });
            }
            return auth::basic_header(cred)
                .ok_or(RegistryError::UnsendableCredential { registry });
        }
        let token_url =
            auth::token_url_for_scopes(challenge, &self.scopes).map_err(bad_challenge)?;
        let insecure = self.client.transport.policy.check_url(&token_url)?;
        let what = format!(
            "a token for {} from {}",
            self.scopes.join(" "),
            host_of(&token_url)
        );
        let build = || {
            token_request::build(
                self.client.transport.http(insecure),
                challenge,
                &token_url,
                &self.scopes,
                self.credential.as_ref(),
            )
        };
        let method = token_request::method(self.credential.as_ref());
        self.count_request();
        let resp = self
            .client
            .transport
            .send_bounded(&method, &token_url, true, build)
            .await?;
        let status = resp.status();
        if !status.is_success() {
            let bytes = body::read_truncated(resp, body::ERROR_LIMIT).await;
            let err = map_registry_error(status.as_u16(), &bytes, &self.ctx(&what));
            let service = format!(
                "the token service at {} answered {status}",
                host_of(&token_url)
            );
            return Err(match err {
                RegistryError::Unauthorized { registry, detail }
                | RegistryError::Denied { registry, detail } => {
                    let lead = if self.credential.is_some() {
                        format!("{service}: it rejected the credentials")
                    } else {
                        format!(
                            "{service}: the registry wants credentials; add them in the credentials panel"
                        )
                    };
                    RegistryError::Unauthorized {
                        registry,
                        detail: join_detail(&lead, &detail),
                    }
                }
                RegistryError::Upstream { detail, .. } => RegistryError::upstream(
                    &registry,
                    &what,
                    status,
                    join_detail(&service, &detail),
                ),
                other => other,
            });
        }
        let bytes = self.read(resp, body::ERROR_LIMIT, &what).await?;
        let token = auth::parse_token_response(&bytes)
            .map_err(|detail| RegistryError::protocol(&registry, &what, detail))?;
        let header = auth::bearer_header(&token.token).ok_or_else(|| {
            RegistryError::protocol(
                &registry,
                &what,
                "the token contains characters that cannot be sent in a header",
            )
        })?;
        self.client.tokens.insert(self.token_key(), &token);
        Ok(header)
    }
}
