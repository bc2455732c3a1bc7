//! What pushing the spec would do, before anything is written: each entry
//! with the digest, type, size and final platform of what it points at, any
//! warnings, and the index itself byte for byte with its digest. The Push
//! button lives here because it pushes exactly this preview.

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::PlanResponse;
use shared::media_type::describe;

use crate::components::byte_size::ByteSize;
use crate::components::copy_button::CopyButton;
use crate::components::credentials_used::CredentialsUsed;
use crate::create_store::{CreateStore, PreviewState};

#[component]
pub fn PreviewPanel() -> impl IntoView {
    let store = CreateStore::use_store();
    let loading = move || store.preview() == PreviewState::Loading;
    let can_push = move || store.preview_is_current() && !store.pushing();
    let stale = move || {
        matches!(store.preview(), PreviewState::Ready { .. }) && !store.preview_is_current()
    };

    view! {
        <section class="panel" aria-labelledby="preview-heading">
            <div class="panel-head">
                <h2 id="preview-heading">"Preview and push"</h2>
                <div class="actions">
                    <button
                        type="button"
                        data-testid="preview-button"
                        aria-busy=move || loading().to_string()
                        on:click=move |_| store.run_preview()
                    >
                        "Preview"
                    </button>
                    <button
                        type="button"
                        class="primary"
                        data-testid="push-button"
                        disabled=move || !can_push()
                        title=move || {
                            if can_push() { "Push this index" } else { "Preview the current spec first" }
                        }
                        on:click=move |_| store.run_push()
                    >
                        "Push"
                    </button>
                </div>
            </div>
            <Show when=stale>
                <p class="hint warn" data-testid="preview-stale">
                    "The spec changed after this preview: preview again to push it."
                </p>
            </Show>
            {move || match store.preview() {
                PreviewState::Idle => {
                    view! {
                        <p class="muted small">
                            "Preview resolves every source and shows the exact index that would be pushed; nothing is written until you press Push."
                        </p>
                    }
                        .into_any()
                }
                PreviewState::Loading => {
                    view! {
                        <div class="loading" role="status">
                            <span class="spinner" aria-hidden="true"></span>
                            "Resolving the sources…"
                        </div>
                    }
                        .into_any()
                }
                PreviewState::Failed { code, message } => {
                    view! {
                        <div class="error" data-testid="preview-error" role="alert">
                            <span class="error-code">{code}</span>
                            <span class="error-message">{message}</span>
                        </div>
                    }
                        .into_any()
                }
                PreviewState::Ready { plan, .. } => view! { <Plan plan /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Plan(plan: Arc<PlanResponse>) -> impl IntoView {
    let rows = plan
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let attestation = e.attestation_for.as_ref().map(|d| {
                view! { <span class="badge attest" title=d.to_string()>"attestation"</span> }
            });
            view! {
                <tr data-testid="preview-row">
                    <td class="num">{i + 1}</td>
                    <td class="mono wrap" data-testid="preview-source">{e.source.clone()}</td>
                    <td>
                        <span class="mono" data-testid="preview-platform">{e.platform.to_string()}</span>
                        {attestation}
                    </td>
                    <td class="mono digest" data-testid="preview-entry-digest">{e.digest.to_string()}</td>
                    <td title=e.media_type.clone()>{describe(&e.media_type)}</td>
                    <td class="num"><ByteSize bytes=e.size /></td>
                </tr>
            }
        })
        .collect_view();
    let warnings = (!plan.warnings.is_empty()).then(|| {
        let items = plan
            .warnings
            .iter()
            .map(|w| view! { <li>{w.clone()}</li> })
            .collect_view();
        view! { <ul class="warnings" data-testid="preview-warnings">{items}</ul> }
    });
    let tags = (!plan.tags.is_empty()).then(|| {
        view! {
            <dt>"Also tagged"</dt>
            <dd class="mono">{plan.tags.join(", ")}</dd>
        }
    });
    let digest = plan.digest.to_string();
    view! {
        {warnings}
        <div class="table-scroll">
            <table class="data" data-testid="preview">
                <thead>
                    <tr>
                        <th class="num">"#"</th>
                        <th>"Source"</th>
                        <th>"Platform"</th>
                        <th>"Digest"</th>
                        <th>"Type"</th>
                        <th class="num">"Size"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <dl class="facts">
            <dt>"Target"</dt>
            <dd class="mono" data-testid="preview-target">{plan.target.clone()}</dd>
            {tags}
            <dt>"Index digest"</dt>
            <dd class="digest-line">
                <span class="mono digest" data-testid="preview-digest">{digest.clone()}</span>
                <CopyButton text=digest what="digest" />
            </dd>
            <dt>"Media type"</dt>
            <dd>
                <span class="mono">{plan.media_type.clone()}</span>
                <span class="badge">{describe(&plan.media_type)}</span>
                {plan.type_note.clone().map(|note| {
                    view! { <p class="hint" data-testid="preview-type-note">{note}</p> }
                })}
            </dd>
            <dt>"Size"</dt>
            <dd><ByteSize bytes=plan.size /></dd>
            <dt>"Registry writes"</dt>
            <dd>{plan.steps.len()}</dd>
            <CredentialsUsed auth=plan.auth.clone() />
        </dl>
        <h3>"The index, exactly as it will be pushed"</h3>
        <pre class="json" data-testid="preview-index">{plan.index.clone()}</pre>
    }
}
