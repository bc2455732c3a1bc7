//! `POST /api/v1/push/plan`, `POST /api/v1/push` and `POST /api/v1/spec/parse`.
//!
//! The spec comes as JSON or manifest-tool YAML, told apart by Content-Type;
//! no other type is accepted (415), so a plain HTML form on another site (which
//! can only send form or text types without a CORS preflight) cannot reach
//! these endpoints. Push never trusts anything the page computed: it resolves
//! and plans again from the spec.

use std::convert::Infallible;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::Response;
use shared::api::{AuthInfo, NDJSON_CONTENT_TYPE, PlanResponse, PushEvent};
use shared::credentials::CredentialSet;
use shared::plan::Plan;
use shared::spec::{PushSpec, ValidatedSpec};

use crate::app::AppState;
use crate::error::{Internal, ProxyError};

/// The Content-Types a spec may come in.
pub const JSON: &str = "application/json";
pub const YAML: &str = "application/yaml";

/// Progress events buffered between the push and a slow reader.
const EVENT_BUFFER: usize = 64;

/// `POST /api/v1/push/plan`: what would be pushed, byte for byte.
pub async fn plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PlanResponse>, ProxyError> {
    let (plan, _, auth) = prepare(&state, &headers, &body).await?;
    Ok(Json(PlanResponse {
        auth,
        ..PlanResponse::from_plan(&plan)
    }))
}

/// `POST /api/v1/push`: plan again, then push, streaming NDJSON events.
/// Failures before anything is written (spec, sources, plan) are answered
/// like the plan endpoint's; once the stream starts they are `error` events.
/// A push outlives its request, so the API's request bounds do not hold
/// it: it is admitted only while fewer than `max_concurrent_pushes +
/// max_queued_pushes` are running or waiting, and refused at once (503)
/// otherwise.
pub async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProxyError> {
    let admitted = state.push_queue.clone().try_acquire_owned().map_err(|_| {
        ProxyError::Busy(format!(
            "this server is already running {} pushes and holding {} more in its queue; try again when one has finished",
            state.operations.max_concurrent_pushes.max(1),
            state.operations.max_queued_pushes
        ))
    })?;
    let (prepared, resolved) =
        registry::round_trips::counted(prepare(&state, &headers, &body)).await;
    let (plan, credentials, _) = prepared?;
    tracing::info!(to = %plan.target, digest = %plan.digest, steps = plan.steps.len(), "push");
    let (tx, rx) = tokio::sync::mpsc::channel::<PushEvent>(EVENT_BUFFER);
    let (client, operations, slots) = (
        state.client.clone(),
        state.operations.clone(),
        state.push_slots.clone(),
    );
    tokio::spawn(async move {
        crate::push::run(
            &client,
            &operations,
            &slots,
            &plan,
            &credentials,
            &tx,
            Some(resolved),
        )
        .await;
        drop(admitted);
    });
    let lines = futures::stream::unfold(rx, |mut rx| async move {
        let event = rx.recv().await?;
        Some((Ok::<_, Infallible>(Bytes::from(event.to_ndjson())), rx))
    });
    Response::builder()
        .header(CONTENT_TYPE, NDJSON_CONTENT_TYPE)
        .header(CACHE_CONTROL, "no-store")
        .body(Body::from_stream(lines))
        .map_err(|e| Internal::Response(e.to_string()).into())
}

/// `POST /api/v1/spec/parse`: manifest-tool YAML in, the spec as JSON out,
/// so the page can import YAML without a YAML parser of its own. Only the
/// shape is checked; the page validates as the form is edited.
pub async fn parse_spec(headers: HeaderMap, body: Bytes) -> Result<Json<PushSpec>, ProxyError> {
    match content_type(&headers).as_str() {
        YAML => {}
        other => return Err(unsupported(other, &[YAML])),
    }
    let text = utf8(&body)?;
    Ok(Json(shared::spec::parse_yaml(text)?))
}

/// Spec -> validated spec -> resolved sources -> plan, with the
/// credentials to push with and where they came from (never the secrets).
async fn prepare(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Plan, CredentialSet, Vec<AuthInfo>), ProxyError> {
    let spec = read_spec(headers, body)?;
    let typed = super::credentials(headers)?;
    // Collected first: a closure in the iterator makes the handler's
    // future `Send` unprovable.
    let mut targets: Vec<&shared::reference::Reference> = vec![&spec.target];
    for entry in &spec.entries {
        targets.push(&entry.source);
    }
    super::admit(state, targets).await?;
    let registries: Vec<String> = std::iter::once(&spec.target)
        .chain(spec.entries.iter().map(|e| &e.source))
        .map(|r| r.registry().to_string())
        .collect();
    let (credentials, auth) = state.credentials.complete(&typed, &registries).await?;
    let plan = crate::resolve::plan(&state.client, &state.operations, &spec, &credentials).await?;
    Ok((plan, credentials, auth))
}

/// The spec from a JSON or YAML body, validated.
fn read_spec(headers: &HeaderMap, body: &[u8]) -> Result<ValidatedSpec, ProxyError> {
    match content_type(headers).as_str() {
        JSON => Ok(shared::spec::parse_json(utf8(body)?)?.validate()?),
        YAML => Ok(shared::spec::parse_and_validate_yaml(utf8(body)?).map(|(_, valid)| valid)?),
        other => Err(unsupported(other, &[JSON, YAML])),
    }
}

/// The media type of the body, lowercased, without parameters.
fn content_type(headers: &HeaderMap) -> String {
    let value = headers
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"))
        .unwrap_or("");
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn unsupported(given: &str, accepted: &[&str]) -> ProxyError {
    let given = if given.is_empty() { "none" } else { given };
    ProxyError::UnsupportedMediaType {
        given: given.to_string(),
        accepted: accepted.join(" or "),
    }
}

fn utf8(body: &[u8]) -> Result<&str, ProxyError> {
    std::str::from_utf8(body).map_err(ProxyError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};
    use shared::api::ErrorCode;

    fn with_type(t: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(t).unwrap());
        h
    }

    #[test]
    fn only_json_and_yaml_are_read() {
        let json =
            br#"{"image":"127.0.0.1:5000/a:1","manifests":[{"image":"127.0.0.1:5000/b:1"}]}"#;
        let spec = read_spec(&with_type("application/json; charset=utf-8"), json).unwrap();
        assert_eq!(spec.target.repository(), "a");
        let yaml = b"image: 127.0.0.1:5000/a:1\nmanifests:\n  - image: 127.0.0.1:5000/b:1\n";
        let spec = read_spec(&with_type("Application/YAML"), yaml).unwrap();
        assert_eq!(spec.entries.len(), 1);
        for t in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ] {
            let e = read_spec(&with_type(t), json).unwrap_err();
            assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{t}");
            assert!(e.to_api_error().message.contains(t), "{e}");
        }
        let e = read_spec(&HeaderMap::new(), json).unwrap_err();
        assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn spec_errors_name_the_field() {
        let json = br#"{"image":"127.0.0.1:5000/a:1","manifests":[{"image":"Bad Ref"}]}"#;
        let e = read_spec(&with_type(JSON), json).unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert!(
            e.to_api_error().message.contains("manifests[0].image"),
            "{}",
            e.to_api_error().message
        );
        let e = read_spec(&with_type(JSON), b"{\"image\": [3]}").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(
            e.to_api_error().message.contains("line 1"),
            "{}",
            e.to_api_error().message
        );
        let yaml = b"image: 127.0.0.1:5000/a:1\nmanifests:\n  - image: 127.0.0.1:5000/b:1\n    platform:\n      os: linux\n";
        let e = read_spec(&with_type(YAML), yaml).unwrap_err();
        assert!(
            e.to_api_error().message.contains("line"),
            "{}",
            e.to_api_error().message
        );
        assert!(
            e.to_api_error().message.contains("architecture"),
            "{}",
            e.to_api_error().message
        );
    }
}
