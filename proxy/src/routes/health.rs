//! Health endpoints: `GET /api/v1/health` (the server is up; used by tests
//! and scripts), `GET /healthz` (liveness: the process answers) and
//! `GET /readyz` (readiness: 503 once it is shutting down, so a load
//! balancer sends new work elsewhere). None touches a registry: a registry
//! being down must not get healthy replicas restarted.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::lifecycle::Lifecycle;

pub const HEALTH_PATH: &str = "/api/v1/health";
pub const LIVE_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";

pub async fn health() -> Json<Value> {
    Json(json!({ "ok": true }))
}

pub async fn ready(State(lifecycle): State<Arc<Lifecycle>>) -> (StatusCode, Json<Value>) {
    if lifecycle.is_ready() {
        (StatusCode::OK, Json(json!({ "ready": true })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "reason": "shutting down" })),
        )
    }
}
