//! Image manifests: a Docker schema 2 image by tag, an OCI image by digest,
//! read back by tag and by digest, `Accept` negotiation, and
//! `Docker-Content-Digest` on HEAD and GET.

use registry::probe::Probe;
use reqwest::Method;
use shared::check::content::{Object, TAG_DOCKER, TAG_OCI};
use shared::check::{Exchange, Verdict, verdict};
use shared::media_type::{self, MANIFEST_ACCEPT};

use super::Session;

pub(super) async fn run(s: &mut Session<'_, '_>) {
    let docker = s.content.docker_image.clone();
    let oci = s.content.oci_image.clone();
    put(s, "docker-manifest-by-tag", &docker, Some(TAG_DOCKER)).await;
    put(s, "oci-manifest-by-digest", &oci, None).await;
    // Tagged too, for the tag listing and the negotiation below.
    let _ = s.put_manifest(&oci, Some(TAG_OCI)).await;

    read(
        s,
        "manifest-get-by-tag",
        TAG_DOCKER,
        &docker,
        docker.media_type,
    )
    .await;
    read(
        s,
        "manifest-get-by-digest",
        &oci.digest.to_string(),
        &oci,
        oci.media_type,
    )
    .await;
    negotiation(s, &docker, &oci).await;
    digest_headers(s, &docker).await;
}

/// PUT a manifest and judge the answer: 201, with the right digest if it
/// says one.
pub(super) async fn put(s: &mut Session<'_, '_>, name: &str, object: &Object, tag: Option<&str>) {
    let answer = match s.put_manifest(object, tag).await {
        Ok(a) => a,
        Err(e) => return s.unanswered(name, e),
    };
    let shown = answer.describe(&["location", "docker-content-digest"]);
    let (result, why) = match answer.status {
        201 => match answer.header("docker-content-digest") {
            None => (
                Verdict::Pass,
                "stored (201), without a Docker-Content-Digest".to_string(),
            ),
            value => match verdict::digest_header(&object.digest, value) {
                None => (Verdict::Pass, "stored (201)".to_string()),
                Some(problem) => (Verdict::Fail, problem),
            },
        },
        _ => (Verdict::Fail, "a manifest PUT is answered 201".to_string()),
    };
    s.record(name, result, format!("{why}. {shown}"));
}

/// GET `reference` with `accept` and judge: 200, the exact bytes pushed,
/// the manifest's own Content-Type.
pub(super) async fn read(
    s: &mut Session<'_, '_>,
    name: &str,
    reference: &str,
    object: &Object,
    accept: &str,
) {
    match s.get_manifest(reference, accept).await {
        Ok(answer) => {
            let (result, why) = match same_manifest(&answer, object) {
                None => (
                    Verdict::Pass,
                    "the exact bytes pushed, with their media type".to_string(),
                ),
                Some(problem) => (Verdict::Fail, problem),
            };
            s.record(
                name,
                result,
                format!(
                    "{why}. {}",
                    answer.describe(&["content-type", "docker-content-digest"])
                ),
            );
        }
        Err(e) => s.unanswered(name, e),
    }
}

/// What is wrong with a GET of `object`, if anything.
pub(super) fn same_manifest(answer: &Exchange, object: &Object) -> Option<String> {
    if answer.status != 200 {
        return Some("a manifest just pushed is answered 200".into());
    }
    if answer.body != object.bytes {
        return Some(format!(
            "the body is not the {} bytes pushed ({} bytes came back)",
            object.bytes.len(),
            answer.body.len()
        ));
    }
    let content_type = answer.header("content-type").map(media_type::essence);
    if content_type != Some(object.media_type) {
        return Some(format!(
            "Content-Type is {}, not {}",
            content_type.unwrap_or("missing"),
            object.media_type
        ));
    }
    None
}

/// Asked with every manifest type in `Accept` (as clients do), each tag
/// must come back as what it is, not converted.
async fn negotiation(s: &mut Session<'_, '_>, docker: &Object, oci: &Object) {
    let mut shown = Vec::new();
    let mut problems = Vec::new();
    for (tag, object) in [(TAG_DOCKER, docker), (TAG_OCI, oci)] {
        match s.get_manifest(tag, MANIFEST_ACCEPT).await {
            Ok(answer) => {
                if let Some(p) = same_manifest(&answer, object) {
                    problems.push(format!("{tag}: {p}"));
                }
                shown.push(answer.describe(&["content-type"]));
            }
            Err(e) => problems.push(format!("{tag}: no answer: {e}")),
        }
    }
    let (result, why) = if problems.is_empty() {
        (
            Verdict::Pass,
            "with every manifest type accepted, each comes back as pushed".to_string(),
        )
    } else {
        (Verdict::Fail, problems.join("; "))
    };
    s.record(
        "accept-negotiation",
        result,
        format!("{why}. {}", shown.join(" | ")),
    );
}

/// HEAD and GET by tag must both say the manifest's digest: a client
/// resolves a tag to a digest with a HEAD alone.
async fn digest_headers(s: &mut Session<'_, '_>, docker: &Object) {
    let mut shown = Vec::new();
    let mut problems = Vec::new();
    for method in [Method::HEAD, Method::GET] {
        let probe =
            Probe::at(method.clone(), format!("manifests/{TAG_DOCKER}")).accept(docker.media_type);
        match s.ask(probe).await {
            Ok(answer) if answer.status != 200 => {
                problems.push(format!("{method} answered {}", answer.status));
                shown.push(answer.describe(&["docker-content-digest"]));
            }
            Ok(answer) => {
                if let Some(p) =
                    verdict::digest_header(&docker.digest, answer.header("docker-content-digest"))
                {
                    problems.push(format!("{method}: {p}"));
                }
                shown.push(answer.describe(&["docker-content-digest"]));
            }
            Err(e) => problems.push(format!("{method}: no answer: {e}")),
        }
    }
    let (result, why) = if problems.is_empty() {
        (
            Verdict::Pass,
            "HEAD and GET by tag both name the digest".to_string(),
        )
    } else {
        (
            Verdict::Fail,
            format!(
                "{} (without it a client cannot resolve a tag to a digest with HEAD)",
                problems.join("; ")
            ),
        )
    };
    s.record(
        "docker-content-digest",
        result,
        format!("{why}. {}", shown.join(" | ")),
    );
}
