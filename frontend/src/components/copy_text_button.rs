//! "manifest-tool text": the inspection as `manifest-tool inspect` prints
//! it (rendered by the proxy, `format=text`), copied to the clipboard and
//! shown, so it can be pasted into an issue or compared with the CLI. The
//! inspect store fetches and copies it; this shows how that went.

use leptos::prelude::*;

use crate::inspect_store::{InspectStore, TextState};

/// `reference`: as typed (manifest-tool echoes its argument).
#[component]
pub fn CopyTextButton(reference: String) -> impl IntoView {
    let store = InspectStore::use_store();
    let on_click = move |_| store.ask_text(reference.clone());
    let label = move || {
        store.with_text(|t| match t {
            TextState::Loading => "Fetching…",
            TextState::Ready { copied: true, .. } => "Copied as text",
            _ => "Copy as manifest-tool text",
        })
    };
    let output = move || {
        match store.with_text(|t| match t {
            TextState::Ready { text, copied } => Ok(Some((text.clone(), *copied))),
            TextState::Failed(message) => Err(message.clone()),
            TextState::Idle | TextState::Loading => Ok(None),
        }) {
        Ok(Some((text, copied))) => Some(
            view! {
                <div class="text-output">
                    {(!copied).then(|| view! { <p class="muted small">"The clipboard is not available here; select the text below."</p> })}
                    <pre class="mono" data-testid="manifest-tool-text">{text}</pre>
                </div>
            }
            .into_any(),
        ),
        Err(message) => Some(
            view! { <p class="entry-error" data-testid="manifest-tool-text-error">{message}</p> }
                .into_any(),
        ),
        Ok(None) => None,
    }
    };
    view! {
        <section class="panel">
            <div class="panel-head">
                <h2>"manifest-tool text"</h2>
                <div class="actions">
                    <button type="button" class="button" data-testid="copy-text" on:click=on_click>
                        {label}
                    </button>
                </div>
            </div>
            {output}
        </section>
    }
}
