//! Server settings in one value, so the binary, the tests and any embedding
//! program configure the server the same way (the CLI only fills this in).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::registry::credentials::DockerCredentials;
use crate::registry::retry::RetryPolicy;

/// Origins allowed by default: `trunk serve` on its default port, so the page
/// can be developed against a running proxy.
pub const DEFAULT_ALLOWED_ORIGINS: [&str; 2] = ["http://127.0.0.1:8081", "http://localhost:8081"];

/// The default listen address: loopback only, the proxy is a local tool.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the server listens (informational for `router`; `serve` takes a listener).
    pub listen: SocketAddr,
    /// `HOST[:PORT]` registries reached over plain HTTP, and the only targets
    /// allowed to resolve to loopback, private or link-local addresses.
    pub insecure_registries: Vec<String>,
    /// The built frontend (Trunk's `dist/`).
    pub dist_dir: PathBuf,
    /// Origins whose pages may call the API (CORS). Never `*`.
    pub allowed_origins: Vec<String>,
    /// Timeouts, retries and concurrency bounds of registry traffic.
    pub registry: RegistrySettings,
    /// Proxy-side credentials (the Docker client's config and credential
    /// helpers), used for registries the page typed none in for. `None`
    /// (the default here): off. The binary turns it on when it listens on
    /// loopback (`--docker-credentials`).
    pub docker_credentials: Option<DockerCredentials>,
}

/// How registry traffic is bounded. The defaults suit real registries; the
/// fault-injection tests shorten them so a hung registry fails fast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySettings {
    /// Establishing a TCP (+TLS) connection.
    pub connect_timeout: Duration,
    /// One request, answer body included (blob copies get longer).
    pub request_timeout: Duration,
    /// One whole API operation (an inspection, a plan), retries included.
    pub operation_timeout: Duration,
    /// Which failures are retried, how often, how long.
    pub retry: RetryPolicy,
    /// Requests in flight to one registry.
    pub per_registry_concurrency: usize,
    /// Requests in flight to all registries.
    pub global_concurrency: usize,
    /// API requests handled at once (more wait their turn).
    pub api_concurrency: usize,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        RegistrySettings {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            operation_timeout: Duration::from_secs(180),
            retry: RetryPolicy::default(),
            per_registry_concurrency: 32,
            global_concurrency: 128,
            api_concurrency: 256,
        }
    }
}

impl Config {
    /// Defaults: no insecure registries, `dist`, the `trunk serve` origins.
    pub fn new(listen: SocketAddr) -> Self {
        Config {
            listen,
            insecure_registries: Vec::new(),
            dist_dir: PathBuf::from("dist"),
            allowed_origins: DEFAULT_ALLOWED_ORIGINS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            registry: RegistrySettings::default(),
            docker_credentials: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(DEFAULT_LISTEN)
    }
}
