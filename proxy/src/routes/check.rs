//! `POST /api/v1/check`: the registry check (`crate::check`) as NDJSON
//! events, one per result as it is known.
//!
//! It writes to a registry, so it is held to what push is held to: the
//! origin guard before anything (no request from another site reaches it),
//! a JSON body only (415 otherwise: an HTML form on another site cannot
//! send one without a preflight), the SSRF guard before credentials are
//! looked up, credentials typed in the header or the proxy's own, and the
//! same admission as pushes (running and queued), so checks and pushes
//! together never exceed the server's bound.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use shared::api::{CheckEvent, CheckRequest};
use shared::check::{STEPS, Verdict};

use super::push::{JSON, content_type, unsupported, utf8};
use crate::app::AppState;
use crate::error::ProxyError;

/// Events that can be waiting for a slow reader: all of them (one per
/// step, plus the first and the last), so the check never waits on the
/// reader and never drops a result.
const EVENT_BUFFER: usize = STEPS.len() + 2;

pub async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProxyError> {
    let admitted = state.push_queue.clone().try_acquire_owned().map_err(|_| {
        ProxyError::Busy(
            "this server is already running and holding as many pushes and registry checks as it may; try again when one has finished".into(),
        )
    })?;
    match content_type(&headers).as_str() {
        JSON => {}
        other => return Err(unsupported(other, &[JSON])),
    }
    let request: CheckRequest = serde_json::from_str(utf8(&body)?).map_err(|e| {
        ProxyError::InvalidBody(format!(
            "expected {{\"repository\": \"REGISTRY/REPOSITORY\"}}: {e}"
        ))
    })?;
    let target = crate::check::parse_target(&request.repository)?;
    let typed = super::credentials(&headers)?;
    super::admit(&state, [&target]).await?;
    let (credentials, _) = state
        .credentials
        .complete(&typed, &[target.registry().to_string()])
        .await?;
    let credential = credentials.for_registry(target.registry()).cloned();
    tracing::info!(registry = %target.registry(), repository = %target.repository(), "registry check");

    let (tx, rx) = tokio::sync::mpsc::channel::<CheckEvent>(EVENT_BUFFER);
    let started = CheckEvent::Started {
        registry: target.registry().to_string(),
        repository: target.repository().to_string(),
        steps: STEPS.iter().map(|s| s.to_string()).collect(),
    };
    let _ = tx.try_send(started);
    let (client, slots) = (state.client.clone(), state.push_slots.clone());
    tokio::spawn(async move {
        let _slot = slots.acquire_owned().await;
        let results = tx.clone();
        let sink = Box::new(move |outcome: &shared::check::CheckOutcome| {
            // Room for every event (see EVENT_BUFFER); a reader gone is fine.
            let _ = results.try_send(CheckEvent::Check(outcome.clone()));
        });
        let last = match crate::check::run(&client, &target, credential, sink).await {
            Ok(report) => CheckEvent::Done {
                passed: report.count(Verdict::Pass),
                failed: report.count(Verdict::Fail),
                unsupported: report.count(Verdict::Unsupported),
            },
            Err(e) => CheckEvent::Error {
                error: ProxyError::from(e).to_api_error(),
            },
        };
        let _ = tx.try_send(last);
        drop(admitted);
    });
    super::ndjson_stream(rx, CheckEvent::to_ndjson)
}
