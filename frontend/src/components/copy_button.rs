//! Copy a digest, a manifest or a spec with one click. The clipboard API exists only
//! in secure contexts (https, localhost); elsewhere the button says so instead
//! of failing silently.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ready,
    Copied,
    Failed,
}

#[component]
pub fn CopyButton(
    /// What to copy; read at the click, so it can follow an editable text.
    #[prop(into)]
    text: Signal<String>,
    /// What is copied, for screen readers ("digest", "manifest").
    #[prop(optional)]
    what: &'static str,
) -> impl IntoView {
    let status = RwSignal::new(Status::Ready);
    let on_click = move |_| {
        let text = text.get_untracked();
        spawn_local(async move {
            status.set(if copy(&text).await {
                Status::Copied
            } else {
                Status::Failed
            });
            set_timeout(
                move || status.set(Status::Ready),
                Duration::from_millis(1500),
            );
        });
    };
    let label = move || match status.get() {
        Status::Ready => "Copy",
        Status::Copied => "Copied",
        Status::Failed => "Copy unavailable",
    };
    view! {
        <button
            type="button"
            class="copy-button"
            aria-label=if what.is_empty() { "Copy".to_string() } else { format!("Copy {what}") }
            on:click=on_click
        >
            {label}
        </button>
    }
}

/// Put `text` on the clipboard; `false` where there is no clipboard API.
pub async fn copy(text: &str) -> bool {
    let clipboard = window().navigator().clipboard();
    if JsValue::from(clipboard.clone()).is_undefined() {
        return false;
    }
    JsFuture::from(clipboard.write_text(text)).await.is_ok()
}
