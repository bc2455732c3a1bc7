//! The registry check (`manifest-web check-registry`, `/check`, `POST
//! /api/v1/check`): what its results are, which result a registry's answer
//! means, the test content it writes and the report formats.
//!
//! All of it is plain data and plain functions so that the CLI, the API and
//! the page say the same thing about the same answer; the proxy only sends
//! the requests (`proxy/src/check/`) and hands each answer to these rules.

pub mod content;
pub mod exchange;
pub mod report;
pub mod verdict;

use serde::{Deserialize, Serialize};

pub use exchange::Exchange;

/// One check's result. `unsupported` is not a failure: the registry
/// declines something optional (a mount, deletion, the referrers API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Unsupported,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unsupported => "unsupported",
        }
    }
}

/// One step of the check: its name, result, and why (with the request and
/// the answer that decided it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub name: String,
    pub result: Verdict,
    pub detail: String,
}

impl CheckOutcome {
    pub fn new(name: &str, result: Verdict, detail: impl Into<String>) -> CheckOutcome {
        CheckOutcome {
            name: name.to_string(),
            result,
            detail: detail.into(),
        }
    }
}

/// The whole check, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub registry: String,
    pub repository: String,
    pub checks: Vec<CheckOutcome>,
}

impl CheckReport {
    /// How many checks failed (the exit status is 0 only when none did).
    pub fn failed(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.result == Verdict::Fail)
            .count()
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.checks.iter().filter(|c| c.result == verdict).count()
    }
}

/// The names of the steps, in the order they run (the page lists them
/// before they have run).
pub const STEPS: &[&str] = &[
    "reachability",
    "auth-scheme",
    "anonymous-access",
    "credentialed-access",
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
    "oci-subject-header",
    "referrers",
    "tag-list-paging",
    "manifest-deletion",
    "tag-deletion",
    "cleanup",
];
