//! The HTTP application: API routes, the page, and the layers around them
//! (origin guard, CORS, security headers, body limit, tracing).

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use tokio::sync::Semaphore;
use tower::Layer as _;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::client_limits::ClientLimiter;
use crate::config::{Config, OperationSettings};
use crate::error::{Internal, ProxyError};
use crate::lifecycle::Lifecycle;
use crate::metrics::HttpMetrics;
use crate::origin::{self, OriginPolicy};
use crate::page;
use crate::page_files::PageFiles;
use crate::registry::RegistryClient;
use crate::registry::credentials::CredentialResolver;
use crate::routes;
use crate::routes::cache_control::TagCaching;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub client: Arc<RegistryClient>,
    /// Where each registry's credentials come from (typed, proxy-side, none).
    pub credentials: Arc<CredentialResolver>,
    /// Caps and concurrency of each operation.
    pub operations: Arc<OperationSettings>,
    /// Slots for pushes running at once in this server (per app, so that
    /// servers started side by side do not share them).
    pub push_slots: Arc<Semaphore>,
    /// Admission of pushes, running or waiting for a slot: a push that
    /// finds none is refused at once (see `routes::push::push`).
    pub push_queue: Arc<Semaphore>,
    /// Complete answers about digests, as the bytes sent (`answers`).
    pub answers: Arc<crate::answers::AnswerCache>,
    /// Readiness and the pushes still running (shutdown).
    pub lifecycle: Arc<Lifecycle>,
    /// The server's own counters (`/metrics`).
    pub metrics: Arc<HttpMetrics>,
    /// Per-client limits (a public instance).
    pub clients: Option<Arc<ClientLimiter>>,
    /// How answers about tags may be kept.
    pub tag_caching: TagCaching,
    /// Which digest tags pointed at a few seconds ago (`pointing`).
    pub pointing: Arc<crate::pointing::PointingCache>,
}

/// At most `api_concurrency` API requests are handled at once; more wait
/// for a slot (a burst is smoothed, not refused). Only requests that passed
/// the origin guard take a slot.
async fn api_limit(
    State(slots): State<Arc<Semaphore>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match slots.acquire_owned().await {
        Ok(_slot) => next.run(request).await,
        Err(_) => ProxyError::from(Internal::LimiterClosed).into_response(),
    }
}

/// Build the application for `config`.
pub fn router(config: Config) -> Result<Router, ProxyError> {
    build(config).map(|(app, _)| app)
}

/// Build the application for `config`, and the handle the binary stops it
/// with (readiness, pushes still running).
pub fn build(config: Config) -> Result<(Router, Arc<Lifecycle>), ProxyError> {
    config.check_public()?;
    let client = Arc::new(RegistryClient::with_settings(
        &config.insecure_registries,
        &config.registry,
    )?);
    let origins = OriginPolicy::new(&config)?;
    let credentials = Arc::new(CredentialResolver::new(config.docker_credentials.clone()));
    let push_capacity =
        config.operations.max_concurrent_pushes.max(1) + config.operations.max_queued_pushes;
    let push_queue = Arc::new(Semaphore::new(push_capacity));
    let lifecycle = Arc::new(Lifecycle::new(push_queue.clone(), push_capacity));
    let metrics = Arc::new(HttpMetrics::default());
    let clients = config
        .client_limits
        .clone()
        .map(|settings| Arc::new(ClientLimiter::new(settings)));
    let state = AppState {
        client,
        credentials,
        push_slots: Arc::new(Semaphore::new(
            config.operations.max_concurrent_pushes.max(1),
        )),
        push_queue,
        operations: Arc::new(config.operations.clone()),
        answers: Arc::new(crate::answers::AnswerCache::default()),
        lifecycle: lifecycle.clone(),
        metrics: metrics.clone(),
        clients: clients.clone(),
        tag_caching: config.tag_caching,
        pointing: Arc::default(),
    };
    // Probes and scrapers send no Origin and come from anywhere: these
    // answer without the origin guard or the per-client limits, and touch
    // no registry.
    let operate = Router::new()
        .route(routes::health::LIVE_PATH, get(routes::health::health))
        .route(
            routes::health::READY_PATH,
            get(routes::health::ready).with_state(lifecycle.clone()),
        )
        .route(crate::metrics::METRICS_PATH, get(routes::metrics::metrics))
        .with_state(state.clone());

    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.header_values()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            CONTENT_TYPE,
            HeaderName::from_static(shared::credentials::CREDENTIALS_HEADER),
        ]);

    let api_slots = Arc::new(Semaphore::new(config.api_concurrency.max(1)));
    // The badge is for pages on any site (`<img src>`): past the origin
    // check, never with credentials (see `routes::badge`).
    let badge = Router::new()
        .route(shared::api::BADGE_PATH, get(routes::badge::badge))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            api_slots.clone(),
            api_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            origins.clone(),
            origin::guard_public,
        ));
    let badge = limit_clients(badge, clients.as_ref());

    let api = Router::new()
        .route(routes::health::HEALTH_PATH, get(routes::health::health))
        .route(shared::api::INSPECT_PATH, get(routes::inspect::inspect))
        .route(
            shared::api::ATTESTATION_PATH,
            get(routes::attestation::attestation),
        )
        .route(shared::api::CONFIGS_PATH, get(routes::inspect::configs))
        .route(
            shared::api::REFERRERS_PATH,
            get(routes::referrers::referrers),
        )
        .route(shared::api::TAGS_PATH, get(routes::tags::tags))
        .route(shared::compare::COMPARE_PATH, get(routes::compare::compare))
        .route(shared::api::PLAN_PATH, post(routes::push::plan))
        .route(shared::api::PUSH_PATH, post(routes::push::push))
        .route(shared::api::SPEC_PARSE_PATH, post(routes::push::parse_spec))
        .route(shared::api::CHECK_PATH, post(routes::check::check))
        .route("/api", any(routes::unknown_api))
        .route("/api/{*rest}", any(routes::unknown_api))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(api_slots, api_limit))
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(origins, origin::guard));
    let api = limit_clients(api, clients.as_ref());

    let files = PageFiles::choose(config.dist_dir.as_deref());
    match &files {
        PageFiles::Missing => tracing::warn!(
            "the page is not built into this binary and there is no ./dist: serving a page that says so \
             (build it with `trunk build --release` before `cargo build`, or pass --dist DIR)"
        ),
        files => tracing::info!(page = %files.describe(), "serving the page"),
    }
    let csp = page::csp_header(&page::content_security_policy(
        files.index_html().as_deref(),
    ));
    let static_files = axum::middleware::from_fn(page::mark_navigations).layer(files.router());

    let app = Router::new()
        .merge(operate)
        .merge(badge)
        .merge(api)
        .fallback_service(static_files)
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(RequestBodyTimeoutLayer::new(
            config.connections.body_read_timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::count,
        ));
    Ok((app, lifecycle))
}

/// `router` behind the per-client limits, when they are on.
fn limit_clients(router: Router, clients: Option<&Arc<ClientLimiter>>) -> Router {
    match clients {
        Some(limiter) => router.layer(axum::middleware::from_fn_with_state(
            limiter.clone(),
            crate::client_limits::limit,
        )),
        None => router,
    }
}
