//! `manifest-web`: run the proxy and serve the page, or (with a command)
//! run manifest-tool's `inspect` and `push` right here.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use std::time::Duration;

use clap::Parser;
use proxy::Config;
use proxy::client_limits::ClientLimitSettings;
use proxy::registry::token_bucket::Rate;
use proxy::registry::upstream::UpstreamBudget;
use proxy::routes::cache_control::TagCaching;
use tracing_subscriber::EnvFilter;

/// Inspect and assemble multi-platform images in any OCI registry, from a
/// web page or from the command line.
///
/// Without a command, run the server (the page and its API) on --listen.
/// With `inspect` or `push`, do what manifest-tool does, with its flags and
/// output: `manifest-web inspect REF`, `manifest-web push from-spec
/// spec.yaml`, `manifest-web push from-args --platforms linux/amd64,linux/arm64
/// --template reg/app:v1-OS-ARCH --target reg/app:v1`. The global flags
/// (--username, --password, --docker-cfg, --insecure, --plain-http,
/// --debug) apply to the commands; the other flags to the server.
#[derive(Debug, Parser)]
#[command(name = "manifest-web", version)]
struct Args {
    #[command(subcommand)]
    command: Option<proxy::cli::Command>,
    #[command(flatten)]
    global: proxy::cli::GlobalFlags,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value_t = proxy::config::DEFAULT_LISTEN, env = "MANIFEST_WEB_LISTEN")]
    listen: SocketAddr,
    /// Registry allowed to use plain HTTP or a self-signed certificate (HTTPS
    /// is tried first, as by the Docker daemon) and to be on a loopback or
    /// private address (repeatable), e.g. 127.0.0.1:5000.
    #[arg(
        long = "insecure-registry",
        value_name = "HOST[:PORT]",
        env = "MANIFEST_WEB_INSECURE_REGISTRY",
        value_delimiter = ','
    )]
    insecure_registries: Vec<String>,
    /// Serve the page from this directory (`trunk build` output) instead of
    /// the one built into the binary (for frontend work).
    #[arg(long = "dist", value_name = "DIR", env = "MANIFEST_WEB_DIST")]
    dist_dir: Option<PathBuf>,
    /// Origin whose pages may call the API (repeatable); by default only the
    /// page this server serves.
    #[arg(
        long = "allow-origin",
        value_name = "ORIGIN",
        env = "MANIFEST_WEB_ALLOW_ORIGIN",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// Frontend work: also allow the `trunk serve` origins
    /// (http://127.0.0.1:8081 and http://localhost:8081).
    #[arg(long, env = "MANIFEST_WEB_DEV", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    dev: bool,
    /// Docker client config to take registry credentials from: a config.json,
    /// or a directory holding one. Default: $DOCKER_CONFIG/config.json, else
    /// ~/.docker/config.json.
    #[arg(
        long = "docker-config",
        value_name = "PATH",
        env = "MANIFEST_WEB_DOCKER_CONFIG"
    )]
    docker_config: Option<PathBuf>,
    /// Use this machine's Docker logins (config.json auths, credHelpers,
    /// credsStore) for registries the page gives no credentials for.
    /// Default: on when listening on a loopback address, off otherwise.
    #[arg(long = "docker-credentials", value_name = "on|off", value_parser = on_off, env = "MANIFEST_WEB_DOCKER_CREDENTIALS")]
    docker_credentials: Option<bool>,
    #[command(flatten)]
    operate: OperateFlags,
}

/// Running the server for strangers and operating it. Every flag can also
/// be set from the environment variable named in its help.
#[derive(Debug, clap::Args)]
struct OperateFlags {
    /// Public-service mode, for people you do not know: refuses proxy-side
    /// credentials and --insecure-registry, turns on the per-client limits
    /// and the upstream budget, lets caches keep tag answers a minute.
    #[arg(long, env = "MANIFEST_WEB_PUBLIC", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    public: bool,
    /// The per-client limits alone, without the rest of public mode (e.g.
    /// in front of a registry that needs --insecure-registry).
    #[arg(long, env = "MANIFEST_WEB_CLIENT_LIMITS", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    client_limits: bool,
    /// Per-client limits: API requests per second per client address.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10.0,
        env = "MANIFEST_WEB_CLIENT_RATE"
    )]
    client_rate: f64,
    /// Per-client limits: requests a client may send at once above the rate.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 20,
        env = "MANIFEST_WEB_CLIENT_BURST"
    )]
    client_burst: u32,
    /// Per-client limits: inspections (inspect, badge, referrers, plan) one
    /// client address may have running at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 4,
        env = "MANIFEST_WEB_CLIENT_CONCURRENCY"
    )]
    client_concurrency: usize,
    /// Per-client limits: client addresses remembered at once (the least recently
    /// seen is forgotten past it).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10_000,
        env = "MANIFEST_WEB_MAX_CLIENTS"
    )]
    max_clients: usize,
    /// A reverse proxy or load balancer whose X-Forwarded-For is believed
    /// (repeatable, or comma-separated), e.g. 10.0.0.0/8. Without it the
    /// peer address is the client.
    #[arg(long = "trusted-proxy", value_name = "CIDR", env = "MANIFEST_WEB_TRUSTED_PROXY", value_delimiter = ',', value_parser = proxy::client_addr::parse_network)]
    trusted_proxies: Vec<proxy::client_addr::Network>,
    /// Requests per second to each registry host for the whole instance.
    /// Default: 10 with --public, no budget otherwise.
    #[arg(long, value_name = "N", env = "MANIFEST_WEB_UPSTREAM_RATE")]
    upstream_rate: Option<f64>,
    /// Requests to one registry host that may go at once above the rate.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        env = "MANIFEST_WEB_UPSTREAM_BURST"
    )]
    upstream_burst: u32,
    /// Seconds running pushes get to finish after SIGTERM.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        env = "MANIFEST_WEB_SHUTDOWN_GRACE"
    )]
    shutdown_grace: u64,
    /// The server's log lines: `text` or `json` (one object per line).
    #[arg(long, value_name = "text|json", default_value = "text", value_parser = ["text", "json"], env = "MANIFEST_WEB_LOG_FORMAT")]
    log_format: String,
}

/// Seconds a registry request may wait for its share of the upstream budget.
const UPSTREAM_MAX_WAIT: Duration = Duration::from_secs(2);

impl OperateFlags {
    /// Fill in the public-mode parts of `config`.
    fn apply(&self, config: &mut Config) {
        config.public = self.public;
        config.connections.shutdown_grace = Duration::from_secs(self.shutdown_grace);
        if self.public || self.client_limits {
            config.client_limits = Some(ClientLimitSettings {
                rate: Rate::new(self.client_rate, self.client_burst),
                concurrent: self.client_concurrency,
                max_clients: self.max_clients,
                trusted_proxies: self.trusted_proxies.clone(),
            });
        }
        if self.public {
            config.tag_caching = TagCaching::ShortShared;
        }
        let upstream = self.upstream_rate.or(self.public.then_some(10.0));
        config.registry.upstream_budget = upstream.map(|per_second| UpstreamBudget {
            rate: Rate::new(per_second, self.upstream_burst),
            max_wait: UPSTREAM_MAX_WAIT,
        });
    }
}

fn on_off(value: &str) -> Result<bool, String> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(format!("expected `on` or `off`, got `{other}`")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // The server logs what it does; a command prints only its output and
    // errors, and everything with --debug.
    let default_filter = match (&args.command, args.global.debug) {
        (_, true) => "debug",
        (None, false) => "info",
        (Some(_), false) => "off",
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if args.operate.log_format == "json" {
        logs.json().init();
    } else {
        logs.init();
    }
    if let Some(command) = args.command {
        return proxy::cli::run(command, args.global).await;
    }
    let mut config = Config::new(args.listen);
    config.insecure_registries = args.insecure_registries;
    config.dist_dir = args.dist_dir;
    config.allowed_origins = args.allowed_origins;
    if args.dev {
        config
            .allowed_origins
            .extend(proxy::config::DEV_ORIGINS.map(String::from));
    }
    args.operate.apply(&mut config);
    // A public instance uses no proxy-side credentials unless asked for
    // them (and then refuses to start: `Config::check_public`).
    let (docker, warnings) = if args.operate.public
        && args.docker_config.is_none()
        && args.docker_credentials != Some(true)
    {
        (None, Vec::new())
    } else {
        proxy::registry::credentials::from_flags(
            config.listen,
            args.docker_config.as_deref(),
            args.docker_credentials,
        )
    };
    for warning in warnings {
        eprintln!("manifest-web: warning: {warning}");
    }
    config.docker_credentials = docker.clone();
    if let Err(e) = config.check_public() {
        eprintln!("manifest-web: {e}");
        return ExitCode::FAILURE;
    }
    if let Some(docker) = &docker {
        // A broken config given on purpose stops the start; a broken default
        // one is reported (every lookup will report it again).
        match docker.read() {
            Ok(found) => tracing::info!(
                config = %docker.config_file.display(),
                found = found.is_some(),
                "proxy-side Docker credentials on"
            ),
            Err(e) if docker.explicit => {
                eprintln!("manifest-web: {e}");
                return ExitCode::FAILURE;
            }
            Err(e) => eprintln!("manifest-web: warning: {e}"),
        }
    }
    // Validate the configuration before announcing anything.
    let (app, lifecycle) = match proxy::app::build(config.clone()) {
        Ok(built) => built,
        Err(e) => {
            eprintln!("manifest-web: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("manifest-web: cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(config.listen);
    println!("manifest-web listening on http://{addr}");
    let grace = config.connections.shutdown_grace;
    let shutdown = proxy::lifecycle::drain_on(proxy::shutdown_signal(), lifecycle.clone());
    proxy::serve_app(listener, app, config.connections, shutdown).await;
    // A push whose client went away still runs: let it finish too.
    if !lifecycle.pushes_finished(lifecycle.remaining(grace)).await {
        tracing::warn!(
            pushes = lifecycle.pushes_in_flight(),
            "pushes still running after the shutdown grace period; stopping anyway"
        );
    }
    tracing::info!("stopped");
    ExitCode::SUCCESS
}
