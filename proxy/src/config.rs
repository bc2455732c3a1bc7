//! Server settings in one value, so the binary, the tests and any embedding
//! program configure the server the same way (the CLI only fills this in).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::client_limits::ClientLimitSettings;
use crate::error::ProxyError;
use crate::routes::cache_control::TagCaching;
use crate::serve::ConnectionLimits;
pub use registry::RegistrySettings;
use registry::credentials::DockerCredentials;

/// The origins of `trunk serve` on its default port, allowed only with
/// `--dev`: any page served from local port 8081 would otherwise drive the
/// whole API.
pub const DEV_ORIGINS: [&str; 2] = ["http://127.0.0.1:8081", "http://localhost:8081"];

/// The default listen address: loopback only, the proxy is a local tool.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where the server listens (informational for `router`; `serve` takes a listener).
    pub listen: SocketAddr,
    /// `HOST[:PORT]` registries reached over plain HTTP, and the only targets
    /// allowed to resolve to loopback, private or link-local addresses.
    pub insecure_registries: Vec<String>,
    /// A directory of the built frontend (Trunk's `dist/`) to serve instead
    /// of the page built into the binary (`None`, the default; see
    /// `page_files::PageFiles::choose`).
    pub dist_dir: Option<PathBuf>,
    /// Origins whose pages may call the API (CORS). Never `*`.
    pub allowed_origins: Vec<String>,
    /// Timeouts, retries, concurrency bounds and cache size of registry traffic.
    pub registry: RegistrySettings,
    /// Caps and concurrency of inspections, plans, pushes and referrers.
    pub operations: OperationSettings,
    /// API requests handled at once (more wait their turn). Default 256.
    pub api_concurrency: usize,
    /// Request bodies (push specs) larger than this are refused with 413.
    /// Default 1 MiB.
    pub body_limit: usize,
    /// Proxy-side credentials (the Docker client's config and credential
    /// helpers), used for registries the page typed none in for. `None`
    /// (the default here): off. The binary turns it on when it listens on
    /// loopback (`--docker-credentials`).
    pub docker_credentials: Option<DockerCredentials>,
    /// How long a request head may take, how many connections and requests
    /// per connection (see `serve`).
    pub connections: ConnectionLimits,
    /// Running for people the owner does not know (`--public`): no
    /// proxy-side credentials, no insecure registries (checked by
    /// [`Config::check_public`]), per-client limits on.
    pub public: bool,
    /// Per-client request rate and inspections at once (`None`: off).
    pub client_limits: Option<ClientLimitSettings>,
    /// How answers about tags may be kept by caches.
    pub tag_caching: TagCaching,
}

/// How much one API operation may fetch, describe and run at once. The
/// caps bound what a hostile or huge index can make the proxy hold; the
/// concurrency bounds keep one operation from monopolizing a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSettings {
    /// Children of an index fetched at once (inspect and plan). Default 64:
    /// a ~50-entry index is one wave of requests.
    pub child_concurrency: usize,
    /// Index entries whose child an inspection fetches and describes; the
    /// rest are listed with an error saying so. Default 1000.
    pub max_described_entries: usize,
    /// Layer descriptors shown across the distinct children of one index
    /// (each child's counted once, however many entries name it).
    /// Default 100 000.
    pub max_described_layers: usize,
    /// Bytes of registry content (manifests, configs, referrers pages) one
    /// inspection, one plan or one referrers listing may fetch, each distinct digest counted once; past it the
    /// operation fails with a 502 naming the limit (see
    /// `registry::budget`). Default 32 MiB.
    pub max_fetched_bytes: u64,
    /// Bytes of one inspection's answer (its JSON, or its manifest-tool
    /// text): past it the inspection fails with a 502 naming the limit.
    /// Children are described once however many entries name them, so a
    /// healthy answer is at most about twice what was fetched (a config
    /// both parsed and raw); this bounds what the rest can add (the
    /// manifest-tool text repeats a child's layers under every entry).
    /// Default 32 MiB.
    pub max_answer_bytes: u64,
    /// Sources of a push spec fetched at once. Default 16.
    pub source_concurrency: usize,
    /// Entries a source index may list: each becomes an entry of the plan
    /// with its own copy of the child. Default 1000.
    pub max_source_entries: usize,
    /// The child manifests of one source index, in bytes, counted per
    /// entry (checked before fetching, from the index); and the child
    /// manifests and image configs the plan holds, counted per entry, across
    /// all its sources (checked before the copies are made). Default 64 MiB.
    pub max_source_child_bytes: u64,
    /// Steps of one push phase (blobs, manifests, tags) running at once.
    /// Default 32: each phase of a usual push is one wave.
    pub step_concurrency: usize,
    /// Pushes running at once in this server; more wait for a slot. A push
    /// outlives the request that started it, so the API's own request
    /// bounds do not hold it. Default 4.
    pub max_concurrent_pushes: usize,
    /// Pushes waiting for a slot, beyond those running. A push holds its
    /// plan (every manifest it will write) while it waits; past this bound
    /// a push is refused at once (503) instead of waiting. Default 16.
    pub max_queued_pushes: usize,
    /// Pages of a referrers list followed. Default 32.
    pub max_referrer_pages: usize,
    /// Referrers read in all. Default 10 000.
    pub max_referrers: usize,
    /// Pages of a registry's tag list followed for one answer of the tags
    /// API (registries that page below the `n` asked for). Default 16.
    pub max_tag_pages: usize,
}

impl Default for OperationSettings {
    fn default() -> Self {
        OperationSettings {
            child_concurrency: 64,
            max_described_entries: 1000,
            max_described_layers: 100_000,
            max_fetched_bytes: 32 * 1024 * 1024,
            max_answer_bytes: 32 * 1024 * 1024,
            source_concurrency: 16,
            max_source_entries: 1000,
            max_source_child_bytes: 64 * 1024 * 1024,
            step_concurrency: 32,
            max_concurrent_pushes: 4,
            max_queued_pushes: 16,
            max_referrer_pages: 32,
            max_referrers: 10_000,
            max_tag_pages: 16,
        }
    }
}

impl Config {
    /// Defaults: no insecure registries, the built-in page, no other origin allowed.
    pub fn new(listen: SocketAddr) -> Self {
        Config {
            listen,
            insecure_registries: Vec::new(),
            dist_dir: None,
            allowed_origins: Vec::new(),
            registry: RegistrySettings::default(),
            operations: OperationSettings::default(),
            api_concurrency: 256,
            body_limit: 1024 * 1024,
            docker_credentials: None,
            connections: ConnectionLimits::default(),
            public: false,
            client_limits: None,
            tag_caching: TagCaching::Revalidate,
        }
    }

    /// A public instance lends nobody the owner's logins and reaches no
    /// private network: refuse the settings that would.
    pub fn check_public(&self) -> Result<(), ProxyError> {
        if !self.public {
            return Ok(());
        }
        if let Some(docker) = &self.docker_credentials {
            return Err(ProxyError::InvalidSettings(format!(
                "--public refuses proxy-side credentials (the Docker config {} and its credential helpers): a public instance would lend this machine's registry logins to anyone; drop --docker-config and --docker-credentials on",
                docker.config_file.display()
            )));
        }
        if let Some(first) = self.insecure_registries.first() {
            return Err(ProxyError::InvalidSettings(format!(
                "--public refuses --insecure-registry {first}: it would let anyone reach that host over plain HTTP or on a private address through this server"
            )));
        }
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new(DEFAULT_LISTEN)
    }
}
