//! The pieces of registry authentication: scopes, identities, headers, which
//! challenge to answer, token URLs and answers, and the token cache.
//!
//! Registries use Bearer tokens (a token service at the challenge's `realm`,
//! asked for `scope=repository:NAME:pull`) or plain Basic auth (ECR, htpasswd
//! registries). Tokens are cached per (registry, scope, identity) until they
//! expire, so inspecting an index does not fetch one token per child.
//! Credentials only ever come from the request that uses them; they are never
//! logged, and the cache keys hold a hash of them, not the secret.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::Url;
use reqwest::header::HeaderValue;
use serde::Deserialize;
use shared::credentials::Credential;

use super::challenge::Challenge;

/// Tokens without `expires_in` live this long (distribution's token spec).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// Renew a little early so a token does not expire in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5);
/// The longest a token is kept, whatever its `expires_in` says: a token
/// service's number is not trusted to keep an entry (or overflow a clock).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Tokens kept at most by default (`RegistrySettings::cached_tokens`); past
/// it the expired, then the soonest to expire,
/// make room.
pub const MAX_CACHED_TOKENS: usize = 1024;

/// `repository:NAME:pull`
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

/// `repository:NAME:pull,push`: what writing to a repository needs.
pub fn push_scope(repository: &str) -> String {
    format!("repository:{repository}:pull,push")
}

/// A stable, non-secret fingerprint of the credentials ("" for anonymous).
pub fn identity(credential: Option<&Credential>) -> String {
    match credential {
        None => String::new(),
        Some(c) => {
            let mut material = Vec::with_capacity(c.username.len() + c.password.len() + 1);
            material.extend_from_slice(c.username.as_bytes());
            material.push(0);
            material.extend_from_slice(c.password.as_bytes());
            format!(
                "{}#{}",
                c.username,
                &shared::Digest::sha256(&material).hex()[..16]
            )
        }
    }
}

/// `Authorization: Basic base64(user:password)`, marked sensitive.
pub fn basic_header(credential: &Credential) -> Option<HeaderValue> {
    let raw = format!("{}:{}", credential.username, credential.password);
    let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
    sensitive(&format!("Basic {encoded}"))
}

/// `Authorization: Bearer TOKEN`, marked sensitive.
pub fn bearer_header(token: &str) -> Option<HeaderValue> {
    sensitive(&format!("Bearer {token}"))
}

fn sensitive(value: &str) -> Option<HeaderValue> {
    let mut v = HeaderValue::from_str(value).ok()?;
    v.set_sensitive(true);
    Some(v)
}

/// What to do about a 401: the challenge we answer (Bearer preferred).
pub fn choose(challenges: &[Challenge]) -> Option<&Challenge> {
    challenges
        .iter()
        .find(|c| c.is("bearer"))
        .or_else(|| challenges.iter().find(|c| c.is("basic")))
}

/// The token request URL: `realm?service=S&scope=SCOPE`, keeping any query
/// the realm already has.
pub fn token_url(challenge: &Challenge, scope: &str) -> Result<Url, String> {
    token_url_for_scopes(challenge, &[scope])
}

/// The token request URL for several scopes in one token (a push that mounts
/// blobs needs `pull,push` on the target and `pull` on each source): one
/// `scope` parameter per scope, as the token spec says.
pub fn token_url_for_scopes<S: AsRef<str>>(
    challenge: &Challenge,
    scopes: &[S],
) -> Result<Url, String> {
    let realm = challenge
        .param("realm")
        .ok_or("the Bearer challenge has no realm")?;
    let mut url =
        Url::parse(realm).map_err(|e| format!("the token realm `{realm}` is not a URL: {e}"))?;
    {
        let mut q = url.query_pairs_mut();
        if let Some(service) = challenge.param("service") {
            q.append_pair("service", service);
        }
        for scope in scopes {
            q.append_pair("scope", scope.as_ref());
        }
    }
    Ok(url)
}

/// A token service's answer: `token` or `access_token`, and a lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub token: String,
    pub lifetime: Duration,
}

pub fn parse_token_response(body: &[u8]) -> Result<Token, String> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        access_token: Option<String>,
        #[serde(default)]
        expires_in: Option<i64>,
    }
    let raw: Raw = serde_json::from_slice(body).map_err(|e| {
        format!("the token service answered with something that is not token JSON: {e}")
    })?;
    let token = raw
        .token
        .filter(|t| !t.is_empty())
        .or(raw.access_token.filter(|t| !t.is_empty()))
        .ok_or("the token service's answer has neither `token` nor `access_token`")?;
    let lifetime = match raw.expires_in {
        Some(s) if s > 0 => Duration::from_secs(s.unsigned_abs()).min(MAX_TOKEN_LIFETIME),
        _ => DEFAULT_TOKEN_LIFETIME,
    };
    Ok(Token { token, lifetime })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    pub registry: String,
    pub scope: String,
    pub identity: String,
}

/// Bearer tokens until they expire, at most `capacity` of them.
pub struct TokenCache {
    tokens: Mutex<HashMap<TokenKey, (String, Instant)>>,
    capacity: usize,
    /// Tokens received (for `/metrics`).
    fetched: std::sync::atomic::AtomicU64,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::with_capacity(MAX_CACHED_TOKENS)
    }
}

impl TokenCache {
    pub fn get(&self, key: &TokenKey) -> Option<String> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        match tokens.get(key) {
            Some((t, until)) if *until > Instant::now() => Some(t.clone()),
            Some(_) => {
                tokens.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn with_capacity(capacity: usize) -> Self {
        TokenCache {
            tokens: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            fetched: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Tokens received so far.
    pub fn fetched(&self) -> u64 {
        self.fetched.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn insert(&self, key: TokenKey, token: &Token) {
        self.fetched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let now = Instant::now();
        let lifetime = token
            .lifetime
            .min(MAX_TOKEN_LIFETIME)
            .saturating_sub(EXPIRY_MARGIN);
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        // Already expired (or a clock at its end): nothing worth keeping,
        // and the older token it replaces is not used either.
        let Some(until) = now.checked_add(lifetime).filter(|u| *u > now) else {
            tokens.remove(&key);
            return;
        };
        // Keep the map from growing without bound: drop what has expired,
        // then, when still full, what expires soonest.
        tokens.retain(|_, (_, u)| *u > now);
        while tokens.len() >= self.capacity && !tokens.contains_key(&key) {
            let Some(soonest) = tokens
                .iter()
                .min_by_key(|(_, (_, u))| *u)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            tokens.remove(&soonest);
        }
        tokens.insert(key, (token.token.clone(), until));
    }

    pub fn len(&self) -> usize {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn remove(&self, key: &TokenKey) {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::super::challenge::parse_challenges;
    use super::*;

    #[test]
    fn token_url_carries_service_and_our_scope() {
        let c = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
        )
        .unwrap();
        let url = token_url(&c[0], &pull_scope("library/alpine")).unwrap();
        assert_eq!(
            url.as_str(),
            "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Falpine%3Apull"
        );
        let c = parse_challenges(r#"Bearer realm="https://x.example/t?x=1""#).unwrap();
        let url = token_url(&c[0], "repository:a:pull").unwrap();
        assert_eq!(url.query(), Some("x=1&scope=repository%3Aa%3Apull"));
        let c = parse_challenges(r#"Bearer service="x""#).unwrap();
        assert!(token_url(&c[0], "s").is_err());
    }

    #[test]
    fn one_scope_parameter_per_scope() {
        let c =
            parse_challenges(r#"Bearer realm="https://t.example/token",service="reg""#).unwrap();
        let url = token_url_for_scopes(&c[0], &[push_scope("team/app"), pull_scope("team/base")])
            .unwrap();
        let scopes: Vec<String> = url
            .query_pairs()
            .filter(|(k, _)| k == "scope")
            .map(|(_, v)| v.into_owned())
            .collect();
        assert_eq!(
            scopes,
            ["repository:team/app:pull,push", "repository:team/base:pull"]
        );
    }

    #[test]
    fn bearer_is_preferred_over_basic() {
        let c = parse_challenges(r#"Basic realm="r", Bearer realm="https://t/""#).unwrap();
        assert!(choose(&c).unwrap().is("bearer"));
        let c = parse_challenges(r#"Negotiate, Basic realm="r""#).unwrap();
        assert!(choose(&c).unwrap().is("basic"));
        let c = parse_challenges("Negotiate").unwrap();
        assert!(choose(&c).is_none());
    }

    #[test]
    fn token_responses() {
        let t = parse_token_response(br#"{"token":"abc","expires_in":300}"#).unwrap();
        assert_eq!(t.token, "abc");
        assert_eq!(t.lifetime, Duration::from_secs(300));
        let t = parse_token_response(br#"{"access_token":"xyz"}"#).unwrap();
        assert_eq!(t.token, "xyz");
        assert_eq!(t.lifetime, DEFAULT_TOKEN_LIFETIME);
        let t = parse_token_response(br#"{"token":"","access_token":"q","expires_in":0}"#).unwrap();
        assert_eq!(t.token, "q");
        assert_eq!(t.lifetime, DEFAULT_TOKEN_LIFETIME);
        assert!(parse_token_response(br#"{"expires_in":3}"#).is_err());
        // Absurd lifetimes are clamped, not trusted.
        let t = parse_token_response(br#"{"token":"a","expires_in":9223372036854775807}"#).unwrap();
        assert_eq!(t.lifetime, MAX_TOKEN_LIFETIME);
        let t = parse_token_response(br#"{"token":"a","expires_in":-5}"#).unwrap();
        assert_eq!(t.lifetime, DEFAULT_TOKEN_LIFETIME);
        assert!(parse_token_response(b"<html>").is_err());
    }

    #[test]
    fn identities_hide_the_password_and_differ_per_password() {
        let a = Credential {
            username: "u".into(),
            password: "secret1".into(),
        };
        let b = Credential {
            username: "u".into(),
            password: "secret2".into(),
        };
        let ia = identity(Some(&a));
        assert!(!ia.contains("secret1"));
        assert_ne!(ia, identity(Some(&b)));
        assert_eq!(identity(None), "");
        let h = basic_header(&a).unwrap();
        assert!(h.is_sensitive());
        assert_eq!(h.to_str().unwrap(), "Basic dTpzZWNyZXQx");
    }

    #[test]
    fn cached_tokens_expire() {
        let cache = TokenCache::default();
        let key = TokenKey {
            registry: "r".into(),
            scope: "s".into(),
            identity: String::new(),
        };
        cache.insert(
            key.clone(),
            &Token {
                token: "t".into(),
                lifetime: Duration::from_secs(120),
            },
        );
        assert_eq!(cache.get(&key).as_deref(), Some("t"));
        // A lifetime inside the renewal margin is already expired.
        cache.insert(
            key.clone(),
            &Token {
                token: "short".into(),
                lifetime: Duration::from_secs(1),
            },
        );
        assert_eq!(cache.get(&key), None);
    }

    fn key(n: usize) -> TokenKey {
        TokenKey {
            registry: "r".into(),
            scope: format!("repository:app{n}:pull"),
            identity: String::new(),
        }
    }

    #[test]
    fn a_huge_lifetime_neither_panics_nor_lives_forever() {
        let cache = TokenCache::default();
        // Straight from the type, bypassing the parser's clamp.
        cache.insert(
            key(0),
            &Token {
                token: "forever".into(),
                lifetime: Duration::MAX,
            },
        );
        assert_eq!(cache.get(&key(0)).as_deref(), Some("forever"));
        let until = cache.tokens.lock().unwrap()[&key(0)].1;
        assert!(until <= Instant::now() + MAX_TOKEN_LIFETIME);
    }

    #[test]
    fn the_cache_holds_a_bounded_number_of_tokens() {
        let cache = TokenCache::with_capacity(3);
        for n in 0..10 {
            cache.insert(
                key(n),
                &Token {
                    token: format!("t{n}"),
                    lifetime: Duration::from_secs(100 + n as u64 * 10),
                },
            );
            assert!(cache.len() <= 3, "{} tokens after {n}", cache.len());
        }
        // The soonest to expire made room; the latest are kept.
        assert_eq!(cache.get(&key(0)), None);
        assert_eq!(cache.get(&key(9)).as_deref(), Some("t9"));
        assert_eq!(cache.get(&key(8)).as_deref(), Some("t8"));
        // Replacing a key that is there evicts nothing.
        cache.insert(
            key(9),
            &Token {
                token: "t9b".into(),
                lifetime: Duration::from_secs(50),
            },
        );
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get(&key(8)).as_deref(), Some("t8"));
    }
}
