//! Deletion, then the cleanup: a manifest by digest, a tag, and then
//! everything else the check wrote, newest first; what the registry would
//! not delete is named in the report, so the operator knows what is left.

use registry::probe::Probe;
use reqwest::Method;
use shared::check::content::{TAG_LIST, TAG_NESTED};
use shared::check::{Verdict, verdict};
use shared::digest::Digest;

use super::Session;

pub(super) async fn run(s: &mut Session<'_, '_>) {
    manifest_deletion(s).await;
    tag_deletion(s).await;
    cleanup(s).await;
}

async fn manifest_deletion(s: &mut Session<'_, '_>) {
    let Some(digest) = tagged(s, TAG_LIST) else {
        return s.record(
            "manifest-deletion",
            Verdict::Fail,
            "nothing to delete: the manifest list was not stored",
        );
    };
    match s
        .ask(Probe::at(Method::DELETE, format!("manifests/{digest}")))
        .await
    {
        Ok(answer) => {
            let result = verdict::deletion(answer.status);
            if result == Verdict::Pass {
                mark_deleted(s, &digest);
            }
            let why = match result {
                Verdict::Pass => "a manifest is deleted by digest",
                Verdict::Unsupported => "the registry refuses to delete manifests",
                Verdict::Fail => "a deletion is answered 202, or 4xx when refused",
            };
            s.record(
                "manifest-deletion",
                result,
                format!("{why}. {}", answer.describe(&[])),
            );
        }
        Err(e) => s.unanswered("manifest-deletion", e),
    }
}

async fn tag_deletion(s: &mut Session<'_, '_>) {
    if tagged(s, TAG_NESTED).is_none() {
        return s.record(
            "tag-deletion",
            Verdict::Fail,
            "nothing to delete: the nested index was not stored",
        );
    }
    match s
        .ask(Probe::at(Method::DELETE, format!("manifests/{TAG_NESTED}")))
        .await
    {
        Ok(answer) => {
            let result = verdict::deletion(answer.status);
            let why = match result {
                Verdict::Pass => "a tag is deleted by name",
                Verdict::Unsupported => {
                    "the registry refuses to delete a tag by name (deleting the manifest by digest removes its tags)"
                }
                Verdict::Fail => "a deletion is answered 202, or 4xx when refused",
            };
            s.record(
                "tag-deletion",
                result,
                format!("{why}. {}", answer.describe(&[])),
            );
        }
        Err(e) => s.unanswered("tag-deletion", e),
    }
}

async fn cleanup(s: &mut Session<'_, '_>) {
    let mut left = Vec::new();
    let mut refusal = None;
    let mut broken = false;
    let mut removed = 0usize;
    let mut seen: Vec<Digest> = Vec::new();
    let manifests: Vec<_> = s.manifests.iter().rev().cloned().collect();
    for pushed in manifests {
        if pushed.deleted || seen.contains(&pushed.digest) {
            continue;
        }
        seen.push(pushed.digest.clone());
        let tags: Vec<String> = s
            .manifests
            .iter()
            .filter(|m| m.digest == pushed.digest)
            .filter_map(|m| m.tag.clone())
            .collect();
        let what = if tags.is_empty() {
            format!("manifest {}", pushed.digest)
        } else {
            format!("manifest {} (tags {})", pushed.digest, tags.join(", "))
        };
        match delete(s, &format!("manifests/{}", pushed.digest)).await {
            Ok(()) => {
                removed += 1;
                mark_deleted(s, &pushed.digest);
            }
            Err((shown, is_broken)) => {
                broken |= is_broken;
                refusal.get_or_insert(shown);
                left.push(what);
            }
        }
    }
    for blob in s.blobs.clone() {
        match delete(s, &format!("blobs/{blob}")).await {
            Ok(()) => removed += 1,
            Err((shown, is_broken)) => {
                broken |= is_broken;
                refusal.get_or_insert(shown);
                left.push(format!("blob {blob}"));
            }
        }
    }
    let (result, why) = if left.is_empty() {
        (
            Verdict::Pass,
            format!(
                "removed everything the check wrote ({removed} manifests and blobs); nothing left"
            ),
        )
    } else {
        let result = if broken {
            Verdict::Fail
        } else {
            Verdict::Unsupported
        };
        (
            result,
            format!(
                "left in {}: {}. First refusal: {}",
                s.repo.name(),
                left.join("; "),
                refusal.unwrap_or_default()
            ),
        )
    };
    s.record("cleanup", result, why);
}

/// DELETE `tail`: gone (2xx, or already gone: 404), or the answer that
/// refused it and whether that answer was broken rather than a refusal.
async fn delete(s: &mut Session<'_, '_>, tail: &str) -> Result<(), (String, bool)> {
    match s.ask(Probe::at(Method::DELETE, tail)).await {
        Ok(answer) if answer.is_success() || answer.status == 404 => Ok(()),
        Ok(answer) => Err((
            answer.describe(&[]),
            verdict::deletion(answer.status) == Verdict::Fail,
        )),
        Err(e) => Err((format!("DELETE {tail}: no answer: {e}"), true)),
    }
}

fn tagged(s: &Session<'_, '_>, tag: &str) -> Option<Digest> {
    s.manifests
        .iter()
        .find(|m| m.tag.as_deref() == Some(tag))
        .map(|m| m.digest.clone())
}

fn mark_deleted(s: &mut Session<'_, '_>, digest: &Digest) {
    for m in s.manifests.iter_mut().filter(|m| m.digest == *digest) {
        m.deleted = true;
    }
}
