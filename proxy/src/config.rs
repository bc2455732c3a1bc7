//! Server settings in one value, so the binary, the tests and any embedding
//! program configure the server the same way (the CLI only fills this in).

use std::net::SocketAddr;
use std::path::PathBuf;

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
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(DEFAULT_LISTEN)
    }
}
