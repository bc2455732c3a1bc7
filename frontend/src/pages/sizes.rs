//! Where the bytes of an image go (`/sizes?ref=REFERENCE`): the first part
//! of an inspection (layers, no configs) read by `shared::footprint`. A page
//! of its own, linked from every inspection, because the inspect page's
//! module has no room left under its size guard (`scripts/bundle-size`).
//! Opened from another site, it looks nothing up until a person asks.

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::InspectResponse;

use crate::api;
use crate::app::PageModule;
use crate::components::failure_line::FailureLine;
use crate::components::footprint_view::FootprintView;
use crate::credentials_store::CredentialsStore;
use crate::latest::Latest;
use crate::lookup::Lookup;
use crate::route::{Page, Route, Router};

/// The sizes page's module (`src/bin/sizes.rs`).
pub const MODULE: PageModule = PageModule {
    page: Page::Sizes,
    install: |_router, _credentials| {},
    view: || view! { <SizesPage /> }.into_any(),
};

type State = Lookup<Arc<InspectResponse>>;

#[component]
pub fn SizesPage() -> impl IntoView {
    let router = Router::use_router();
    let credentials = CredentialsStore::use_store();
    let reference = move || match router.route() {
        Route::Sizes { reference } => reference,
        _ => String::new(),
    };
    let state = Latest::new(State::Idle);
    let mut held = crate::opened_from::from_another_site();
    Effect::new(move |_| {
        let r = reference();
        if r.is_empty() {
            state.set(State::Idle);
        } else if std::mem::take(&mut held) {
            state.set(State::Held);
        } else {
            let creds = credentials.current();
            state.run(
                State::Loading,
                async move { api::inspect(&r, &creds).await },
                |answer| match answer {
                    Ok((response, _)) => State::Read(Arc::new(response)),
                    Err(e) => State::Failed(e),
                },
            );
        }
    });
    let body = move || match state.get() {
        State::Idle => {
            view! { <p class="muted">"No reference: open this page from an inspection."</p> }
                .into_any()
        }
        State::Held => view! {
            <p data-testid="held-notice" role="status">
                "Opened from another site: nothing was looked up yet (it may use this proxy's "
                "saved credentials). "
                <button
                    type="button"
                    data-testid="held-inspect"
                    on:click=move |_| router.navigate(Route::Sizes { reference: reference() })
                >
                    "Look it up"
                </button>
            </p>
        }
        .into_any(),
        State::Loading => view! {
            <div class="panel loading" data-testid="loading" role="status">"Reading…"</div>
        }
        .into_any(),
        State::Failed(failure) => view! { <FailureLine failure /> }.into_any(),
        State::Read(response) => view! { <FootprintView response /> }.into_any(),
    };
    view! {
        <p>
            <a class="mono" href=move || Route::inspect(&reference()).to_url()>{reference}</a>
        </p>
        {body}
    }
}
