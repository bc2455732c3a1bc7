//! The filter box and sort selector above an index's entries: with dozens
//! of platforms, finding `linux/arm64` or the largest image by eye is slow.

use crate::entry_filter::EntryOrder;
use leptos::prelude::*;

#[component]
pub fn EntriesFilter(query: RwSignal<String>, order: RwSignal<EntryOrder>) -> impl IntoView {
    view! {
        <div class="entries-filter">
            <label>
                <span class="visually-hidden">"Filter entries by platform"</span>
                <input
                    type="search"
                    placeholder="Filter by os/arch, e.g. linux arm64"
                    data-testid="entries-filter"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Sort by "
                <select
                    data-testid="entries-sort"
                    on:change=move |ev| order.set(EntryOrder::parse(&event_target_value(&ev)))
                    prop:value=move || order.get().as_str()
                >
                    <option value="index">"index order"</option>
                    <option value="platform">"platform"</option>
                    <option value="size">"size (largest first)"</option>
                </select>
            </label>
        </div>
    }
}
