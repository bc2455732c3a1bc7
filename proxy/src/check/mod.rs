//! The registry check's engine: it writes small test content of its own
//! into the one repository named (never anywhere else), runs each step
//! through the registry client's one request path, judges each answer with
//! `shared::check::verdict`, removes what it wrote where the registry
//! allows deletion, and says what it left.
//!
//! One module per group of steps; this one holds the session they share.
//! The CLI (`cli/check.rs`) and the API (`routes/check.rs`) run the same
//! session and only differ in where its results go.

mod access;
mod blobs;
mod cleanup;
mod indexes;
mod manifests;
mod referrers;
mod tags;

use std::sync::atomic::{AtomicU64, Ordering};

use registry::probe::{Probe, ProbeAnswer};
use registry::{RegistryClient, RegistryError, Repository};
use reqwest::Method;
use shared::check::content::{Object, TestContent};
use shared::check::{CheckOutcome, CheckReport, Exchange, Verdict};
use shared::credentials::Credential;
use shared::digest::Digest;
use shared::reference::Reference;

use crate::error::ProxyError;

/// The whole check may take this many operation timeouts (it sends some
/// fifty requests, where an inspection sends a few).
const CHECK_TIMEOUT_FACTOR: u32 = 4;

/// Where each result goes as soon as it is known (the CLI collects them,
/// the API streams them).
pub type Sink<'s> = Box<dyn FnMut(&CheckOutcome) + Send + Sync + 's>;

/// A repository to check: `registry/repository`, without tag or digest.
pub fn parse_target(text: &str) -> Result<Reference, ProxyError> {
    let text = text.trim();
    let reference = Reference::parse(text).map_err(|e| ProxyError::InvalidReference {
        input: text.to_string(),
        source: e,
    })?;
    // The parser fills in `latest`; only a tag or digest written counts.
    let last = text.rsplit('/').next().unwrap_or(text);
    if text.contains('@') || last.contains(':') {
        return Err(ProxyError::NotARepository(text.to_string()));
    }
    Ok(reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_is_named_without_tag_or_digest() {
        let r = parse_target(" 127.0.0.1:5000/check/me ").unwrap();
        assert_eq!(
            (r.registry(), r.repository()),
            ("127.0.0.1:5000", "check/me")
        );
        assert_eq!(parse_target("ghcr.io/o/r").unwrap().repository(), "o/r");
        for image in [
            "127.0.0.1:5000/check/me:v1",
            "ghcr.io/o/r@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            assert!(
                matches!(parse_target(image), Err(ProxyError::NotARepository(_))),
                "{image}"
            );
        }
        assert!(matches!(
            parse_target("Bad Repo"),
            Err(ProxyError::InvalidReference { .. })
        ));
    }
}

/// Run every step against `target`'s repository and report.
pub async fn run(
    client: &RegistryClient,
    target: &Reference,
    credential: Option<Credential>,
    sink: Sink<'_>,
) -> Result<CheckReport, RegistryError> {
    let has_credential = credential.is_some();
    let repo = client.repository_for_check(target, credential).await?;
    let anonymous = client.repository(target, None).await?;
    let mut session = Session {
        repo,
        anonymous,
        has_credential,
        content: TestContent::new(&nonce()),
        manifests: Vec::new(),
        blobs: Vec::new(),
        oci_subject: false,
        report: CheckReport {
            registry: target.registry().to_string(),
            repository: target.repository().to_string(),
            checks: Vec::new(),
        },
        sink,
    };
    // Each request has its own timeouts; this bounds the whole run.
    let limit = client.operation_timeout() * CHECK_TIMEOUT_FACTOR;
    registry::limits::within(limit, target.registry(), async {
        access::run(&mut session).await;
        blobs::run(&mut session).await;
        manifests::run(&mut session).await;
        indexes::run(&mut session).await;
        referrers::run(&mut session).await;
        tags::run(&mut session).await;
        cleanup::run(&mut session).await;
        Ok::<_, RegistryError>(())
    })
    .await?;
    Ok(session.report)
}

/// A manifest the check pushed, and the tag it pushed it under (if any).
#[derive(Debug, Clone)]
pub(crate) struct Pushed {
    pub digest: Digest,
    pub tag: Option<String>,
    /// Gone already (a deletion step removed it).
    pub deleted: bool,
}

/// What the steps share: the handles, the content, what was written.
pub(crate) struct Session<'c, 's> {
    /// With the user's credentials (pull, push, delete).
    pub repo: Repository<'c>,
    pub anonymous: Repository<'c>,
    pub has_credential: bool,
    pub content: TestContent,
    /// Manifests written, in order.
    pub manifests: Vec<Pushed>,
    /// Blobs written.
    pub blobs: Vec<Digest>,
    /// The registry answered `OCI-Subject` for the artifact.
    pub oci_subject: bool,
    pub report: CheckReport,
    sink: Sink<'s>,
}

impl Session<'_, '_> {
    /// Send a probe with the user's credentials.
    pub async fn ask(&self, probe: Probe) -> Result<Exchange, String> {
        exchange(&self.repo, &probe).await
    }

    /// Record one step's result (and hand it to the sink at once).
    pub fn record(&mut self, name: &str, result: Verdict, detail: impl Into<String>) {
        let outcome = CheckOutcome::new(name, result, detail);
        (self.sink)(&outcome);
        self.report.checks.push(outcome);
    }

    /// Record `name` as failed because the request got no answer.
    pub fn unanswered(&mut self, name: &str, error: String) {
        self.record(name, Verdict::Fail, format!("no answer: {error}"));
    }

    /// PUT a manifest (by `reference`: a tag or its digest); remembered for
    /// the cleanup when the registry took it.
    pub async fn put_manifest(
        &mut self,
        object: &Object,
        tag: Option<&str>,
    ) -> Result<Exchange, String> {
        let reference = tag.map_or_else(|| object.digest.to_string(), str::to_string);
        let answer = self
            .ask(
                Probe::at(Method::PUT, format!("manifests/{reference}"))
                    .body(object.bytes.clone(), object.media_type),
            )
            .await?;
        if answer.is_success() {
            self.manifests.push(Pushed {
                digest: object.digest.clone(),
                tag: tag.map(str::to_string),
                deleted: false,
            });
        }
        Ok(answer)
    }

    /// GET a manifest with `accept`.
    pub async fn get_manifest(&self, reference: &str, accept: &str) -> Result<Exchange, String> {
        self.ask(Probe::at(Method::GET, format!("manifests/{reference}")).accept(accept))
            .await
    }
}

/// One probe on `repo`, as the plain data `shared::check` judges.
pub(crate) async fn exchange(repo: &Repository<'_>, probe: &Probe) -> Result<Exchange, String> {
    repo.probe(probe)
        .await
        .map(into_exchange)
        .map_err(|e| e.to_string())
}

pub(crate) fn into_exchange(answer: ProbeAnswer) -> Exchange {
    Exchange {
        method: answer.method,
        target: answer.target,
        status: answer.status,
        headers: answer.headers,
        body: answer.body.to_vec(),
    }
}

/// Unique to this run: the time, this process and a counter (two checks in
/// one process, or two processes, never share content).
fn nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{nanos:x}-{:x}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
