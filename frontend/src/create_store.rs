//! The create page's state: ONE push spec that the form, the YAML box and the
//! template expander all edit, plus the preview and the push of it.
//!
//! The Push button is tied to the preview: a preview remembers the spec it
//! was made for, and pushing is allowed only while that equals the current
//! spec, so what is pushed is always what was last looked at. (The proxy
//! plans again from the spec; the digest it pushes is the previewed one as
//! long as the sources did not change in between, and the progress stream
//! announces it first.)
//!
//! Inputs show the spec through `revision`: it changes when the spec is
//! replaced or rows move, not on every keystroke, so an input is never
//! rewritten under the cursor while someone types in it.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::PlanResponse;
use shared::spec::{PushSpec, SpecEntry};

use crate::api;
use crate::credentials_store::CredentialsStore;
use crate::push_progress::PushProgress;

#[derive(Debug, Clone, PartialEq)]
pub enum PreviewState {
    Idle,
    Loading,
    Ready {
        /// The spec this plan was made for.
        spec: PushSpec,
        plan: Arc<PlanResponse>,
    },
    Failed {
        code: String,
        message: String,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct CreateStore {
    spec: RwSignal<PushSpec>,
    revision: RwSignal<u64>,
    preview: RwSignal<PreviewState>,
    progress: RwSignal<Option<PushProgress>>,
    /// Bumped by every preview request; only the latest answer is kept.
    generation: StoredValue<u64>,
    credentials: CredentialsStore,
}

impl CreateStore {
    pub fn install(credentials: CredentialsStore) -> CreateStore {
        let store = CreateStore {
            spec: RwSignal::new(PushSpec {
                manifests: vec![SpecEntry::default()],
                ..PushSpec::default()
            }),
            revision: RwSignal::new(0),
            preview: RwSignal::new(PreviewState::Idle),
            progress: RwSignal::new(None),
            generation: StoredValue::new(0),
            credentials,
        };
        provide_context(store);
        store
    }

    pub fn use_store() -> CreateStore {
        expect_context::<CreateStore>()
    }

    /// Read the spec, tracked.
    pub fn with<R>(&self, f: impl FnOnce(&PushSpec) -> R) -> R {
        self.spec.with(f)
    }

    /// Read the spec for an input's value: tracked only through `revision`.
    pub fn shown<R>(&self, f: impl FnOnce(&PushSpec) -> R) -> R {
        self.revision.track();
        self.spec.with_untracked(f)
    }

    pub fn current(&self) -> PushSpec {
        self.spec.get_untracked()
    }

    /// A keystroke's edit: the input already shows it.
    pub fn edit(&self, f: impl FnOnce(&mut PushSpec)) {
        self.spec.update(f);
    }

    /// An edit of one row, if it still exists.
    pub fn edit_entry(&self, index: usize, f: impl FnOnce(&mut SpecEntry)) {
        self.spec.update(|s| {
            if let Some(entry) = s.manifests.get_mut(index) {
                f(entry)
            }
        });
    }

    /// An edit the inputs do not show yet (rows moved, values filled in):
    /// they re-read the spec.
    pub fn restructure(&self, f: impl FnOnce(&mut PushSpec)) {
        self.spec.update(f);
        self.revision.update(|r| *r += 1);
    }

    /// Replace the whole spec (YAML import, "edit as new index").
    pub fn replace(&self, spec: PushSpec) {
        self.restructure(|s| *s = spec);
    }

    pub fn preview(&self) -> PreviewState {
        self.preview.get()
    }

    pub fn progress(&self) -> Option<PushProgress> {
        self.progress.get()
    }

    /// A preview exists and was made for the spec as it is now.
    pub fn preview_is_current(&self) -> bool {
        self.preview.with(|p| match p {
            PreviewState::Ready { spec, .. } => self.spec.with(|current| current == spec),
            _ => false,
        })
    }

    pub fn pushing(&self) -> bool {
        self.progress
            .with(|p| p.as_ref().is_some_and(PushProgress::is_running))
    }

    /// Check the spec here (instant, names the field), then ask the proxy for
    /// the plan.
    pub fn run_preview(&self) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let spec = self.current();
        if let Err(e) = spec.validate() {
            self.preview.set(PreviewState::Failed {
                code: api::code_name(shared::api::ErrorCode::InvalidInput),
                message: e.to_string(),
            });
            return;
        }
        self.preview.set(PreviewState::Loading);
        let store = *self;
        let credentials = self.credentials.current();
        spawn_local(async move {
            let outcome = api::plan(&spec, &credentials).await;
            if store.generation.try_get_value() != Some(generation) {
                return;
            }
            store.preview.set(match outcome {
                Ok(plan) => PreviewState::Ready {
                    spec,
                    plan: Arc::new(plan),
                },
                Err(failure) => PreviewState::Failed {
                    code: failure.code(),
                    message: failure.to_string(),
                },
            });
        });
    }

    /// Push the previewed spec, following its progress.
    pub fn run_push(&self) {
        if !self.preview_is_current() || self.pushing() {
            return;
        }
        let spec = self.current();
        let credentials = self.credentials.current();
        let progress = self.progress;
        progress.set(Some(PushProgress::default()));
        spawn_local(async move {
            let outcome = api::push(&spec, &credentials, |event| {
                progress.update(|p| {
                    if let Some(p) = p {
                        p.apply(event)
                    }
                })
            })
            .await;
            progress.update(|p| {
                if let Some(p) = p {
                    match outcome {
                        Ok(()) => p.finish(),
                        Err(failure) => p.fail(&failure),
                    }
                }
            });
        });
    }
}
