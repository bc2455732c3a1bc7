//! The one place the page calls the proxy. Every request goes through here so
//! that typed-in registry credentials (the `x-registry-auth` header) are added
//! in exactly one spot, and every failure (proxy error body, unexpected HTTP
//! answer, no answer at all) arrives in the page as one error type.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use shared::api::{
    ApiError, CHECK_PATH, CONFIGS_PATH, CheckEvent, CheckRequest, ChildConfigs, ErrorBody,
    ErrorCode, FIRST_PART_PARAM, INSPECT_PATH, INSPECT_TEXT_FORMAT, InspectResponse, PLAN_PATH,
    PUSH_PATH, PlanResponse, PushEvent, REFERRERS_PATH, ReferrersResponse, SPEC_PARSE_PATH,
    TAGS_PATH, TagsResponse,
};
use shared::compare::{COMPARE_PATH, Comparison};
use shared::credentials::{CREDENTIALS_HEADER, CredentialSet};
use shared::spec::PushSpec;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::credentials_header;
use crate::ndjson::LineBuffer;
use crate::query;

/// Why a call to the proxy gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiFailure {
    /// The proxy answered with its error body: the common case (bad reference,
    /// not found, unauthorized...).
    #[error("{error}")]
    Api { status: u16, error: ApiError },
    /// A non-2xx answer without the proxy's error body (e.g. a reverse proxy
    /// in front of it).
    #[error("the server answered HTTP {status}{}", detail_suffix(detail))]
    Http { status: u16, detail: String },
    /// No answer: the manifest-web server is down or unreachable.
    #[error("could not reach the manifest-web server: {0}")]
    Network(String),
    /// A 2xx answer the page cannot read (a proxy/page version mismatch).
    #[error("the server's answer could not be read: {0}")]
    Decode(String),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl ApiFailure {
    /// A short label for the kind of failure: the API's code
    /// (`NOT_FOUND`, ...) when there is one.
    pub fn code(&self) -> String {
        match self {
            ApiFailure::Api { error, .. } => code_name(error.code),
            ApiFailure::Http { status, .. } => format!("HTTP {status}"),
            ApiFailure::Network(_) => "NETWORK".to_string(),
            ApiFailure::Decode(_) => "BAD_RESPONSE".to_string(),
        }
    }
}

/// The wire spelling of an error code (`NOT_FOUND`).
pub fn code_name(code: ErrorCode) -> String {
    code.name().to_string()
}

/// `/api/v1/inspect?ref=REFERENCE`
pub fn inspect_url(reference: &str) -> String {
    format!("{INSPECT_PATH}?ref={}", query::encode_component(reference))
}

/// What is inside `reference`, with the answer's text exactly as the proxy
/// sent it (offered as a download, so it is not serialized again). The
/// typed-in `credentials` (if any) travel in the credentials header for this
/// request only. The first part: an index's children come without their
/// configs, which [`child_configs`] asks for next.
pub async fn inspect(
    reference: &str,
    credentials: &CredentialSet,
) -> Result<(InspectResponse, String), ApiFailure> {
    let (name, value) = FIRST_PART_PARAM;
    let url = format!("{}&{name}={value}", inspect_url(reference));
    let request = with_credentials(Request::get(&url), credentials);
    let text = read_text(send(request.build()).await?).await?;
    Ok((decode(&text)?, text))
}

/// The configs of the children of the index `reference`
/// (`registry/repository@digest`): the second part of an inspection.
pub async fn child_configs(
    reference: &str,
    credentials: &CredentialSet,
) -> Result<ChildConfigs, ApiFailure> {
    let url = format!("{CONFIGS_PATH}?ref={}", query::encode_component(reference));
    read_json(send(with_credentials(Request::get(&url), credentials).build()).await?).await
}

/// What refers to `reference` (`registry/repository@digest`) through its
/// `subject`.
pub async fn referrers(
    reference: &str,
    credentials: &CredentialSet,
) -> Result<ReferrersResponse, ApiFailure> {
    let url = format!(
        "{REFERRERS_PATH}?ref={}",
        query::encode_component(reference)
    );
    read_json(send(with_credentials(Request::get(&url), credentials).build()).await?).await
}

/// Up to `n` tags of `repository` after `last`.
pub async fn tags(
    repository: &str,
    last: Option<&str>,
    digest: Option<&str>,
    credentials: &CredentialSet,
) -> Result<TagsResponse, ApiFailure> {
    let mut url = format!(
        "{TAGS_PATH}?repository={}&n={TAGS_PER_PAGE}",
        query::encode_component(repository)
    );
    if let Some(last) = last {
        url.push_str(&format!("&last={}", query::encode_component(last)));
    }
    if let Some(digest) = digest {
        url.push_str(&format!("&digest={}", query::encode_component(digest)));
    }
    read_json(send(with_credentials(Request::get(&url), credentials).build()).await?).await
}

/// Tags the tags page asks for at once.
pub const TAGS_PER_PAGE: usize = 100;

/// `a` compared with `b`.
pub async fn compare(
    a: &str,
    b: &str,
    credentials: &CredentialSet,
) -> Result<Comparison, ApiFailure> {
    let url = format!(
        "{COMPARE_PATH}?a={}&b={}",
        query::encode_component(a),
        query::encode_component(b)
    );
    read_json(send(with_credentials(Request::get(&url), credentials).build()).await?).await
}

/// What the attestation or artifact `reference` (by digest) says.
pub async fn attestation(
    reference: &str,
    credentials: &CredentialSet,
) -> Result<shared::api::AttestationResponse, ApiFailure> {
    let url = format!(
        "{}?ref={}",
        shared::api::ATTESTATION_PATH,
        query::encode_component(reference)
    );
    read_json(send(with_credentials(Request::get(&url), credentials).build()).await?).await
}

/// `reference` as `manifest-tool inspect` prints it (`format=text`).
pub async fn inspect_text(
    reference: &str,
    credentials: &CredentialSet,
) -> Result<String, ApiFailure> {
    let url = format!("{}&format={INSPECT_TEXT_FORMAT}", inspect_url(reference));
    read_text(send(with_credentials(Request::get(&url), credentials).build()).await?).await
}

/// What pushing `spec` would do, byte for byte (nothing is written).
pub async fn plan(
    spec: &PushSpec,
    credentials: &CredentialSet,
) -> Result<PlanResponse, ApiFailure> {
    let request = with_credentials(Request::post(PLAN_PATH), credentials).json(spec);
    read_json(send(request).await?).await
}

/// A manifest-tool YAML spec read by the proxy (the page has no YAML
/// parser). It reaches no registry, so no credentials are sent.
pub async fn parse_spec(yaml: &str) -> Result<PushSpec, ApiFailure> {
    let request = Request::post(SPEC_PARSE_PATH)
        .header("Content-Type", "application/yaml")
        .body(yaml);
    read_json(send(request).await?).await
}

/// Push `spec`, handing each progress event to `on_event` as it arrives.
/// `Err` when the push was refused before it started, the connection broke,
/// or a line of the stream is not an event; the push's own failures arrive
/// as `error` events.
pub async fn push(
    spec: &PushSpec,
    credentials: &CredentialSet,
    mut on_event: impl FnMut(PushEvent),
) -> Result<(), ApiFailure> {
    let request = with_credentials(Request::post(PUSH_PATH), credentials).json(spec);
    read_ndjson(send(request).await?, "the push progress", |line| {
        on_event(PushEvent::from_ndjson(line).map_err(|e| e.to_string())?);
        Ok(())
    })
    .await
}

/// Run the registry check on `repository`, handing each result to
/// `on_event` as it arrives (as [`push`] does for a push).
pub async fn check(
    repository: &str,
    credentials: &CredentialSet,
    mut on_event: impl FnMut(CheckEvent),
) -> Result<(), ApiFailure> {
    let body = CheckRequest {
        repository: repository.to_string(),
    };
    let request = with_credentials(Request::post(CHECK_PATH), credentials).json(&body);
    read_ndjson(send(request).await?, "the check's results", |line| {
        on_event(CheckEvent::from_ndjson(line).map_err(|e| e.to_string())?);
        Ok(())
    })
    .await
}

/// Read an NDJSON answer line by line as it streams in, handing each line
/// to `on_line` (whose error says why the line is not an event).
async fn read_ndjson(
    response: Response,
    what: &str,
    mut on_line: impl FnMut(&str) -> Result<(), String>,
) -> Result<(), ApiFailure> {
    if !response.ok() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(failure_from_body(status, &body));
    }
    let Some(body) = response.body() else {
        return Err(ApiFailure::Decode(format!("{what} has no body")));
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut lines = LineBuffer::default();
    let mut deliver = |lines: Vec<String>| {
        for line in lines {
            on_line(&line).map_err(|e| {
                ApiFailure::Decode(format!("a line of {what} is not an event: {e}"))
            })?;
        }
        Ok::<(), ApiFailure>(())
    };
    loop {
        let chunk: web_sys::ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|e| ApiFailure::Network(js_error_text(&e)))?
            .unchecked_into();
        if chunk.get_done().unwrap_or(false) {
            break;
        }
        let bytes = js_sys::Uint8Array::new(&chunk.get_value()).to_vec();
        deliver(lines.push(&bytes))?;
    }
    deliver(lines.finish())
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiFailure> {
    request
        .map_err(|e| ApiFailure::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))
}

/// A 2xx answer's JSON, or the failure the answer describes.
async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    decode(&read_text(response).await?)
}

/// A 2xx answer's text, or the failure the answer describes.
async fn read_text(response: Response) -> Result<String, ApiFailure> {
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    if response.ok() {
        Ok(body)
    } else {
        Err(failure_from_body(status, &body))
    }
}

fn decode<T: DeserializeOwned>(body: &str) -> Result<T, ApiFailure> {
    serde_json::from_str(body).map_err(|e| ApiFailure::Decode(e.to_string()))
}

fn js_error_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "the connection broke".to_string())
}

fn with_credentials(request: RequestBuilder, credentials: &CredentialSet) -> RequestBuilder {
    if credentials.0.is_empty() {
        request
    } else {
        request.header(CREDENTIALS_HEADER, &credentials_header::encode(credentials))
    }
}

/// Turn a non-2xx answer into a failure: the proxy's error body when it is
/// one, else the status with the start of whatever text came back.
pub fn failure_from_body(status: u16, body: &str) -> ApiFailure {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => ApiFailure::Api { status, error },
        Err(_) => {
            const MAX: usize = 300;
            let text = body.trim();
            let detail = match text.char_indices().nth(MAX) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text.to_string(),
            };
            ApiFailure::Http { status, detail }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_url_escapes_only_what_it_must() {
        assert_eq!(
            inspect_url("localhost:5000/a/b:1@sha256:ab"),
            "/api/v1/inspect?ref=localhost:5000/a/b:1@sha256:ab"
        );
        assert_eq!(inspect_url("a b&c"), "/api/v1/inspect?ref=a%20b%26c");
    }

    #[test]
    fn error_bodies_keep_code_and_message() {
        let failure = failure_from_body(
            404,
            r#"{"error":{"code":"NOT_FOUND","message":"tag no-such-tag not found"}}"#,
        );
        assert_eq!(failure.code(), "NOT_FOUND");
        assert_eq!(failure.to_string(), "tag no-such-tag not found");
        assert!(matches!(failure, ApiFailure::Api { status: 404, .. }));
    }

    #[test]
    fn other_bodies_become_http_failures() {
        let failure = failure_from_body(502, "  <html>Bad Gateway</html>\n");
        assert_eq!(failure.code(), "HTTP 502");
        assert_eq!(
            failure.to_string(),
            "the server answered HTTP 502: <html>Bad Gateway</html>"
        );
        assert_eq!(
            failure_from_body(500, "").to_string(),
            "the server answered HTTP 500"
        );
        let long = "é".repeat(400);
        let ApiFailure::Http { detail, .. } = failure_from_body(500, &long) else {
            panic!("expected an HTTP failure");
        };
        assert_eq!(detail.chars().count(), 301);
    }

    #[test]
    fn code_names_are_the_wire_spelling() {
        assert_eq!(code_name(ErrorCode::InvalidReference), "INVALID_REFERENCE");
        assert_eq!(code_name(ErrorCode::RateLimited), "RATE_LIMITED");
    }
}
