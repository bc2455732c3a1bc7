//! The shell around every page: header, navigation, and which page the URL
//! names. The stores are created here so they outlive page switches.

use leptos::prelude::*;

use crate::check_store::CheckStore;
use crate::components::credentials_panel::CredentialsPanel;
use crate::components::route_link::RouteLink;
use crate::create_store::CreateStore;
use crate::credentials_store::CredentialsStore;
use crate::inspect_store::InspectStore;
use crate::pages::check::CheckPage;
use crate::pages::create::CreatePage;
use crate::pages::inspect::InspectPage;
use crate::pages::not_found::NotFoundPage;
use crate::route::{Route, Router};

/// Which page is showing; a memo of it keeps the inspect page mounted while
/// only its `?ref=` changes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Page {
    Inspect,
    Create,
    Check,
    NotFound(String),
}

#[component]
pub fn App() -> impl IntoView {
    let router = Router::install();
    let credentials = CredentialsStore::install();
    InspectStore::install(router, credentials);
    CreateStore::install(credentials);
    CheckStore::install(credentials);
    let page = Memo::new(move |_| match router.route() {
        Route::Inspect { .. } => Page::Inspect,
        Route::Create => Page::Create,
        Route::Check => Page::Check,
        Route::NotFound { path } => Page::NotFound(path),
    });
    let current = move |p: Page| move || (page.get() == p).then_some("page");

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
            {move || match page.get() {
                Page::Inspect => view! { <InspectPage /> }.into_any(),
                Page::Create => view! { <CreatePage /> }.into_any(),
                Page::Check => view! { <CheckPage /> }.into_any(),
                Page::NotFound(path) => view! { <NotFoundPage path /> }.into_any(),
            }}
        </main>
    }
}
