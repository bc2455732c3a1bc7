//! The shell around every page: header, navigation, credentials, and the
//! page itself. Each page's module (`frontend/src/bin/NAME.rs`) starts this
//! shell with its own [`PageModule`], so a module holds the code of one page
//! only: the header links to the other pages are full page loads (see
//! `route`).

use leptos::prelude::*;

use crate::components::credentials_panel::CredentialsPanel;
use crate::components::route_link::RouteLink;
use crate::credentials_store::CredentialsStore;
use crate::pages::not_found::NotFoundPage;
use crate::route::{Page, Route, Router};

/// What one page's module brings to the shell.
#[derive(Clone, Copy)]
pub struct PageModule {
    pub page: Page,
    /// Creates the page's state (its store), once, before the first render.
    pub install: fn(Router, CredentialsStore),
    /// The page's view.
    pub view: fn() -> AnyView,
}

/// Mount the shell with `module`'s page: the whole of a page module's `main`.
pub fn start(module: PageModule) {
    leptos::mount::mount_to_body(move || view! { <App module /> })
}

/// What the main area shows; a memo of it keeps the page mounted while only
/// its query (`?ref=`) changes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Showing {
    ThePage,
    /// A route of another page, whose module is being loaded.
    Elsewhere,
    NotFound(String),
}

#[component]
fn App(module: PageModule) -> impl IntoView {
    let router = Router::install(module.page);
    let credentials = CredentialsStore::install();
    (module.install)(router, credentials);
    let showing = Memo::new(move |_| match router.route() {
        Route::NotFound { path } => Showing::NotFound(path),
        route if route.page() == module.page => Showing::ThePage,
        _ => Showing::Elsewhere,
    });
    let current = move |p: Page| {
        move || (module.page == p && showing.get() == Showing::ThePage).then_some("page")
    };

    view! {
        <header class="topbar">
            <RouteLink route=Route::inspect("") attr:class="brand">
                "manifest-web"
            </RouteLink>
            <nav class="nav" aria-label="Pages">
                <RouteLink
                    route=Route::inspect("")
                    attr:data-testid="nav-inspect"
                    attr:aria-current=current(Page::Inspect)
                >
                    "Inspect"
                </RouteLink>
                <RouteLink
                    route=Route::Create
                    attr:data-testid="nav-create"
                    attr:aria-current=current(Page::Create)
                >
                    "Create"
                </RouteLink>
                <RouteLink
                    route=Route::Check
                    attr:data-testid="nav-check"
                    attr:aria-current=current(Page::Check)
                >
                    "Check registry"
                </RouteLink>
            </nav>
            <CredentialsPanel />
        </header>
        <main class="content">
            {move || match showing.get() {
                Showing::ThePage => Some((module.view)()),
                Showing::Elsewhere => None,
                Showing::NotFound(path) => Some(view! { <NotFoundPage path /> }.into_any()),
            }}
        </main>
    }
}
