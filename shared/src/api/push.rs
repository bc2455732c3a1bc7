//! `POST /api/v1/push/plan` and `POST /api/v1/push`: create an index.
//!
//! Both take the push spec itself as the JSON body (`shared::spec::PushSpec`,
//! same keys as manifest-tool's YAML). The plan endpoint answers with what
//! would be pushed, byte for byte; the push endpoint performs it and streams
//! NDJSON progress ([`PushEvent`], one JSON object per line) so the page can
//! show each blob, manifest and tag as it lands.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::plan::{Plan, PlanEntry, StepKind};

use super::ApiError;

/// `POST {PLAN_PATH}` with a [`PushRequest`] body -> [`PlanResponse`].
pub const PLAN_PATH: &str = "/api/v1/push/plan";
/// `POST {PUSH_PATH}` with a [`PushRequest`] body -> NDJSON [`PushEvent`]s.
pub const PUSH_PATH: &str = "/api/v1/push";
/// The content type of the push progress stream.
pub const NDJSON_CONTENT_TYPE: &str = "application/x-ndjson";

/// The request body of both endpoints: the spec itself.
pub type PushRequest = crate::spec::PushSpec;

/// What would be pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanResponse {
    /// The normalized target reference (`registry/repo:tag`).
    pub target: String,
    /// Extra tags the index is also pushed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Digest of `index`.
    pub digest: Digest,
    pub media_type: String,
    /// Length of `index` in bytes.
    pub size: u64,
    /// The exact index bytes (JSON text).
    pub index: String,
    pub entries: Vec<PlanEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub steps: Vec<StepView>,
}

/// One planned registry write, described for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub kind: StepKind,
    pub digest: Digest,
    pub description: String,
}

impl PlanResponse {
    pub fn from_plan(plan: &Plan) -> Self {
        PlanResponse {
            target: plan.target.to_string(),
            tags: plan.tags.clone(),
            digest: plan.digest.clone(),
            media_type: plan.media_type.clone(),
            size: plan.size,
            // serde_json output is UTF-8; lossy only guards the type.
            index: String::from_utf8_lossy(&plan.index).into_owned(),
            entries: plan.entries.clone(),
            warnings: plan.warnings.clone(),
            steps: plan
                .steps
                .iter()
                .map(|s| StepView {
                    kind: s.kind(),
                    digest: s.digest().clone(),
                    description: s.describe(),
                })
                .collect(),
        }
    }
}

/// Whether a step is beginning or finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    Started,
    Done,
}

/// One line of the push progress stream, tagged by `"event"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum PushEvent {
    /// First event: the plan being executed (same digest as `/push/plan`).
    #[serde(rename_all = "camelCase")]
    Planned {
        digest: Digest,
        size: u64,
        total: usize,
    },
    /// A step starts or ends. `index` is 1-based, of `total`.
    #[serde(rename_all = "camelCase")]
    Step {
        state: StepState,
        index: usize,
        total: usize,
        kind: StepKind,
        description: String,
        /// How it was done, when that is interesting ("mounted", "copied",
        /// "already present").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    Warning { message: String },
    /// The index is pushed to every tag.
    #[serde(rename_all = "camelCase")]
    Done {
        digest: Digest,
        size: u64,
        media_type: String,
        /// Every reference now pointing at the index (target first).
        tags: Vec<String>,
    },
    /// The push stopped. `step` is the 1-based step that failed, if any.
    Error {
        error: ApiError,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<usize>,
    },
}

impl PushEvent {
    /// The event as one NDJSON line (JSON + `\n`).
    pub fn to_ndjson(&self) -> String {
        // Plain data with string keys: serialization cannot fail; if it ever
        // did, an error event is still a valid line.
        let mut line = serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                r#"{{"event":"error","error":{{"code":"INTERNAL","message":"event not serializable: {}"}}}}"#,
                e.to_string().replace(['"', '\\'], "'")
            )
        });
        line.push('\n');
        line
    }
    /// Parse one NDJSON line (surrounding whitespace allowed).
    pub fn from_ndjson(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line.trim())
    }
}
