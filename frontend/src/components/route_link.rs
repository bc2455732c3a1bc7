//! A link to another route of the page: a real `href`, so it can be opened in
//! a new tab or copied, but a plain click navigates in place (pushState)
//! instead of reloading the app.

use leptos::ev::MouseEvent;
use leptos::prelude::*;

use crate::route::{Route, Router};

/// Extra attributes (`attr:data-testid=...`, `attr:class=...`) land on
/// the `<a>`.
#[component]
pub fn RouteLink(route: Route, children: Children) -> impl IntoView {
    let router = Router::use_router();
    let href = route.to_url();
    let on_click = move |ev: MouseEvent| {
        let new_tab = ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key();
        if ev.default_prevented() || ev.button() != 0 || new_tab {
            return;
        }
        ev.prevent_default();
        router.navigate(route.clone());
    };
    view! {
        <a href=href on:click=on_click>
            {children()}
        </a>
    }
}
