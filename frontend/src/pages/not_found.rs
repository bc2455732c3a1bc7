//! A path the page does not know: said plainly, with the way back.

use leptos::prelude::*;

use crate::components::route_link::RouteLink;
use crate::route::Route;

#[component]
pub fn NotFoundPage(path: String) -> impl IntoView {
    view! {
        <section class="panel" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>
                "There is no page at " <code>{path}</code> ". "
                <RouteLink route=Route::inspect("")>"Inspect an image"</RouteLink> " instead."
            </p>
        </section>
    }
}
