//! What the inspect page shows, as one piece of state that follows the URL:
//! the route says which reference to inspect, this store fetches it and keeps
//! the outcome. Only the answer to the latest request is kept, so a slow
//! answer to an earlier reference can never replace a newer one.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::InspectResponse;

use crate::api::{self, ApiFailure};
use crate::credentials_store::CredentialsStore;
use crate::route::{Route, Router};

#[derive(Debug, Clone, PartialEq)]
pub enum InspectState {
    /// No reference in the URL.
    Idle,
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

#[derive(Debug, Clone, Copy)]
pub struct InspectStore {
    state: RwSignal<InspectState>,
    /// Bumped by every request; an answer is kept only if it is still the latest.
    generation: StoredValue<u64>,
    credentials: CredentialsStore,
}

impl InspectStore {
    /// Create the store, provide it as context, and inspect whatever the route
    /// names, now and on every navigation (including back/forward).
    pub fn install(router: Router, credentials: CredentialsStore) -> InspectStore {
        let store = InspectStore {
            state: RwSignal::new(InspectState::Idle),
            generation: StoredValue::new(0),
            credentials,
        };
        provide_context(store);
        Effect::new(move |_| match router.route() {
            Route::Inspect {
                reference: Some(reference),
            } => store.inspect(reference),
            Route::Inspect { reference: None } => store.reset(),
            Route::Create | Route::NotFound { .. } => {}
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

    fn reset(&self) {
        self.generation.update_value(|g| *g += 1);
        self.state.set(InspectState::Idle);
    }

    fn inspect(&self, reference: String) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.state.set(InspectState::Loading {
            reference: reference.clone(),
        });
        let store = *self;
        let credentials = self.credentials.current();
        spawn_local(async move {
            let outcome = api::inspect(&reference, &credentials).await;
            if store.generation.try_get_value() != Some(generation) {
                return;
            }
            store.state.set(match outcome {
                Ok((response, text)) => InspectState::Loaded(Arc::new(response), text.into()),
                Err(failure) => InspectState::Failed { reference, failure },
            });
        });
    }
}
