//! `POST /api/v1/push/plan`, `POST /api/v1/push` and `POST /api/v1/spec/parse`
//! against real registries. Sources are pushed with the raw registry API; what
//! the proxy pushed is read back with independent clients (skopeo and plain
//! HTTP) and compared with the plan, byte for byte.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::api::{
    ErrorCode, NDJSON_CONTENT_TYPE, PLAN_PATH, PUSH_PATH, PlanResponse, PushEvent, SPEC_PARSE_PATH,
    StepState,
};
use shared::credentials::{CREDENTIALS_HEADER, Credential, CredentialSet};
use shared::digest::Digest;
use shared::media_type;
use shared::plan::StepKind;
use shared::spec::PushSpec;
use support::proxy::decode;
use support::{
    ApiFailure, BasicAuth, Format, Image, ImageSpec, Index, IndexBuilder, Proxy, Registry,
    RegistryOptions,
};

const JSON: &str = "application/json";
const YAML: &str = "application/yaml";

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

async fn registry_with_auth(user: &str, password: &str) -> Registry {
    Registry::start_with_auth(user, password)
        .await
        .unwrap_or_else(|e| panic!("start docker-registry with htpasswd: {e}"))
}

async fn push_image(registry: &Registry, repo: &str, image: &Image, tag: &str) {
    registry
        .pusher()
        .push_image(repo, image, Some(tag))
        .await
        .unwrap_or_else(|e| panic!("seed {repo}:{tag}: {e}\nregistry log:\n{}", registry.log()));
}

async fn push_index(registry: &Registry, repo: &str, index: &Index, tag: &str) {
    registry
        .pusher()
        .push_index(repo, index, Some(tag))
        .await
        .unwrap_or_else(|e| panic!("seed {repo}:{tag}: {e}\nregistry log:\n{}", registry.log()));
}

fn image(format: Format, platform: &str, seed: u64) -> Image {
    ImageSpec::new(format, platform, seed).build()
}

fn credentials_for(registry: &Registry) -> CredentialSet {
    let auth = registry.auth().expect("a registry started with htpasswd");
    let mut set = CredentialSet::default();
    set.0.insert(
        registry.host(),
        Credential {
            username: auth.username.clone(),
            password: auth.password.clone(),
        },
    );
    set
}

fn request(
    proxy: &Proxy,
    path: &str,
    content_type: &str,
    body: String,
    credentials: Option<&CredentialSet>,
) -> reqwest::RequestBuilder {
    let mut request = proxy
        .client()
        .request(Method::POST, path)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(c) = credentials {
        request = request.header(CREDENTIALS_HEADER, c.encode());
    }
    request
}

async fn plan_with(
    proxy: &Proxy,
    content_type: &str,
    body: String,
    credentials: Option<&CredentialSet>,
) -> Result<PlanResponse, ApiFailure> {
    let client = proxy.client();
    decode(
        client
            .send(request(proxy, PLAN_PATH, content_type, body, credentials))
            .await,
    )
}

async fn plan(proxy: &Proxy, spec: &Value) -> Result<PlanResponse, ApiFailure> {
    plan_with(proxy, JSON, spec.to_string(), None).await
}

/// The push's NDJSON events, or the error answered before the stream.
async fn push_with(
    proxy: &Proxy,
    content_type: &str,
    body: String,
    credentials: Option<&CredentialSet>,
) -> Result<Vec<PushEvent>, ApiFailure> {
    let client = proxy.client();
    let response = client
        .send(request(proxy, PUSH_PATH, content_type, body, credentials))
        .await;
    if !response.status.is_success() {
        return Err(decode::<Value>(response).expect_err("a non-2xx answer"));
    }
    assert_eq!(
        response.header("content-type"),
        Some(NDJSON_CONTENT_TYPE),
        "the push answers NDJSON"
    );
    let text = String::from_utf8(response.body.to_vec()).expect("NDJSON is UTF-8");
    assert!(text.ends_with('\n'), "every event ends its line: {text}");
    Ok(text
        .lines()
        .map(|l| PushEvent::from_ndjson(l).unwrap_or_else(|e| panic!("event `{l}`: {e}")))
        .collect())
}

async fn push(proxy: &Proxy, spec: &Value) -> Result<Vec<PushEvent>, ApiFailure> {
    push_with(proxy, JSON, spec.to_string(), None).await
}

/// The `done` event's digest and tags; panics with all events otherwise.
fn done(events: &[PushEvent]) -> (Digest, Vec<String>) {
    match events.last() {
        Some(PushEvent::Done { digest, tags, .. }) => (digest.clone(), tags.clone()),
        _ => panic!("the push did not finish: {events:#?}"),
    }
}

/// The `detail` of every finished step of `kind`.
fn details(events: &[PushEvent], kind: StepKind) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            PushEvent::Step {
                state: StepState::Done,
                kind: k,
                detail,
                ..
            } if *k == kind => Some(detail.clone().unwrap_or_default()),
            _ => None,
        })
        .collect()
}

/// `skopeo inspect --raw` of `reference`: the exact bytes it receives.
async fn skopeo_raw(reference: &str, auth: Option<&BasicAuth>) -> Vec<u8> {
    let mut command = tokio::process::Command::new("skopeo");
    command.args(["inspect", "--raw", "--tls-verify=false"]);
    match auth {
        Some(a) => command.arg(format!("--creds={}:{}", a.username, a.password)),
        None => command.arg("--no-creds"),
    };
    // No user config or credentials of the machine may leak in.
    let home = tempfile::tempdir().expect("a temp HOME for skopeo");
    command
        .env("HOME", home.path())
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("DOCKER_CONFIG")
        .arg(format!("docker://{reference}"));
    let out = command.output().await.expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo inspect --raw {reference} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What the registry holds under `repo` is exactly the plan: every tag has the
/// plan's bytes (read by skopeo and by raw GETs), and every entry the index
/// lists is in the same repository.
async fn assert_pushed(registry: &Registry, repo: &str, tags: &[&str], plan: &PlanResponse) {
    let pusher = registry.pusher();
    for tag in tags {
        let reference = registry.reference(&format!("{repo}:{tag}"));
        let raw = skopeo_raw(&reference, registry.auth()).await;
        assert_eq!(
            raw,
            plan.index.as_bytes(),
            "skopeo's bytes of {reference} are the plan's index bytes"
        );
        assert_eq!(Digest::sha256(&raw), plan.digest, "{reference}");
        let got = pusher
            .get_manifest(repo, tag, &plan.media_type)
            .await
            .unwrap_or_else(|e| panic!("GET {repo}:{tag}: {e}"));
        assert_eq!(got.status, StatusCode::OK, "{repo}:{tag}");
        assert_eq!(
            got.header("docker-content-digest"),
            Some(plan.digest.to_string().as_str()),
            "{repo}:{tag} points at the plan's digest"
        );
        assert_eq!(got.body.as_ref(), plan.index.as_bytes());
    }
    let index: Value = serde_json::from_str(&plan.index).expect("the index is JSON");
    let listed = index["manifests"].as_array().expect("manifests");
    assert_eq!(listed.len(), plan.entries.len());
    for entry in &plan.entries {
        let got = pusher
            .get_manifest(repo, &entry.digest.to_string(), &entry.media_type)
            .await
            .unwrap_or_else(|e| panic!("GET {repo}@{}: {e}", entry.digest));
        assert_eq!(got.status, StatusCode::OK, "{repo}@{}", entry.digest);
        assert_eq!(Digest::sha256(&got.body), entry.digest);
    }
}

/// The target's blobs exist in the target repository.
async fn assert_blobs(registry: &Registry, repo: &str, images: &[&Image]) {
    let pusher = registry.pusher();
    for image in images {
        for blob in image.blobs() {
            assert!(
                pusher
                    .blob_exists(repo, &blob.digest)
                    .await
                    .expect("HEAD blob"),
                "blob {} in {repo}",
                blob.digest
            );
        }
    }
}

#[tokio::test]
async fn sources_in_other_repositories_are_mounted_and_a_rerun_is_a_no_op() {
    let registry = registry().await;
    let amd64 = image(Format::Docker, "linux/amd64", 1);
    let arm64 = image(Format::Docker, "linux/arm64/v8", 2);
    push_image(&registry, "src/app-amd64", &amd64, "1").await;
    push_image(&registry, "src/app-arm64", &arm64, "1").await;
    let proxy = Proxy::start(&[&registry]).await;
    let spec = json!({
        "image": registry.reference("team/app:1.0"),
        "tags": ["1", "latest"],
        "manifests": [
            {"image": registry.reference("src/app-amd64:1"), "platform": {"os": "linux", "architecture": "amd64"}},
            {"image": registry.reference("src/app-arm64:1")},
        ],
    });
    let planned = plan(&proxy, &spec).await.expect("plan");
    assert_eq!(planned.media_type, media_type::DOCKER_MANIFEST_LIST);
    assert_eq!(planned.entries.len(), 2);
    assert_eq!(planned.entries[0].digest, amd64.manifest.digest);
    assert_eq!(planned.entries[1].digest, arm64.manifest.digest);
    // The arm64 platform (with its variant) comes from the config.
    assert_eq!(planned.entries[1].platform, arm64.platform.clone().unwrap());

    let events = push(&proxy, &spec).await.expect("push");
    assert!(
        matches!(&events[0], PushEvent::Planned { digest, .. } if *digest == planned.digest),
        "{events:#?}"
    );
    let (digest, tags) = done(&events);
    assert_eq!(digest, planned.digest, "pushed == planned");
    assert_eq!(
        tags,
        ["1.0", "1", "latest"].map(|t| registry.reference(&format!("team/app:{t}")))
    );
    let blobs = details(&events, StepKind::Blob);
    assert_eq!(blobs.len(), 6, "config + 2 layers per image: {events:#?}");
    assert!(blobs.iter().all(|d| d == "mounted"), "{blobs:?}");
    assert_pushed(&registry, "team/app", &["1.0", "1", "latest"], &planned).await;
    assert_blobs(&registry, "team/app", &[&amd64, &arm64]).await;

    // Again: everything is there already, and the digest is the same.
    let again = push(&proxy, &spec).await.expect("push again");
    assert_eq!(done(&again).0, planned.digest);
    let blobs = details(&again, StepKind::Blob);
    assert!(blobs.iter().all(|d| d == "already present"), "{blobs:?}");
    let manifests = details(&again, StepKind::Manifest);
    assert_eq!(manifests.len(), 2);
    assert!(
        manifests.iter().all(|d| d == "already present"),
        "{manifests:?}"
    );
}

#[tokio::test]
async fn sources_in_another_registry_are_copied_into_an_oci_index_with_annotations() {
    let source = registry().await;
    let target = registry().await;
    let amd64 = image(Format::Oci, "linux/amd64", 11);
    let arm = image(Format::Oci, "linux/arm/v7", 12);
    push_image(&source, "lib/tool", &amd64, "amd64").await;
    push_image(&source, "lib/tool", &arm, "armv7").await;
    let proxy = Proxy::start(&[&source, &target]).await;
    let spec = json!({
        "image": target.reference("mirror/tool:2"),
        "type": "oci",
        "annotations": {"org.opencontainers.image.source": "https://example.invalid/tool"},
        "manifests": [
            {"image": source.reference("lib/tool:amd64"), "annotations": {"org.example.flavor": "fast"}},
            {"image": source.reference(&format!("lib/tool@{}", arm.manifest.digest))},
        ],
    });
    let planned = plan(&proxy, &spec).await.expect("plan");
    assert_eq!(planned.media_type, media_type::OCI_INDEX);
    let index: Value = serde_json::from_str(&planned.index).unwrap();
    assert_eq!(
        index["annotations"]["org.opencontainers.image.source"],
        "https://example.invalid/tool"
    );
    assert_eq!(
        index["manifests"][0]["annotations"]["org.example.flavor"],
        "fast"
    );
    assert_eq!(index["manifests"][1]["platform"]["variant"], "v7");

    let events = push(&proxy, &spec).await.expect("push");
    assert_eq!(done(&events).0, planned.digest);
    let blobs = details(&events, StepKind::Blob);
    assert_eq!(blobs.len(), 6);
    assert!(blobs.iter().all(|d| d == "copied"), "{blobs:?}");
    assert_pushed(&target, "mirror/tool", &["2"], &planned).await;
    assert_blobs(&target, "mirror/tool", &[&amd64, &arm]).await;
}

#[tokio::test]
async fn an_htpasswd_target_needs_the_typed_in_credentials() {
    let source = registry().await;
    let target = registry_with_auth("pusher", "s3cret-pw").await;
    let amd64 = image(Format::Docker, "linux/amd64", 21);
    push_image(&source, "base/img", &amd64, "1").await;
    let proxy = Proxy::start(&[&source, &target]).await;
    let spec = json!({
        "image": target.reference("private/img:1"),
        "manifests": [{"image": source.reference("base/img:1")}],
    });

    // Without credentials the first write is refused, and nothing is tagged.
    let events = push(&proxy, &spec).await.expect("the push starts");
    match events.last() {
        Some(PushEvent::Error { error, step, .. }) => {
            assert_eq!(error.code, ErrorCode::Unauthorized, "{error:?}");
            // Blobs go first (in parallel): one of them is the step that failed.
            let n = step.expect("the error names its step");
            let blobs = events
                .iter()
                .filter(|e| matches!(e, PushEvent::Step { kind: StepKind::Blob, state: StepState::Started, index, .. } if *index == n))
                .count();
            assert_eq!(blobs, 1, "step {n} is a blob step: {events:#?}");
            assert!(error.message.contains(&target.host()), "{}", error.message);
        }
        other => panic!("expected an error event, got {other:?}"),
    }
    let probe = target
        .pusher()
        .get_manifest("private/img", "1", media_type::DOCKER_MANIFEST_LIST)
        .await
        .unwrap();
    assert_eq!(probe.status, StatusCode::NOT_FOUND);

    // With them it works.
    let credentials = credentials_for(&target);
    let planned = plan_with(&proxy, JSON, spec.to_string(), Some(&credentials))
        .await
        .expect("plan");
    let events = push_with(&proxy, JSON, spec.to_string(), Some(&credentials))
        .await
        .expect("push");
    assert_eq!(done(&events).0, planned.digest);
    assert_pushed(&target, "private/img", &["1"], &planned).await;

    // Inside the protected registry: the mount path, with the same credentials.
    let spec = json!({
        "image": target.reference("private/again:1"),
        "manifests": [{"image": target.reference("private/img:1")}],
    });
    let planned = plan_with(&proxy, JSON, spec.to_string(), Some(&credentials))
        .await
        .expect("plan from a source index");
    assert_eq!(planned.entries[0].digest, amd64.manifest.digest);
    let events = push_with(&proxy, JSON, spec.to_string(), Some(&credentials))
        .await
        .expect("push");
    assert_eq!(done(&events).0, planned.digest);
    let blobs = details(&events, StepKind::Blob);
    assert!(blobs.iter().all(|d| d == "mounted"), "{blobs:?}");
    assert_pushed(&target, "private/again", &["1"], &planned).await;
}

#[tokio::test]
async fn a_source_index_brings_its_attestations_along() {
    let registry = registry().await;
    let amd64 = image(Format::Oci, "linux/amd64", 31);
    let arm64 = image(Format::Oci, "linux/arm64", 32);
    let source = IndexBuilder::new(Format::Oci)
        .attested_image(amd64.clone())
        .attested_image(arm64.clone())
        .build();
    push_index(&registry, "built/app", &source, "1").await;
    let proxy = Proxy::start(&[&registry]).await;
    let spec = json!({
        "image": registry.reference("release/app:1"),
        "type": "oci",
        "manifests": [{"image": registry.reference("built/app:1")}],
    });
    let planned = plan(&proxy, &spec).await.expect("plan");
    assert_eq!(planned.entries.len(), 4, "{:#?}", planned.entries);
    let images: Vec<&Digest> = planned
        .entries
        .iter()
        .filter(|e| e.attestation_for.is_none())
        .map(|e| &e.digest)
        .collect();
    assert_eq!(images, [&amd64.manifest.digest, &arm64.manifest.digest]);
    let attested: Vec<&Digest> = planned
        .entries
        .iter()
        .filter_map(|e| e.attestation_for.as_ref())
        .collect();
    assert_eq!(attested, [&amd64.manifest.digest, &arm64.manifest.digest]);

    let events = push(&proxy, &spec).await.expect("push");
    assert_eq!(done(&events).0, planned.digest);
    assert_pushed(&registry, "release/app", &["1"], &planned).await;
}

#[tokio::test]
async fn missing_sources_are_errors_unless_ignored() {
    let registry = registry().await;
    let amd64 = image(Format::Docker, "linux/amd64", 41);
    push_image(&registry, "src/a", &amd64, "1").await;
    let proxy = Proxy::start(&[&registry]).await;
    let missing = registry.reference("src/nope:1");
    let mut spec = json!({
        "image": registry.reference("out/a:1"),
        "manifests": [
            {"image": registry.reference("src/a:1")},
            {"image": missing, "platform": {"os": "linux", "architecture": "arm64"}},
        ],
    });
    let e = plan(&proxy, &spec).await.expect_err("a missing source");
    assert_eq!(e.status, StatusCode::BAD_REQUEST);
    assert_eq!(e.error.code, ErrorCode::InvalidInput);
    assert!(
        e.error.message.contains("manifests[1]"),
        "{}",
        e.error.message
    );
    assert!(e.error.message.contains(&missing), "{}", e.error.message);
    let e = push(&proxy, &spec).await.expect_err("no push either");
    assert_eq!(e.status, StatusCode::BAD_REQUEST);

    spec["ignoreMissing"] = json!(true);
    let planned = plan(&proxy, &spec).await.expect("plan");
    assert_eq!(planned.entries.len(), 1);
    assert_eq!(planned.warnings.len(), 1);
    assert!(
        planned.warnings[0].contains(&missing),
        "{:?}",
        planned.warnings
    );
    let events = push(&proxy, &spec).await.expect("push");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, PushEvent::Warning { message } if message.contains(&missing))),
        "{events:#?}"
    );
    assert_eq!(done(&events).0, planned.digest);
    assert_pushed(&registry, "out/a", &["1"], &planned).await;
}

#[tokio::test]
async fn contradictions_in_the_spec_are_refused_with_the_field() {
    let registry = registry().await;
    let amd64 = image(Format::Docker, "linux/amd64", 51);
    let other_amd64 = image(Format::Docker, "linux/amd64", 52);
    let oci = image(Format::Oci, "linux/arm64", 53);
    push_image(&registry, "src/a", &amd64, "1").await;
    push_image(&registry, "src/b", &other_amd64, "1").await;
    push_image(&registry, "src/oci", &oci, "1").await;
    let proxy = Proxy::start(&[&registry]).await;
    let target = registry.reference("out/x:1");
    let a = registry.reference("src/a:1");
    let b = registry.reference("src/b:1");

    let cases = [
        (
            "contradicting platform",
            json!({"image": target, "manifests": [
                {"image": a, "platform": {"os": "linux", "architecture": "arm64"}}]}),
            vec!["manifests[0]", "arm64", "amd64"],
        ),
        (
            "duplicate platform",
            json!({"image": target, "manifests": [{"image": a}, {"image": b}]}),
            vec!["same platform", "linux/amd64"],
        ),
        (
            "annotations on a Docker list",
            json!({"image": target, "type": "docker", "annotations": {"k": "v"}, "manifests": [{"image": a}]}),
            vec!["annotations", "type: oci"],
        ),
        (
            "OCI image in a Docker list",
            json!({"image": target, "type": "docker", "manifests": [{"image": registry.reference("src/oci:1")}]}),
            vec!["manifests[0]", "type: oci"],
        ),
        (
            "unparsable reference",
            json!({"image": target, "manifests": [{"image": "Not A Reference"}]}),
            vec!["manifests[0].image"],
        ),
    ];
    for (name, spec, needles) in cases {
        let e = plan(&proxy, &spec).await.expect_err(name);
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{name}: {e:?}");
        assert_eq!(e.error.code, ErrorCode::InvalidInput, "{name}");
        for needle in needles {
            assert!(
                e.error.message.contains(needle),
                "{name}: `{needle}` not in: {}",
                e.error.message
            );
        }
        let e = push(&proxy, &spec).await.expect_err(name);
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{name}");
    }
    let probe = registry
        .pusher()
        .get_manifest("out/x", "1", media_type::DOCKER_MANIFEST_LIST)
        .await
        .unwrap();
    assert_eq!(probe.status, StatusCode::NOT_FOUND, "nothing was pushed");
}

/// Overwrite a blob's stored bytes (same length) so the registry serves
/// content that does not match its digest.
fn corrupt_blob(registry: &Registry, digest: &Digest) {
    let path: PathBuf = registry
        .storage_dir()
        .join("docker/registry/v2/blobs")
        .join(digest.algorithm().to_string())
        .join(&digest.hex()[..2])
        .join(digest.hex())
        .join("data");
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for b in bytes.iter_mut().take(64) {
        *b ^= 0xff;
    }
    std::fs::write(&path, bytes).unwrap();
}

#[tokio::test]
async fn a_failed_push_leaves_the_existing_tag_alone() {
    let source = registry().await;
    let target = registry().await;
    let good = image(Format::Docker, "linux/amd64", 61);
    let bad = image(Format::Docker, "linux/amd64", 62);
    push_image(&source, "src/good", &good, "1").await;
    push_image(&source, "src/bad", &bad, "1").await;
    let proxy = Proxy::start(&[&source, &target]).await;
    let target_ref = target.reference("app/stable:1");
    let spec =
        |src: &str| json!({"image": target_ref, "manifests": [{"image": source.reference(src)}]});
    let first = plan(&proxy, &spec("src/good:1")).await.expect("plan");
    let events = push(&proxy, &spec("src/good:1")).await.expect("push");
    assert_eq!(done(&events).0, first.digest);
    let before = skopeo_raw(&target_ref, None).await;
    assert_eq!(Digest::sha256(&before), first.digest);

    corrupt_blob(&source, &bad.layers[1].digest);
    let events = push(&proxy, &spec("src/bad:1"))
        .await
        .expect("the push starts");
    let Some(PushEvent::Error { error, step, .. }) = events.last() else {
        panic!("expected an error event: {events:#?}");
    };
    assert_eq!(error.code, ErrorCode::DigestMismatch, "{error:?}");
    assert!(step.is_some());
    assert!(
        error.message.contains(&bad.layers[1].digest.short()),
        "{}",
        error.message
    );
    assert!(
        error.message.contains(&source.reference("src/bad")),
        "names the source: {}",
        error.message
    );
    assert!(
        !events.iter().any(|e| matches!(
            e,
            PushEvent::Step {
                kind: StepKind::Index,
                ..
            }
        )),
        "the index step never started: {events:#?}"
    );
    let after = skopeo_raw(&target_ref, None).await;
    assert_eq!(after, before, "the tag still points at the first index");
    let blob = target
        .pusher()
        .blob_exists("app/stable", &bad.layers[1].digest)
        .await
        .unwrap();
    assert!(!blob, "the corrupt layer was never committed");
}

#[tokio::test]
async fn yaml_specs_plan_and_push_like_json() {
    let registry = registry().await;
    let amd64 = image(Format::Docker, "linux/amd64", 71);
    let arm64 = image(Format::Docker, "linux/arm64/v8", 72);
    push_image(&registry, "src/y", &amd64, "amd64").await;
    push_image(&registry, "src/y", &arm64, "arm64").await;
    let proxy = Proxy::start(&[&registry]).await;
    let yaml = format!(
        "image: {target}\ntags: ['latest']\nmanifests:\n  - image: {a}\n    platform:\n      architecture: amd64\n      os: linux\n  - image: {b}\n    platform:\n      architecture: arm64\n      os: linux\n      variant: v8\n",
        target = registry.reference("out/y:1"),
        a = registry.reference("src/y:amd64"),
        b = registry.reference("src/y:arm64"),
    );
    // The parse endpoint gives the same spec as JSON.
    let parsed: PushSpec = decode(
        proxy
            .client()
            .send(request(&proxy, SPEC_PARSE_PATH, YAML, yaml.clone(), None))
            .await,
    )
    .expect("parse");
    assert_eq!(parsed.manifests.len(), 2);
    assert_eq!(parsed.tags, ["latest"]);
    let as_json = serde_json::to_string(&parsed).unwrap();
    let from_json = plan_with(&proxy, JSON, as_json, None)
        .await
        .expect("plan JSON");
    let from_yaml = plan_with(&proxy, YAML, yaml.clone(), None)
        .await
        .expect("plan YAML");
    assert_eq!(from_yaml, from_json);

    let events = push_with(&proxy, YAML, yaml, None)
        .await
        .expect("push YAML");
    assert_eq!(done(&events).0, from_yaml.digest);
    assert_pushed(&registry, "out/y", &["1", "latest"], &from_yaml).await;
}

#[tokio::test]
async fn bad_yaml_is_answered_with_its_line() {
    let registry = registry().await;
    let proxy = Proxy::start(&[&registry]).await;
    let yaml =
        "image: 127.0.0.1:1/a:1\nmanifests:\n  - image: 127.0.0.1:1/b:1\n    platform: [linux]\n";
    for path in [SPEC_PARSE_PATH, PLAN_PATH] {
        let e = decode::<Value>(
            proxy
                .client()
                .send(request(&proxy, path, YAML, yaml.to_string(), None))
                .await,
        )
        .expect_err("bad YAML");
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(e.error.code, ErrorCode::InvalidInput);
        assert!(
            e.error.message.contains("line 4"),
            "{path}: {}",
            e.error.message
        );
        assert!(
            e.error.message.contains("platform"),
            "{path}: {}",
            e.error.message
        );
    }
}

#[tokio::test]
async fn forms_and_foreign_pages_cannot_push() {
    let registry = registry().await;
    let amd64 = image(Format::Docker, "linux/amd64", 81);
    push_image(&registry, "src/f", &amd64, "1").await;
    let proxy = Proxy::start(&[&registry]).await;
    let spec = json!({
        "image": registry.reference("out/f:1"),
        "manifests": [{"image": registry.reference("src/f:1")}],
    })
    .to_string();
    for path in [PUSH_PATH, PLAN_PATH, SPEC_PARSE_PATH] {
        for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
            let response = proxy
                .client()
                .send(request(&proxy, path, content_type, spec.clone(), None))
                .await;
            assert_eq!(
                response.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{path} with {content_type}"
            );
        }
        let response = proxy
            .client()
            .send(
                request(&proxy, path, JSON, spec.clone(), None)
                    .header("origin", "http://attacker.example"),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::FORBIDDEN,
            "{path} from a foreign origin"
        );
        let e = decode::<Value>(response).expect_err("403");
        assert_eq!(e.error.code, ErrorCode::ForbiddenOrigin);
    }
    let probe = registry
        .pusher()
        .get_manifest("out/f", "1", media_type::DOCKER_MANIFEST_LIST)
        .await
        .unwrap();
    assert_eq!(probe.status, StatusCode::NOT_FOUND, "nothing was pushed");
}

/// An image whose second layer is a 0-byte blob (sha256 of empty input):
/// such layers exist in the wild (e.g. written by some builders).
fn image_with_empty_layer(seed: u64) -> Image {
    let base = image(Format::Oci, "linux/amd64", seed);
    let empty = support::Blob::new(media_type::OCI_LAYER_GZIP, Vec::new());
    let mut layers = base.layers.clone();
    layers.push(empty);
    let layer_descriptors: Vec<_> = layers.iter().map(support::Blob::descriptor).collect();
    let manifest = support::blob::json_blob(
        media_type::OCI_MANIFEST,
        &support::image::ImageManifestJson {
            schema_version: 2,
            media_type: media_type::OCI_MANIFEST.to_string(),
            artifact_type: None,
            config: base.config.descriptor(),
            layers: layer_descriptors.clone(),
            subject: None,
            annotations: Default::default(),
        },
    );
    Image {
        manifest,
        layers,
        layer_descriptors,
        ..base
    }
}

#[tokio::test]
async fn an_empty_layer_is_copied_across_registries() {
    let source = registry().await;
    let target = registry().await;
    let img = image_with_empty_layer(31);
    assert_eq!(img.layers[2].size(), 0);
    assert_eq!(img.layers[2].digest, Digest::sha256(b""));
    push_image(&source, "lib/empty", &img, "1").await;
    let proxy = Proxy::start(&[&source, &target]).await;
    let spec = json!({
        "image": target.reference("mirror/empty:1"),
        "type": "oci",
        "manifests": [{"image": source.reference("lib/empty:1")}],
    });
    let planned = plan(&proxy, &spec).await.expect("plan");
    let events = push(&proxy, &spec).await.expect("push");
    assert_eq!(done(&events).0, planned.digest, "{events:#?}");
    let blobs = details(&events, StepKind::Blob);
    assert_eq!(blobs.len(), 4, "config + 3 layers: {events:#?}");
    assert!(blobs.iter().all(|d| d == "copied"), "{blobs:?}");
    assert_pushed(&target, "mirror/empty", &["1"], &planned).await;
    assert_blobs(&target, "mirror/empty", &[&img]).await;
}

/// `--insecure-registry` also means "self-signed TLS is fine", as for the
/// Docker daemon: an allow-listed registry serving HTTPS with a certificate
/// nobody trusts is spoken to over HTTPS (tried first), for inspect and push.
#[tokio::test]
async fn an_allow_listed_registry_with_a_self_signed_certificate_is_used_over_https() {
    let registry = Registry::start_with(RegistryOptions {
        self_signed_tls: true,
        ..RegistryOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start docker-registry with TLS: {e}"));
    assert!(registry.url().starts_with("https://"));
    let amd64 = image(Format::Oci, "linux/amd64", 71);
    let arm64 = image(Format::Oci, "linux/arm64", 72);
    push_image(&registry, "src/app", &amd64, "amd64").await;
    push_image(&registry, "src/app", &arm64, "arm64").await;
    let proxy = Proxy::start(&[&registry]).await;

    let inspected = proxy
        .client()
        .inspect(&registry.reference("src/app:amd64"))
        .await
        .unwrap_or_else(|e| panic!("inspect over self-signed TLS: {e:?}"));
    assert_eq!(inspected.digest, amd64.manifest.digest);

    let spec = json!({
        "image": registry.reference("team/app:1"),
        "type": "oci",
        "manifests": [
            {"image": registry.reference("src/app:amd64")},
            {"image": registry.reference("src/app:arm64")},
        ],
    });
    let (digest, _) = done(&push(&proxy, &spec).await.expect("the push starts"));
    let stored = registry
        .pusher()
        .get_manifest("team/app", "1", media_type::MANIFEST_ACCEPT)
        .await
        .unwrap_or_else(|e| panic!("read back the index: {e}"));
    assert_eq!(Digest::sha256(&stored.body), digest);
    // Everything went over TLS: a plain-HTTP request would have been
    // answered 400 by distribution and logged as such.
    assert!(
        !registry.log().contains("HTTP request to an HTTPS server"),
        "{}",
        registry.log()
    );
}

/// JSON is YAML too: a JSON body may write an integer where the spec wants
/// text, as a manifest-tool YAML file may (`tags: [2]`); a fraction must be
/// quoted, and the error says where.
#[tokio::test]
async fn json_bodies_read_integers_as_text_and_ask_for_quoted_fractions() {
    let registry = registry().await;
    push_image(
        &registry,
        "src/a",
        &image(Format::Oci, "linux/amd64", 81),
        "1",
    )
    .await;
    let proxy = Proxy::start(&[&registry]).await;
    let spec = json!({
        "image": registry.reference("team/app:1"),
        "type": "oci",
        "tags": [2],
        "manifests": [{
            "image": registry.reference("src/a:1"),
            "annotations": {"org.example.build": 42},
        }],
    });
    let planned = plan(&proxy, &spec)
        .await
        .unwrap_or_else(|e| panic!("plan with integers: {e:?}"));
    assert_eq!(planned.tags, ["2"]);
    let index: Value = serde_json::from_str(&planned.index).expect("the index is JSON");
    assert_eq!(
        index["manifests"][0]["annotations"]["org.example.build"],
        "42"
    );

    let mut fractional = spec.clone();
    fractional["tags"] = json!([1.10]);
    let e = plan(&proxy, &fractional)
        .await
        .expect_err("1.10 is refused");
    assert_eq!(e.status, StatusCode::BAD_REQUEST);
    assert_eq!(e.error.code, ErrorCode::InvalidInput, "{e:?}");
    assert!(e.error.message.contains("`tags[0]`"), "{}", e.error.message);
}

#[tokio::test]
async fn oci_sources_without_a_type_become_an_oci_index() {
    let registry = registry().await;
    let amd64 = image(Format::Oci, "linux/amd64", 61);
    let arm64 = image(Format::Oci, "linux/arm64/v8", 62);
    push_image(&registry, "src/oci-amd64", &amd64, "1").await;
    push_image(&registry, "src/oci-arm64", &arm64, "1").await;
    let proxy = Proxy::start(&[&registry]).await;
    // As buildah, podman or buildx with OCI media types would leave them,
    // and as a manifest-tool spec names them: no `type`.
    let spec = json!({
        "image": registry.reference("team/auto:1"),
        "manifests": [
            {"image": registry.reference("src/oci-amd64:1")},
            {"image": registry.reference("src/oci-arm64:1")},
        ],
    });
    let planned = plan(&proxy, &spec).await.expect("plan");
    assert_eq!(planned.media_type, media_type::OCI_INDEX);
    let note = planned.type_note.clone().expect("the plan says why");
    assert!(note.contains("OCI image index"), "{note}");
    assert!(note.contains("src/oci-amd64:1"), "{note}");
    assert!(planned.warnings.is_empty(), "{:?}", planned.warnings);

    let events = push(&proxy, &spec).await.expect("push");
    assert_eq!(done(&events).0, planned.digest);
    assert_pushed(&registry, "team/auto", &["1"], &planned).await;
    let raw = skopeo_raw(&registry.reference("team/auto:1"), None).await;
    let index: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(index["mediaType"], media_type::OCI_INDEX);

    // Docker sources without a type: a Docker manifest list, said so.
    let docker = image(Format::Docker, "linux/amd64", 63);
    push_image(&registry, "src/docker-amd64", &docker, "1").await;
    let spec = json!({
        "image": registry.reference("team/auto:2"),
        "manifests": [{"image": registry.reference("src/docker-amd64:1")}],
    });
    let planned = plan(&proxy, &spec).await.expect("plan");
    assert_eq!(planned.media_type, media_type::DOCKER_MANIFEST_LIST);
    assert!(
        planned
            .type_note
            .as_deref()
            .is_some_and(|n| n.contains("Docker manifest list")),
        "{:?}",
        planned.type_note
    );
}
