//! The credentials panel in the header, on every page: a username and
//! password (or token) per registry, kept in page memory only (see
//! `credentials_store`). The panel says so, because people reasonably worry
//! where a password typed into a web page goes.

use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;

use crate::components::notice::{Tone, notice};
use crate::credentials_store::CredentialsStore;

#[component]
pub fn CredentialsPanel() -> impl IntoView {
    let store = CredentialsStore::use_store();
    let open = RwSignal::new(false);
    let count = move || store.registries().len();
    let label = move || match count() {
        0 => "Credentials".to_string(),
        n => format!("Credentials ({n})"),
    };
    // Two siblings in the header: the toggle, and the panel that wraps onto
    // its own row below (in the flow, so it never covers the page).
    view! {
        <button
                type="button"
                class="credentials-toggle"
                data-testid="credentials-toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls="credentials-panel"
                on:click=move |_| open.update(|o| *o = !*o)
            >
            {label}
        </button>
        {move || open.get().then(|| view! { <CredentialsForm /> })}
    }
}

/// The form's inputs are read when it is submitted, not bound to signals:
/// three plain inputs are all it needs, and this module is in every page's
/// first load (the create page's bound `TextField`s would bring their glue
/// into pages that have no other field).
#[component]
fn CredentialsForm() -> impl IntoView {
    let store = CredentialsStore::use_store();
    let registry = NodeRef::<Input>::new();
    let username = NodeRef::<Input>::new();
    let password = NodeRef::<Input>::new();
    let message = RwSignal::new(None::<Result<String, String>>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = |input: NodeRef<Input>| input.get().map(|i| i.value()).unwrap_or_default();
        let outcome = store.save(&value(registry), &value(username), &value(password));
        message.set(Some(match outcome {
            Ok(key) => {
                if let Some(password) = password.get() {
                    password.set_value("");
                }
                Ok(format!(
                    "Saved for {key}. Requests to {key} now use it; inspect or preview again."
                ))
            }
            Err(e) => Err(e.to_string()),
        }));
    };

    let saved = move || {
        store
            .registries()
            .into_iter()
            .map(|(reg, user)| {
                let forget_reg = reg.clone();
                view! {
                    <li class="cred-saved" data-testid="cred-saved">
                        <span class="mono">{reg.clone()}</span>
                        <span class="muted">" as " {user}</span>
                        <button
                            type="button"
                            data-testid="cred-forget"
                            aria-label=format!("Forget the credentials for {reg}")
                            on:click=move |_| {
                                store.forget(&forget_reg);
                                message.set(None);
                            }
                        >
                            "Forget"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section
            id="credentials-panel"
            class="credentials-panel panel"
            aria-label="Registry credentials"
        >
            <p class="small muted">
                "For private registries. Kept in this tab's memory only and sent to the "
                "manifest-web server with each request; reloading or closing the page forgets them."
            </p>
            <ul class="plain cred-list">{saved}</ul>
            <form class="cred-form" on:submit=on_submit autocomplete="off">
                {field("Registry", "cred-registry", registry, "text", "ghcr.io, localhost:5000")}
                {field("Username", "cred-username", username, "text", "")}
                {field("Password or token", "cred-password", password, "password", "")}
                <button type="submit" data-testid="cred-save">
                    "Save"
                </button>
            </form>
            {move || {
                message
                    .get()
                    .map(|m| match m {
                        Ok(text) => notice(Tone::Ok, "cred-status", text),
                        Err(text) => notice(Tone::Error, "cred-error", text),
                    })
            }}
        </section>
    }
}

/// A labelled plain input, read when the form is submitted.
fn field(
    label: &'static str,
    testid: &'static str,
    input: NodeRef<Input>,
    kind: &'static str,
    placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="field mono-field">
            <span>{label}</span>
            <input
                node_ref=input
                type=kind
                data-testid=testid
                spellcheck="false"
                autocapitalize="off"
                autocomplete="off"
                placeholder=placeholder
            />
        </label>
    }
}
