//! Shown while the proxy fetches a reference (registries can take seconds,
//! an index fans out to one request per entry).

use leptos::prelude::*;

#[component]
pub fn Loading(reference: String) -> impl IntoView {
    view! {
        <div class="panel loading" data-testid="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            "Inspecting " <code>{reference}</code> "…"
        </div>
    }
}
