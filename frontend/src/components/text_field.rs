//! A labelled text input or text area bound to a value and an input handler.
//! Every field of the create and check pages is one of these:
//! the value and the handler are type-erased (`Signal`, `Callback`), so the
//! browser glue for an input exists once in the wasm instead of once per
//! field, which keeps the page small.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldKind {
    #[default]
    Text,
    /// Never echoed; no autofill.
    Password,
    /// A multi-line text area with this many rows.
    Lines(u32),
}

#[component]
pub fn TextField(
    label: &'static str,
    /// Smaller, muted text after the label ("key=value per line").
    #[prop(optional)]
    note: &'static str,
    testid: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] kind: FieldKind,
    /// References, digests, platforms: monospaced, no spell checking.
    #[prop(optional)]
    mono: bool,
    /// Takes the whole row of a form grid.
    #[prop(optional)]
    wide: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// Shown after the input on the same line (e.g. a button).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let class = match (wide, mono) {
        (true, true) => "field wide mono-field",
        (true, false) => "field wide",
        (false, true) => "field mono-field",
        (false, false) => "field",
    };
    let note = (!note.is_empty()).then(|| view! { <span class="muted">" " {note}</span> });
    let control = match kind {
        FieldKind::Lines(rows) => view! {
            <textarea
                data-testid=testid
                rows=rows
                spellcheck="false"
                placeholder=placeholder
                disabled=move || disabled.get()
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            ></textarea>
        }
        .into_any(),
        FieldKind::Text | FieldKind::Password => view! {
            <input
                type=if kind == FieldKind::Password { "password" } else { "text" }
                data-testid=testid
                spellcheck="false"
                autocapitalize="off"
                autocomplete="off"
                placeholder=placeholder
                disabled=move || disabled.get()
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
        }
        .into_any(),
    };
    let control = match children {
        Some(children) => view! { <div class="input-row">{control} {children()}</div> }.into_any(),
        None => control,
    };
    view! {
        <label class=class>
            <span>{label} {note}</span>
            {control}
        </label>
    }
}
