//! The entries of an index / manifest list, one row each; a row expands to
//! what its child manifest holds.

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::InspectResponse;

use crate::components::entry_row::EntryRow;
use crate::route::Route;

#[component]
pub fn EntriesTable(response: Arc<InspectResponse>) -> impl IntoView {
    let entries = response.manifests.clone().unwrap_or_default();
    let count = entries.len();
    let rows = entries
        .into_iter()
        .map(|entry| {
            let route = Route::inspect_in_repository(&response, &entry.descriptor.digest);
            view! { <EntryRow entry route /> }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>"Entries " <span class="muted">"(" {count} ")"</span></h2>
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
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
