//! manifest-web's server: a small HTTP API in front of a registry client, and
//! the built page. The page cannot talk to registries itself (CORS, auth
//! challenges, digests over exact bytes), so this proxy does it for the page
//! and answers in the JSON types of `shared::api`.
//!
//! Embedding (the integration tests do this):
//! ```no_run
//! # async fn run() -> Result<(), proxy::ProxyError> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let mut config = proxy::Config::new(listener.local_addr().unwrap());
//! config.insecure_registries.push("127.0.0.1:5000".into());
//! proxy::serve(listener, config).await
//! # }
//! ```

pub mod answers;
pub mod app;
pub mod attestations;
pub mod check;
pub mod cli;
pub mod client_addr;
pub mod client_limits;
pub mod config;
pub mod error;
pub mod fetch;
pub mod inspect;
pub mod lifecycle;
pub mod metrics;
pub mod origin;
pub mod page;
pub mod page_files;
pub mod pointing;
pub mod push;
pub mod referrers;
pub mod resolve;
pub mod routes;
pub mod schema1;
pub mod serve;
pub mod tags;

pub use app::router;
pub use config::Config;
pub use error::ProxyError;
/// The registry client (a crate of its own: `proxy/registry`).
pub use registry;

use std::future::Future;

/// Serve until the process is asked to stop (Ctrl-C / SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> Result<(), ProxyError> {
    serve_with_shutdown(listener, config, shutdown_signal()).await
}

/// Serve until `shutdown` completes, then finish in-flight requests.
pub async fn serve_with_shutdown(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ProxyError> {
    let limits = config.connections.clone();
    serve_app(listener, router(config)?, limits, shutdown).await;
    Ok(())
}

/// Serve an already built `router` until `shutdown` completes.
pub async fn serve_app(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: serve::ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    serve::serve(listener, app, limits, shutdown).await;
}

/// Ctrl-C, or SIGTERM on Unix.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
