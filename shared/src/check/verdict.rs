//! Which result a registry's answer means, one rule per question the check
//! asks. Each takes the answer (or the part of it that matters) and says
//! pass, fail or unsupported and why, so the CLI, the API and the page all
//! judge a registry the same way.

use crate::digest::Digest;

use super::{Exchange, Verdict};

/// `GET /v2/` without credentials: 200 (open) or 401 with a challenge.
pub fn reachability(e: &Exchange) -> (Verdict, &'static str) {
    match e.status {
        200 => (
            Verdict::Pass,
            "the registry API answers (no credentials needed for /v2/)",
        ),
        401 if e.header("www-authenticate").is_some() => (
            Verdict::Pass,
            "the registry API answers and asks for credentials",
        ),
        401 => (
            Verdict::Fail,
            "401 without a WWW-Authenticate challenge: no client can know how to log in",
        ),
        _ => (Verdict::Fail, "a registry answers /v2/ with 200 or 401"),
    }
}

/// The scheme a `WWW-Authenticate` challenge offers, for people.
pub fn auth_scheme(challenge: Option<&str>) -> (Verdict, String) {
    let Some(challenge) = challenge else {
        return (Verdict::Pass, "none: anyone may use the API".into());
    };
    let scheme = challenge.split_whitespace().next().unwrap_or("");
    let param = |name: &str| {
        challenge.split(',').find_map(|part| {
            let part = part.trim();
            let part = part.strip_prefix(scheme).map(str::trim).unwrap_or(part);
            let (key, value) = part.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().trim_matches('"').to_string())
        })
    };
    if scheme.eq_ignore_ascii_case("bearer") {
        let realm = param("realm").unwrap_or_else(|| "(none)".into());
        let service = param("service").unwrap_or_else(|| "(none)".into());
        (
            Verdict::Pass,
            format!("Bearer tokens from {realm} (service {service})"),
        )
    } else if scheme.eq_ignore_ascii_case("basic") {
        (
            Verdict::Pass,
            "Basic (username and password on every request)".into(),
        )
    } else {
        (
            Verdict::Unsupported,
            format!("an unknown scheme `{}`", super::exchange::quote(scheme, 40)),
        )
    }
}

/// What an anonymous read of the repository's tags says.
pub fn anonymous_read(status: u16) -> &'static str {
    match status {
        200 => "anonymous reads are allowed",
        404 => "anonymous reads are allowed (the repository has no tags yet)",
        401 | 403 => "anonymous reads are refused (credentials needed)",
        _ => "an unexpected answer to an anonymous read",
    }
}

/// A cross-repository mount: 201 mounted; 202 means the registry declined
/// and started an ordinary upload instead (allowed by the spec).
pub fn mount(status: u16) -> Verdict {
    match status {
        201 => Verdict::Pass,
        202 => Verdict::Unsupported,
        _ => Verdict::Fail,
    }
}

/// A deletion: accepted, declined (a 4xx: deletion off, not allowed to
/// this user, tags not deletable), or broken (anything else).
pub fn deletion(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Pass,
        400..=499 => Verdict::Unsupported,
        _ => Verdict::Fail,
    }
}

/// A `Docker-Content-Digest` against what it must be: `None` when right,
/// else what is wrong.
pub fn digest_header(expected: &Digest, value: Option<&str>) -> Option<String> {
    match value {
        None => Some("no Docker-Content-Digest".into()),
        Some(v) if v.trim() == expected.to_string() => None,
        Some(v) => Some(format!(
            "Docker-Content-Digest `{}` is not {expected}",
            super::exchange::quote(v, 80)
        )),
    }
}

/// The tags of a `tags/list` answer.
pub fn tag_list(body: &[u8]) -> Result<Vec<String>, String> {
    #[derive(serde::Deserialize)]
    struct Tags {
        #[serde(default)]
        tags: Option<Vec<String>>,
    }
    serde_json::from_slice::<Tags>(body)
        .map(|t| t.tags.unwrap_or_default())
        .map_err(|e| format!("the tag list is not JSON of the spec's shape: {e}"))
}

/// Paging with `n`: the first page holds at most `n` tags, the page after
/// `last=` only tags after it. `None` when right; a registry that ignores
/// `n` (all tags in one answer) declines paging, one that pages wrongly is
/// broken.
pub fn paging(n: usize, first: &[String], second: &[String]) -> Option<(Verdict, String)> {
    if first.len() > n {
        return Some((
            Verdict::Unsupported,
            format!(
                "asked for n={n}, got {} tags: the registry does not page tag lists",
                first.len()
            ),
        ));
    }
    let broken = |why: String| Some((Verdict::Fail, why));
    if second.len() > n {
        return broken(format!(
            "asked for n={n} after `last`, got {} tags",
            second.len()
        ));
    }
    let Some(last) = first.last() else {
        return broken("the first page is empty, though the repository has tags".into());
    };
    if let Some(bad) = second.iter().find(|t| t.as_str() <= last.as_str()) {
        return broken(format!(
            "the page after last={last} holds `{bad}`, which is not after it"
        ));
    }
    None
}

/// Does an index (a referrers answer, or the tag-schema fallback) list
/// `digest`?
pub fn index_lists(body: &[u8], digest: &Digest) -> Result<bool, String> {
    #[derive(serde::Deserialize)]
    struct Index {
        #[serde(default)]
        manifests: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        digest: String,
    }
    let index: Index = serde_json::from_slice(body)
        .map_err(|e| format!("the answer is not an image index: {e}"))?;
    Ok(index
        .manifests
        .iter()
        .any(|m| m.digest == digest.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Exchange {
        Exchange {
            method: "GET".into(),
            target: "/v2/".into(),
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }

    #[test]
    fn reachability_wants_200_or_a_challenge() {
        assert_eq!(reachability(&answer(200, &[])).0, Verdict::Pass);
        assert_eq!(
            reachability(&answer(401, &[("www-authenticate", "Basic realm=x")])).0,
            Verdict::Pass
        );
        assert_eq!(reachability(&answer(401, &[])).0, Verdict::Fail);
        assert_eq!(reachability(&answer(404, &[])).0, Verdict::Fail);
        assert_eq!(reachability(&answer(502, &[])).0, Verdict::Fail);
    }

    #[test]
    fn schemes_are_named() {
        let (v, text) = auth_scheme(Some(
            r#"Bearer realm="http://127.0.0.1:1/token",service="reg""#,
        ));
        assert_eq!(v, Verdict::Pass);
        assert_eq!(
            text,
            "Bearer tokens from http://127.0.0.1:1/token (service reg)"
        );
        assert!(
            auth_scheme(Some(r#"Basic realm="x""#))
                .1
                .starts_with("Basic")
        );
        assert_eq!(auth_scheme(Some("Negotiate")).0, Verdict::Unsupported);
        assert!(auth_scheme(None).1.starts_with("none"));
    }

    #[test]
    fn mounts_and_deletions() {
        assert_eq!(mount(201), Verdict::Pass);
        assert_eq!(mount(202), Verdict::Unsupported);
        assert_eq!(mount(500), Verdict::Fail);
        assert_eq!(deletion(202), Verdict::Pass);
        assert_eq!(deletion(405), Verdict::Unsupported);
        assert_eq!(deletion(401), Verdict::Unsupported);
        assert_eq!(deletion(500), Verdict::Fail);
    }

    #[test]
    fn digest_headers() {
        let d = Digest::sha256(b"x");
        assert_eq!(digest_header(&d, Some(&format!(" {d} "))), None);
        assert!(
            digest_header(&d, None)
                .unwrap()
                .contains("no Docker-Content-Digest")
        );
        let other = Digest::sha256(b"y");
        assert!(
            digest_header(&d, Some(&other.to_string()))
                .unwrap()
                .contains("is not")
        );
    }

    #[test]
    fn paging_rules() {
        let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        assert_eq!(paging(2, &s(&["a", "b"]), &s(&["c", "d"])), None);
        assert_eq!(paging(2, &s(&["a", "b"]), &s(&[])), None);
        let (v, why) = paging(2, &s(&["a", "b", "c"]), &s(&[])).unwrap();
        assert_eq!(v, Verdict::Unsupported);
        assert!(why.contains("got 3"), "{why}");
        let (v, why) = paging(2, &s(&["a", "b"]), &s(&["b", "c"])).unwrap();
        assert_eq!(v, Verdict::Fail);
        assert!(why.contains("`b`"), "{why}");
        assert_eq!(paging(2, &s(&[]), &s(&[])).unwrap().0, Verdict::Fail);
        assert_eq!(
            tag_list(br#"{"name":"r","tags":["a"]}"#).unwrap(),
            s(&["a"])
        );
        assert_eq!(tag_list(br#"{"name":"r","tags":null}"#).unwrap(), s(&[]));
        assert!(tag_list(b"<html>").is_err());
    }

    #[test]
    fn index_listing() {
        let d = Digest::sha256(b"x");
        let body = format!(r#"{{"manifests":[{{"digest":"{d}"}}]}}"#);
        assert_eq!(index_lists(body.as_bytes(), &d), Ok(true));
        assert_eq!(index_lists(br#"{"manifests":[]}"#, &d), Ok(false));
        assert!(index_lists(b"nope", &d).is_err());
    }
}
