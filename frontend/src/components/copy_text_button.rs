//! "manifest-tool text": the inspection as `manifest-tool inspect` prints
//! it (rendered by the proxy, `format=text`), copied to the clipboard and
//! shown, so it can be pasted into an issue or compared with the CLI.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::copy_button::copy;
use crate::credentials_store::CredentialsStore;

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Idle,
    Loading,
    Shown { text: String, copied: bool },
    Failed(String),
}

/// `reference`: as typed (manifest-tool echoes its argument).
#[component]
pub fn CopyTextButton(reference: String) -> impl IntoView {
    let state = RwSignal::new(State::Idle);
    let credentials = CredentialsStore::use_store();
    let on_click = move |_| {
        let reference = reference.clone();
        let credentials = credentials.current();
        state.set(State::Loading);
        spawn_local(async move {
            match api::inspect_text(&reference, &credentials).await {
                Ok(text) => {
                    let copied = copy(&text).await;
                    state.set(State::Shown { text, copied });
                }
                Err(e) => state.set(State::Failed(e.to_string())),
            }
        });
    };
    let label = move || match state.get() {
        State::Loading => "Fetching…",
        State::Shown { copied: true, .. } => "Copied as text",
        _ => "Copy as manifest-tool text",
    };
    let output = move || {
        match state.get() {
        State::Shown { text, copied } => Some(
            view! {
                <div class="text-output">
                    {(!copied).then(|| view! { <p class="muted small">"The clipboard is not available here; select the text below."</p> })}
                    <pre class="mono" data-testid="manifest-tool-text">{text}</pre>
                </div>
            }
            .into_any(),
        ),
        State::Failed(message) => Some(
            view! { <p class="entry-error" data-testid="manifest-tool-text-error">{message}</p> }
                .into_any(),
        ),
        State::Idle | State::Loading => None,
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
