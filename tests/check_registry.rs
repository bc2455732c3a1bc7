//! `manifest-web check-registry`, run as a registry operator runs it: the
//! built binary against real docker-registry processes (plain, TLS,
//! htpasswd, token auth) and against quirks the fault proxy plays (a mount
//! answered 202, no `Docker-Content-Digest`, the referrers API lent).
//! Each test reads the report the binary printed and then looks at the
//! registry itself: what the check left, and that it wrote nowhere else.

use std::path::Path;
use std::process::Output;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::api::{CHECK_PATH, CheckEvent, ErrorCode, NDJSON_CONTENT_TYPE};
use shared::check::{CheckOutcome, STEPS, Verdict};
use shared::credentials::{CREDENTIALS_HEADER, Credential, CredentialSet};
use support::proxy::decode;
use support::token_server::{Grants, TokenServer};
use support::{Fault, FaultProxy, Proxy, RawResponse, Registry, RegistryOptions, Rule};

const BINARY: &str = env!("CARGO_BIN_EXE_manifest-web-under-test");

/// Run `manifest-web ARGS` with no Docker config or logins of this machine.
async fn run(args: &[&str]) -> Output {
    support::proxy_process::run_isolated(std::path::Path::new(BINARY), args).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// The JSON report of `check-registry --format json ARGS...`, and the exit code.
async fn json_report(args: &[&str]) -> (Value, i32) {
    let mut line = args.to_vec();
    line.extend_from_slice(&["--format", "json"]);
    let out = run(&line).await;
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the report is JSON ({e}):\nstdout:\n{}\nstderr:\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    (report, out.status.code().expect("an exit code"))
}

/// The result and detail of check `name`.
fn result<'a>(report: &'a Value, name: &str) -> (&'a str, &'a str) {
    let check = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"));
    (
        check["result"].as_str().expect("result"),
        check["detail"].as_str().expect("detail"),
    )
}

fn assert_result(report: &Value, name: &str, expected: &str) -> String {
    let (got, detail) = result(report, name);
    assert_eq!(got, expected, "{name}: {detail}\n{report:#}");
    detail.to_string()
}

/// Every step ran, in order, and the report has exactly the documented keys.
fn assert_shape(report: &Value, registry: &str, repository: &str) {
    let keys: Vec<&String> = report.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["checks", "registry", "repository"]);
    assert_eq!(report["registry"], registry);
    assert_eq!(report["repository"], repository);
    let names: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, STEPS);
    for check in report["checks"].as_array().unwrap() {
        let keys: Vec<&String> = check.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["detail", "name", "result"]);
    }
}

/// The repositories a registry's storage holds.
fn repositories(storage: &Path) -> Vec<String> {
    let root = storage.join("docker/registry/v2/repositories");
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name() == "_manifests" {
                let name = dir
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                found.push(name);
            } else if path.is_dir() && !entry.file_name().to_string_lossy().starts_with('_') {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The tags `repo` holds now (none when the registry does not know it).
async fn tags(base_url: &str, repo: &str, auth: Option<(&str, &str)>) -> Vec<String> {
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .no_proxy()
        .build()
        .unwrap();
    let mut request = http.get(format!("{base_url}/v2/{repo}/tags/list"));
    if let Some((u, p)) = auth {
        request = request.basic_auth(u, Some(p));
    }
    let answer = request.send().await.expect("list tags");
    if answer.status() == reqwest::StatusCode::NOT_FOUND {
        return Vec::new();
    }
    let body: Value = answer.json().await.expect("a tag list");
    body["tags"]
        .as_array()
        .map(|t| t.iter().map(|t| t.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

/// Distribution 2.8 as it comes: everything a registry must do passes; what
/// it lacks (OCI-Subject, the referrers API, paging, deleting tags by name)
/// is `unsupported`, not failed; the check removes all it wrote and wrote
/// only into the named repository.
#[tokio::test]
async fn distribution_passes_and_is_left_clean() {
    let registry = registry().await;
    let target = registry.reference("check/plain");
    let (report, code) = json_report(&["--plain-http", "check-registry", &target]).await;
    assert_shape(&report, &registry.host(), "check/plain");
    assert_eq!(code, 0, "{report:#}");
    for name in [
        "reachability",
        "anonymous-access",
        "blob-upload-monolithic",
        "blob-upload-chunked",
        "blob-head",
        "blob-mount",
        "docker-manifest-by-tag",
        "oci-manifest-by-digest",
        "manifest-get-by-tag",
        "manifest-get-by-digest",
        "accept-negotiation",
        "docker-content-digest",
        "docker-manifest-list",
        "oci-index-annotations",
        "nested-index",
        "artifact-subject",
        "manifest-deletion",
        "cleanup",
    ] {
        assert_result(&report, name, "pass");
    }
    let scheme = assert_result(&report, "auth-scheme", "pass");
    assert!(scheme.starts_with("none"), "{scheme}");
    assert_result(&report, "credentialed-access", "unsupported");
    let subject = assert_result(&report, "oci-subject-header", "unsupported");
    assert!(subject.contains("no oci-subject"), "{subject}");
    let referrers = assert_result(&report, "referrers", "unsupported");
    assert!(
        referrers.contains("-> 404"),
        "the answer that decided it: {referrers}"
    );
    let paging = assert_result(&report, "tag-list-paging", "unsupported");
    assert!(paging.contains("tags/list?n=2"), "{paging}");
    let tag_deletion = assert_result(&report, "tag-deletion", "unsupported");
    assert!(
        tag_deletion.contains("-> 400") && tag_deletion.contains("DIGEST_INVALID"),
        "status and error body: {tag_deletion}"
    );
    let mount = assert_result(&report, "blob-mount", "pass");
    assert!(mount.contains("-> 201"), "{mount}");
    let cleanup = assert_result(&report, "cleanup", "pass");
    assert!(cleanup.contains("nothing left"), "{cleanup}");

    assert_eq!(
        tags(&registry.url(), "check/plain", None).await,
        Vec::<String>::new()
    );
    assert_eq!(repositories(&registry.storage_dir()), ["check/plain"]);
}

/// The table (default) and JUnit forms of the same kind of run; progress
/// on stderr, the report alone on stdout.
#[tokio::test]
async fn table_and_junit_reports() {
    let registry = registry().await;
    let target = registry.reference("check/forms");
    let out = run(&["--plain-http", "check-registry", &target]).await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], format!("Registry check of {target}"));
    assert!(lines[2].starts_with("RESULT       CHECK"), "{stdout}");
    for step in STEPS {
        assert!(
            lines
                .iter()
                .any(|l| l.split_whitespace().nth(1) == Some(step)),
            "a row for {step}:\n{stdout}"
        );
        assert!(
            stderr.contains(&format!("{step}: ")),
            "progress for {step}:\n{stderr}"
        );
    }
    let summary = lines.last().unwrap();
    assert!(summary.ends_with("0 failed, 5 unsupported"), "{summary}");

    let out = run(&[
        "--plain-http",
        "check-registry",
        "--format",
        "junit",
        &target,
    ])
    .await;
    let junit = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{junit}");
    assert!(
        junit.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>"),
        "{junit}"
    );
    assert!(
        junit.contains(&format!(
            "tests=\"{}\" failures=\"0\" errors=\"0\" skipped=\"5\"",
            STEPS.len()
        )),
        "{junit}"
    );
    assert_eq!(junit.matches("<testcase ").count(), STEPS.len());
    assert_eq!(junit.matches("<skipped ").count(), 5);
}

/// A registry with a self-signed certificate, reached with `--insecure`.
#[tokio::test]
async fn tls_registry() {
    let registry = Registry::start_with(RegistryOptions {
        self_signed_tls: true,
        ..RegistryOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start docker-registry with TLS: {e}"));
    let target = registry.reference("check/tls");
    let (report, code) = json_report(&["--insecure", "check-registry", &target]).await;
    assert_shape(&report, &registry.host(), "check/tls");
    assert_eq!(code, 0, "{report:#}");
    assert_result(&report, "reachability", "pass");
    assert_result(&report, "blob-upload-chunked", "pass");
    assert_result(&report, "cleanup", "pass");
    assert_eq!(
        tags(&registry.url(), "check/tls", None).await,
        Vec::<String>::new()
    );
}

/// htpasswd: Basic is named, a stranger is refused, the user's
/// credentials are used for every write; without them the writes fail and
/// the exit status says so.
#[tokio::test]
async fn htpasswd_registry() {
    let registry = Registry::start_with_auth("checker", "check-pw-1a2b")
        .await
        .unwrap_or_else(|e| panic!("start docker-registry with htpasswd: {e}"));
    let target = registry.reference("check/basic");
    let (report, code) = json_report(&[
        "--plain-http",
        "--username",
        "checker",
        "--password",
        "check-pw-1a2b",
        "check-registry",
        &target,
    ])
    .await;
    assert_eq!(code, 0, "{report:#}");
    let scheme = assert_result(&report, "auth-scheme", "pass");
    assert!(scheme.starts_with("Basic"), "{scheme}");
    let anonymous = assert_result(&report, "anonymous-access", "pass");
    assert!(anonymous.contains("refused"), "{anonymous}");
    let credentialed = assert_result(&report, "credentialed-access", "pass");
    assert!(credentialed.contains("GET /v2/ -> 200"), "{credentialed}");
    assert_result(&report, "docker-manifest-list", "pass");
    assert_result(&report, "cleanup", "pass");
    assert!(
        tags(
            &registry.url(),
            "check/basic",
            Some(("checker", "check-pw-1a2b"))
        )
        .await
        .is_empty()
    );

    let (report, code) = json_report(&["--plain-http", "check-registry", &target]).await;
    assert_eq!(code, 1, "writes without credentials fail: {report:#}");
    let upload = assert_result(&report, "blob-upload-monolithic", "fail");
    assert!(upload.contains("credentials"), "{upload}");
    assert_result(&report, "reachability", "pass");
}

/// Quirks: a registry that declines mounts (202), one that sends no
/// `Docker-Content-Digest`, and one with the OCI 1.1 referrers API.
#[tokio::test]
async fn quirks_from_the_fault_proxy() {
    let registry = registry().await;
    let faults = FaultProxy::start(&registry).await;
    faults.inject(Rule::new("POST", "mount=", Fault::NotMounted));
    faults.inject(Rule::new(
        "GET",
        "/referrers/",
        Fault::ReferrersApi {
            page_size: 10,
            link_origin: None,
        },
    ));
    let target = faults.reference("check/quirks");
    let (report, code) = json_report(&["--plain-http", "check-registry", &target]).await;
    assert_eq!(code, 0, "{report:#}");
    let mount = assert_result(&report, "blob-mount", "unsupported");
    assert!(
        mount.contains("-> 202") && mount.contains("cancelled"),
        "{mount}"
    );
    assert_eq!(
        faults.count("DELETE", "/blobs/uploads/"),
        1,
        "the upload the declined mount started is cancelled"
    );
    let referrers = assert_result(&report, "referrers", "pass");
    assert!(
        referrers.contains("referrers API lists the artifact"),
        "{referrers}"
    );
    assert_result(&report, "cleanup", "pass");

    faults.clear_rules();
    faults.inject(Rule::new("HEAD", "/manifests/", Fault::NoDigestHeader));
    let out = run(&["--plain-http", "check-registry", &target]).await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed check fails the run:\n{stdout}"
    );
    let row = stdout
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("docker-content-digest"))
        .expect("a docker-content-digest row");
    assert!(row.starts_with("fail "), "{row}");
    assert!(row.contains("HEAD: no Docker-Content-Digest"), "{row}");
    assert!(stdout.ends_with("1 failed, 5 unsupported\n"), "{stdout}");
}

/// A tag or digest is refused before anything is sent.
#[tokio::test]
async fn an_image_reference_is_refused() {
    let registry = registry().await;
    let out = run(&[
        "--plain-http",
        "check-registry",
        &registry.reference("check/me:v1"),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("names an image") && err.contains("REGISTRY/REPOSITORY"),
        "{err}"
    );
    assert!(repositories(&registry.storage_dir()).is_empty());
}

/// `POST /api/v1/check` with `body` (JSON) and typed credentials.
async fn api_check(
    proxy: &Proxy,
    content_type: &str,
    body: String,
    credentials: Option<&CredentialSet>,
) -> RawResponse {
    let mut request = proxy
        .client()
        .request(Method::POST, CHECK_PATH)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(c) = credentials {
        request = request.header(CREDENTIALS_HEADER, c.encode());
    }
    proxy.client().send(request).await
}

/// The stream's events; panics unless it is NDJSON ending with a newline.
fn events(answer: &RawResponse) -> Vec<CheckEvent> {
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(answer.header("content-type"), Some(NDJSON_CONTENT_TYPE));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let text = String::from_utf8(answer.body.to_vec()).expect("UTF-8");
    assert!(text.ends_with('\n'), "{text}");
    text.lines()
        .map(|l| CheckEvent::from_ndjson(l).unwrap_or_else(|e| panic!("event `{l}`: {e}")))
        .collect()
}

/// The outcomes in a stream, checked to be framed by `started` (naming
/// every step) and `done` (with the counts).
fn outcomes(events: &[CheckEvent], registry: &str, repository: &str) -> Vec<CheckOutcome> {
    let CheckEvent::Started {
        registry: r,
        repository: repo,
        steps,
    } = &events[0]
    else {
        panic!("first event: {:?}", events[0]);
    };
    assert_eq!((r.as_str(), repo.as_str()), (registry, repository));
    assert_eq!(steps, STEPS);
    let outcomes: Vec<CheckOutcome> = events[1..events.len() - 1]
        .iter()
        .map(|e| match e {
            CheckEvent::Check(o) => o.clone(),
            other => panic!("a check event: {other:?}"),
        })
        .collect();
    let names: Vec<&str> = outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, STEPS, "one event per step, in order");
    let count = |v: Verdict| outcomes.iter().filter(|o| o.result == v).count();
    assert_eq!(
        events.last(),
        Some(&CheckEvent::Done {
            passed: count(Verdict::Pass),
            failed: count(Verdict::Fail),
            unsupported: count(Verdict::Unsupported),
        })
    );
    outcomes
}

fn outcome<'a>(outcomes: &'a [CheckOutcome], name: &str) -> &'a CheckOutcome {
    outcomes
        .iter()
        .find(|o| o.name == name)
        .expect("the step ran")
}

/// The API streams the same check the CLI runs, one event per result.
#[tokio::test]
async fn the_api_streams_results() {
    let registry = registry().await;
    let proxy = Proxy::start(&[&registry]).await;
    let body = json!({"repository": registry.reference("check/api")}).to_string();
    let answer = api_check(&proxy, "application/json", body, None).await;
    let outcomes = outcomes(&events(&answer), &registry.host(), "check/api");
    assert!(
        outcomes.iter().all(|o| o.result != Verdict::Fail),
        "{outcomes:#?}"
    );
    assert_eq!(outcome(&outcomes, "blob-mount").result, Verdict::Pass);
    assert_eq!(outcome(&outcomes, "referrers").result, Verdict::Unsupported);
    assert!(
        outcome(&outcomes, "cleanup")
            .detail
            .contains("nothing left")
    );
    assert_eq!(repositories(&registry.storage_dir()), ["check/api"]);
    assert!(tags(&registry.url(), "check/api", None).await.is_empty());
}

/// Held to push's guards: JSON only, no foreign origin, the SSRF guard
/// before anything is sent, a repository and not an image.
#[tokio::test]
async fn the_api_is_guarded_like_push() {
    let registry = registry().await;
    let body = json!({"repository": registry.reference("check/guarded")}).to_string();

    // Not allowed to reach a loopback registry: refused before any request.
    let closed = Proxy::start(&[]).await;
    let answer = api_check(&closed, "application/json", body.clone(), None).await;
    let e = decode::<Value>(answer).expect_err("refused");
    assert_eq!(e.status, StatusCode::FORBIDDEN, "{e:?}");
    assert_eq!(e.error.code, ErrorCode::ForbiddenTarget, "{e:?}");

    let proxy = Proxy::start(&[&registry]).await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        let answer = api_check(&proxy, content_type, body.clone(), None).await;
        assert_eq!(
            answer.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
    }
    let foreign = proxy
        .client()
        .send(
            proxy
                .client()
                .request(Method::POST, CHECK_PATH)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("origin", "http://attacker.example")
                .body(body.clone()),
        )
        .await;
    let e = decode::<Value>(foreign).expect_err("403");
    assert_eq!(e.error.code, ErrorCode::ForbiddenOrigin);

    let image = json!({"repository": registry.reference("check/guarded:v1")}).to_string();
    let e = decode::<Value>(api_check(&proxy, "application/json", image, None).await)
        .expect_err("an image is not a repository");
    assert_eq!(e.status, StatusCode::BAD_REQUEST);
    assert!(e.error.message.contains("names an image"), "{e:?}");
    let e =
        decode::<Value>(api_check(&proxy, "application/json", "{\"repo\":1}".into(), None).await)
            .expect_err("a body of another shape");
    assert_eq!(e.error.code, ErrorCode::InvalidInput);

    assert!(
        repositories(&registry.storage_dir()).is_empty(),
        "nothing was written"
    );
}

/// Token auth whose service grants pull and push but not delete: the
/// scheme and realm are named, the typed-in credentials are used, deletion
/// is refused (unsupported, not failed), and the cleanup names what it
/// had to leave.
#[tokio::test]
async fn token_registry_without_delete() {
    let tokens = TokenServer::start(Grants::none()).await;
    tokens.add_user("tina", "tina-token-pw-5c5c", Grants::all());
    let registry = Registry::start_with(RegistryOptions {
        auth_yaml: Some(tokens.registry_auth()),
        ..RegistryOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start docker-registry with token auth: {e}"));
    let proxy = Proxy::start_with(|config| {
        config
            .insecure_registries
            .extend([registry.host(), tokens.host()]);
    })
    .await;
    let mut credentials = CredentialSet::default();
    credentials.0.insert(
        registry.host(),
        Credential {
            username: "tina".into(),
            password: "tina-token-pw-5c5c".into(),
        },
    );
    let target = registry.reference("check/token");
    let body = json!({ "repository": target }).to_string();
    let answer = api_check(&proxy, "application/json", body, Some(&credentials)).await;
    let outcomes = outcomes(&events(&answer), &registry.host(), "check/token");
    assert!(
        outcomes.iter().all(|o| o.result != Verdict::Fail),
        "refused deletion is not a failure: {outcomes:#?}"
    );
    let scheme = outcome(&outcomes, "auth-scheme");
    assert!(scheme.detail.contains(&tokens.realm()), "{scheme:?}");
    assert!(
        outcome(&outcomes, "anonymous-access")
            .detail
            .contains("refused")
    );
    assert_eq!(
        outcome(&outcomes, "credentialed-access").result,
        Verdict::Pass
    );
    assert_eq!(outcome(&outcomes, "blob-mount").result, Verdict::Pass);
    assert_eq!(outcome(&outcomes, "nested-index").result, Verdict::Pass);
    let deletion = outcome(&outcomes, "manifest-deletion");
    assert_eq!(deletion.result, Verdict::Unsupported);
    assert!(deletion.detail.contains("-> 401"), "{deletion:?}");
    let cleanup = outcome(&outcomes, "cleanup");
    assert_eq!(cleanup.result, Verdict::Unsupported);
    assert!(
        cleanup.detail.starts_with(&format!("left in {target}: ")),
        "{cleanup:?}"
    );
    for tag in ["mw-check-docker", "mw-check-oci", "mw-check-nested"] {
        assert!(
            cleanup.detail.contains(tag),
            "names the tag {tag} it left: {cleanup:?}"
        );
    }
}
