//! "Edit as new index": load an inspected index into the create form (same
//! entries pinned by digest, same platforms, type and annotations) and go
//! there, to re-tag it or add and drop platforms. The create page is another
//! module: the index goes along in its URL (`spec_handover`).

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::InspectResponse;

use crate::route;
use crate::spec_handover;

#[component]
pub fn EditAsNew(response: Arc<InspectResponse>) -> impl IntoView {
    let on_click = move |_| route::load(&spec_handover::create_url(&response));
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
