//! Building and pushing an index from a form or a spec: a placeholder until
//! that page is written.

use leptos::prelude::*;

#[component]
pub fn CreatePage() -> impl IntoView {
    view! {
        <section class="panel" data-testid="create-page">
            <h1>"Create a manifest list"</h1>
            <p class="muted">
                "Build a multi-platform index from existing images and push it. Coming soon."
            </p>
        </section>
    }
}
