//! The spec as manifest-tool YAML. Import has the create store send the text
//! to the proxy, which parses it (a YAML parser would double the page's size)
//! and answers with the spec or an error naming the line and field, shown
//! right here. Export
//! writes the current spec out with the same keys, so a spec made in the form
//! can be used with `manifest-tool push from-spec` as well.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::spec::to_yaml;
use wasm_bindgen_futures::JsFuture;

use crate::components::copy_button::CopyButton;
use crate::components::notice::{Tone, notice};
use crate::components::text_field::{FieldKind, TextField};
use crate::create_store::{CreateStore, FillState};
use crate::query;

#[component]
pub fn YamlPanel() -> impl IntoView {
    let store = CreateStore::use_store();
    let text = RwSignal::new(String::new());
    // The status line reports an export made since the last import, else
    // the import (kept by the store).
    let exported = RwSignal::new(false);

    let import = move |yaml: String| {
        exported.set(false);
        store.import_yaml(yaml);
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // Choosing the same file again (after editing it) must fire again.
        input.set_value("");
        let name = file.name();
        spawn_local(async move {
            match JsFuture::from(file.text()).await {
                Ok(value) => {
                    let yaml = value.as_string().unwrap_or_default();
                    text.set(yaml.clone());
                    import(yaml);
                }
                Err(_) => {
                    exported.set(false);
                    store.import_failed(format!("could not read the file {name}"));
                }
            }
        });
    };
    let export = move |_| {
        text.set(store.with(to_yaml));
        exported.set(true);
    };
    let download_href = move || {
        format!(
            "data:application/yaml;charset=utf-8,{}",
            query::encode_component(&store.with(to_yaml))
        )
    };

    view! {
        <section class="panel" aria-labelledby="yaml-heading">
            <div class="panel-head">
                <h2 id="yaml-heading">"YAML spec"</h2>
                <div class="actions">
                    <CopyButton text=Signal::derive(move || text.get()) what="YAML" />
                    <a
                        class="button"
                        href=download_href
                        download="push-spec.yaml"
                        data-testid="yaml-download"
                    >
                        "Download"
                    </a>
                </div>
            </div>
            <p class="small muted">
                "The format of " <code>"manifest-tool push from-spec"</code>
                ", plus optional " <code>"type: oci"</code> ", " <code>"ignoreMissing"</code>
                " and per-entry " <code>"annotations"</code> "."
            </p>
            <TextField
                label="YAML"
                testid="yaml-text"
                kind=FieldKind::Lines(10)
                mono=true
                placeholder="image: registry.example.com/app:1.0\nmanifests:\n  - image: registry.example.com/app:1.0-amd64\n    platform:\n      architecture: amd64\n      os: linux"
                value=text
                on_input=Callback::new(move |v| text.set(v))
            />
            <div class="actions wrap-actions">
                <button
                    type="button"
                    data-testid="yaml-import"
                    aria-busy=move || store.import_busy().to_string()
                    on:click=move |_| import(text.get_untracked())
                >
                    "Import into the form"
                </button>
                <label class="button file-button">
                    "Import a file…"
                    <input
                        type="file"
                        class="visually-hidden"
                        data-testid="yaml-file"
                        accept=".yaml,.yml,application/yaml,text/yaml,text/plain"
                        on:change=on_file
                    />
                </label>
                <button type="button" data-testid="yaml-export" on:click=export>
                    "Export the form"
                </button>
            </div>
            {move || match store.import_state() {
                _ if exported.get() => Some(notice(Tone::Ok, "yaml-status", "The form as YAML.".into())),
                FillState::Idle | FillState::Busy => None,
                FillState::Done(message) => Some(notice(Tone::Ok, "yaml-status", message)),
                FillState::Failed(message) => Some(notice(Tone::Error, "yaml-error", message)),
            }}
        </section>
    }
}
