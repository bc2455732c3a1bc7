//! The registry check as the page shows it while it runs: the stream's
//! events folded into one row per step (pending until its result comes).
//! Pure, so the folding is tested without a browser.

use shared::api::CheckEvent;
use shared::check::{CheckOutcome, Verdict};

use crate::api::{ApiFailure, code_name};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckState {
    Running,
    Done,
    Failed { code: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckProgress {
    /// `registry/repository`, as the proxy read it.
    pub target: String,
    /// Every step, in order (announced first).
    pub steps: Vec<String>,
    /// The results so far, in order.
    pub results: Vec<CheckOutcome>,
    pub state: CheckState,
}

impl CheckProgress {
    pub fn new(target: &str) -> CheckProgress {
        CheckProgress {
            target: target.to_string(),
            steps: Vec::new(),
            results: Vec::new(),
            state: CheckState::Running,
        }
    }

    pub fn is_running(&self) -> bool {
        self.state == CheckState::Running
    }

    /// The result of `step`, once it came.
    pub fn result(&self, step: &str) -> Option<&CheckOutcome> {
        self.results.iter().find(|r| r.name == step)
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.results.iter().filter(|r| r.result == verdict).count()
    }

    /// Fold one event in; nothing counts after the end.
    pub fn apply(&mut self, event: CheckEvent) {
        if !self.is_running() {
            return;
        }
        match event {
            CheckEvent::Started {
                registry,
                repository,
                steps,
            } => {
                self.target = format!("{registry}/{repository}");
                self.steps = steps;
            }
            CheckEvent::Check(outcome) => {
                if !self.steps.contains(&outcome.name) {
                    self.steps.push(outcome.name.clone());
                }
                self.results.push(outcome);
            }
            CheckEvent::Done { .. } => self.state = CheckState::Done,
            CheckEvent::Error { error } => {
                self.state = CheckState::Failed {
                    code: code_name(error.code),
                    message: error.message,
                }
            }
        }
    }

    /// The request failed (refused before streaming, or the connection broke).
    pub fn fail(&mut self, failure: &ApiFailure) {
        if self.is_running() {
            self.state = CheckState::Failed {
                code: failure.code(),
                message: failure.to_string(),
            };
        }
    }

    /// The stream ended; without `done` the check did not finish, which is
    /// said rather than shown as a clean result.
    pub fn finish(&mut self) {
        if self.is_running() {
            self.state = CheckState::Failed {
                code: "INCOMPLETE".into(),
                message: format!(
                    "the server closed the stream after {} of {} results; what the check wrote may still be in the repository",
                    self.results.len(),
                    self.steps.len()
                ),
            };
        }
    }
}

impl crate::streamed::Streamed for CheckProgress {
    type Event = CheckEvent;
    fn apply(&mut self, event: CheckEvent) {
        CheckProgress::apply(self, event)
    }
    fn finish(&mut self) {
        CheckProgress::finish(self)
    }
    fn fail(&mut self, failure: &ApiFailure) {
        CheckProgress::fail(self, failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::{ApiError, ErrorCode};

    fn started() -> CheckEvent {
        CheckEvent::Started {
            registry: "127.0.0.1:5000".into(),
            repository: "check/me".into(),
            steps: vec!["reachability".into(), "blob-mount".into()],
        }
    }

    #[test]
    fn results_fill_the_announced_steps() {
        let mut p = CheckProgress::new("typed");
        p.apply(started());
        assert_eq!(p.target, "127.0.0.1:5000/check/me");
        assert_eq!(p.result("blob-mount"), None);
        p.apply(CheckEvent::Check(CheckOutcome::new(
            "reachability",
            Verdict::Pass,
            "ok",
        )));
        p.apply(CheckEvent::Check(CheckOutcome::new(
            "blob-mount",
            Verdict::Unsupported,
            "202",
        )));
        assert_eq!(p.result("blob-mount").unwrap().result, Verdict::Unsupported);
        assert_eq!(
            (p.count(Verdict::Pass), p.count(Verdict::Unsupported)),
            (1, 1)
        );
        p.apply(CheckEvent::Done {
            passed: 1,
            failed: 0,
            unsupported: 1,
        });
        assert_eq!(p.state, CheckState::Done);
        p.finish();
        assert_eq!(p.state, CheckState::Done, "a finished check stays finished");
    }

    #[test]
    fn an_error_or_a_cut_stream_is_a_failure() {
        let mut p = CheckProgress::new("r/x");
        p.apply(started());
        p.apply(CheckEvent::Error {
            error: ApiError {
                code: ErrorCode::Upstream,
                message: "gone".into(),
            },
        });
        assert!(matches!(&p.state, CheckState::Failed { message, .. } if message == "gone"));

        let mut p = CheckProgress::new("r/x");
        p.apply(started());
        p.finish();
        assert!(matches!(&p.state, CheckState::Failed { code, .. } if code == "INCOMPLETE"));
    }
}
