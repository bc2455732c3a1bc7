//! A registry token service (distribution's token auth spec) run by the tests,
//! so the proxy's Bearer flow is exercised against a real `docker-registry`
//! configured with `auth: token`, not against a mock of the registry.
//!
//! It signs ES256 JWTs with a throw-away key whose self-signed certificate is
//! both in the token's `x5c` header and the registry's `rootcertbundle`
//! (distribution 2.8 verifies the chain, then the signature, `iss`, `aud` and
//! `exp`/`nbf` with 60 s leeway). Per-user grants make denial testable, the
//! lifetimes are adjustable so expiry and refresh can be exercised, OAuth2
//! refresh-token grants (identity tokens) are supported, and every request is
//! recorded so tests can see which scopes were asked for and with what.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::json;
use tokio::task::JoinHandle;

/// The `service` (JWT audience) the test registries are configured with.
pub const SERVICE: &str = "manifest-web-test-registry";
/// The `iss` of every token.
pub const ISSUER: &str = "manifest-web-test-token-server";

/// What one user may do: per repository name (`*`: any), the actions.
#[derive(Debug, Clone, Default)]
pub struct Grants(pub BTreeMap<String, Vec<String>>);

impl Grants {
    pub fn none() -> Grants {
        Grants::default()
    }

    /// `pull` and `push` everywhere.
    pub fn all() -> Grants {
        Grants::default().allow("*", &["pull", "push"])
    }

    pub fn allow(mut self, repository: &str, actions: &[&str]) -> Grants {
        self.0.insert(
            repository.to_string(),
            actions.iter().map(|a| a.to_string()).collect(),
        );
        self
    }

    fn granted(&self, repository: &str, asked: &[String]) -> Vec<String> {
        let allowed = self.0.get(repository).or_else(|| self.0.get("*"));
        match allowed {
            None => Vec::new(),
            Some(allowed) => asked
                .iter()
                .filter(|a| allowed.contains(a))
                .cloned()
                .collect(),
        }
    }
}

/// How long tokens live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// `expires_in` in the answer (what the client should believe).
    pub expires_in: u64,
    /// The JWT's `exp`, in seconds from now (the registry adds 60 s leeway).
    pub exp_offset: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            expires_in: 300,
            exp_offset: 300,
        }
    }
}

/// One token request, as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// `GET` or `POST` (OAuth2).
    pub method: &'static str,
    /// The authenticated user, if any.
    pub user: Option<String>,
    /// The `scope` parameters, in order.
    pub scopes: Vec<String>,
    /// The answer's status.
    pub status: u16,
    /// The token handed out, if one was.
    pub token: Option<String>,
}

struct Inner {
    users: HashMap<String, (String, Grants)>,
    anonymous: Grants,
    refresh_tokens: HashMap<String, String>,
    lifetimes: Lifetimes,
    requests: Vec<TokenRequest>,
    next_id: u64,
}

/// A running token server on 127.0.0.1; stopped when dropped.
pub struct TokenServer {
    addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    task: JoinHandle<()>,
    dir: tempfile::TempDir,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    key: Arc<EcdsaKeyPair>,
    x5c: String,
}

impl TokenServer {
    /// A server with no users; anonymous requests get `anonymous` grants.
    ///
    /// # Panics
    /// When a key, certificate or loopback port cannot be had (the test cannot go on).
    pub async fn start(anonymous: Grants) -> TokenServer {
        let key_pair = rcgen::KeyPair::generate().expect("generate a P-256 key");
        let params =
            rcgen::CertificateParams::new(vec!["manifest-web-test-token-server".to_string()])
                .expect("certificate parameters");
        let cert = params
            .self_signed(&key_pair)
            .expect("self-sign the certificate");
        let dir = tempfile::Builder::new()
            .prefix("mw-test-token-server-")
            .tempdir()
            .expect("a temp dir for the certificate bundle");
        std::fs::write(dir.path().join("root.pem"), cert.pem()).expect("write root.pem");
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &key_pair.serialize_der(),
            &SystemRandom::new(),
        )
        .expect("ring reads rcgen's PKCS#8 key");
        let inner = Arc::new(Mutex::new(Inner {
            users: HashMap::new(),
            anonymous,
            refresh_tokens: HashMap::new(),
            lifetimes: Lifetimes::default(),
            requests: Vec::new(),
            next_id: 0,
        }));
        let shared = Shared {
            inner: inner.clone(),
            key: Arc::new(key),
            x5c: STANDARD.encode(cert.der()),
        };
        let app = Router::new()
            .route("/token", get(get_token).post(post_token))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port for the token server");
        let addr = listener.local_addr().expect("a bound address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TokenServer {
            addr,
            inner,
            task,
            dir,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Add a user with a password and grants.
    pub fn add_user(&self, name: &str, password: &str, grants: Grants) {
        self.lock()
            .users
            .insert(name.to_string(), (password.to_string(), grants));
    }

    /// An identity (refresh) token that authenticates as `user`.
    pub fn add_refresh_token(&self, token: &str, user: &str) {
        self.lock()
            .refresh_tokens
            .insert(token.to_string(), user.to_string());
    }

    pub fn set_lifetimes(&self, lifetimes: Lifetimes) {
        self.lock().lifetimes = lifetimes;
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<TokenRequest> {
        self.lock().requests.clone()
    }

    /// How many tokens were handed out.
    pub fn issued(&self) -> usize {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.token.is_some())
            .count()
    }

    /// `127.0.0.1:PORT`: what the proxy must allow-list to reach it over HTTP.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn realm(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// The registry's `auth:` section trusting this server.
    pub fn registry_auth(&self) -> String {
        format!(
            "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
            self.realm(),
            self.dir.path().join("root.pem").display()
        )
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `GET /token?service=&scope=...` with optional Basic auth.
async fn get_token(
    State(shared): State<Shared>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let scopes: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == "scope")
        .flat_map(|(_, v)| v.split(' ').map(str::to_string))
        .filter(|s| !s.is_empty())
        .collect();
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let who = match basic {
        None => Ok(None),
        Some(pair) => {
            let (user, password) = pair.split_once(':').unwrap_or((pair.as_str(), ""));
            let inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
            match inner.users.get(user) {
                Some((p, _)) if p == password => Ok(Some(user.to_string())),
                _ => Err(user.to_string()),
            }
        }
    };
    answer(&shared, "GET", who, scopes, false)
}

/// `POST /token` (OAuth2): `grant_type=refresh_token` or `password`.
async fn post_token(
    State(shared): State<Shared>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let scopes: Vec<String> = field("scope")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let who = {
        let inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
        match field("grant_type").as_str() {
            "refresh_token" => inner
                .refresh_tokens
                .get(&field("refresh_token"))
                .cloned()
                .map(Some)
                .ok_or_else(|| "<refresh token>".to_string()),
            "password" => {
                let user = field("username");
                match inner.users.get(&user) {
                    Some((p, _)) if *p == field("password") => Ok(Some(user)),
                    _ => Err(user),
                }
            }
            _ => Err("<unsupported grant>".to_string()),
        }
    };
    answer(&shared, "POST", who, scopes, true)
}

fn answer(
    shared: &Shared,
    method: &'static str,
    who: Result<Option<String>, String>,
    scopes: Vec<String>,
    oauth: bool,
) -> Response {
    let mut inner = shared.inner.lock().unwrap_or_else(|p| p.into_inner());
    let user = match who {
        Ok(user) => user,
        Err(user) => {
            inner.requests.push(TokenRequest {
                method,
                user: Some(user),
                scopes,
                status: 401,
                token: None,
            });
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]})),
            )
                .into_response();
        }
    };
    let grants = match &user {
        Some(u) => inner
            .users
            .get(u)
            .map(|(_, g)| g.clone())
            .unwrap_or_default(),
        None => inner.anonymous.clone(),
    };
    let mut access = Vec::new();
    for scope in &scopes {
        let mut parts = scope.splitn(3, ':');
        let (Some(kind), Some(name), Some(actions)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let asked: Vec<String> = actions.split(',').map(str::to_string).collect();
        let granted = grants.granted(name, &asked);
        access.push(json!({"type": kind, "name": name, "actions": granted}));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    inner.next_id += 1;
    let lifetimes = inner.lifetimes;
    let claims = json!({
        "iss": ISSUER,
        "sub": user.clone().unwrap_or_default(),
        "aud": SERVICE,
        "exp": now + lifetimes.exp_offset,
        "nbf": now - 1,
        "iat": now,
        "jti": format!("token-{}", inner.next_id),
        "access": access,
    });
    let header = json!({"typ": "JWT", "alg": "ES256", "x5c": [shared.x5c]});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = match shared
        .key
        .sign(&SystemRandom::new(), signing_input.as_bytes())
    {
        Ok(s) => s,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let token = format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    );
    inner.requests.push(TokenRequest {
        method,
        user,
        scopes,
        status: 200,
        token: Some(token.clone()),
    });
    let body = if oauth {
        json!({"access_token": token, "expires_in": lifetimes.expires_in, "scope": ""})
    } else {
        json!({"token": token, "expires_in": lifetimes.expires_in})
    };
    axum::Json(body).into_response()
}
