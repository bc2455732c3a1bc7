//! `POST /api/v1/check`: the registry check as a stream of NDJSON events,
//! one line per result as soon as it is known (a check sends some fifty
//! requests; a page that showed nothing until the end would look hung).

use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::check::{CheckOutcome, Verdict};

/// `POST {CHECK_PATH}` with a [`CheckRequest`] JSON body -> NDJSON [`CheckEvent`]s.
pub const CHECK_PATH: &str = "/api/v1/check";

/// What to check: `registry/repository`, where the test content goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub repository: String,
}

/// One line of the check's stream, tagged by `"event"`.
///
/// Written by serde's derive, read through [`CheckLine`] for the reason
/// `PushEvent` is (a derived reader of an internally tagged enum costs the
/// page more wasm than a flat struct and a `match`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase", try_from = "CheckLine")]
pub enum CheckEvent {
    /// First: what is checked, and the steps to come, in order.
    Started {
        registry: String,
        repository: String,
        steps: Vec<String>,
    },
    /// One step's result (`name`, `result`, `detail`).
    Check(CheckOutcome),
    /// Last, when every step ran.
    Done {
        passed: usize,
        failed: usize,
        unsupported: usize,
    },
    /// The check stopped (its time ran out, or no handle could be had).
    Error { error: ApiError },
}

impl CheckEvent {
    /// The event as one NDJSON line (JSON + `\n`).
    pub fn to_ndjson(&self) -> String {
        super::ndjson_line(self)
    }

    pub fn from_ndjson(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line.trim())
    }
}

/// The reader of [`CheckEvent`]: every field any event has, each optional.
#[derive(Deserialize)]
struct CheckLine {
    event: String,
    registry: Option<String>,
    repository: Option<String>,
    steps: Option<Vec<String>>,
    name: Option<String>,
    result: Option<Verdict>,
    detail: Option<String>,
    passed: Option<usize>,
    failed: Option<usize>,
    unsupported: Option<usize>,
    error: Option<ApiError>,
}

impl TryFrom<CheckLine> for CheckEvent {
    type Error = String;

    fn try_from(l: CheckLine) -> Result<Self, String> {
        let event = l.event.as_str();
        let missing = |field| super::push::missing(event, field);
        Ok(match event {
            "started" => CheckEvent::Started {
                registry: l.registry.ok_or_else(|| missing("registry"))?,
                repository: l.repository.ok_or_else(|| missing("repository"))?,
                steps: l.steps.ok_or_else(|| missing("steps"))?,
            },
            "check" => CheckEvent::Check(CheckOutcome {
                name: l.name.ok_or_else(|| missing("name"))?,
                result: l.result.ok_or_else(|| missing("result"))?,
                detail: l.detail.ok_or_else(|| missing("detail"))?,
            }),
            "done" => CheckEvent::Done {
                passed: l.passed.ok_or_else(|| missing("passed"))?,
                failed: l.failed.ok_or_else(|| missing("failed"))?,
                unsupported: l.unsupported.ok_or_else(|| missing("unsupported"))?,
            },
            "error" => CheckEvent::Error {
                error: l.error.ok_or_else(|| missing("error"))?,
            },
            other => {
                return Err(format!(
                    "unknown event `{other}`, expected started, check, done or error"
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_one_line_each_and_read_back() {
        let events = [
            CheckEvent::Started {
                registry: "r".into(),
                repository: "a/b".into(),
                steps: vec!["reachability".into()],
            },
            CheckEvent::Check(CheckOutcome::new(
                "blob-mount",
                Verdict::Unsupported,
                "202\nx",
            )),
            CheckEvent::Done {
                passed: 1,
                failed: 0,
                unsupported: 1,
            },
        ];
        for event in events {
            let line = event.to_ndjson();
            assert_eq!(line.matches('\n').count(), 1, "{line}");
            assert_eq!(CheckEvent::from_ndjson(&line).unwrap(), event);
        }
        let line = CheckEvent::Check(CheckOutcome::new("n", Verdict::Fail, "d")).to_ndjson();
        assert_eq!(
            line,
            "{\"event\":\"check\",\"name\":\"n\",\"result\":\"fail\",\"detail\":\"d\"}\n"
        );
    }
}
