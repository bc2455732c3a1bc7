//! The entries of an index / manifest list, one row each; a row expands to
//! what its child manifest holds. Attestations are listed under the image
//! they describe, not as platforms; the list can be filtered and sorted.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;
use shared::api::{ChildViews, IndexContent, InspectResponse};
use shared::inspect::group_attestations;

use crate::components::attestation_list::AttestationList;
use crate::components::entries_filter::EntriesFilter;
use crate::components::entry_row::EntryRow;
use crate::components::keyed_rows::KeyedRows;
use crate::entry_filter::{EntryOrder, visible_positions};
use crate::route::Route;

#[component]
pub fn EntriesTable(response: Arc<InspectResponse>) -> impl IntoView {
    let index = index_of(&response);
    let grouped = group_attestations(index);
    let platforms = grouped.entries.len();
    let attestations = index.manifests.len() - platforms;
    let groups = Arc::new(grouped.entries);
    let base = format!("{}/{}", response.registry, response.repository);
    let query = RwSignal::new(String::new());
    let order = RwSignal::new(EntryOrder::Index);

    let visible = {
        let (response, groups) = (response.clone(), groups.clone());
        Memo::new(move |_| {
            let index = index_of(&response);
            visible_positions(index, &groups, &query.get(), order.get())
        })
    };
    let row = {
        let base = base.clone();
        move |position: usize| {
            let index = index_of(&response);
            let entry = index.manifests[position].clone();
            let child = index.child(&entry).cloned();
            let attestations = groups
                .iter()
                .find(|g| g.position == position)
                .map(|g| g.attestations.clone())
                .unwrap_or_default();
            let route = Route::inspect_in_repository(&response, &entry.descriptor.digest);
            view! { <EntryRow entry child route attestations base=base.clone() /> }.into_any()
        }
    };
    let counts = if attestations == 0 {
        format!("({platforms})")
    } else {
        format!("({platforms} + {attestations} attestations)")
    };
    let nothing = move || {
        (visible.with(Vec::is_empty) && platforms > 0).then(|| {
            view! { <p class="muted" data-testid="entries-empty">"No entry matches the filter."</p> }
        })
    };
    let unattached = (!grouped.unattached.is_empty()).then(|| {
        view! {
            <h3>"Attestations for images not in this index"</h3>
            <AttestationList attestations=grouped.unattached base=base.clone() />
        }
    });
    // `elementtiming`: when the table was first painted (built in the same
    // task as its rows), for the Element Timing API
    // (tests/e2e/bench-render.mjs measures rendering with it).
    let heading = view! { <h2>"Entries " <span class="muted">{counts}</span></h2> }
        .add_any_attr(custom_attribute("elementtiming", "entries"));
    view! {
        <section class="panel">
            <div class="panel-head">
                {heading}
                <EntriesFilter query order />
            </div>
            <div class="table-scroll">
                <table class="data entries" data-testid="entries">
                    <thead>
                        <tr>
                            <th class="expander-col">
                                <span class="visually-hidden">"Details"</span>
                            </th>
                            <th>"Platform"</th>
                            <th>"Type"</th>
                            <th>"Digest"</th>
                            <th class="num">"Size"</th>
                            <th class="num">"Layers"</th>
                            <th class="num">"Layer total"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <KeyedRows positions=visible.into() row=Callback::new(row) />
                    </tbody>
                </table>
            </div>
            {nothing}
            {unattached}
        </section>
    }
}

/// The answer's index (this table is only shown for one); shared, not
/// copied: its children are what most of a large answer is.
fn index_of(response: &InspectResponse) -> &IndexContent {
    static EMPTY: IndexContent = IndexContent {
        manifests: Vec::new(),
        children: ChildViews::EMPTY,
    };
    response.index().unwrap_or(&EMPTY)
}
