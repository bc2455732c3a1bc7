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

use super::{ApiError, AuthInfo};

/// `POST {PLAN_PATH}` with a [`PushRequest`] body -> [`PlanResponse`].
pub const PLAN_PATH: &str = "/api/v1/push/plan";
/// `POST {PUSH_PATH}` with a [`PushRequest`] body -> NDJSON [`PushEvent`]s.
pub const PUSH_PATH: &str = "/api/v1/push";
/// `POST {SPEC_PARSE_PATH}` with a manifest-tool YAML body
/// (`Content-Type: application/yaml`) -> the [`crate::spec::PushSpec`] as
/// JSON, so the page can import YAML without a YAML parser of its own.
/// Errors name the line, column and field.
pub const SPEC_PARSE_PATH: &str = "/api/v1/spec/parse";
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
    /// For a spec without `type`: which kind of index was chosen and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_note: Option<String>,
    /// Length of `index` in bytes.
    pub size: u64,
    /// The exact index bytes (JSON text).
    pub index: String,
    pub entries: Vec<PlanEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub steps: Vec<StepView>,
    /// Where the credentials for each registry involved came from (target
    /// first), so a person knows whose login will push before pushing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth: Vec<AuthInfo>,
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
            type_note: plan.type_note.clone(),
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
            auth: Vec::new(),
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

/// The phases of a push, in order: each is one wave of requests (or a few
/// when a step has to, e.g. a blob copied instead of mounted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PushPhase {
    /// Every source's manifest, then its config (or children), all at once.
    Resolve,
    /// Every blob mounted or copied at once.
    Blobs,
    /// Every child manifest put at once.
    Manifests,
    /// The index, by digest.
    Index,
    /// Every tag at once.
    Tags,
}

impl PushPhase {
    pub fn name(self) -> &'static str {
        match self {
            PushPhase::Resolve => "resolve",
            PushPhase::Blobs => "blobs",
            PushPhase::Manifests => "manifests",
            PushPhase::Index => "index",
            PushPhase::Tags => "tags",
        }
    }
}

/// One line of the push progress stream, tagged by `"event"`.
///
/// Written by serde's derive; read through [`EventLine`] (see there why), so
/// there is exactly one reader, used by the page and the tests alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase", try_from = "EventLine")]
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
    Warning {
        message: String,
    },
    /// A phase finished: the round trips it took (the longest sequence of
    /// requests that waited on each other) and the requests it sent, so
    /// the page can show where the time went.
    #[serde(rename_all = "camelCase")]
    Phase {
        phase: PushPhase,
        round_trips: usize,
        requests: usize,
    },
    /// The index is pushed to every tag.
    #[serde(rename_all = "camelCase")]
    Done {
        digest: Digest,
        size: u64,
        media_type: String,
        /// Every reference now pointing at the index (target first).
        tags: Vec<String>,
    },
    /// A push with `expect`: the target tag was checked right before the
    /// tags were written and still points at `digest`.
    #[serde(rename_all = "camelCase")]
    Checked {
        /// `registry/repo:tag`.
        reference: String,
        digest: Digest,
        /// How it was checked (see [`TagCheck`]).
        method: TagCheck,
    },
    /// The push stopped. `step` is the 1-based step that failed, if any.
    Error {
        error: ApiError,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<usize>,
        /// With `TAG_MOVED`: where the tag was expected and where it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved: Option<TagMoved>,
    },
}

/// How a push with `expect` made sure the tag had not moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TagCheck {
    /// A HEAD of the tag right before the tag writes (the Distribution API
    /// has no conditional manifest PUT: distribution 2.8 ignores
    /// `If-Match`).
    HeadBeforePut,
}

impl TagCheck {
    /// For people: "a HEAD of the tag right before writing it".
    pub fn describe(self) -> &'static str {
        match self {
            TagCheck::HeadBeforePut => {
                "a HEAD of the tag right before writing it (the registry has no conditional PUT)"
            }
        }
    }
}

/// The tag a push was told to expect at one digest points elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagMoved {
    /// `registry/repo:tag`.
    pub reference: String,
    /// The digest the edit started from (`expect`).
    pub expected: Digest,
    /// Where the tag points now; `None` when the tag is gone.
    pub actual: Option<Digest>,
    pub method: TagCheck,
}

impl TagMoved {
    /// The repository part of `reference` (`registry/repo`), which the two
    /// digests are compared in.
    pub fn repository(&self) -> &str {
        match self.reference.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') && !repo.is_empty() => repo,
            _ => &self.reference,
        }
    }
}

impl PushEvent {
    /// The event as one NDJSON line (JSON + `\n`).
    pub fn to_ndjson(&self) -> String {
        super::ndjson_line(self)
    }
    /// Parse one NDJSON line (surrounding whitespace allowed). The error
    /// names what is wrong (an unknown event, a missing field).
    pub fn from_ndjson(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line.trim())
    }
}

/// The reader of [`PushEvent`]: every field any event has, each optional
/// (which ones an event needs depends on `event`).
///
/// serde's derived reader for an internally tagged enum buffers each line
/// into its generic `Content` tree and then compiles every variant's fields
/// a second time against that tree; in the page's wasm that costs more than
/// this flat struct read once plus a `match` on `event` (measured with
/// `scripts/bundle-size`, see the commit that moved this reader here).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventLine {
    event: String,
    digest: Option<Digest>,
    size: Option<u64>,
    total: Option<usize>,
    state: Option<StepState>,
    index: Option<usize>,
    kind: Option<StepKind>,
    description: Option<String>,
    detail: Option<String>,
    message: Option<String>,
    media_type: Option<String>,
    tags: Option<Vec<String>>,
    error: Option<ApiError>,
    step: Option<usize>,
    phase: Option<PushPhase>,
    round_trips: Option<usize>,
    requests: Option<usize>,
    reference: Option<String>,
    method: Option<TagCheck>,
    moved: Option<TagMoved>,
}

/// Out of line: one copy for every field that can be missing.
#[cold]
#[inline(never)]
pub(super) fn missing(event: &str, field: &str) -> String {
    format!("the `{event}` event has no `{field}`")
}

impl TryFrom<EventLine> for PushEvent {
    type Error = String;

    fn try_from(l: EventLine) -> Result<Self, String> {
        let event = l.event.as_str();
        let missing = |field| missing(event, field);
        Ok(match event {
            "planned" => PushEvent::Planned {
                digest: l.digest.ok_or_else(|| missing("digest"))?,
                size: l.size.ok_or_else(|| missing("size"))?,
                total: l.total.ok_or_else(|| missing("total"))?,
            },
            "step" => PushEvent::Step {
                state: l.state.ok_or_else(|| missing("state"))?,
                index: l.index.ok_or_else(|| missing("index"))?,
                total: l.total.ok_or_else(|| missing("total"))?,
                kind: l.kind.ok_or_else(|| missing("kind"))?,
                description: l.description.ok_or_else(|| missing("description"))?,
                detail: l.detail,
            },
            "warning" => PushEvent::Warning {
                message: l.message.ok_or_else(|| missing("message"))?,
            },
            "phase" => PushEvent::Phase {
                phase: l.phase.ok_or_else(|| missing("phase"))?,
                round_trips: l.round_trips.ok_or_else(|| missing("roundTrips"))?,
                requests: l.requests.ok_or_else(|| missing("requests"))?,
            },
            "done" => PushEvent::Done {
                digest: l.digest.ok_or_else(|| missing("digest"))?,
                size: l.size.ok_or_else(|| missing("size"))?,
                media_type: l.media_type.ok_or_else(|| missing("mediaType"))?,
                tags: l.tags.ok_or_else(|| missing("tags"))?,
            },
            "checked" => PushEvent::Checked {
                reference: l.reference.ok_or_else(|| missing("reference"))?,
                digest: l.digest.ok_or_else(|| missing("digest"))?,
                method: l.method.ok_or_else(|| missing("method"))?,
            },
            "error" => PushEvent::Error {
                error: l.error.ok_or_else(|| missing("error"))?,
                step: l.step,
                moved: l.moved,
            },
            other => {
                return Err(format!(
                    "unknown event `{other}`, expected planned, step, warning, phase, checked, done or error"
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorCode;
    use crate::plan::Step;
    use crate::reference::Reference;

    #[test]
    fn plan_response_carries_the_exact_index() {
        let index = br#"{"schemaVersion":2,"manifests":[]}"#.to_vec();
        let digest = Digest::sha256(&index);
        let plan = Plan {
            target: Reference::parse("localhost:5000/app:1").unwrap(),
            tags: vec!["latest".into()],
            media_type: crate::media_type::OCI_INDEX.into(),
            type_note: None,
            size: index.len() as u64,
            index: index.clone(),
            digest: digest.clone(),
            entries: vec![],
            warnings: vec!["careful".into()],
            steps: vec![
                Step::Index {
                    tag: "1".into(),
                    digest: digest.clone(),
                },
                Step::Tag {
                    tag: "latest".into(),
                    digest: digest.clone(),
                },
            ],
            expect: None,
        };
        let r = PlanResponse::from_plan(&plan);
        assert_eq!(r.index.as_bytes(), index.as_slice());
        assert_eq!(r.target, "localhost:5000/app:1");
        assert_eq!(r.steps.len(), 2);
        assert_eq!(r.steps[1].kind, StepKind::Tag);
        assert!(r.steps[1].description.contains("latest"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["mediaType"], crate::media_type::OCI_INDEX);
        assert_eq!(json["digest"], digest.to_string());
        assert_eq!(json["steps"][0]["kind"], "index");
        let back: PlanResponse = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn push_events_are_tagged_ndjson_lines() {
        let digest = Digest::sha256(b"x");
        let events = [
            PushEvent::Planned {
                digest: digest.clone(),
                size: 1,
                total: 3,
            },
            PushEvent::Step {
                state: StepState::Done,
                index: 1,
                total: 3,
                kind: StepKind::Blob,
                description: "blob".into(),
                detail: Some("mounted".into()),
            },
            PushEvent::Warning {
                message: "w".into(),
            },
            PushEvent::Done {
                digest: digest.clone(),
                size: 1,
                media_type: crate::media_type::OCI_INDEX.into(),
                tags: vec!["localhost:5000/app:1".into()],
            },
            PushEvent::Error {
                error: ApiError::new(ErrorCode::Denied, "no"),
                step: Some(2),
                moved: None,
            },
        ];
        let mut stream = String::new();
        for e in &events {
            let line = e.to_ndjson();
            assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
            stream.push_str(&line);
        }
        let parsed: Vec<PushEvent> = stream
            .lines()
            .map(|l| PushEvent::from_ndjson(l).unwrap())
            .collect();
        assert_eq!(parsed, events);
        let step: serde_json::Value = serde_json::from_str(stream.lines().nth(1).unwrap()).unwrap();
        assert_eq!(step["event"], "step");
        assert_eq!(step["state"], "done");
        assert_eq!(step["kind"], "blob");
        let done: serde_json::Value = serde_json::from_str(stream.lines().nth(3).unwrap()).unwrap();
        assert_eq!(done["event"], "done");
        assert_eq!(done["mediaType"], crate::media_type::OCI_INDEX);
        let error: serde_json::Value =
            serde_json::from_str(stream.lines().nth(4).unwrap()).unwrap();
        assert_eq!(error["error"]["code"], "DENIED");
        assert_eq!(error["step"], 2);
        let phase = PushEvent::Phase {
            phase: PushPhase::Manifests,
            round_trips: 1,
            requests: 4,
        }
        .to_ndjson();
        let phase: serde_json::Value = serde_json::from_str(&phase).unwrap();
        assert_eq!(phase["event"], "phase");
        assert_eq!(phase["phase"], "manifests");
        assert_eq!(phase["roundTrips"], 1);
        assert_eq!(phase["requests"], 4);
    }

    /// Every event (and every optional field both ways), as the proxy writes it.
    fn every_event() -> Vec<PushEvent> {
        let digest = Digest::sha256(b"index");
        vec![
            PushEvent::Planned {
                digest: digest.clone(),
                size: 412,
                total: 3,
            },
            PushEvent::Step {
                state: StepState::Started,
                index: 1,
                total: 3,
                kind: StepKind::Blob,
                description: "copy blob".into(),
                detail: None,
            },
            PushEvent::Step {
                state: StepState::Done,
                index: 1,
                total: 3,
                kind: StepKind::Manifest,
                description: "copy manifest".into(),
                detail: Some("mounted".into()),
            },
            PushEvent::Phase {
                phase: PushPhase::Blobs,
                round_trips: 1,
                requests: 12,
            },
            PushEvent::Warning {
                message: "é ✓ careful".into(),
            },
            PushEvent::Done {
                digest,
                size: 412,
                media_type: crate::media_type::OCI_INDEX.into(),
                tags: vec![
                    "localhost:5000/a:1".into(),
                    "localhost:5000/a:latest".into(),
                ],
            },
            PushEvent::Error {
                error: ApiError::new(ErrorCode::Denied, "push refused"),
                step: Some(2),
                moved: None,
            },
            PushEvent::Error {
                error: ApiError::new(ErrorCode::Internal, "broke"),
                step: None,
                moved: None,
            },
            PushEvent::Checked {
                reference: "localhost:5000/a:1".into(),
                digest: Digest::sha256(b"old"),
                method: TagCheck::HeadBeforePut,
            },
            PushEvent::Error {
                error: ApiError::new(ErrorCode::TagMoved, "moved"),
                step: Some(3),
                moved: Some(TagMoved {
                    reference: "localhost:5000/a:1".into(),
                    expected: Digest::sha256(b"old"),
                    actual: Some(Digest::sha256(b"new")),
                    method: TagCheck::HeadBeforePut,
                }),
            },
        ]
    }

    #[test]
    fn reads_back_every_event_the_proxy_writes() {
        for event in every_event() {
            let line = event.to_ndjson();
            assert_eq!(PushEvent::from_ndjson(&line).ok(), Some(event), "{line}");
        }
    }

    fn read_error(line: &str) -> String {
        PushEvent::from_ndjson(line)
            .expect_err("not an event")
            .to_string()
    }

    #[test]
    fn names_what_is_wrong() {
        let missing =
            read_error(r#"{"event":"step","state":"done","index":1,"total":2,"kind":"blob"}"#);
        assert!(
            missing.starts_with("the `step` event has no `description`"),
            "{missing}"
        );
        let unknown = read_error(r#"{"event":"finished"}"#);
        assert!(unknown.contains("unknown event `finished`"), "{unknown}");
        assert!(PushEvent::from_ndjson("not json").is_err());
        assert!(read_error(r#"{"message":"m"}"#).contains("event"));
        assert!(
            PushEvent::from_ndjson(
                r#"{"event":"planned","digest":"sha256:zz","size":1,"total":1}"#
            )
            .is_err()
        );
        for line in [
            r#"{"event":"done","digest":"sha256:00","size":1}"#,
            r#"{"event":"warning"}"#,
            r#"{"event":"error","error":{"code":"NOPE","message":"m"}}"#,
        ] {
            assert!(PushEvent::from_ndjson(line).is_err(), "{line}");
        }
    }

    #[test]
    fn a_moved_tag_names_both_digests_and_its_repository() {
        let moved = TagMoved {
            reference: "localhost:5000/team/a:v1".into(),
            expected: Digest::sha256(b"old"),
            actual: None,
            method: TagCheck::HeadBeforePut,
        };
        assert_eq!(moved.repository(), "localhost:5000/team/a");
        let line = PushEvent::Error {
            error: ApiError::new(ErrorCode::TagMoved, "moved"),
            step: None,
            moved: Some(moved),
        }
        .to_ndjson();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(json["error"]["code"], "TAG_MOVED");
        assert_eq!(
            json["moved"]["expected"],
            Digest::sha256(b"old").to_string()
        );
        assert!(json["moved"]["actual"].is_null());
        assert_eq!(json["moved"]["method"], "head-before-put");
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let line = r#"{"event":"warning","message":"m","extra":[1,2]}"#;
        assert_eq!(
            PushEvent::from_ndjson(line).ok(),
            Some(PushEvent::Warning {
                message: "m".into()
            })
        );
    }
}
