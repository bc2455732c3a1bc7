//! The inspect page: a reference box, then whatever the store holds for the
//! reference in the URL (nothing yet, loading, an error, or the inspection).

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::InspectResponse;
use shared::media_type::Kind;

use crate::after_paint::after_paint;
use crate::app::PageModule;
use crate::components::breadcrumbs;
use crate::components::copy_text_button::CopyTextButton;
use crate::components::entries_table::EntriesTable;
use crate::components::error_view::ErrorView;
use crate::components::image_config::ImageConfigView;
use crate::components::layers_table::LayersTable;
use crate::components::loading::Loading;
use crate::components::raw_json::RawJson;
use crate::components::reference_form::ReferenceForm;
use crate::components::referrers::Referrers;
use crate::components::summary::Summary;
use crate::inspect_store::{InspectState, InspectStore};
use crate::opened_from;
use crate::route::{Page, Route, Router};

/// The inspect page's module (`src/bin/inspect.rs`).
pub const MODULE: PageModule = PageModule {
    page: Page::Inspect,
    install: |router, credentials| {
        InspectStore::install(router, credentials);
    },
    view: || view! { <InspectPage /> }.into_any(),
};

#[component]
pub fn InspectPage() -> impl IntoView {
    let store = InspectStore::use_store();
    view! {
        <ReferenceForm />
        {move || match store.state() {
            InspectState::Idle => view! { <Intro /> }.into_any(),
            InspectState::Held { reference } => view! { <Held reference /> }.into_any(),
            InspectState::Loading { reference } => view! { <Loading reference /> }.into_any(),
            InspectState::Failed { reference, failure } => {
                view! { <ErrorView reference failure /> }.into_any()
            }
            InspectState::Loaded(response, answer) => view! { <Inspection response answer /> }.into_any(),
        }}
    }
}

#[component]
fn Intro() -> impl IntoView {
    view! {
        <section class="panel intro">
            <p>
                "Type an image reference to see what is behind it: a manifest list / OCI index "
                "with its platforms, or an image with its config and layers, and the exact "
                "manifest the registry serves."
            </p>
            <p class="muted">
                "Examples: " <code>"alpine"</code> ", " <code>"ghcr.io/owner/repo:tag"</code> ", "
                <code>"localhost:5000/app@sha256:…"</code>
            </p>
        </section>
    }
}

/// Opened from another site: say what would happen, and let a person start
/// it. Through the router, like the form: the address bar's entry is then
/// this page's own, so a reload inspects at once (Chromium reloads a page
/// opened from another site as a navigation from that site).
#[component]
fn Held(reference: String) -> impl IntoView {
    let router = Router::use_router();
    let notice = opened_from::held_notice(&reference);
    view! {
        <section class="panel" data-testid="held-notice" role="status">
            <p>{notice}</p>
            <button
                type="button"
                data-testid="held-inspect"
                on:click=move |_| router.navigate(Route::inspect(&reference))
            >
                "Inspect"
            </button>
        </section>
    }
}

#[component]
fn Inspection(response: Arc<InspectResponse>, answer: Arc<str>) -> impl IntoView {
    let entries = (response.kind() == Kind::Index)
        .then(|| view! { <EntriesTable response=response.clone() /> });
    let config = response.image().map(|image| {
        // The raw view's config digest links here.
        view! {
            <div id="image-config">
                <ImageConfigView
                    config=image.image_config.clone()
                    descriptor=Some(image.config.clone())
                    raw=image.config_raw.clone()
                />
            </div>
        }
    });
    let layers = response.layers().map(|layers| {
        let layers = layers.to_vec();
        view! {
            <section class="panel">
                <h2>"Layers"</h2>
                <LayersTable layers />
            </section>
        }
    });
    // The digests in the raw manifest that name manifests (not blobs).
    let linkable: Vec<String> = response
        .entries()
        .unwrap_or_default()
        .iter()
        .map(|e| e.descriptor.digest.to_string())
        .chain(response.subject.iter().map(|s| s.digest.to_string()))
        .collect();
    // Linked only when the config is on the page (the config of an index
    // entry is not).
    let config_digest = response.image().map(|i| i.config.digest.to_string());
    let base = format!("{}/{}", response.registry, response.repository);
    // manifest-tool echoes the reference as typed.
    let typed = match Router::use_router().route() {
        Route::Inspect {
            reference: Some(reference),
        } => reference,
        _ => response.reference.clone(),
    };
    // Below the table, and the largest part to build and lay out: after
    // the table has been painted.
    let painted = RwSignal::new(false);
    after_paint(Box::new(move || {
        // The owner may be gone (the page moved on): nothing to show.
        let _ = painted.try_set(true);
    }));
    let raw = {
        let (raw, digest) = (response.raw.clone(), response.digest.to_string());
        let base = base.clone();
        move || {
            painted.get().then(|| {
                view! {
                    <RawJson
                        raw=raw.clone()
                        digest=digest.clone()
                        linkable=linkable.clone()
                        config=config_digest.clone()
                        base=base.clone()
                        answer=answer.clone()
                    />
                }
            })
        }
    };
    view! {
        {breadcrumbs::for_response(&response)}
        <Summary response=response.clone() />
        <p class="actions">
            <a
                href=Route::compare(&response.reference, "").to_url()
                data-testid="compare-with"
            >
                "Compare with…"
            </a>
            " · "
            <a
                href=Route::Sizes { reference: response.reference.clone() }.to_url()
                data-testid="sizes-link"
            >
                "Where the bytes go"
            </a>
        </p>
        {entries}
        {config}
        {layers}
        <Referrers base=base.clone() />
        <CopyTextButton reference=typed />
        {raw}
    }
}
