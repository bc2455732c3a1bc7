//! A one-line outcome shown where the action happened: "3 sources filled
//! in", or the error that says what to fix. One element type for all of
//! them (see `text_field` for why that matters).

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Error,
}

/// The notice as a type-erased view, for `move || ...` blocks.
pub fn notice(tone: Tone, testid: &'static str, text: String) -> AnyView {
    let (class, role) = match tone {
        Tone::Ok => ("hint ok", "status"),
        Tone::Error => ("field-error", "alert"),
    };
    view! {
        <p class=class data-testid=testid role=role>
            {text}
        </p>
    }
    .into_any()
}
