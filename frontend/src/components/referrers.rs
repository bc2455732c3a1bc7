//! What refers to the inspected manifest through its `subject`: signatures,
//! SBOMs and attestations pushed beside it as OCI 1.1 artifacts, which
//! nothing in the manifest itself points to. The inspect store asks for them
//! once the inspection is shown; the section appears only when something
//! refers to it.

use leptos::prelude::*;
use shared::api::ReferrersSource;

use crate::components::byte_size::ByteSize;
use crate::components::route_link::RouteLink;
use crate::inspect_store::InspectStore;
use crate::route::Route;

/// `base`: `registry/repository` of the inspected manifest.
#[component]
pub fn Referrers(base: String) -> impl IntoView {
    let store = InspectStore::use_store();
    move || {
        let answer = store.referrers().filter(|a| !a.referrers.is_empty())?;
        let method = if answer.source == ReferrersSource::Api {
            "the registry's referrers API"
        } else {
            "the sha256-… tag (referrers tag schema)"
        };
        let items = answer
            .referrers
            .iter()
            .map(|d| {
                let digest = d.digest.to_string();
                let route = Route::inspect(&format!("{base}@{digest}"));
                let says = Route::Attestation {
                    reference: format!("{base}@{digest}"),
                };
                view! {
                    <li data-testid="referrer">
                        <span class="chip mono small" data-testid="referrer-type">
                            {d.artifact_type.clone().unwrap_or_else(|| d.media_type.clone())}
                        </span>
                        " "
                        <RouteLink route attr:class="mono digest" attr:data-testid="referrer-digest">
                            {digest}
                        </RouteLink>
                        " (" <ByteSize bytes=d.size /> ") "
                        <RouteLink route=says attr:data-testid="referrer-open">"what it says"</RouteLink>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <section class="panel" data-testid="referrers">
                <h2>"Referrers"</h2>
                <p class="muted small" data-testid="referrers-source">"Found through " {method}</p>
                <ul class="attestations">{items}</ul>
            </section>
        })
    }
}
