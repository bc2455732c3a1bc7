//! A failed call to the proxy in one line: its code and its message (which
//! says what to fix). The inspect page's `ErrorView` says more around it.

use leptos::prelude::*;

use crate::api::ApiFailure;

#[component]
pub fn FailureLine(failure: ApiFailure) -> impl IntoView {
    view! {
        <div class="error" data-testid="error" role="alert">
            <span class="error-code">{failure.code()}</span>
            <span class="error-message">{failure.to_string()}</span>
        </div>
    }
}
