//! `POST /api/v1/check`: the registry check as a stream of NDJSON events,
//! one line per result as soon as it is known (a check sends some fifty
//! requests; a page that showed nothing until the end would look hung).

use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::check::CheckOutcome;

/// `POST {CHECK_PATH}` with a [`CheckRequest`] JSON body -> NDJSON [`CheckEvent`]s.
pub const CHECK_PATH: &str = "/api/v1/check";

/// What to check: `registry/repository`, where the test content goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub repository: String,
}

/// One line of the check's stream, tagged by `"event"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
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
        let mut line = serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                r#"{{"event":"error","error":{{"code":"INTERNAL","message":"event not serializable: {}"}}}}"#,
                e.to_string().replace(['"', '\\'], "'")
            )
        });
        line.push('\n');
        line
    }

    pub fn from_ndjson(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Verdict;

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
