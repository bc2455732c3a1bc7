//! Blobs: an upload in one PUT, a chunked upload (two PATCHes, then the
//! closing PUT), a HEAD, and a cross-repository mount. The mount's source
//! is the checked repository itself, because the check writes nowhere
//! else; what it shows is whether the registry mounts (201) or declines
//! and starts an upload (202).

use registry::probe::{Probe, ProbePath};
use reqwest::header::{CONTENT_RANGE, HeaderValue};
use reqwest::{Method, Url};
use shared::check::content::Object;
use shared::check::{Exchange, Verdict, verdict};
use shared::digest::Digest;

use super::Session;

const OCTETS: &str = "application/octet-stream";

pub(super) async fn run(s: &mut Session<'_, '_>) {
    monolithic(s).await;
    chunked(s).await;
    head(s).await;
    mount(s).await;
}

/// Why an upload stopped: the detail for the report.
type Stopped = String;

async fn monolithic(s: &mut Session<'_, '_>) {
    let objects = [
        s.content.layer.clone(),
        s.content.empty.clone(),
        s.content.docker_config.clone(),
        s.content.oci_config.clone(),
    ];
    let mut shown = None;
    for object in &objects {
        match upload_whole(s, object).await {
            Ok(done) => {
                shown.get_or_insert(done);
            }
            Err(why) => {
                s.record("blob-upload-monolithic", Verdict::Fail, why);
                return;
            }
        }
    }
    s.record(
        "blob-upload-monolithic",
        Verdict::Pass,
        format!(
            "{} blobs uploaded with POST then one PUT each. {}",
            objects.len(),
            shown.unwrap_or_default()
        ),
    );
}

/// POST an upload, then PUT the whole blob with `?digest=`: the closing
/// answer described.
async fn upload_whole(s: &mut Session<'_, '_>, object: &Object) -> Result<String, Stopped> {
    let location = start(s).await?;
    let put = s
        .ask(
            Probe::new(
                Method::PUT,
                ProbePath::Url(with_digest(location, &object.digest)),
            )
            .body(object.bytes.clone(), OCTETS),
        )
        .await?;
    close(s, &put, &object.digest)
}

async fn chunked(s: &mut Session<'_, '_>) {
    match upload_chunked(s).await {
        Ok(done) => s.record(
            "blob-upload-chunked",
            Verdict::Pass,
            format!("uploaded in two PATCHes with Content-Range, closed by PUT. {done}"),
        ),
        Err(why) => s.record("blob-upload-chunked", Verdict::Fail, why),
    }
}

async fn upload_chunked(s: &mut Session<'_, '_>) -> Result<String, Stopped> {
    let object = s.content.chunked.clone();
    let mut location = start(s).await?;
    let mut offset = 0usize;
    for chunk in s.content.chunks.clone() {
        let range = format!("{offset}-{}", offset + chunk.len() - 1);
        let range = HeaderValue::from_str(&range).map_err(|e| e.to_string())?;
        let patch = s
            .ask(
                Probe::new(Method::PATCH, ProbePath::Url(location.clone()))
                    .body(chunk.clone(), OCTETS)
                    .header(CONTENT_RANGE, range),
            )
            .await?;
        if patch.status != 202 {
            return Err(format!(
                "a chunk is answered 202 with the upload's next Location. {}",
                patch.describe(&["location", "range"])
            ));
        }
        location = next_location(&location, &patch)?;
        offset += chunk.len();
    }
    let put = s
        .ask(Probe::new(
            Method::PUT,
            ProbePath::Url(with_digest(location, &object.digest)),
        ))
        .await?;
    close(s, &put, &object.digest)
}

async fn head(s: &mut Session<'_, '_>) {
    let layer = s.content.layer.clone();
    let answer = match s
        .ask(Probe::at(Method::HEAD, format!("blobs/{}", layer.digest)))
        .await
    {
        Ok(a) => a,
        Err(e) => return s.unanswered("blob-head", e),
    };
    let shown = answer.describe(&["content-length", "docker-content-digest"]);
    let length_ok = answer
        .header("content-length")
        .is_some_and(|l| l.trim() == layer.size().to_string());
    let (result, why) = match answer.status {
        200 if !length_ok => (
            Verdict::Fail,
            format!("Content-Length must be the blob's size, {}", layer.size()),
        ),
        200 => {
            match verdict::digest_header(&layer.digest, answer.header("docker-content-digest")) {
                None => (
                    Verdict::Pass,
                    "the blob is there, with its size and digest".into(),
                ),
                Some(problem) => (Verdict::Fail, problem),
            }
        }
        _ => (
            Verdict::Fail,
            "a blob just uploaded answers HEAD with 200".into(),
        ),
    };
    s.record("blob-head", result, format!("{why}. {shown}"));
}

async fn mount(s: &mut Session<'_, '_>) {
    let layer = s.content.layer.clone();
    let from = s.repo.repository().to_string();
    let tail = format!("blobs/uploads/?mount={}&from={from}", layer.digest);
    let answer = match s.ask(Probe::at(Method::POST, tail)).await {
        Ok(a) => a,
        Err(e) => return s.unanswered("blob-mount", e),
    };
    let shown = answer.describe(&["location", "docker-content-digest"]);
    let result = verdict::mount(answer.status);
    let why = match result {
        Verdict::Pass => "mounted (201) from the same repository".to_string(),
        Verdict::Unsupported => {
            // Cancel the upload it started instead.
            let cancelled = match location(s, &answer) {
                Ok(url) => match s.ask(Probe::new(Method::DELETE, ProbePath::Url(url))).await {
                    Ok(a) => format!("the upload it started was cancelled ({})", a.status),
                    Err(e) => format!("cancelling the upload it started failed: {e}"),
                },
                Err(e) => e,
            };
            format!(
                "the registry declined the mount and started an ordinary upload instead (202); pushes copy blobs there; {cancelled}"
            )
        }
        Verdict::Fail => "a mount is answered 201 (mounted) or 202 (declined)".to_string(),
    };
    s.record("blob-mount", result, format!("{why}. {shown}"));
}

/// POST `blobs/uploads/`: the upload's Location.
async fn start(s: &mut Session<'_, '_>) -> Result<Url, Stopped> {
    let answer = s.ask(Probe::at(Method::POST, "blobs/uploads/")).await?;
    if answer.status != 202 {
        return Err(format!(
            "starting an upload is answered 202 with a Location. {}",
            answer.describe(&["location"])
        ));
    }
    location(s, &answer)
}

/// The closing PUT: 201, and a `Docker-Content-Digest` (if sent) that is
/// the blob's. The blob is remembered for the cleanup.
fn close(s: &mut Session<'_, '_>, put: &Exchange, digest: &Digest) -> Result<String, Stopped> {
    let shown = put.describe(&["location", "docker-content-digest"]);
    if put.status != 201 {
        return Err(format!("closing an upload is answered 201. {shown}"));
    }
    if !s.blobs.contains(digest) {
        s.blobs.push(digest.clone());
    }
    match put.header("docker-content-digest") {
        Some(_) => match verdict::digest_header(digest, put.header("docker-content-digest")) {
            None => Ok(shown),
            Some(problem) => Err(format!("{problem}. {shown}")),
        },
        None => Ok(shown),
    }
}

fn location(s: &Session<'_, '_>, answer: &Exchange) -> Result<Url, Stopped> {
    next_location(&s.repo.base_url(), answer)
}

/// An upload answer's `Location`, resolved against the request.
fn next_location(base: &Url, answer: &Exchange) -> Result<Url, Stopped> {
    let Some(location) = answer.header("location") else {
        return Err(format!(
            "the answer has no Location. {}",
            answer.describe(&["location"])
        ));
    };
    base.join(location)
        .map_err(|e| format!("its Location `{location}` is not a URL: {e}"))
}

fn with_digest(mut url: Url, digest: &Digest) -> Url {
    url.query_pairs_mut()
        .append_pair("digest", &digest.to_string());
    url
}
