//! The attestations of one image (BuildKit's provenance / SBOM manifests),
//! shown under the image they describe rather than as platforms of their
//! own, with the predicate types they carry.

use leptos::prelude::*;
use shared::inspect::AttestationSummary;

use crate::components::byte_size::ByteSize;
use crate::components::route_link::RouteLink;
use crate::route::Route;

/// `base` is `registry/repository`, for the links.
#[component]
pub fn AttestationList(attestations: Vec<AttestationSummary>, base: String) -> impl IntoView {
    let items = attestations
        .into_iter()
        .map(|a| {
            let digest = a.digest.to_string();
            let route = Route::inspect(&format!("{base}@{digest}"));
            let says = Route::Attestation {
                reference: format!("{base}@{digest}"),
            };
            let kinds = if a.predicate_types.is_empty() {
                view! { <span class="muted">"predicate types not read"</span> }.into_any()
            } else {
                a.predicate_types
                    .into_iter()
                    .map(|t| view! { <span class="chip mono small" data-testid="predicate-type">{t}</span> })
                    .collect_view()
                    .into_any()
            };
            view! {
                <li data-testid="attestation">
                    <span class="badge attest">"attestation"</span> " "
                    <RouteLink route attr:class="mono digest" attr:data-testid="attestation-digest">
                        {digest}
                    </RouteLink>
                    " (" <ByteSize bytes=a.size /> ") "
                    {kinds} " "
                    <RouteLink route=says attr:data-testid="attestation-open">"what it says"</RouteLink>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="attestations">{items}</ul> }
}
