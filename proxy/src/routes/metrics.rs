//! `GET /metrics`: Prometheus's text format (see `crate::metrics`).

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

use crate::app::AppState;
use crate::metrics::{Gauges, render};

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let gauges = Gauges {
        answers: state.answers.stats(),
        pushes_in_flight: state.lifecycle.pushes_in_flight(),
        clients_tracked: state.clients.as_ref().map_or(0, |c| c.tracked()),
        ready: state.lifecycle.is_ready(),
    };
    let text = render(&state.metrics, &state.client.stats(), &gauges);
    (
        [
            (CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        text,
    )
}
