//! What refers to the inspected manifest through its `subject`: signatures,
//! SBOMs and attestations pushed beside it as OCI 1.1 artifacts, which
//! nothing in the manifest itself points to. Asked for once the inspection
//! is shown; the section appears only when something refers to it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{ReferrersResponse, ReferrersSource};

use crate::api;
use crate::components::byte_size::ByteSize;
use crate::components::route_link::RouteLink;
use crate::credentials_store::CredentialsStore;
use crate::route::Route;

/// `base`: `registry/repository`; `digest`: the inspected manifest's.
#[component]
pub fn Referrers(base: String, digest: String) -> impl IntoView {
    let found = RwSignal::new(None::<ReferrersResponse>);
    let credentials = CredentialsStore::use_store().current();
    let subject = format!("{base}@{digest}");
    spawn_local(async move {
        // Listing referrers is an extra: a registry that cannot answer it
        // leaves the inspection as it is.
        if let Ok(answer) = api::referrers(&subject, &credentials).await {
            // The page may have moved on (the signal is then gone).
            let _ = found.try_set(Some(answer));
        }
    });
    move || {
        let answer = found.get().filter(|a| !a.referrers.is_empty())?;
        let method = if answer.source == ReferrersSource::Api {
            "the registry's referrers API"
        } else {
            "the sha256-… tag (referrers tag schema)"
        };
        let items = answer
            .referrers
            .into_iter()
            .map(|d| {
                let digest = d.digest.to_string();
                let route = Route::inspect(&format!("{base}@{digest}"));
                view! {
                    <li data-testid="referrer">
                        <span class="chip mono small" data-testid="referrer-type">
                            {d.artifact_type.unwrap_or(d.media_type)}
                        </span>
                        " "
                        <RouteLink route attr:class="mono digest" attr:data-testid="referrer-digest">
                            {digest}
                        </RouteLink>
                        " (" <ByteSize bytes=d.size /> ")"
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
