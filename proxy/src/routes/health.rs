//! `GET /api/v1/health`: the server is up (used by tests and scripts).

use axum::Json;
use serde_json::{Value, json};

pub const HEALTH_PATH: &str = "/api/v1/health";

pub async fn health() -> Json<Value> {
    Json(json!({ "ok": true }))
}
