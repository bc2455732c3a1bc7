//! What the inspect page shows, as one piece of state that follows the URL:
//! the route says which reference to inspect, this store fetches it and keeps
//! the outcome, then what refers to it, and on request its manifest-tool
//! text (put on the clipboard as it arrives). Components only read these.
//! Each is a [`Latest`], so a slow answer to an earlier reference can never
//! replace a newer one.

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::{ChildConfigs, InspectResponse, ReferrersResponse};
use shared::config::ImageConfig;

use crate::after_paint::after_paint;
use crate::api::{self, ApiFailure};
use crate::components::copy_button::copy;
use crate::credentials_store::CredentialsStore;
use crate::latest::Latest;
use crate::opened_from;
use crate::route::{Route, Router};

#[derive(Debug, Clone, PartialEq)]
pub enum InspectState {
    /// No reference in the URL.
    Idle,
    /// The page was opened from another site: `reference` (from the URL) is
    /// inspected only when a person asks (see `opened_from`).
    Held {
        reference: String,
    },
    Loading {
        reference: String,
    },
    /// The answer, and its text exactly as the proxy sent it.
    Loaded(Arc<InspectResponse>, Arc<str>),
    Failed {
        reference: String,
        failure: ApiFailure,
    },
}

/// The inspection as `manifest-tool inspect` prints it, asked for on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextState {
    Idle,
    Loading,
    /// The text, and whether it made it to the clipboard.
    Ready {
        text: String,
        copied: bool,
    },
    Failed(String),
}

/// The second part of an index's inspection: its children's configs.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigsState {
    Asking,
    Ready(Arc<ChildConfigs>),
    /// Not to be had (the table shows without them).
    Unavailable,
}

#[derive(Debug, Clone, Copy)]
pub struct InspectStore {
    state: Latest<InspectState>,
    /// Only ever shown with `state` loaded: asked for (dropping earlier
    /// answers still on their way) as each inspection arrives.
    referrers: Latest<Option<Arc<ReferrersResponse>>>,
    text: Latest<TextState>,
    /// The configs of the inspected index's children: the second part,
    /// asked for once the first is shown.
    configs: Latest<ConfigsState>,
    credentials: CredentialsStore,
}

impl InspectStore {
    /// Create the store, provide it as context, and inspect whatever the route
    /// names, now and on every navigation (including back/forward); but when
    /// the page was opened from another site, the route it opened at is
    /// only held until a person asks.
    pub fn install(router: Router, credentials: CredentialsStore) -> InspectStore {
        let store = InspectStore {
            state: Latest::new(InspectState::Idle),
            referrers: Latest::new(None),
            text: Latest::new(TextState::Idle),
            configs: Latest::new(ConfigsState::Asking),
            credentials,
        };
        provide_context(store);
        let from_another_site = opened_from::from_another_site();
        Effect::new(move |before: Option<()>| {
            match on_route(router.route(), before.is_none() && from_another_site) {
                OnRoute::Inspect(reference) => store.inspect(reference),
                OnRoute::Hold(reference) => store.state.set(InspectState::Held { reference }),
                OnRoute::Reset => store.reset(),
                OnRoute::Nothing => {}
            }
        });
        store
    }

    pub fn use_store() -> InspectStore {
        expect_context::<InspectStore>()
    }

    /// The current state, tracked.
    pub fn state(&self) -> InspectState {
        self.state.get()
    }

    /// What refers to the inspected manifest, tracked: `None` until known,
    /// and when the registry could not say.
    pub fn referrers(&self) -> Option<Arc<ReferrersResponse>> {
        self.referrers.get()
    }

    /// The config of the child with `digest`, tracked: `None` until the
    /// second part has come, and for a child whose config is not an image
    /// config.
    pub fn child_config(&self, digest: &shared::Digest) -> Option<ImageConfig> {
        self.configs.with(|state| match state {
            ConfigsState::Ready(configs) => configs
                .configs
                .iter()
                .find(|c| c.digest == *digest)
                .and_then(|c| c.image_config.clone()),
            _ => None,
        })
    }

    /// Whether the children's configs have come (or will not), tracked.
    pub fn configs_settled(&self) -> bool {
        self.configs.with(|state| *state != ConfigsState::Asking)
    }

    /// Read the manifest-tool text asked for with [`Self::ask_text`],
    /// tracked.
    pub fn with_text<R>(&self, f: impl FnOnce(&TextState) -> R) -> R {
        self.text.with(f)
    }

    /// Ask for `reference` as manifest-tool prints it (`reference` as typed:
    /// manifest-tool echoes its argument) and copy it to the clipboard. It
    /// is shown once copied, so what is on the page is what was copied.
    pub fn ask_text(&self, reference: String) {
        let credentials = self.credentials.current();
        self.text.run(
            TextState::Loading,
            async move {
                let text = api::inspect_text(&reference, &credentials).await?;
                let copied = copy(&text).await;
                Ok::<_, ApiFailure>((text, copied))
            },
            |outcome| match outcome {
                Ok((text, copied)) => TextState::Ready { text, copied },
                Err(failure) => TextState::Failed(failure.to_string()),
            },
        );
    }

    fn reset(&self) {
        // The text and referrers are shown only with an inspection, and
        // each inspection starts them afresh.
        self.state.set(InspectState::Idle);
    }

    fn inspect(&self, reference: String) {
        self.text.set(TextState::Idle);
        self.configs.set(ConfigsState::Asking);
        let store = *self;
        let credentials = self.credentials.current();
        self.state.run(
            InspectState::Loading {
                reference: reference.clone(),
            },
            {
                let reference = reference.clone();
                async move { api::inspect(&reference, &credentials).await }
            },
            move |outcome| match outcome {
                Ok((response, text)) => {
                    // Then what refers to it (an extra: a registry that
                    // cannot answer leaves the inspection as it is).
                    let subject = subject_of(&response);
                    // The table shows first; the configs follow, unless the
                    // page has moved on to another inspection meanwhile.
                    let index = response.index().is_some();
                    after_paint(Box::new(move || {
                        if !store.shows(&subject) {
                            return;
                        }
                        if index {
                            store.ask_configs(subject.clone());
                        }
                        store.find_referrers(subject);
                    }));
                    InspectState::Loaded(Arc::new(response), text.into())
                }
                Err(failure) => InspectState::Failed { reference, failure },
            },
        );
    }

    /// Whether the inspection shown is of `subject` (not tracked).
    fn shows(&self, subject: &str) -> bool {
        untrack(|| {
            self.state.with(|state| {
                matches!(state, InspectState::Loaded(response, _) if subject_of(response) == subject)
            })
        })
    }

    /// Ask for the configs of the index `subject`'s children (shown where
    /// a row is opened; an answer that cannot be had leaves the table as it
    /// is, without them).
    fn ask_configs(&self, subject: String) {
        let credentials = self.credentials.current();
        self.configs.run(
            ConfigsState::Asking,
            async move { api::child_configs(&subject, &credentials).await },
            |outcome| match outcome {
                Ok(configs) => ConfigsState::Ready(Arc::new(configs)),
                Err(_) => ConfigsState::Unavailable,
            },
        );
    }

    fn find_referrers(&self, subject: String) {
        let credentials = self.credentials.current();
        self.referrers.run(
            None,
            async move { api::referrers(&subject, &credentials).await },
            |outcome| outcome.ok().map(Arc::new),
        );
    }
}

/// `registry/repository@digest`: what the follow-up requests are about.
fn subject_of(response: &InspectResponse) -> String {
    format!(
        "{}/{}@{}",
        response.registry, response.repository, response.digest
    )
}

/// What the store does when the route becomes `route`.
#[derive(Debug, PartialEq, Eq)]
enum OnRoute {
    Inspect(String),
    Hold(String),
    Reset,
    Nothing,
}

/// `opened_from_another_site`: this is the route the page opened at, and
/// another site sent it here (only that route was chosen by someone else;
/// every later one is a person's action on the page).
fn on_route(route: Route, opened_from_another_site: bool) -> OnRoute {
    match route {
        Route::Inspect {
            reference: Some(reference),
        } if opened_from_another_site => OnRoute::Hold(reference),
        Route::Inspect {
            reference: Some(reference),
        } => OnRoute::Inspect(reference),
        Route::Inspect { reference: None } => OnRoute::Reset,
        Route::Create
        | Route::Check
        | Route::Tags { .. }
        | Route::Compare { .. }
        | Route::Sizes { .. }
        | Route::Attestation { .. }
        | Route::NotFound { .. } => OnRoute::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_reference_opened_from_another_site_is_held() {
        let route = || Route::inspect("private.example/app:1");
        assert_eq!(
            on_route(route(), true),
            OnRoute::Hold("private.example/app:1".into())
        );
        assert_eq!(
            on_route(route(), false),
            OnRoute::Inspect("private.example/app:1".into())
        );
        for opened in [true, false] {
            assert_eq!(on_route(Route::inspect(""), opened), OnRoute::Reset);
            assert_eq!(on_route(Route::Create, opened), OnRoute::Nothing);
        }
    }
}
