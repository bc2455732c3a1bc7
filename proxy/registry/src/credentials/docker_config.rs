//! The Docker client's `config.json`, read the way the Docker CLI reads it.
//!
//! People have already logged in with `docker login`; asking them to type the
//! same secret into a web page is friction, and a worse place for it. So a
//! proxy running on their own machine can use the same store. The rules follow
//! the CLI (`cli/config/configfile`): a `credHelpers` entry for the registry
//! wins, then `credsStore` (which then serves every registry: the `auths`
//! entries are only placeholders), then the base64 `auth` in `auths`.
//! Docker Hub is filed under `https://index.docker.io/v1/`.
//!
//! Parsing is pure (no I/O) so every shape, and every broken one, is unit
//! tested. Errors name the file and the entry, never the secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;
use shared::credentials::{Credential, registry_key};

/// The key the Docker CLI files Docker Hub's credentials under, and the
/// server URL it hands to credential helpers for Docker Hub.
pub const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";

/// The username credential helpers answer when the secret is an identity
/// token (an OAuth2 refresh token), not a password.
pub const IDENTITY_TOKEN_USERNAME: &str = "<token>";

/// Why the config cannot be used. Messages name the file and the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DockerConfigError {
    #[error("cannot read the Docker config {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error(
        "the Docker config {path} is not valid JSON of the expected shape ({problem} at line {line}, column {column})"
    )]
    Syntax {
        path: PathBuf,
        problem: &'static str,
        line: usize,
        column: usize,
    },
    #[error("the Docker config {path}: auths.\"{entry}\".auth is {reason}")]
    BadAuth {
        path: PathBuf,
        entry: String,
        reason: &'static str,
    },
    #[error(
        "the Docker config {path}: {field} names the credential helper `{name}`, which is not a plain program name"
    )]
    BadHelperName {
        path: PathBuf,
        field: String,
        name: String,
    },
}

/// Where a helper was named, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelperOrigin {
    /// `credHelpers."<key>"`
    CredHelpers(String),
    CredsStore,
}

impl std::fmt::Display for HelperOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HelperOrigin::CredHelpers(key) => write!(f, "credHelpers.\"{key}\""),
            HelperOrigin::CredsStore => f.write_str("credsStore"),
        }
    }
}

/// What the config says about one registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Ask `docker-credential-<helper> get` for `server_url`.
    Helper {
        helper: String,
        server_url: String,
        origin: HelperOrigin,
    },
    /// Stored in `auths` (user + password, or `<token>` + identity token).
    Stored(Credential),
    /// Nothing for this registry.
    Nothing,
}

/// A parsed `config.json` (only what credentials need).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerConfig {
    path: PathBuf,
    auths: BTreeMap<String, AuthEntry>,
    cred_helpers: BTreeMap<String, String>,
    creds_store: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// Never prints secrets.
impl std::fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthEntry")
            .field("auth", &self.auth.as_ref().map(|_| "<redacted>"))
            .field("username", &self.username)
            .field(
                "identitytoken",
                &self.identitytoken.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

impl DockerConfig {
    /// Parse the bytes of `path` (named in errors).
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<DockerConfig, DockerConfigError> {
        // Docker accepts an empty file as an empty config.
        let raw: Raw = if bytes.iter().all(u8::is_ascii_whitespace) {
            Raw {
                auths: BTreeMap::new(),
                cred_helpers: BTreeMap::new(),
                creds_store: None,
            }
        } else {
            serde_json::from_slice(bytes).map_err(|e| DockerConfigError::Syntax {
                path: path.to_path_buf(),
                problem: shared::json_error::secret_safe_problem(&e),
                line: e.line(),
                column: e.column(),
            })?
        };
        let config = DockerConfig {
            path: path.to_path_buf(),
            auths: raw.auths,
            cred_helpers: raw.cred_helpers,
            creds_store: raw.creds_store.filter(|s| !s.trim().is_empty()),
        };
        if let Some(store) = &config.creds_store {
            config.check_helper_name(store, "credsStore".into())?;
        }
        for (key, helper) in &config.cred_helpers {
            config.check_helper_name(helper, format!("credHelpers.\"{key}\""))?;
        }
        Ok(config)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn check_helper_name(&self, name: &str, field: String) -> Result<(), DockerConfigError> {
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !name.starts_with('.');
        if plain {
            Ok(())
        } else {
            Err(DockerConfigError::BadHelperName {
                path: self.path.clone(),
                field,
                name: name.to_string(),
            })
        }
    }

    /// What to use for `registry` (as in a reference: `docker.io`, `ghcr.io`,
    /// `localhost:5000`).
    pub fn lookup(&self, registry: &str) -> Result<Lookup, DockerConfigError> {
        let wanted = registry_key(registry);
        let server_url = if wanted == "docker.io" {
            DOCKER_HUB_SERVER.to_string()
        } else {
            wanted.clone()
        };
        if let Some((key, helper)) = find(&self.cred_helpers, registry, &wanted) {
            return Ok(Lookup::Helper {
                helper: helper.clone(),
                server_url,
                origin: HelperOrigin::CredHelpers(key.to_string()),
            });
        }
        if let Some(store) = &self.creds_store {
            return Ok(Lookup::Helper {
                helper: store.clone(),
                server_url,
                origin: HelperOrigin::CredsStore,
            });
        }
        match find(&self.auths, registry, &wanted) {
            Some((key, entry)) => self.stored(key, entry),
            None => Ok(Lookup::Nothing),
        }
    }

    /// An `auths` entry as the CLI decodes it: `auth` is base64 `user:password`
    /// (else the `username`/`password` fields); an `identitytoken` is used
    /// instead of the password, as a refresh token.
    fn stored(&self, key: &str, entry: &AuthEntry) -> Result<Lookup, DockerConfigError> {
        let bad = |reason: &'static str| DockerConfigError::BadAuth {
            path: self.path.clone(),
            entry: key.to_string(),
            reason,
        };
        let (username, password) = match entry.auth.as_deref().map(str::trim) {
            Some(encoded) if !encoded.is_empty() => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|_| bad("not valid base64"))?;
                let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 once decoded"))?;
                let (u, p) = text
                    .split_once(':')
                    .ok_or_else(|| bad("not of the form base64(username:password)"))?;
                (u.to_string(), p.to_string())
            }
            _ => (
                entry.username.clone().unwrap_or_default(),
                entry.password.clone().unwrap_or_default(),
            ),
        };
        if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Lookup::Stored(Credential {
                username: IDENTITY_TOKEN_USERNAME.into(),
                password: token.to_string(),
            }));
        }
        if username.is_empty() && password.is_empty() {
            // `{}`: what `docker login` leaves when a credential store holds the secret.
            return Ok(Lookup::Nothing);
        }
        Ok(Lookup::Stored(Credential { username, password }))
    }
}

/// The entry for a registry: the exact key, else any key naming the same
/// host (`https://ghcr.io`, `ghcr.io/v2/`, Docker Hub's aliases).
fn find<'m, V>(
    map: &'m BTreeMap<String, V>,
    registry: &str,
    wanted: &str,
) -> Option<(&'m str, &'m V)> {
    if let Some((k, v)) = map.get_key_value(registry) {
        return Some((k.as_str(), v));
    }
    map.iter()
        .find(|(k, _)| registry_key(k) == wanted)
        .map(|(k, v)| (k.as_str(), v))
}

/// Is this credential an identity token (from `identitytoken` or a helper's `<token>`)?
pub fn is_identity_token(credential: &Credential) -> bool {
    credential.username == IDENTITY_TOKEN_USERNAME
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<DockerConfig, DockerConfigError> {
        DockerConfig::parse(Path::new("/home/u/.docker/config.json"), json.as_bytes())
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn stored(user: &str, password: &str) -> Lookup {
        Lookup::Stored(Credential {
            username: user.into(),
            password: password.into(),
        })
    }

    #[test]
    fn auths_base64_user_password() {
        let c = parse(&format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}},"localhost:5000":{{"auth":"{}"}}}}}}"#,
            b64("me:pa:ss"),
            b64("local:pw")
        ))
        .unwrap();
        // Only the first colon separates: passwords may contain colons.
        assert_eq!(c.lookup("ghcr.io").unwrap(), stored("me", "pa:ss"));
        assert_eq!(c.lookup("localhost:5000").unwrap(), stored("local", "pw"));
        assert_eq!(c.lookup("localhost:5001").unwrap(), Lookup::Nothing);
        assert_eq!(c.lookup("quay.io").unwrap(), Lookup::Nothing);
    }

    #[test]
    fn keys_with_scheme_and_path_match_by_host() {
        let c = parse(&format!(
            r#"{{"auths":{{"https://ghcr.io/v2/":{{"auth":"{}"}}}}}}"#,
            b64("a:b")
        ))
        .unwrap();
        assert_eq!(c.lookup("ghcr.io").unwrap(), stored("a", "b"));
        assert_eq!(c.lookup("GHCR.io").unwrap(), stored("a", "b"));
    }

    #[test]
    fn docker_hub_under_any_of_its_names() {
        for key in [
            DOCKER_HUB_SERVER,
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
        ] {
            let c = parse(&format!(
                r#"{{"auths":{{"{key}":{{"auth":"{}"}}}}}}"#,
                b64("hub:pw")
            ))
            .unwrap();
            for asked in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
                assert_eq!(
                    c.lookup(asked).unwrap(),
                    stored("hub", "pw"),
                    "{key} / {asked}"
                );
            }
            assert_eq!(c.lookup("ghcr.io").unwrap(), Lookup::Nothing);
        }
    }

    #[test]
    fn identity_token_replaces_the_password() {
        let c = parse(&format!(
            r#"{{"auths":{{"r.example":{{"auth":"{}","identitytoken":"refresh-me"}}}}}}"#,
            b64("user:")
        ))
        .unwrap();
        let Lookup::Stored(cred) = c.lookup("r.example").unwrap() else {
            panic!("expected a stored credential")
        };
        assert!(is_identity_token(&cred));
        assert_eq!(cred.password, "refresh-me");
    }

    #[test]
    fn username_password_fields_and_empty_entries() {
        let c = parse(
            r#"{"auths":{"a.example":{"username":"u","password":"p"},"b.example":{},"c.example":{"auth":""}}}"#,
        )
        .unwrap();
        assert_eq!(c.lookup("a.example").unwrap(), stored("u", "p"));
        assert_eq!(c.lookup("b.example").unwrap(), Lookup::Nothing);
        assert_eq!(c.lookup("c.example").unwrap(), Lookup::Nothing);
    }

    #[test]
    fn cred_helpers_win_then_creds_store_then_auths() {
        let c = parse(&format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}},"credHelpers":{{"ghcr.io":"gh","https://index.docker.io/v1/":"hubhelper"}}}}"#,
            b64("x:y")
        ))
        .unwrap();
        assert_eq!(
            c.lookup("ghcr.io").unwrap(),
            Lookup::Helper {
                helper: "gh".into(),
                server_url: "ghcr.io".into(),
                origin: HelperOrigin::CredHelpers("ghcr.io".into()),
            }
        );
        assert_eq!(
            c.lookup("docker.io").unwrap(),
            Lookup::Helper {
                helper: "hubhelper".into(),
                server_url: DOCKER_HUB_SERVER.into(),
                origin: HelperOrigin::CredHelpers(DOCKER_HUB_SERVER.into()),
            }
        );
        assert_eq!(c.lookup("quay.io").unwrap(), Lookup::Nothing);

        // With a credsStore, `auths` entries are placeholders: the store serves all.
        let c = parse(&format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}},"credsStore":"desktop","credHelpers":{{"localhost:5000":"local"}}}}"#,
            b64("x:y")
        ))
        .unwrap();
        assert!(matches!(
            c.lookup("ghcr.io").unwrap(),
            Lookup::Helper { helper, origin: HelperOrigin::CredsStore, .. } if helper == "desktop"
        ));
        assert!(matches!(
            c.lookup("localhost:5000").unwrap(),
            Lookup::Helper { helper, .. } if helper == "local"
        ));
        // An empty credsStore is no store.
        let c = parse(r#"{"credsStore":""}"#).unwrap();
        assert_eq!(c.lookup("ghcr.io").unwrap(), Lookup::Nothing);
    }

    #[test]
    fn broken_auth_entries_name_the_file_and_entry_not_the_secret() {
        let c = parse(r#"{"auths":{"ghcr.io":{"auth":"%%%not-base64-hunter2"}}}"#).unwrap();
        let e = c.lookup("ghcr.io").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("/home/u/.docker/config.json"), "{msg}");
        assert!(msg.contains("auths.\"ghcr.io\".auth"), "{msg}");
        assert!(msg.contains("base64"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
        let c = parse(&format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}}}}}}"#,
            b64("no-colon-secret")
        ))
        .unwrap();
        let msg = c.lookup("ghcr.io").unwrap_err().to_string();
        assert!(msg.contains("username:password"), "{msg}");
        assert!(!msg.contains("no-colon-secret"), "{msg}");
        // Another registry's broken entry does not matter.
        assert_eq!(c.lookup("quay.io").unwrap(), Lookup::Nothing);
    }

    #[test]
    fn broken_files_and_helper_names() {
        let e = parse(r#"{"auths": {"ghcr.io": {"auth": "c2VjcmV0"}"#).unwrap_err();
        assert!(
            matches!(
                e,
                DockerConfigError::Syntax {
                    problem: "truncated JSON",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = parse(r#"{"auths": {"ghcr.io": "s3cret-value"}}"#).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("unexpected shape"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
        for bad in ["../evil", "/bin/sh", "a b", ""] {
            let e = parse(&format!(r#"{{"credHelpers":{{"ghcr.io":"{bad}"}}}}"#));
            if bad.is_empty() {
                assert!(e.is_err(), "an empty helper name");
                continue;
            }
            let msg = e.unwrap_err().to_string();
            assert!(msg.contains("credHelpers.\"ghcr.io\""), "{msg}");
        }
        let msg = parse(r#"{"credsStore":"x/y"}"#).unwrap_err().to_string();
        assert!(msg.contains("credsStore"), "{msg}");
        // Empty files and unrelated fields are fine.
        assert_eq!(
            parse("").unwrap().lookup("ghcr.io").unwrap(),
            Lookup::Nothing
        );
        assert_eq!(
            parse(r#"{"psFormat":"table","proxies":{}}"#)
                .unwrap()
                .lookup("x.io")
                .unwrap(),
            Lookup::Nothing
        );
    }

    #[test]
    fn debug_never_prints_secrets() {
        let c = parse(&format!(
            r#"{{"auths":{{"ghcr.io":{{"auth":"{}","identitytoken":"idtok-secret"}}}}}}"#,
            b64("u:pw-secret")
        ))
        .unwrap();
        let text = format!("{c:?}");
        assert!(
            !text.contains("secret") && !text.contains(&b64("u:pw-secret")),
            "{text}"
        );
    }
}
