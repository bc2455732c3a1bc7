//! Where the index goes and what kind it is: target reference, extra tags,
//! automatic (the plan decides from the sources, as the preview says),
//! Docker manifest list or OCI index, index annotations (not with an
//! explicit Docker list: it has no place for them, which the form says
//! instead of hiding them).

use leptos::prelude::*;
use shared::spec::IndexType;

use crate::components::text_field::{FieldKind, TextField};
use crate::create_store::CreateStore;
use crate::spec_text::{annotations_text, parse_annotations, parse_words, words_text};

#[component]
pub fn TargetForm() -> impl IntoView {
    let store = CreateStore::use_store();
    let index_type = move || store.with(|s| s.index_type);
    let is_docker = move || index_type() == IndexType::Docker;
    let on_type = move |ev| {
        let index_type = match event_target_value(&ev).as_str() {
            "oci" => IndexType::Oci,
            "docker" => IndexType::Docker,
            _ => IndexType::Auto,
        };
        store.edit(|s| s.index_type = index_type);
    };
    view! {
        <section class="panel" aria-labelledby="target-heading">
            <h2 id="target-heading">"Target"</h2>
            <div class="form-grid">
                <TextField
                    label="Push to"
                    testid="target-input"
                    mono=true
                    wide=true
                    placeholder="registry.example.com/app:1.0"
                    value=Signal::derive(move || store.shown(|s| s.image.clone()))
                    on_input=Callback::new(move |v| store.edit(|s| s.image = v))
                />
                <TextField
                    label="Extra tags"
                    testid="tags-input"
                    mono=true
                    placeholder="latest, 1"
                    value=Signal::derive(move || store.shown(|s| words_text(&s.tags)))
                    on_input=Callback::new(move |v: String| store.edit(|s| s.tags = parse_words(&v)))
                />
                <label class="field">
                    <span>"Type"</span>
                    <select data-testid="type-select" on:change=on_type>
                        <option value="auto" prop:selected=move || index_type() == IndexType::Auto>
                            "automatic (from the sources)"
                        </option>
                        <option value="docker" prop:selected=is_docker>
                            "Docker manifest list"
                        </option>
                        <option value="oci" prop:selected=move || index_type() == IndexType::Oci>
                            "OCI image index"
                        </option>
                    </select>
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="ignore-missing"
                        prop:checked=move || store.with(|s| s.ignore_missing)
                        on:change=move |ev| store.edit(|s| s.ignore_missing = event_target_checked(&ev))
                    />
                    "Skip missing sources (with a warning) instead of failing"
                </label>
                <TextField
                    label="Index annotations"
                    note="(key=value per line)"
                    testid="index-annotations"
                    kind=FieldKind::Lines(2)
                    mono=true
                    wide=true
                    placeholder="org.opencontainers.image.source=https://example.com/app"
                    disabled=Signal::derive(is_docker)
                    value=Signal::derive(move || store.shown(|s| annotations_text(&s.annotations)))
                    on_input=Callback::new(move |v: String| store.edit(|s| s.annotations = parse_annotations(&v)))
                />
            </div>
            <ExpectNotice />
            {move || {
                is_docker()
                    .then(|| {
                        view! {
                            <p class="hint">
                                "A Docker manifest list cannot carry annotations: choose OCI image index to add them."
                            </p>
                        }
                    })
            }}
        </section>
    }
}

/// A safe edit: the digest the target tag must still point at when the push
/// writes it (recorded by "Edit as new index"), and a way to drop the check
/// (to overwrite on purpose, or after changing the target).
#[component]
fn ExpectNotice() -> impl IntoView {
    let store = CreateStore::use_store();
    move || {
        let expect = store.with(|s| s.expect.clone());
        (!expect.is_empty()).then(|| {
            view! {
                <p class="hint" data-testid="expect-notice">
                    "Safe edit: the push writes the tags only while the target still points at "
                    <span class="mono">{expect}</span>
                    ", where this edit started. "
                    <button
                        type="button"
                        data-testid="expect-clear"
                        on:click=move |_| store.edit(|s| s.expect.clear())
                    >
                        "Overwrite whatever is there"
                    </button>
                </p>
            }
        })
    }
}
