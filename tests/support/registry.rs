//! A real registry per test: Debian's CNCF distribution 2.8 (`docker-registry`)
//! on a free 127.0.0.1 port with throw-away storage.
//!
//! Why a real one and not a fake: the proxy has to cope with what registries
//! actually do (Accept negotiation that hides OCI indexes, `Location` headers,
//! htpasswd challenges, existence checks on index children), and only the real
//! server does all of it. Each test gets its own process, so tests never see
//! each other's tags and can run in parallel.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::push::{BasicAuth, Pusher};

/// Where Debian installs the registry.
pub const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// How often a fresh port is tried when the registry cannot bind (another
/// process took the port between our probe and its bind).
const START_ATTEMPTS: usize = 5;

/// How long the registry may take to answer `/v2/` after starting.
const READY_POLLS: usize = 400;
const READY_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Why a registry could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot prepare the registry's temp directory or config: {0}")]
    Setup(#[from] std::io::Error),
    #[error("`htpasswd -Bbn` failed ({status}): {stderr}; is apache2-utils installed?")]
    Htpasswd { status: String, stderr: String },
    #[error("cannot run {REGISTRY_BIN}: {0}; is the docker-registry package installed?")]
    Spawn(std::io::Error),
    #[error("docker-registry exited ({status}) before it answered /v2/; its log:\n{log}")]
    Exited { status: String, log: String },
    #[error("docker-registry did not answer http://{addr}/v2/ in time; its log:\n{log}")]
    NotReady { addr: SocketAddr, log: String },
}

/// Options for [`Registry::start_with`].
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Require HTTP Basic auth (an htpasswd file with this one user).
    pub htpasswd: Option<BasicAuth>,
    /// A whole `auth:` section instead (e.g. token auth, see
    /// `token_server::TokenServer::registry_auth`).
    pub auth_yaml: Option<String>,
    /// Serve this storage directory instead of a fresh one, e.g. another
    /// registry's `storage_dir()` (content seeded there shows up here).
    pub storage: Option<PathBuf>,
    /// Serve HTTPS with a freshly made self-signed certificate for
    /// 127.0.0.1 (which no client trusts unless told to).
    pub self_signed_tls: bool,
}

/// A running `docker-registry`; stopped and its storage removed on drop.
pub struct Registry {
    child: Child,
    addr: SocketAddr,
    auth: Option<BasicAuth>,
    /// `http` or `https`.
    scheme: &'static str,
    // Dropped after the child is killed (field order), removing the storage.
    dir: tempfile::TempDir,
}

impl Registry {
    /// An anonymous registry (anyone may pull and push).
    pub async fn start() -> Result<Registry, RegistryError> {
        Registry::start_with(RegistryOptions::default()).await
    }

    /// A registry requiring `user`/`password` (Basic auth, htpasswd).
    pub async fn start_with_auth(user: &str, password: &str) -> Result<Registry, RegistryError> {
        Registry::start_with(RegistryOptions {
            htpasswd: Some(BasicAuth::new(user, password)),
            ..RegistryOptions::default()
        })
        .await
    }

    pub async fn start_with(options: RegistryOptions) -> Result<Registry, RegistryError> {
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            match Registry::try_start(&options).await {
                Ok(registry) => return Ok(registry),
                // Most likely the port was taken after we probed it: retry.
                Err(e @ RegistryError::Exited { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.expect("at least one attempt"))
    }

    async fn try_start(options: &RegistryOptions) -> Result<Registry, RegistryError> {
        let dir = tempfile::Builder::new()
            .prefix("mw-test-registry-")
            .tempdir()?;
        let addr = free_loopback_addr()?;
        let auth_section = match &options.htpasswd {
            Some(auth) => {
                let path = dir.path().join("htpasswd");
                write_htpasswd(&path, auth)?;
                format!(
                    "auth:\n  htpasswd:\n    realm: manifest-web-tests\n    path: {}\n",
                    path.display()
                )
            }
            None => options.auth_yaml.clone().unwrap_or_default(),
        };
        let storage = options
            .storage
            .clone()
            .unwrap_or_else(|| dir.path().join("data"));
        let tls_section = if options.self_signed_tls {
            let (cert, key) = write_self_signed(dir.path())?;
            format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            )
        } else {
            String::new()
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n{tls_section}{auth_section}",
            storage.display()
        );
        let config_path = dir.path().join("config.yml");
        fs::write(&config_path, config)?;
        let log_path = dir.path().join("registry.log");
        let log = fs::File::create(&log_path)?;
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(RegistryError::Spawn)?;
        let mut registry = Registry {
            child,
            addr,
            auth: options.htpasswd.clone(),
            scheme: if options.self_signed_tls {
                "https"
            } else {
                "http"
            },
            dir,
        };
        registry.wait_ready().await?;
        Ok(registry)
    }

    /// Poll `/v2/` until the registry answers (any status: 401 counts).
    async fn wait_ready(&mut self) -> Result<(), RegistryError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            // Our own self-signed loopback registry.
            .danger_accept_invalid_certs(true)
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| RegistryError::Setup(std::io::Error::other(e)))?;
        let url = format!("{}/v2/", self.url());
        for _ in 0..READY_POLLS {
            if let Some(status) = self.child.try_wait()? {
                return Err(RegistryError::Exited {
                    status: status.to_string(),
                    log: self.log(),
                });
            }
            if http.get(&url).send().await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(READY_POLL_INTERVAL).await;
        }
        Err(RegistryError::NotReady {
            addr: self.addr,
            log: self.log(),
        })
    }

    /// `127.0.0.1:PORT`: the registry part of references, and what the proxy
    /// must be told is an insecure registry.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` with `self_signed_tls`).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// `127.0.0.1:PORT/REPO:TAG`-style reference to something in this registry.
    pub fn reference(&self, repo_and_tag_or_digest: &str) -> String {
        format!("{}/{repo_and_tag_or_digest}", self.host())
    }

    /// The credentials it was started with, if any.
    pub fn auth(&self) -> Option<&BasicAuth> {
        self.auth.as_ref()
    }

    /// A pusher for this registry, authenticated when the registry requires it.
    pub fn pusher(&self) -> Pusher {
        Pusher::new(&self.url(), self.auth.clone())
            .expect("a 127.0.0.1 registry URL is always accepted")
    }

    /// A pusher without credentials, whatever the registry requires.
    pub fn anonymous_pusher(&self) -> Pusher {
        Pusher::new(&self.url(), None).expect("a 127.0.0.1 registry URL is always accepted")
    }

    /// The registry's own log so far (for failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Where the registry keeps its blobs and manifests (fault tests corrupt them).
    pub fn storage_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on right now.
pub fn free_loopback_addr() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.local_addr()
}

fn write_htpasswd(path: &Path, auth: &BasicAuth) -> Result<(), RegistryError> {
    let out = Command::new("htpasswd")
        .args(["-Bbn", &auth.username, &auth.password])
        .output()
        .map_err(RegistryError::Setup)?;
    if !out.status.success() {
        return Err(RegistryError::Htpasswd {
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    fs::write(path, &out.stdout)?;
    Ok(())
}

/// A self-signed certificate and its key for `127.0.0.1`, as PEM files in
/// `dir`: (certificate, key).
fn write_self_signed(dir: &std::path::Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let key = rcgen::KeyPair::generate().map_err(std::io::Error::other)?;
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .map_err(std::io::Error::other)?;
    let cert = params.self_signed(&key).map_err(std::io::Error::other)?;
    let (cert_path, key_path) = (dir.join("tls-cert.pem"), dir.join("tls-key.pem"));
    fs::write(&cert_path, cert.pem())?;
    fs::write(&key_path, key.serialize_pem())?;
    Ok((cert_path, key_path))
}
