//! The sources of the index, in index order, one editable row each. Rows are
//! keyed by position, so typing never re-creates an input (and loses focus);
//! moving a row moves its values instead.

use leptos::prelude::*;
use shared::spec::SpecEntry;

use crate::components::entry_form_row::EntryFormRow;
use crate::components::keyed_rows::KeyedRows;
use crate::create_store::CreateStore;

#[component]
pub fn EntriesForm() -> impl IntoView {
    let store = CreateStore::use_store();
    let count = move || store.with(|s| s.manifests.len());
    let add = move |_| store.restructure(|s| s.manifests.push(SpecEntry::default()));
    view! {
        <section class="panel" aria-labelledby="sources-heading">
            <div class="panel-head">
                <h2 id="sources-heading">"Sources " <span class="muted">"(" {count} ")"</span></h2>
            </div>
            <p class="small muted">
                "Each source is an image (by tag or digest) listed under a platform. Leave the platform "
                "empty to take it from the image's config; a source that is itself an index adds all its entries."
            </p>
            <ol class="entry-forms">
                <KeyedRows
                    positions=Signal::derive(move || (0..count()).collect())
                    row=Callback::new(|index| view! { <EntryFormRow index /> }.into_any())
                />
            </ol>
            <button type="button" data-testid="add-entry" on:click=add>
                "+ Add source"
            </button>
        </section>
    }
}
