//! Rows kept by position across updates, for the two lists that need it: the
//! entries table (an expanded row stays expanded while the filter changes)
//! and the sources form (typing never re-creates an input). `<For>` is
//! generic over its closures, so each use compiled its own copy of the keyed
//! diffing into the page; both going through this one non-generic component
//! compiles it once (the page has a size budget).

use leptos::prelude::*;

/// `positions`: which rows to show, in order; `row`: the view of one.
#[component]
pub fn KeyedRows(positions: Signal<Vec<usize>>, row: Callback<usize, AnyView>) -> impl IntoView {
    view! { <For each=move || positions.get() key=|p| *p let:p>{row.run(p)}</For> }
}
