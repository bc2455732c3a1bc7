//! A size in binary units, the exact byte count on hover.

use leptos::prelude::*;

use crate::size;

#[component]
pub fn ByteSize(bytes: u64) -> impl IntoView {
    view! {
        <span class="size" title=size::exact(bytes)>
            {size::human(bytes)}
        </span>
    }
}
