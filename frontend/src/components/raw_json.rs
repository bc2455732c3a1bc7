//! The manifest exactly as the registry sent it: these are the bytes the
//! digest is computed over, so they are shown untouched (not re-formatted).

use leptos::prelude::*;

use crate::components::copy_button::CopyButton;
use crate::query;

#[component]
pub fn RawJson(raw: String, digest: String) -> impl IntoView {
    let href = format!(
        "data:application/json;charset=utf-8,{}",
        query::encode_component(&raw)
    );
    let filename = format!("{}.json", digest.replace(':', "-"));
    view! {
        <section class="panel raw">
            <div class="panel-head">
                <h2>"Raw manifest"</h2>
                <div class="actions">
                    <CopyButton text=raw.clone() what="manifest" />
                    <a class="button" href=href download=filename data-testid="raw-download">
                        "Download"
                    </a>
                </div>
            </div>
            <pre class="json" data-testid="raw-json">{raw}</pre>
        </section>
    }
}
