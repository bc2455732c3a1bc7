//! Where the index goes and what kind it is: target reference, extra tags,
//! Docker manifest list or OCI index, index annotations (OCI only: a Docker
//! list has no place for them, which the form says instead of hiding them).

use leptos::prelude::*;
use shared::spec::IndexType;

use crate::components::text_field::{FieldKind, TextField};
use crate::create_store::CreateStore;
use crate::spec_text::{annotations_text, parse_annotations, parse_words, words_text};

#[component]
pub fn TargetForm() -> impl IntoView {
    let store = CreateStore::use_store();
    let is_oci = move || store.with(|s| s.index_type == IndexType::Oci);
    let on_type = move |ev| {
        let index_type = if event_target_value(&ev) == "oci" {
            IndexType::Oci
        } else {
            IndexType::Docker
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
                        <option value="docker" prop:selected=move || !is_oci()>
                            "Docker manifest list"
                        </option>
                        <option value="oci" prop:selected=is_oci>
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
                    disabled=Signal::derive(move || !is_oci())
                    value=Signal::derive(move || store.shown(|s| annotations_text(&s.annotations)))
                    on_input=Callback::new(move |v: String| store.edit(|s| s.annotations = parse_annotations(&v)))
                />
            </div>
            {move || {
                (!is_oci())
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
