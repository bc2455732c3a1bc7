//! The reference box. Submitting navigates (so the URL carries the reference);
//! the store then inspects whatever the URL names. The box follows the URL, so
//! back/forward and clicked digests show up in it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::inspect_store::{InspectState, InspectStore};
use crate::route::{Route, Router};

#[component]
pub fn ReferenceForm() -> impl IntoView {
    let router = Router::use_router();
    let store = InspectStore::use_store();
    let from_url = move || match router.route() {
        Route::Inspect { reference } => reference.unwrap_or_default(),
        Route::Create | Route::Attestation { .. } | Route::NotFound { .. } => String::new(),
    };
    let text = RwSignal::new(untrack(from_url));
    Effect::new(move |_| text.set(from_url()));
    let busy = move || matches!(store.state(), InspectState::Loading { .. });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        router.navigate(Route::inspect(&text.get_untracked()));
    };

    view! {
        <form class="reference-form" on:submit=on_submit role="search">
            <label for="ref-input">"Image reference"</label>
            <div class="reference-row">
                <input
                    id="ref-input"
                    data-testid="ref-input"
                    type="text"
                    name="ref"
                    required
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    placeholder="e.g. alpine:3.20, ghcr.io/owner/repo:tag, localhost:5000/app@sha256:…"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <button type="submit" data-testid="inspect-button" aria-busy=move || busy().to_string()>
                    "Inspect"
                </button>
            </div>
        </form>
    }
}
