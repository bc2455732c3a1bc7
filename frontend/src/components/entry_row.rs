//! One entry of an index: platform, type, digest (a link that inspects the
//! child), sizes; expanding it shows the child's layers, config and
//! annotations without leaving the index.

use leptos::prelude::*;
use shared::api::{ChildView, EntryView};
use shared::attestation::{attested_digest, is_attestation};
use shared::inspect::{AttestationSummary, entry_platform, total_layer_size};
use shared::media_type::{Kind, describe};

use crate::api::code_name;
use crate::components::annotations::Annotations;
use crate::components::attestation_list::AttestationList;
use crate::components::byte_size::ByteSize;
use crate::components::image_config::ImageConfigView;
use crate::components::layers_table::LayersTable;
use crate::components::route_link::RouteLink;
use crate::inspect_store::InspectStore;
use crate::route::Route;

#[component]
pub fn EntryRow(
    entry: EntryView,
    /// What its child holds, when it was read (shared with every entry
    /// naming the same digest).
    child: Option<ChildView>,
    route: Route,
    /// The attestations describing this entry's image (shown under it).
    #[prop(optional)]
    attestations: Vec<AttestationSummary>,
    /// `registry/repository`, for the attestations' links.
    #[prop(optional)]
    base: String,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let attestation = is_attestation(&entry.descriptor);
    let d = &entry.descriptor;
    let platform = entry_platform(&entry);
    let attestation_badge = attestation.then(|| {
        let target = attested_digest(&entry.descriptor).map(str::to_string);
        let about = target.as_ref().map(|t| {
            let short: String = t.chars().take(19).collect();
            format!(" for {short}…")
        });
        view! {
            <span class="badge attest" title=target>
                "attestation"
                {about}
            </span>
        }
    });
    let kind = match entry.kind {
        Kind::Index => Some("nested index"),
        Kind::Schema1 => Some("schema 1"),
        Kind::Image | Kind::Unknown => None,
    }
    .map(|k| view! { <span class="badge">{k}</span> });
    let artifact = d
        .artifact_type
        .clone()
        .map(|t| view! { <div class="mono small wrap">{t}</div> });
    let layers = child.as_ref().and_then(|c| c.layers.as_deref());
    let layer_count = layers
        .map(|l| l.len().to_string())
        .or_else(|| {
            let nested = child.as_ref().and_then(|c| c.child_count);
            nested.map(|n| format!("{n} entries"))
        })
        .unwrap_or_else(|| "—".to_string());
    let layer_total = layers.map(|l| view! { <ByteSize bytes=total_layer_size(l) /> });
    let error = entry.error.as_ref().map(|e| {
        view! {
            <div class="entry-error">
                <span class="error-code">{code_name(e.code)}</span>
                " "
                {e.message.clone()}
            </div>
        }
    });
    let attestation_row = (!attestations.is_empty()).then(|| {
        view! {
            <tr class="attestations-row" data-testid="attestations-row">
                <td class="spacer"></td>
                <td colspan="6">
                    <AttestationList attestations base />
                </td>
            </tr>
        }
    });
    let detail_entry = entry.clone();
    let digest = d.digest.to_string();

    view! {
        // The expander's arrow and the open row's border come from CSS, off
        // `aria-expanded`: one reactive attribute per row instead of three.
        <tr data-testid="entry-row" class:attestation=attestation>
            <td class="expander-col" data-label="Details">
                <button
                    type="button"
                    class="expander"
                    aria-expanded=move || open.get().to_string()
                    aria-label="Show what this entry holds"
                    on:click=move |_| open.update(|o| *o = !*o)
                ></button>
            </td>
            <td data-label="Platform">
                <span class="mono" data-testid="entry-platform">{platform}</span>
                {attestation_badge}
            </td>
            <td data-label="Type" title=d.media_type.clone()>{describe(&d.media_type)} {kind} {artifact}</td>
            <td data-label="Digest">
                <RouteLink route attr:class="mono digest" attr:data-testid="entry-digest">
                    {digest}
                </RouteLink>
                {error}
            </td>
            <td class="num" data-label="Size">
                <ByteSize bytes=d.size />
            </td>
            <td class="num" data-label="Layers">{layer_count}</td>
            <td class="num" data-label="Layer total">{layer_total}</td>
        </tr>
        {attestation_row}
        {move || {
            open.get()
                .then(|| {
                    view! {
                        <tr class="entry-detail" data-testid="entry-detail">
                            <td class="spacer"></td>
                            <td colspan="6">{entry_details(&detail_entry, child.as_ref())}</td>
                        </tr>
                    }
                })
        }}
    }
}

/// What the child holds: its layers, config, nested entries or error, and the
/// entry's annotations. Built when the row is opened.
fn entry_details(entry: &EntryView, child: Option<&ChildView>) -> AnyView {
    let layers = child.and_then(|c| c.layers.clone()).map(|layers| {
        view! {
            <h4>"Layers"</h4>
            <LayersTable layers testid="entry-layers" />
        }
    });
    // This platform's own config (fetched and verified after the table
    // showed: the inspection's second part), once it is there.
    let config = child.and_then(|child| child.config.clone().map(|c| (child, c)));
    let config = config.map(|(child, descriptor)| {
        let store = InspectStore::use_store();
        let own = child.image_config.clone();
        let digest = entry.descriptor.digest.clone();
        move || {
            let config = own.clone().or_else(|| store.child_config(&digest));
            (config.is_some() || store.configs_settled()).then(|| {
                view! {
                    <div class="entry-config" data-testid="entry-config">
                        <ImageConfigView config descriptor=Some(descriptor.clone()) />
                    </div>
                }
            })
        }
    });
    let nested = child.and_then(|c| c.child_count).map(|n| {
        view! {
            <p class="small">
                "A nested index with " {n} " entries: follow its digest to see them."
            </p>
        }
    });
    let error = entry.error.as_ref().map(|e| {
        view! {
            <p class="entry-error">
                "This entry could not be read: " {e.message.clone()}
            </p>
        }
    });
    let platform_extra = entry.descriptor.platform.as_ref().and_then(|p| {
        let mut extra = Vec::new();
        if !p.os_features.is_empty() {
            extra.push(format!("os.features: {}", p.os_features.join(", ")));
        }
        if !p.features.is_empty() {
            extra.push(format!("features: {}", p.features.join(", ")));
        }
        (!extra.is_empty()).then(|| view! { <p class="small mono">{extra.join("; ")}</p> })
    });
    let annotations = (!entry.descriptor.annotations.is_empty()).then(|| {
        view! {
            <h4>"Annotations"</h4>
            <Annotations entries=entry.descriptor.annotations.clone() />
        }
    });
    view! {
        <div class="entry-body">
            {error}
            {platform_extra}
            {config}
            {nested}
            {layers}
            {annotations}
        </div>
    }
    .into_any()
}
