//! Safe edits (issue 14 §5): a push with `expect` writes the target tag
//! only while it still points at the digest the edit started from, against
//! a real registry; what the tag points at is read back with plain GETs.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::api::{ErrorCode, PUSH_PATH, PushEvent, StepState, TagCheck};
use shared::digest::Digest;
use shared::media_type;
use shared::plan::StepKind;
use support::proxy::decode;
use support::{ApiFailure, Format, Image, ImageSpec, Proxy, Registry};

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

async fn push_image(registry: &Registry, repo: &str, image: &Image, tag: &str) {
    registry
        .pusher()
        .push_image(repo, image, Some(tag))
        .await
        .unwrap_or_else(|e| panic!("seed {repo}:{tag}: {e}"));
}

/// The push's NDJSON events, or the error answered before the stream.
async fn push(proxy: &Proxy, spec: &Value) -> Result<Vec<PushEvent>, ApiFailure> {
    let client = proxy.client();
    let response = client
        .send(
            client
                .request(Method::POST, PUSH_PATH)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(spec.to_string()),
        )
        .await;
    if !response.status.is_success() {
        return Err(decode::<Value>(response).expect_err("a non-2xx answer"));
    }
    let text = String::from_utf8(response.body.to_vec()).expect("NDJSON is UTF-8");
    Ok(text
        .lines()
        .map(|l| PushEvent::from_ndjson(l).unwrap_or_else(|e| panic!("event `{l}`: {e}")))
        .collect())
}

fn done(events: &[PushEvent]) -> Digest {
    match events.last() {
        Some(PushEvent::Done { digest, .. }) => digest.clone(),
        _ => panic!("the push did not finish: {events:#?}"),
    }
}

/// Where `repo:tag` points now (a plain GET), `None` when it does not exist.
async fn tag_digest(registry: &Registry, repo: &str, tag: &str) -> Option<Digest> {
    let got = registry
        .pusher()
        .get_manifest(
            repo,
            tag,
            &format!(
                "{},{}",
                media_type::OCI_INDEX,
                media_type::DOCKER_MANIFEST_LIST
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("GET {repo}:{tag}: {e}"));
    if got.status == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(got.status, StatusCode::OK, "{repo}:{tag}");
    Some(Digest::sha256(&got.body))
}

/// No tag was written: no tag or index step finished.
fn nothing_tagged(events: &[PushEvent]) -> bool {
    !events.iter().any(|e| {
        matches!(
            e,
            PushEvent::Step {
                state: StepState::Done,
                kind: StepKind::Index | StepKind::Tag,
                ..
            }
        )
    })
}

struct Setup {
    registry: Registry,
    proxy: Proxy,
    target: String,
    amd64: String,
    arm64: String,
}

async fn setup() -> Setup {
    let registry = registry().await;
    let amd64 = ImageSpec::new(Format::Oci, "linux/amd64", 141).build();
    let arm64 = ImageSpec::new(Format::Oci, "linux/arm64", 142).build();
    push_image(&registry, "src/amd64", &amd64, "1").await;
    push_image(&registry, "src/arm64", &arm64, "1").await;
    let proxy = Proxy::start(&[&registry]).await;
    Setup {
        target: registry.reference("team/app:1"),
        amd64: registry.reference("src/amd64:1"),
        arm64: registry.reference("src/arm64:1"),
        registry,
        proxy,
    }
}

#[tokio::test]
async fn a_tag_moved_since_the_edit_started_is_left_alone() {
    let s = setup().await;
    // The index the edit starts from.
    let first = done(
        &push(
            &s.proxy,
            &json!({"image": s.target, "tags": ["stable"], "manifests": [{"image": s.amd64}]}),
        )
        .await
        .expect("push"),
    );
    // Someone else pushes to the same tag while the edit is open.
    let theirs = done(
        &push(
            &s.proxy,
            &json!({"image": s.target, "manifests": [{"image": s.arm64}]}),
        )
        .await
        .expect("push"),
    );
    assert_ne!(first, theirs);
    // The edit, pushed with the digest it started from.
    let edit = json!({
        "image": s.target,
        "tags": ["stable"],
        "manifests": [{"image": s.amd64}, {"image": s.arm64}],
        "expect": first.to_string(),
    });
    let events = push(&s.proxy, &edit).await.expect("the push starts");
    let Some(PushEvent::Error { error, moved, .. }) = events.last() else {
        panic!("expected an error event: {events:#?}");
    };
    assert_eq!(error.code, ErrorCode::TagMoved, "{error:?}");
    let moved = moved.as_ref().expect("the error says where the tag is");
    assert_eq!(moved.reference, s.target);
    assert_eq!(moved.expected, first);
    assert_eq!(moved.actual.as_ref(), Some(&theirs));
    assert_eq!(moved.method, TagCheck::HeadBeforePut);
    assert!(
        error.message.contains(&theirs.to_string()),
        "{}",
        error.message
    );
    assert!(
        error.message.contains(&first.to_string()),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("HEAD"),
        "says how: {}",
        error.message
    );
    assert!(nothing_tagged(&events), "{events:#?}");
    // Both tags are where they were: theirs on the target, the first on
    // the extra tag.
    assert_eq!(
        tag_digest(&s.registry, "team/app", "1").await,
        Some(theirs.clone())
    );
    assert_eq!(
        tag_digest(&s.registry, "team/app", "stable").await,
        Some(first)
    );

    // Edited again from where the tag is now: pushed, and the check said so.
    let edit = json!({
        "image": s.target,
        "manifests": [{"image": s.amd64}, {"image": s.arm64}],
        "expect": theirs.to_string(),
    });
    let events = push(&s.proxy, &edit).await.expect("push");
    let pushed = done(&events);
    let checked = events
        .iter()
        .find_map(|e| match e {
            PushEvent::Checked {
                reference,
                digest,
                method,
            } => Some((reference.clone(), digest.clone(), *method)),
            _ => None,
        })
        .expect("a `checked` event");
    assert_eq!(checked, (s.target.clone(), theirs, TagCheck::HeadBeforePut));
    assert_eq!(tag_digest(&s.registry, "team/app", "1").await, Some(pushed));
}

#[tokio::test]
async fn a_tag_deleted_since_the_edit_started_is_not_recreated() {
    let s = setup().await;
    let events = push(
        &s.proxy,
        &json!({
            "image": s.target,
            "manifests": [{"image": s.amd64}],
            "expect": Digest::sha256(b"an index that was here").to_string(),
        }),
    )
    .await
    .expect("the push starts");
    let Some(PushEvent::Error { error, moved, .. }) = events.last() else {
        panic!("expected an error event: {events:#?}");
    };
    assert_eq!(error.code, ErrorCode::TagMoved);
    assert_eq!(moved.as_ref().and_then(|m| m.actual.clone()), None);
    assert!(
        error.message.contains("no longer exists"),
        "{}",
        error.message
    );
    assert!(nothing_tagged(&events));
    assert_eq!(tag_digest(&s.registry, "team/app", "1").await, None);
}

#[tokio::test]
async fn a_malformed_expect_is_refused_before_anything_is_sent() {
    let s = setup().await;
    let failure = push(
        &s.proxy,
        &json!({"image": s.target, "manifests": [{"image": s.amd64}], "expect": "sha256:abc"}),
    )
    .await
    .expect_err("refused");
    assert_eq!(failure.status, StatusCode::BAD_REQUEST);
    assert_eq!(failure.error.code, ErrorCode::InvalidInput);
    assert!(
        failure.error.message.contains("`expect`"),
        "{}",
        failure.error.message
    );
}
