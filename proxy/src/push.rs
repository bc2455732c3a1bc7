//! Performing a push plan against the registries, reporting as it goes.
//!
//! The plan (`shared::plan`) has already decided what to write; this is only
//! the order and the safety of writing it, in as few round trips as that
//! order allows: every blob at once (a cross-repository mount, whose answer
//! says the blob is there, so no HEAD before it; or a HEAD and a streamed
//! copy), then every child manifest at once by digest (with a HEAD of each
//! entry the index lists and no step writes), and only when every child the
//! index lists is in the target repository the index itself, by digest
//! first (so a registry that stores other bytes is caught before any tag
//! moves), then all its tags at once: a push that fails part-way leaves the
//! target tag where it was. Each phase ends with a `phase` event saying its
//! round trips and requests (`registry::round_trips`). A HEAD of the index
//! by digest goes out with the first phase: when the target has the index
//! already, so it has everything the index names, and the steps say
//! "already present" (child manifests are not written again), so running
//! the same push again is cheap and gives the same digest. Retries live in the registry client
//! (`registry::retry`), which retries only idempotent requests (HEAD, GET,
//! PUT by digest); a blob transfer (mount, or upload session and streamed
//! PUT) is one operation that is idempotent as a whole, since the blob is
//! named by its digest, so a transient failure starts it over here.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use futures::future::{BoxFuture, FutureExt, Shared};
use futures::stream::{self, StreamExt};
use registry::round_trips::{self, Count};
use shared::api::{ApiError, ErrorCode, PushEvent, PushPhase, StepState, TagMoved};
use shared::credentials::CredentialSet;
use shared::digest::Digest;
use shared::plan::{Plan, Step};
use shared::reference::Reference;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::Sender;

use registry::{RegistryClient, RegistryError, Repository};

use crate::config::OperationSettings;

mod blob;
mod expect;
use crate::error::ProxyError;

/// Run `plan`, sending progress to `events`: `planned`, the plan's warnings,
/// the `resolve` phase (what resolving the sources for this plan cost, when
/// the caller counted it), `step` started/done for each step and a `phase`
/// after each phase, then `done` or one `error`. The push
/// waits for one of `slots` (pushes running at once in this server: a push
/// outlives the request that started it, so the API's own request bounds do
/// not hold it).
pub async fn run(
    client: &RegistryClient,
    settings: &OperationSettings,
    slots: &Semaphore,
    plan: &Plan,
    credentials: &CredentialSet,
    events: &Sender<PushEvent>,
    resolved: Option<Count>,
) {
    let total = plan.steps.len();
    emit(
        events,
        PushEvent::Planned {
            digest: plan.digest.clone(),
            size: plan.size,
            total,
        },
    )
    .await;
    for message in &plan.warnings {
        emit(
            events,
            PushEvent::Warning {
                message: message.clone(),
            },
        )
        .await;
    }
    if let Some(count) = resolved {
        let phase = PushEvent::Phase {
            phase: PushPhase::Resolve,
            round_trips: count.round_trips,
            requests: count.requests,
        };
        emit(events, phase).await;
    }
    let _slot = match push_slot(slots, settings.max_concurrent_pushes, events).await {
        Ok(slot) => slot,
        Err(message) => {
            let error = ApiError::new(ErrorCode::Internal, message);
            emit(
                events,
                PushEvent::Error {
                    error,
                    step: None,
                    moved: None,
                },
            )
            .await;
            return;
        }
    };
    let last = match Executor::new(client, settings, plan, credentials, events).await {
        Ok(executor) => match executor.run().await {
            Ok(tags) => PushEvent::Done {
                digest: plan.digest.clone(),
                size: plan.size,
                media_type: plan.media_type.clone(),
                tags,
            },
            Err(stop) => stop.into_event(),
        },
        Err(error) => PushEvent::Error {
            error: ApiError::new(
                error.code(),
                format!("cannot start pushing to {}: {error}", plan.target),
            ),
            step: None,
            moved: None,
        },
    };
    emit(events, last).await;
}

/// A slot among `slots`, waiting for one when all are taken (the page is
/// told it waits). An error only if the semaphore was closed.
async fn push_slot<'s>(
    slots: &'s Semaphore,
    running: usize,
    events: &Sender<PushEvent>,
) -> Result<tokio::sync::SemaphorePermit<'s>, String> {
    if let Ok(slot) = slots.try_acquire() {
        return Ok(slot);
    }
    let message = format!(
        "{running} pushes are running on this server; this one starts when one of them finishes"
    );
    emit(events, PushEvent::Warning { message }).await;
    slots
        .acquire()
        .await
        .map_err(|_| "the server is shutting down; the push did not start".to_string())
}

/// Nobody listening (the page went away) does not stop the push: a push
/// left half-done is worse than one finished unobserved.
async fn emit(events: &Sender<PushEvent>, event: PushEvent) {
    let _ = events.send(event).await;
}

/// A step that failed: which one, and why.
#[derive(Debug)]
struct StepFailure {
    /// 1-based.
    index: usize,
    total: usize,
    description: String,
    error: ProxyError,
}

/// What stops a push: a step that failed, or (with `expect`) a target tag
/// that moved, found before any tag was written.
#[derive(Debug)]
enum Stop {
    Step(StepFailure),
    Moved { step: usize, moved: TagMoved },
}

impl From<StepFailure> for Stop {
    fn from(failure: StepFailure) -> Self {
        Stop::Step(failure)
    }
}

impl Stop {
    fn into_event(self) -> PushEvent {
        match self {
            Stop::Step(failure) => failure.into_event(),
            Stop::Moved { step, moved } => {
                let now = match &moved.actual {
                    Some(digest) => format!("points at {digest}"),
                    None => "no longer exists".to_string(),
                };
                PushEvent::Error {
                    error: ApiError::new(
                        ErrorCode::TagMoved,
                        format!(
                            "{} {now}, not at {} where this edit started (checked by {}): someone pushed in between, so nothing was tagged; the index is stored by digest only. Compare the two, then edit again from the tag as it is now",
                            moved.reference,
                            moved.expected,
                            moved.method.describe()
                        ),
                    ),
                    step: Some(step),
                    moved: Some(moved),
                }
            }
        }
    }
}

impl StepFailure {
    fn into_event(self) -> PushEvent {
        PushEvent::Error {
            error: ApiError::new(
                self.error.code(),
                format!(
                    "step {} of {} ({}) failed: {}",
                    self.index, self.total, self.description, self.error
                ),
            ),
            step: Some(self.index),
            moved: None,
        }
    }
}

struct Executor<'a> {
    plan: &'a Plan,
    /// Steps of one phase (blobs, manifests) running at once.
    step_concurrency: usize,
    client: &'a RegistryClient,
    /// Writes go here; its token also allows pulling every mount source.
    target: Repository<'a>,
    /// Where blobs are copied from, by `registry/repository`.
    sources: BTreeMap<String, Repository<'a>>,
    events: &'a Sender<PushEvent>,
}

impl<'a> Executor<'a> {
    async fn new(
        client: &'a RegistryClient,
        settings: &OperationSettings,
        plan: &'a Plan,
        credentials: &CredentialSet,
        events: &'a Sender<PushEvent>,
    ) -> Result<Self, ProxyError> {
        let credential_for = |r: &Reference| credentials.for_registry(r.registry()).cloned();
        let mut mount_from = BTreeSet::new();
        let mut sources = BTreeMap::new();
        for step in &plan.steps {
            if let Step::Blob { from, .. } = step {
                if mounts_from(&plan.target, from) {
                    mount_from.insert(from.repository().to_string());
                }
                if let std::collections::btree_map::Entry::Vacant(slot) = sources.entry(from.name())
                {
                    slot.insert(client.repository(from, credential_for(from)).await?);
                }
            }
        }
        let mount_from: Vec<String> = mount_from.into_iter().collect();
        let target = client
            .repository_for_push(&plan.target, credential_for(&plan.target), &mount_from)
            .await?;
        Ok(Executor {
            plan,
            step_concurrency: settings.step_concurrency.max(1),
            client,
            target,
            sources,
            events,
        })
    }

    /// Blobs, then child manifests, then the index by digest, then the
    /// tags: each phase one wave. Answers every reference now pointing at
    /// the index (the target first).
    async fn run(&self) -> Result<Vec<String>, Stop> {
        let index_there: IndexThere<'_> = round_trips::aside(async {
            matches!(
                self.target
                    .head_manifest(&self.plan.digest.to_string())
                    .await,
                Ok(Some(_))
            )
        })
        .boxed()
        .shared();
        let mut blobs = Vec::new();
        let mut manifests = Vec::new();
        let mut tags = Vec::new();
        for (i, step) in self.plan.steps.iter().enumerate() {
            match step {
                Step::Blob { .. } => blobs.push(i),
                Step::Manifest { .. } => manifests.push(i),
                Step::Index { .. } | Step::Tag { .. } => tags.push(i),
            }
        }
        let index_step = tags
            .iter()
            .copied()
            .find(|&i| matches!(self.plan.steps[i], Step::Index { .. }));
        self.phase(PushPhase::Blobs, &blobs, &index_there, None)
            .await?;
        self.phase(PushPhase::Manifests, &manifests, &index_there, index_step)
            .await?;
        let (stored, count) = round_trips::counted(self.index_by_digest(index_step)).await;
        stored?;
        self.emit_phase(PushPhase::Index, count).await;
        if let Some(expected) = &self.plan.expect {
            self.check_tag(expected, tags.first().map_or(0, |&i| i + 1))
                .await?;
        }
        self.phase(PushPhase::Tags, &tags, &index_there, None)
            .await?;
        Ok(tags
            .iter()
            .filter_map(|&i| match &self.plan.steps[i] {
                Step::Index { tag, .. } | Step::Tag { tag, .. } => Some(format!(
                    "{}/{}:{tag}",
                    self.plan.target.registry(),
                    self.plan.target.repository()
                )),
                _ => None,
            })
            .collect())
    }

    /// Run the steps at `indexes` (0-based) at once (at most
    /// `step_concurrency`), stopping at the first failure, and report the
    /// phase. `check_entries`: the index step (0-based) on whose behalf the
    /// entries no step writes are checked in the same wave.
    async fn phase(
        &self,
        phase: PushPhase,
        indexes: &[usize],
        index_there: &IndexThere<'_>,
        check_entries: Option<usize>,
    ) -> Result<(), StepFailure> {
        let (result, count) = round_trips::counted(async {
            // Futures collected first: a lazily mapped iterator inside the
            // stream makes the spawned push future's `Send` unprovable.
            let mut work: Vec<BoxFuture<'_, (Result<(), StepFailure>, usize)>> = indexes
                .iter()
                .map(|&i| {
                    round_trips::branch(self.step(i + 1, &self.plan.steps[i], index_there)).boxed()
                })
                .collect();
            if let Some(i) = check_entries {
                let failed = move |error| self.failure(i + 1, &self.plan.steps[i], error);
                for entry in self.entries_to_check() {
                    work.push(
                        round_trips::branch(async move {
                            self.entry_present(entry, index_there).await.map_err(failed)
                        })
                        .boxed(),
                    );
                }
            }
            let mut running = stream::iter(work).buffer_unordered(self.step_concurrency);
            let mut ends = Vec::new();
            while let Some((done, end)) = running.next().await {
                done?;
                ends.push(end);
            }
            round_trips::rejoin(ends);
            Ok(())
        })
        .await;
        result?;
        if !indexes.is_empty() || count.requests > 0 {
            self.emit_phase(phase, count).await;
        }
        Ok(())
    }

    async fn emit_phase(&self, phase: PushPhase, count: Count) {
        emit(
            self.events,
            PushEvent::Phase {
                phase,
                round_trips: count.round_trips,
                requests: count.requests,
            },
        )
        .await;
    }

    fn failure(&self, index: usize, step: &Step, error: ProxyError) -> StepFailure {
        StepFailure {
            index,
            total: self.plan.steps.len(),
            description: step.describe(),
            error,
        }
    }

    /// One step with its `started` and `done` events.
    async fn step(
        &self,
        index: usize,
        step: &Step,
        index_there: &IndexThere<'_>,
    ) -> Result<(), StepFailure> {
        let total = self.plan.steps.len();
        let description = step.describe();
        let event = |state, detail: Option<String>| PushEvent::Step {
            state,
            index,
            total,
            kind: step.kind(),
            description: description.clone(),
            detail,
        };
        emit(self.events, event(StepState::Started, None)).await;
        let result = match step {
            Step::Blob {
                from, digest, size, ..
            } => {
                let wanted = blob::Wanted {
                    from,
                    digest,
                    size: *size,
                };
                self.blob(wanted, index_there).await
            }
            Step::Manifest {
                digest,
                media_type,
                bytes,
                ..
            } => self.manifest(digest, media_type, bytes, index_there).await,
            // By digest already (`index_by_digest`): now the tag.
            Step::Index { tag, .. } | Step::Tag { tag, .. } => self.tag(tag).await,
        };
        match result {
            Ok(detail) => {
                emit(
                    self.events,
                    event(StepState::Done, Some(detail.to_string())),
                )
                .await;
                Ok(())
            }
            Err(error) => Err(self.failure(index, step, error)),
        }
    }

    /// PUT a child manifest by digest (idempotent: no HEAD first), unless
    /// the target has the index already, and so this child.
    async fn manifest(
        &self,
        digest: &Digest,
        media_type: &str,
        bytes: &[u8],
        index_there: &IndexThere<'_>,
    ) -> Result<&'static str, ProxyError> {
        let reference = digest.to_string();
        if index_there.clone().await {
            return Ok("already present");
        }
        let stored = self
            .target
            .put_manifest(&reference, media_type, Bytes::copy_from_slice(bytes))
            .await?;
        self.check_stored(digest, stored, &format!("manifest {digest}"))?;
        Ok("pushed")
    }

    /// The entries of the index that no step of this push writes (already
    /// in the target repository when planned).
    fn entries_to_check(&self) -> Vec<&shared::plan::PlanEntry> {
        let pushed: BTreeSet<&Digest> = self
            .plan
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Manifest { digest, .. } => Some(digest),
                _ => None,
            })
            .collect();
        self.plan
            .entries
            .iter()
            .filter(|e| !pushed.contains(&e.digest))
            .collect()
    }

    /// The index cannot list a manifest its repository does not have.
    async fn entry_present(
        &self,
        entry: &shared::plan::PlanEntry,
        index_there: &IndexThere<'_>,
    ) -> Result<(), ProxyError> {
        let reference = entry.digest.to_string();
        let (head, there) =
            tokio::join!(self.target.head_manifest(&reference), index_there.clone());
        if there || head?.is_some() {
            return Ok(());
        }
        Err(RegistryError::NotFound {
            what: format!(
                "manifest {} (from `{}`) in {}",
                entry.digest,
                entry.source,
                self.target.name()
            ),
            detail: "the index cannot list a manifest its repository does not have".into(),
        }
        .into())
    }

    /// PUT the index by digest, once every entry is in the target: a
    /// registry that stores other bytes (or answers another digest) is
    /// caught before any tag has moved. A failure is the index step's.
    async fn index_by_digest(&self, index_step: Option<usize>) -> Result<(), StepFailure> {
        let Some(i) = index_step else {
            return Ok(());
        };
        let step = &self.plan.steps[i];
        let started = PushEvent::Step {
            state: StepState::Started,
            index: i + 1,
            total: self.plan.steps.len(),
            kind: step.kind(),
            description: step.describe(),
            detail: None,
        };
        emit(self.events, started).await;
        self.put_index(&self.plan.digest.to_string(), '@')
            .await
            .map_err(|error| self.failure(i + 1, step, error))
    }

    /// PUT the index bytes to `tag`. Not retried: a tag PUT is not by digest.
    async fn tag(&self, tag: &str) -> Result<&'static str, ProxyError> {
        self.put_index(tag, ':').await?;
        Ok("pushed")
    }

    /// PUT the index bytes under `reference` (a digest, after `@`, or a tag,
    /// after `:`) and check the registry stored exactly them.
    async fn put_index(&self, reference: &str, separator: char) -> Result<(), ProxyError> {
        let stored = self
            .target
            .put_manifest(
                reference,
                &self.plan.media_type,
                Bytes::copy_from_slice(&self.plan.index),
            )
            .await?;
        Ok(self.check_stored(
            &self.plan.digest,
            stored,
            &format!(
                "the index pushed to {}{separator}{reference}",
                self.target.name()
            ),
        )?)
    }

    fn check_stored(
        &self,
        expected: &Digest,
        stored: Option<Digest>,
        what: &str,
    ) -> Result<(), RegistryError> {
        match stored {
            Some(actual) if actual != *expected => Err(RegistryError::DigestMismatch {
                what: format!("{what} (the registry's Docker-Content-Digest)"),
                expected: expected.clone(),
                actual,
            }),
            _ => Ok(()),
        }
    }
}

/// Whether the target had the index (by digest) before this push wrote
/// anything: asked once, with the first phase, awaited by every step.
type IndexThere<'a> = Shared<BoxFuture<'a, bool>>;

/// A blob of `from` can be mounted: same registry, another repository.
fn mounts_from(target: &Reference, from: &Reference) -> bool {
    target.same_registry(from) && target.repository() != from.repository()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pushes_past_the_bound_wait_and_say_so() {
        let slots = Semaphore::new(1);
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let first = push_slot(&slots, 1, &tx).await.unwrap();
        assert!(rx.try_recv().is_err(), "the first push does not wait");
        let second = push_slot(&slots, 1, &tx);
        tokio::pin!(second);
        // Not ready while the first holds its slot ...
        assert!(futures::poll!(second.as_mut()).is_pending());
        match rx.try_recv() {
            Ok(PushEvent::Warning { message }) => {
                assert!(message.contains("starts when"), "{message}")
            }
            other => panic!("expected a warning that it waits, got {other:?}"),
        }
        // ... and gets it once the first is done.
        drop(first);
        assert!(second.await.is_ok());
    }

    #[test]
    fn mounts_only_within_one_registry() {
        let target = Reference::parse("127.0.0.1:5000/team/app:1").unwrap();
        let same_repo = Reference::parse("127.0.0.1:5000/team/app:amd64").unwrap();
        let other_repo = Reference::parse("127.0.0.1:5000/team/base:1").unwrap();
        let other_registry = Reference::parse("127.0.0.1:5001/team/base:1").unwrap();
        assert!(!mounts_from(&target, &same_repo));
        assert!(mounts_from(&target, &other_repo));
        assert!(!mounts_from(&target, &other_registry));
    }
}
