//! Where a request's registry credentials come from, per registry, in order:
//! 1. typed into the page (the `x-registry-auth` header);
//! 2. the Docker client's config on the proxy's machine (`--docker-config`,
//!    else `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`):
//!    `credHelpers`, `credsStore`, `auths`, as the Docker CLI reads them;
//! 3. none (anonymous).
//!
//! Step 2 hands the proxy owner's logins to whoever can reach the proxy, so
//! it is only on by default when the proxy listens on loopback (see
//! `Config::docker_credentials`). The config is read on every lookup, like
//! the CLI does, so a `docker login` takes effect without a restart.

pub mod docker_config;
pub mod helper;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use shared::api::{AuthInfo, AuthSource};
use shared::credentials::{Credential, CredentialSet};

use crate::error::RegistryError;
use docker_config::{DockerConfig, Lookup};

/// The Docker config the proxy reads its own credentials from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerCredentials {
    /// The `config.json` file.
    pub config_file: PathBuf,
    /// Given explicitly (`--docker-config`): a missing file is an error,
    /// not "no credentials".
    pub explicit: bool,
    /// Where `docker-credential-*` helpers are looked up (`PATH`-style);
    /// `None`: the proxy's `PATH`.
    pub helper_search_path: Option<OsString>,
}

impl DockerCredentials {
    /// `PATH` (a file, or a directory holding `config.json`), as given to
    /// `--docker-config`.
    pub fn at(path: &Path) -> Self {
        let config_file = if path.is_dir() {
            path.join("config.json")
        } else {
            path.to_path_buf()
        };
        DockerCredentials {
            config_file,
            explicit: true,
            helper_search_path: None,
        }
    }

    /// Where the Docker CLI looks: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json` (`None` without a home directory).
    pub fn default_location() -> Option<Self> {
        let dir = match std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => std::env::home_dir()?.join(".docker"),
        };
        Some(DockerCredentials {
            config_file: dir.join("config.json"),
            explicit: false,
            helper_search_path: None,
        })
    }

    /// The config as it is now; `None` when there is none (default location only).
    pub fn read(&self) -> Result<Option<DockerConfig>, RegistryError> {
        match std::fs::read(&self.config_file) {
            Ok(bytes) => DockerConfig::parse(&self.config_file, &bytes)
                .map(Some)
                .map_err(|e| RegistryError::Credentials(e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !self.explicit => Ok(None),
            Err(e) => Err(RegistryError::Credentials(format!(
                "cannot read the Docker config {}: {e}",
                self.config_file.display()
            ))),
        }
    }

    fn search_path(&self) -> OsString {
        self.helper_search_path
            .clone()
            .unwrap_or_else(helper::default_search_path)
    }

    /// The proxy-side credential for `registry`, and where it came from.
    pub async fn lookup(
        &self,
        registry: &str,
    ) -> Result<Option<(Credential, AuthInfo)>, RegistryError> {
        let Some(config) = self.read()? else {
            return Ok(None);
        };
        let lookup = config
            .lookup(registry)
            .map_err(|e| RegistryError::Credentials(e.to_string()))?;
        match lookup {
            Lookup::Nothing => Ok(None),
            Lookup::Stored(credential) => Ok(Some((
                credential,
                AuthInfo {
                    source: AuthSource::DockerConfig,
                    registry: registry.to_string(),
                    helper: None,
                },
            ))),
            Lookup::Helper {
                helper,
                server_url,
                origin,
            } => {
                let program = helper::program_name(&helper);
                tracing::debug!(registry, helper = %program, "asking a credential helper");
                let answer = helper::get(&helper, &server_url, &self.search_path())
                    .await
                    .map_err(|e| {
                        RegistryError::Credentials(format!(
                            "{e} (named by {origin} in {}, for {registry})",
                            config.path().display()
                        ))
                    })?;
                Ok(answer.map(|credential| {
                    (
                        credential,
                        AuthInfo {
                            source: AuthSource::CredentialHelper,
                            registry: registry.to_string(),
                            helper: Some(program),
                        },
                    )
                }))
            }
        }
    }
}

/// What `--docker-config` and `--docker-credentials` amount to: the source
/// (`None`: off) and any warnings to print. `enabled: None` is the default:
/// on when listening on loopback only, because otherwise everyone who can
/// reach the proxy would be using the owner's logins.
pub fn from_flags(
    listen: std::net::SocketAddr,
    config_path: Option<&Path>,
    enabled: Option<bool>,
) -> (Option<DockerCredentials>, Vec<String>) {
    let loopback = listen.ip().is_loopback();
    let mut warnings = Vec::new();
    let on = enabled.unwrap_or(loopback);
    if !loopback {
        warnings.push(if on {
            format!(
                "listening on {listen}, which is not a loopback address, with --docker-credentials on: everyone who can reach it uses this machine's Docker logins"
            )
        } else {
            format!(
                "listening on {listen}, which is not a loopback address: anyone who can reach it can use it to reach registries (proxy-side Docker credentials are off)"
            )
        });
    }
    if !on {
        if config_path.is_some() {
            warnings
                .push("--docker-config is ignored: proxy-side Docker credentials are off".into());
        }
        return (None, warnings);
    }
    let source = match config_path {
        Some(p) => Some(DockerCredentials::at(p)),
        None => DockerCredentials::default_location(),
    };
    (source, warnings)
}

/// A credential for one registry and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub credential: Option<Credential>,
    pub info: AuthInfo,
}

/// Picks each registry's credential: typed, then proxy-side, then none.
#[derive(Debug, Clone, Default)]
pub struct CredentialResolver {
    docker: Option<DockerCredentials>,
}

impl CredentialResolver {
    /// `docker`: the proxy-side source, `None` when proxy-side credentials are off.
    pub fn new(docker: Option<DockerCredentials>) -> Self {
        CredentialResolver { docker }
    }

    pub fn docker(&self) -> Option<&DockerCredentials> {
        self.docker.as_ref()
    }

    pub async fn resolve(
        &self,
        typed: &CredentialSet,
        registry: &str,
    ) -> Result<Resolved, RegistryError> {
        if let Some(credential) = typed.for_registry(registry) {
            return Ok(Resolved {
                credential: Some(credential.clone()),
                info: AuthInfo {
                    source: AuthSource::Typed,
                    registry: registry.to_string(),
                    helper: None,
                },
            });
        }
        if let Some(docker) = &self.docker
            && let Some((credential, info)) = docker.lookup(registry).await?
        {
            return Ok(Resolved {
                credential: Some(credential),
                info,
            });
        }
        Ok(Resolved {
            credential: None,
            info: AuthInfo::anonymous(registry),
        })
    }

    /// `typed` plus the proxy-side credentials of those `registries` that have
    /// none typed in, for operations that touch several registries (push).
    pub async fn complete(
        &self,
        typed: &CredentialSet,
        registries: &[String],
    ) -> Result<(CredentialSet, Vec<AuthInfo>), RegistryError> {
        let mut set = typed.clone();
        let mut infos: Vec<AuthInfo> = Vec::new();
        for registry in registries {
            let registry = registry.as_str();
            if infos.iter().any(|i| i.registry == registry) {
                continue;
            }
            let resolved = self.resolve(typed, registry).await?;
            if let (Some(credential), AuthSource::DockerConfig | AuthSource::CredentialHelper) =
                (resolved.credential, resolved.info.source)
            {
                set.0.insert(registry.to_string(), credential);
            }
            infos.push(resolved.info);
        }
        Ok((set, infos))
    }
}

/// Add to a 401/403 which credentials were used, so "rejected" says whose.
pub fn explain(error: RegistryError, info: &AuthInfo) -> RegistryError {
    let used = format!("credentials used: {}", info.describe());
    match error {
        RegistryError::Unauthorized { registry, detail }
            if info.source != AuthSource::Anonymous =>
        {
            RegistryError::Unauthorized {
                registry,
                detail: append(&detail, &used),
            }
        }
        RegistryError::Denied { registry, detail } => RegistryError::Denied {
            registry,
            detail: append(&detail, &used),
        },
        other => other,
    }
}

fn append(detail: &str, more: &str) -> String {
    if detail.is_empty() {
        more.to_string()
    } else {
        format!("{detail}; {more}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn temp_config(name: &str, json: &str) -> (PathBuf, DockerCredentials) {
        let dir = std::env::temp_dir().join(format!("mw-cred-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), json).unwrap();
        let docker = DockerCredentials::at(&dir);
        (dir, docker)
    }

    fn cred(u: &str, p: &str) -> Credential {
        Credential {
            username: u.into(),
            password: p.into(),
        }
    }

    #[tokio::test]
    async fn typed_wins_then_docker_config_then_anonymous() {
        let auth = base64::engine::general_purpose::STANDARD.encode("cfg:pw");
        let (dir, docker) = temp_config(
            "order",
            &format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{auth}"}}}}}}"#),
        );
        assert_eq!(docker.config_file, dir.join("config.json"));
        let resolver = CredentialResolver::new(Some(docker));
        let typed = CredentialSet([("ghcr.io".to_string(), cred("typed", "t"))].into());
        let r = resolver.resolve(&typed, "ghcr.io").await.unwrap();
        assert_eq!(r.credential, Some(cred("typed", "t")));
        assert_eq!(r.info.source, AuthSource::Typed);
        let r = resolver
            .resolve(&CredentialSet::default(), "ghcr.io")
            .await
            .unwrap();
        assert_eq!(r.credential, Some(cred("cfg", "pw")));
        assert_eq!(r.info.source, AuthSource::DockerConfig);
        let r = resolver.resolve(&typed, "quay.io").await.unwrap();
        assert_eq!(r.credential, None);
        assert_eq!(r.info, AuthInfo::anonymous("quay.io"));
        // Off: the config is not consulted.
        let off = CredentialResolver::new(None);
        let r = off
            .resolve(&CredentialSet::default(), "ghcr.io")
            .await
            .unwrap();
        assert_eq!(r.info.source, AuthSource::Anonymous);

        let (set, infos) = resolver
            .complete(
                &CredentialSet::default(),
                &["ghcr.io".into(), "quay.io".into(), "ghcr.io".into()],
            )
            .await
            .unwrap();
        assert_eq!(set.for_registry("ghcr.io"), Some(&cred("cfg", "pw")));
        assert_eq!(set.0.len(), 1);
        assert_eq!(infos.len(), 2);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn missing_files_default_is_nothing_explicit_is_an_error() {
        let missing = std::env::temp_dir().join("mw-cred-surely-missing/config.json");
        let mut docker = DockerCredentials::at(&missing);
        let e = docker.lookup("ghcr.io").await.unwrap_err();
        assert!(
            e.to_string().contains("mw-cred-surely-missing/config.json"),
            "{e}"
        );
        docker.explicit = false;
        assert_eq!(docker.lookup("ghcr.io").await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_missing_helper_names_the_helper_and_the_file() {
        let (dir, mut docker) = temp_config("nohelper", r#"{"credsStore":"mw-not-installed"}"#);
        docker.helper_search_path = Some(OsString::from("/nonexistent-dir"));
        let e = docker.lookup("ghcr.io").await.unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("docker-credential-mw-not-installed"), "{msg}");
        assert!(msg.contains("credsStore"), "{msg}");
        assert!(
            msg.contains(&dir.join("config.json").display().to_string()),
            "{msg}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn flags_default_to_on_for_loopback_only() {
        let lo: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let lo6: std::net::SocketAddr = "[::1]:8080".parse().unwrap();
        let any: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let file = Path::new("/etc/mw/config.json");
        let (src, warnings) = from_flags(lo, Some(file), None);
        assert_eq!(src.unwrap().config_file, file);
        assert!(warnings.is_empty());
        assert!(from_flags(lo6, Some(file), None).0.is_some());
        let (src, warnings) = from_flags(lo, Some(file), Some(false));
        assert!(src.is_none());
        assert!(
            warnings[0].contains("--docker-config is ignored"),
            "{warnings:?}"
        );
        let (src, warnings) = from_flags(any, None, None);
        assert!(src.is_none());
        assert!(
            warnings[0].contains("not a loopback address"),
            "{warnings:?}"
        );
        let (src, warnings) = from_flags(any, Some(file), Some(true));
        assert!(src.is_some_and(|s| s.explicit));
        assert!(warnings[0].contains("Docker logins"), "{warnings:?}");
    }

    #[test]
    fn explanations_name_the_source() {
        let info = AuthInfo {
            source: AuthSource::CredentialHelper,
            registry: "r".into(),
            helper: Some("docker-credential-x".into()),
        };
        let e = explain(
            RegistryError::Unauthorized {
                registry: "r".into(),
                detail: "rejected".into(),
            },
            &info,
        );
        assert!(e.to_string().contains("docker-credential-x"), "{e}");
        let e = explain(
            RegistryError::Unauthorized {
                registry: "r".into(),
                detail: "x".into(),
            },
            &AuthInfo::anonymous("r"),
        );
        assert!(!e.to_string().contains("credentials used"), "{e}");
    }
}
