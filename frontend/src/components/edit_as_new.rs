//! "Edit as new index": load an inspected index into the create form (same
//! entries pinned by digest, same platforms, type and annotations) and go
//! there, to re-tag it or add and drop platforms.

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::InspectResponse;

use crate::create_store::CreateStore;
use crate::index_to_spec::spec_from_index;
use crate::route::{Route, Router};

#[component]
pub fn EditAsNew(response: Arc<InspectResponse>) -> impl IntoView {
    let store = CreateStore::use_store();
    let router = Router::use_router();
    let on_click = move |_| {
        store.replace(spec_from_index(&response));
        router.navigate(Route::Create);
    };
    view! {
        <button
            type="button"
            data-testid="edit-as-new"
            title="Open this index in the create form"
            on:click=on_click
        >
            "Edit as new index"
        </button>
    }
}
