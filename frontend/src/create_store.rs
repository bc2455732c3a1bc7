//! The create page's state: ONE push spec that the form, the YAML box and the
//! template expander all edit, plus the preview and the push of it, and the
//! requests that fill it in (YAML import, a source's platform). Components
//! read this state; the requests are made here.
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
use shared::api::{InspectResponse, PlanResponse};
use shared::spec::{PushSpec, SpecEntry, SpecPlatform};

use crate::api;
use crate::credentials_store::CredentialsStore;
use crate::latest::Latest;
use crate::push_progress::PushProgress;
use crate::streamed;

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

/// How a request that fills in the form went (a YAML import, one row's
/// platform read from its image), in the words its status line shows.
#[derive(Debug, Clone, PartialEq)]
pub enum FillState {
    Idle,
    Busy,
    Done(String),
    Failed(String),
}

#[derive(Debug, Clone, Copy)]
pub struct CreateStore {
    spec: RwSignal<PushSpec>,
    revision: RwSignal<u64>,
    preview: Latest<PreviewState>,
    progress: RwSignal<Option<PushProgress>>,
    import: Latest<FillState>,
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
            preview: Latest::new(PreviewState::Idle),
            progress: RwSignal::new(None),
            import: Latest::new(FillState::Idle),
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
        let spec = self.current();
        if let Err(e) = spec.validate() {
            self.preview.set(PreviewState::Failed {
                code: api::code_name(shared::api::ErrorCode::InvalidInput),
                message: e.to_string(),
            });
            return;
        }
        let credentials = self.credentials.current();
        let asked = spec.clone();
        self.preview.run(
            PreviewState::Loading,
            async move { api::plan(&asked, &credentials).await },
            |outcome| match outcome {
                Ok(plan) => PreviewState::Ready {
                    spec,
                    plan: Arc::new(plan),
                },
                Err(failure) => PreviewState::Failed {
                    code: failure.code(),
                    message: failure.to_string(),
                },
            },
        );
    }

    /// The last YAML import, tracked.
    pub fn import_state(&self) -> FillState {
        self.import.get()
    }

    /// A YAML import is on its way, tracked.
    pub fn import_busy(&self) -> bool {
        self.import.with(|s| *s == FillState::Busy)
    }

    /// A YAML import that failed before the proxy was asked (an unreadable
    /// file).
    pub fn import_failed(&self, message: String) {
        self.import.set(FillState::Failed(message));
    }

    /// Have the proxy read a manifest-tool YAML spec (the page has no YAML
    /// parser) and, if it is one, replace the spec with it.
    pub fn import_yaml(&self, yaml: String) {
        let store = *self;
        self.import.run(
            FillState::Busy,
            async move { api::parse_spec(&yaml).await },
            move |outcome| match outcome {
                Ok(spec) => {
                    let count = spec.manifests.len();
                    store.replace(spec);
                    FillState::Done(format!(
                        "Imported: {count} sources. Edit them in the form above."
                    ))
                }
                Err(failure) => FillState::Failed(failure.to_string()),
            },
        );
    }

    /// Put the platform of row `index`'s image (from its config) into the
    /// row, reporting to `status` (the row's own). The answer is applied
    /// only if the row still holds the same image.
    pub fn fill_platform(&self, index: usize, status: Latest<FillState>) {
        let image = self.spec.with_untracked(|s| {
            s.manifests
                .get(index)
                .map(|e| e.image.trim().to_string())
                .unwrap_or_default()
        });
        if image.is_empty() {
            status.set(FillState::Failed(
                "write the source image first, then fill its platform from it".into(),
            ));
            return;
        }
        let store = *self;
        let credentials = self.credentials.current();
        let asked = image.clone();
        status.run(
            FillState::Busy,
            async move { api::inspect(&asked, &credentials).await },
            move |outcome| {
                let still_same = store.spec.with_untracked(|s| {
                    s.manifests
                        .get(index)
                        .is_some_and(|e| e.image.trim() == image)
                });
                if !still_same {
                    return FillState::Idle;
                }
                match outcome.map(|(response, _)| image_platform(&image, &response)) {
                    Err(failure) => {
                        FillState::Failed(format!("could not inspect {image}: {failure}"))
                    }
                    Ok(Err(why)) => FillState::Failed(why),
                    Ok(Ok(platform)) => {
                        store.restructure(|s| {
                            if let Some(e) = s.manifests.get_mut(index) {
                                e.platform = SpecPlatform::from_platform(&platform);
                            }
                        });
                        FillState::Done(format!("Platform {platform} from the image's config."))
                    }
                }
            },
        );
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
        streamed::follow(progress, move |on_event| async move {
            api::push(&spec, &credentials, on_event).await
        });
    }
}

/// The platform in `image`'s config, or why there is none to take.
fn image_platform(
    image: &str,
    response: &InspectResponse,
) -> Result<shared::platform::Platform, String> {
    match response.image().and_then(|i| i.image_config.as_ref()) {
        Some(config) => Ok(config.platform()),
        None if response.entries().is_some() => Err(format!(
            "{image} is an index: its entries keep their own platforms, so leave the platform empty (or pick one entry by digest)"
        )),
        None => Err(format!(
            "{image} has no image config to read a platform from; type the platform"
        )),
    }
}
