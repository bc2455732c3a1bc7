//! A failed inspection, explained where the result would have been: the
//! proxy's message (which says what to fix) and its code.

use leptos::prelude::*;

use shared::api::ErrorCode;

use crate::api::ApiFailure;

#[component]
pub fn ErrorView(reference: String, failure: ApiFailure) -> impl IntoView {
    let needs_login = matches!(
        &failure,
        ApiFailure::Api { error, .. } if matches!(error.code, ErrorCode::Unauthorized | ErrorCode::Denied)
    );
    let hint = needs_login.then(|| {
        view! {
            <p class="hint" data-testid="credentials-hint">
                "Private registry? Add a username and password or token under "
                <strong>"Credentials"</strong> " (top right), then inspect again."
            </p>
        }
    });
    view! {
        <section class="panel error-panel">
            <p class="muted">"Could not inspect " <code>{reference}</code></p>
            <div class="error" data-testid="error" role="alert">
                <span class="error-code">{failure.code()}</span>
                <span class="error-message">{failure.to_string()}</span>
            </div>
            {hint}
        </section>
    }
}
