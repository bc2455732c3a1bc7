//! An artifact (`artifactType`, `subject`), whether the registry answers
//! `OCI-Subject` for it, and whether its referrers can be listed: by the
//! OCI 1.1 referrers API, or else by the tag-schema fallback index that a
//! client maintains itself (the check pushes it, as a client would, when
//! the registry did not answer `OCI-Subject`).

use registry::probe::Probe;
use reqwest::Method;
use shared::check::{Verdict, verdict};
use shared::media_type::OCI_INDEX;

use super::Session;

pub(super) async fn run(s: &mut Session<'_, '_>) {
    let artifact = s.content.artifact.clone();
    let subject = s.content.oci_image.digest.clone();
    let put = match s.put_manifest(&artifact, None).await {
        Ok(a) => a,
        Err(e) => {
            s.unanswered("artifact-subject", e.clone());
            s.unanswered("oci-subject-header", e);
            return;
        }
    };
    let shown = put.describe(&["docker-content-digest", "oci-subject"]);
    if put.status != 201 {
        s.record(
            "artifact-subject",
            Verdict::Fail,
            format!("an OCI manifest with artifactType and subject is stored with 201. {shown}"),
        );
        s.record(
            "oci-subject-header",
            Verdict::Fail,
            "the artifact was not stored",
        );
        return;
    }
    s.record(
        "artifact-subject",
        Verdict::Pass,
        format!("an artifact with artifactType and subject is stored. {shown}"),
    );
    let (result, why) = match put.header("oci-subject") {
        Some(v) if v.trim() == subject.to_string() => {
            s.oci_subject = true;
            (
                Verdict::Pass,
                "the registry answers OCI-Subject: it indexes referrers itself".to_string(),
            )
        }
        Some(v) => (
            Verdict::Fail,
            format!("OCI-Subject `{v}` is not the subject {subject}"),
        ),
        None => (
            Verdict::Unsupported,
            "no OCI-Subject: clients must maintain the referrers tag-schema index".to_string(),
        ),
    };
    s.record("oci-subject-header", result, format!("{why}. {shown}"));
    listing(s).await;
}

async fn listing(s: &mut Session<'_, '_>) {
    let artifact = s.content.artifact.digest.clone();
    let subject = s.content.oci_image.digest.clone();
    let fallback_tag = s.content.fallback_tag();
    let mut pushed_fallback = String::new();
    if !s.oci_subject {
        let fallback = s.content.fallback_index.clone();
        pushed_fallback = match s.put_manifest(&fallback, Some(&fallback_tag)).await {
            Ok(a) => format!(" (fallback index pushed: {})", a.describe(&[])),
            Err(e) => format!(" (pushing the fallback index got no answer: {e})"),
        };
    }
    let api = match s
        .ask(Probe::at(Method::GET, format!("referrers/{subject}")).accept(OCI_INDEX))
        .await
    {
        Ok(a) => a,
        Err(e) => return s.unanswered("referrers", e),
    };
    let api_shown = api.describe(&["content-type", "link", "oci-filters-applied"]);
    if api.status == 200 {
        let (result, why) = match verdict::index_lists(&api.body, &artifact) {
            Ok(true) => (
                Verdict::Pass,
                "the referrers API lists the artifact".to_string(),
            ),
            Ok(false) => (
                Verdict::Fail,
                format!("the referrers API does not list the artifact {artifact}"),
            ),
            Err(e) => (Verdict::Fail, e),
        };
        return s.record(
            "referrers",
            result,
            format!("{why}{pushed_fallback}. {api_shown}"),
        );
    }
    if api.status != 404 {
        return s.record(
            "referrers",
            Verdict::Fail,
            format!("the referrers API answers 200, or 404 where it is missing. {api_shown}"),
        );
    }
    let tag = match s.get_manifest(&fallback_tag, OCI_INDEX).await {
        Ok(a) => a,
        Err(e) => return s.unanswered("referrers", e),
    };
    let shown = format!("{api_shown} | {}", tag.describe(&["content-type"]));
    let (result, why) = match (tag.status, verdict::index_lists(&tag.body, &artifact)) {
        (200, Ok(true)) => (
            Verdict::Unsupported,
            "no referrers API (404); the tag-schema fallback index works".to_string(),
        ),
        (200, Ok(false)) => (
            Verdict::Fail,
            "the fallback index does not list the artifact".to_string(),
        ),
        (200, Err(e)) => (Verdict::Fail, e),
        _ => (
            Verdict::Fail,
            "neither the referrers API nor the tag-schema fallback lists the artifact".to_string(),
        ),
    };
    s.record(
        "referrers",
        result,
        format!("{why}{pushed_fallback}. {shown}"),
    );
}
