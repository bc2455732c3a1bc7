//! `manifest-web`: run the proxy and serve the page, or (with a command)
//! run manifest-tool's `inspect` and `push` right here.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use proxy::Config;
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
    #[arg(long, value_name = "ADDR", default_value_t = proxy::config::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Registry allowed to use plain HTTP or a self-signed certificate (HTTPS
    /// is tried first, as by the Docker daemon) and to be on a loopback or
    /// private address (repeatable), e.g. 127.0.0.1:5000.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    insecure_registries: Vec<String>,
    /// Serve the page from this directory (`trunk build` output) instead of
    /// the one built into the binary (for frontend work).
    #[arg(long = "dist", value_name = "DIR")]
    dist_dir: Option<PathBuf>,
    /// Origin whose pages may call the API (repeatable); by default only the
    /// page this server serves.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allowed_origins: Vec<String>,
    /// Frontend work: also allow the `trunk serve` origins
    /// (http://127.0.0.1:8081 and http://localhost:8081).
    #[arg(long)]
    dev: bool,
    /// Docker client config to take registry credentials from: a config.json,
    /// or a directory holding one. Default: $DOCKER_CONFIG/config.json, else
    /// ~/.docker/config.json.
    #[arg(long = "docker-config", value_name = "PATH")]
    docker_config: Option<PathBuf>,
    /// Use this machine's Docker logins (config.json auths, credHelpers,
    /// credsStore) for registries the page gives no credentials for.
    /// Default: on when listening on a loopback address, off otherwise.
    #[arg(long = "docker-credentials", value_name = "on|off", value_parser = on_off)]
    docker_credentials: Option<bool>,
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
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
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
    let (docker, warnings) = proxy::registry::credentials::from_flags(
        config.listen,
        args.docker_config.as_deref(),
        args.docker_credentials,
    );
    for warning in warnings {
        eprintln!("manifest-web: warning: {warning}");
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
    config.docker_credentials = docker;
    // Validate the configuration before announcing anything.
    let app = match proxy::router(config.clone()) {
        Ok(app) => app,
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
    proxy::serve_app(listener, app, config.connections, proxy::shutdown_signal()).await;
    ExitCode::SUCCESS
}
