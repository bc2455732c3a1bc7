//! A safe edit's last check: with `expect`, the target tag must still
//! point at the digest the edit started from right before the tags are
//! written. A HEAD, because the Distribution API has no conditional
//! manifest PUT and distribution 2.8 ignores `If-Match`; a tag that moved or
//! is gone stops the push with nothing tagged.

use registry::RegistryError;
use shared::api::{PushEvent, TagCheck, TagMoved};
use shared::digest::Digest;

use super::{Executor, StepFailure, Stop, emit};
use crate::error::ProxyError;

impl Executor<'_> {
    /// Check the target tag still points at `expected`. `step`: the first
    /// tag step (1-based), whose failure it is.
    pub(super) async fn check_tag(&self, expected: &Digest, step: usize) -> Result<(), Stop> {
        let tag = self.plan.target.tag().unwrap_or("latest");
        let reference = format!(
            "{}/{}:{tag}",
            self.plan.target.registry(),
            self.plan.target.repository(),
        );
        let failed = |error: ProxyError| {
            Stop::Step(StepFailure {
                index: step,
                total: self.plan.steps.len(),
                description: format!("check that {reference} still points at {expected}"),
                error,
            })
        };
        let head = self
            .target
            .head_manifest(tag)
            .await
            .map_err(|e| failed(e.into()))?;
        let method = TagCheck::HeadBeforePut;
        match head.map(|h| h.docker_content_digest) {
            Some(Some(ref digest)) if digest == expected => {
                emit(
                    self.events,
                    PushEvent::Checked {
                        reference,
                        digest: digest.clone(),
                        method,
                    },
                )
                .await;
                Ok(())
            }
            Some(None) => Err(failed(
                RegistryError::BadManifest {
                    what: reference.clone(),
                    detail: "the registry's HEAD of the tag has no Docker-Content-Digest, so whether the tag moved cannot be told; push without `expect` to overwrite it".into(),
                }
                .into(),
            )),
            other => Err(Stop::Moved {
                step,
                moved: TagMoved {
                    reference,
                    expected: expected.clone(),
                    actual: other.flatten(),
                    method,
                },
            }),
        }
    }
}
