//! A push as the page shows it while it happens: the proxy streams events
//! (step started, step done, warning, done, error) and this folds them into
//! one state per step. Pure, so the folding is tested without a browser; the
//! page only renders it.

use shared::Digest;
use shared::api::{PushEvent, PushPhase, StepState, TagMoved};
use shared::plan::StepKind;

use crate::api::{ApiFailure, code_name};

/// One registry write of the push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// 1-based, as the proxy numbers them.
    pub index: usize,
    pub kind: StepKind,
    pub description: String,
    pub state: StepState,
    /// "mounted", "copied", "already present"...
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Running,
    Done {
        digest: Digest,
        size: u64,
        media_type: String,
        /// Every reference now pointing at the index (target first).
        tags: Vec<String>,
    },
    Failed {
        code: String,
        message: String,
        /// The 1-based step that failed, when the failure is about one.
        step: Option<usize>,
        /// `TAG_MOVED`: where the tag was expected and where it is.
        moved: Option<TagMoved>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushProgress {
    /// The index digest announced before the first write.
    pub planned: Option<Digest>,
    pub total: usize,
    /// In step order.
    pub steps: Vec<StepRow>,
    pub warnings: Vec<String>,
    /// Each phase finished so far: its round trips and requests.
    pub phases: Vec<(PushPhase, usize, usize)>,
    /// With `expect`: the tag was checked before writing it, and how.
    pub checked: Option<String>,
    pub outcome: Outcome,
}

impl Default for PushProgress {
    fn default() -> Self {
        PushProgress {
            planned: None,
            total: 0,
            steps: Vec::new(),
            warnings: Vec::new(),
            phases: Vec::new(),
            checked: None,
            outcome: Outcome::Running,
        }
    }
}

impl PushProgress {
    pub fn is_running(&self) -> bool {
        self.outcome == Outcome::Running
    }

    /// Steps finished so far.
    pub fn done_count(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.state == StepState::Done)
            .count()
    }

    /// Where the time went: "resolve 2, blobs 1, ... round trips (6 in
    /// all, 23 requests)"; `None` before the first phase ends.
    pub fn round_trips(&self) -> Option<String> {
        if self.phases.is_empty() {
            return None;
        }
        let each: Vec<String> = self
            .phases
            .iter()
            .map(|(phase, trips, _)| format!("{} {trips}", phase.name()))
            .collect();
        let trips: usize = self.phases.iter().map(|p| p.1).sum();
        let requests: usize = self.phases.iter().map(|p| p.2).sum();
        Some(format!(
            "Round trips: {} ({trips} in all, {requests} requests)",
            each.join(", ")
        ))
    }

    /// The description of step `index`, if it was announced.
    pub fn step_description(&self, index: usize) -> Option<&str> {
        self.steps
            .iter()
            .find(|s| s.index == index)
            .map(|s| s.description.as_str())
    }

    /// Fold one event in. Events after the end (done or error) are ignored:
    /// the first outcome is the one that counts.
    pub fn apply(&mut self, event: PushEvent) {
        if !self.is_running() {
            return;
        }
        match event {
            PushEvent::Planned { digest, total, .. } => {
                self.planned = Some(digest);
                self.total = total;
            }
            PushEvent::Step {
                state,
                index,
                total,
                kind,
                description,
                detail,
            } => {
                self.total = self.total.max(total);
                let row = StepRow {
                    index,
                    kind,
                    description,
                    state,
                    detail,
                };
                match self.steps.iter_mut().find(|s| s.index == index) {
                    Some(existing) => *existing = row,
                    None => {
                        let at = self.steps.partition_point(|s| s.index < index);
                        self.steps.insert(at, row);
                    }
                }
            }
            PushEvent::Warning { message } => self.warnings.push(message),
            PushEvent::Phase {
                phase,
                round_trips,
                requests,
            } => self.phases.push((phase, round_trips, requests)),
            PushEvent::Done {
                digest,
                size,
                media_type,
                tags,
            } => {
                self.outcome = Outcome::Done {
                    digest,
                    size,
                    media_type,
                    tags,
                }
            }
            PushEvent::Checked {
                reference,
                digest,
                method,
            } => {
                self.checked = Some(format!(
                    "{reference} still pointed at {digest} before it was written (checked by {})",
                    method.describe()
                ))
            }
            PushEvent::Error { error, step, moved } => {
                self.outcome = Outcome::Failed {
                    code: code_name(error.code),
                    message: error.message,
                    step,
                    moved,
                }
            }
        }
    }

    /// The request itself failed (refused before streaming, or the
    /// connection broke).
    pub fn fail(&mut self, failure: &ApiFailure) {
        if self.is_running() {
            self.outcome = Outcome::Failed {
                code: failure.code(),
                message: failure.to_string(),
                step: None,
                moved: None,
            };
        }
    }

    /// The stream ended. Without a `done` or `error` event the push's fate is
    /// unknown, which is said rather than shown as success.
    pub fn finish(&mut self) {
        if self.is_running() {
            self.outcome = Outcome::Failed {
                code: "INCOMPLETE".to_string(),
                message: format!(
                    "the server closed the progress stream after {} of {} steps without saying whether the push finished; inspect the target to see what landed",
                    self.done_count(),
                    self.total
                ),
                step: None,
                moved: None,
            };
        }
    }
}

impl crate::streamed::Streamed for PushProgress {
    type Event = PushEvent;
    fn apply(&mut self, event: PushEvent) {
        PushProgress::apply(self, event)
    }
    fn finish(&mut self) {
        PushProgress::finish(self)
    }
    fn fail(&mut self, failure: &ApiFailure) {
        PushProgress::fail(self, failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::{ApiError, ErrorCode};

    fn step(state: StepState, index: usize, detail: Option<&str>) -> PushEvent {
        PushEvent::Step {
            state,
            index,
            total: 3,
            kind: if index == 3 {
                StepKind::Index
            } else {
                StepKind::Blob
            },
            description: format!("step {index}"),
            detail: detail.map(str::to_string),
        }
    }

    #[test]
    fn steps_go_from_started_to_done_in_order() {
        let digest = Digest::sha256(b"index");
        let mut p = PushProgress::default();
        p.apply(PushEvent::Planned {
            digest: digest.clone(),
            size: 5,
            total: 3,
        });
        p.apply(step(StepState::Started, 2, None));
        p.apply(step(StepState::Started, 1, None));
        p.apply(step(StepState::Done, 1, Some("mounted")));
        assert_eq!(
            p.steps.iter().map(|s| s.index).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(p.steps[0].state, StepState::Done);
        assert_eq!(p.steps[0].detail.as_deref(), Some("mounted"));
        assert_eq!(p.steps[1].state, StepState::Started);
        assert_eq!(p.done_count(), 1);
        p.apply(PushEvent::Warning {
            message: "careful".into(),
        });
        p.apply(step(StepState::Done, 2, None));
        p.apply(step(StepState::Done, 3, None));
        p.apply(PushEvent::Done {
            digest: digest.clone(),
            size: 5,
            media_type: shared::media_type::OCI_INDEX.into(),
            tags: vec!["localhost:5000/a:1".into()],
        });
        assert_eq!(p.done_count(), 3);
        assert_eq!(p.warnings, vec!["careful".to_string()]);
        assert!(matches!(&p.outcome, Outcome::Done { digest: d, .. } if *d == digest));
        // Nothing after the end changes it.
        p.fail(&ApiFailure::Network("late".into()));
        p.finish();
        assert!(matches!(p.outcome, Outcome::Done { .. }));
    }

    #[test]
    fn phases_say_where_the_time_went() {
        let mut progress = PushProgress::default();
        assert_eq!(progress.round_trips(), None);
        for (phase, trips, requests) in [(PushPhase::Resolve, 2, 8), (PushPhase::Blobs, 1, 13)] {
            progress.apply(PushEvent::Phase {
                phase,
                round_trips: trips,
                requests,
            });
        }
        assert_eq!(
            progress.round_trips().as_deref(),
            Some("Round trips: resolve 2, blobs 1 (3 in all, 21 requests)")
        );
    }

    #[test]
    fn an_error_event_names_its_step() {
        let mut p = PushProgress::default();
        p.apply(step(StepState::Started, 1, None));
        p.apply(PushEvent::Error {
            error: ApiError::new(ErrorCode::Denied, "push refused"),
            step: Some(1),
            moved: None,
        });
        assert_eq!(
            p.outcome,
            Outcome::Failed {
                code: "DENIED".into(),
                message: "push refused".into(),
                step: Some(1),
                moved: None,
            }
        );
        assert_eq!(p.step_description(1), Some("step 1"));
        assert_eq!(p.step_description(2), None);
    }

    #[test]
    fn a_stream_that_just_stops_is_not_a_success() {
        let mut p = PushProgress::default();
        p.apply(step(StepState::Done, 1, None));
        p.finish();
        match &p.outcome {
            Outcome::Failed { code, message, .. } => {
                assert_eq!(code, "INCOMPLETE");
                assert!(message.contains("1 of 3"), "{message}");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_refused_request_is_a_failure() {
        let mut p = PushProgress::default();
        p.fail(&ApiFailure::Network("connection reset".into()));
        assert!(matches!(&p.outcome, Outcome::Failed { code, .. } if code == "NETWORK"));
    }
}
