//! A failed inspection, explained where the result would have been: the
//! proxy's message (which says what to fix) and its code.

use leptos::prelude::*;

use crate::api::ApiFailure;

#[component]
pub fn ErrorView(reference: String, failure: ApiFailure) -> impl IntoView {
    view! {
        <section class="panel error-panel">
            <p class="muted">"Could not inspect " <code>{reference}</code></p>
            <div class="error" data-testid="error" role="alert">
                <span class="error-code">{failure.code()}</span>
                <span class="error-message">{failure.to_string()}</span>
            </div>
        </section>
    }
}
