//! Whose credentials the proxy presented to each registry (typed into the
//! page, its Docker config, a credential helper, or none): "why did the
//! registry let me in, or not" starts there, and before a push it says whose
//! login will write. Never a secret: only where it came from.

use leptos::prelude::*;
use shared::api::AuthInfo;

/// A `<dt>`/`<dd>` pair for a facts list (`registry: source; ...`); nothing
/// when `auth` is empty. Plain text, not a list of elements: the page has a
/// size budget and every view node costs code.
#[component]
pub fn CredentialsUsed(auth: Vec<AuthInfo>) -> impl IntoView {
    let text = auth
        .iter()
        .map(|a| a.registry.clone() + ": " + &a.describe())
        .collect::<Vec<_>>()
        .join("; ");
    (!text.is_empty()).then(|| {
        view! {
            <dt>"Credentials"</dt>
            <dd data-testid="credentials-used">{text}</dd>
        }
    })
}
