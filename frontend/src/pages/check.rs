//! The registry check: a repository, a confirmation that names it before
//! test content is pushed there, and each step's result as it comes
//! (`POST /api/v1/check`, the engine `manifest-web check-registry` runs).

use leptos::prelude::*;
use shared::check::Verdict;

use crate::app::PageModule;
use crate::check_progress::{CheckProgress, CheckState};
use crate::check_store::CheckStore;
use crate::components::text_field::TextField;
use crate::route::Page;

/// The check page's module (`src/bin/check.rs`).
pub const MODULE: PageModule = PageModule {
    page: Page::Check,
    install: |_router, credentials| {
        CheckStore::install(credentials);
    },
    view: || view! { <CheckPage /> }.into_any(),
};

#[component]
pub fn CheckPage() -> impl IntoView {
    let store = CheckStore::use_store();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        store.ask();
    };
    view! {
        <div class="page-stack" data-testid="check-page">
            <section class="panel intro">
                <h1>"Check a registry"</h1>
                <p class="muted">
                    "Pushes small test content to one repository you name, runs each step a registry "
                    "client relies on (uploads, mounts, manifests, indexes, artifacts, referrers, tag "
                    "paging, deletion), shows the request and answer behind each result, and removes "
                    "what it wrote where the registry allows deletion."
                </p>
            </section>
            <section class="panel">
                <form class="check-form" on:submit=on_submit>
                    <TextField
                        label="Repository"
                        note="registry/repository, no tag: the check writes mw-check-* tags there"
                        testid="check-repository"
                        placeholder="registry.example.com/team/registry-check"
                        mono=true
                        wide=true
                        value=Signal::derive(move || store.repository())
                        on_input=Callback::new(move |text| store.set_repository(text))
                    >
                        <button
                            type="submit"
                            data-testid="check-start"
                            disabled=move || store.running()
                            aria-busy=move || store.running().then_some("true")
                        >
                            "Check"
                        </button>
                    </TextField>
                </form>
                <p class="muted">"Credentials for the registry come from the Credentials panel above."</p>
                {move || store.confirming().map(|repository| view! { <Confirm repository /> })}
            </section>
            {move || store.progress().map(|progress| view! { <Results progress /> })}
        </div>
    }
}

/// Nothing is pushed until a person confirms the repository by name.
#[component]
fn Confirm(repository: String) -> impl IntoView {
    let store = CheckStore::use_store();
    view! {
        <div class="confirm" role="alertdialog" aria-labelledby="check-confirm-text" data-testid="check-confirm">
            <p id="check-confirm-text">
                "The check pushes test content (two small images, indexes, an artifact and "
                "mw-check-* tags) to "
                <strong class="mono" data-testid="check-confirm-repository">{repository.clone()}</strong>
                " and deletes it afterwards where the registry allows. Nothing else is written."
            </p>
            <div class="actions">
                <button type="button" data-testid="check-confirm-push" on:click=move |_| store.confirm()>
                    "Push test content to " {repository}
                </button>
                <button type="button" data-testid="check-cancel" on:click=move |_| store.cancel()>
                    "Cancel"
                </button>
            </div>
        </div>
    }
}

#[component]
fn Results(progress: CheckProgress) -> impl IntoView {
    let rows = progress
        .steps
        .iter()
        .map(|step| {
            let (result, detail) = match progress.result(step) {
                Some(r) => (r.result.as_str(), r.detail.clone()),
                None => ("pending", String::new()),
            };
            view! {
                <tr data-testid="check-row" data-step=step.clone() data-result=result>
                    <td class="mono">{step.clone()}</td>
                    <td><span class=format!("verdict verdict-{result}")>{result}</span></td>
                    <td class="check-detail">{detail}</td>
                </tr>
            }
        })
        .collect_view();
    let counts = format!(
        "{} passed, {} failed, {} unsupported",
        progress.count(Verdict::Pass),
        progress.count(Verdict::Fail),
        progress.count(Verdict::Unsupported)
    );
    let (heading, failure) = match &progress.state {
        CheckState::Running => (format!("Checking {}…", progress.target), None),
        CheckState::Done => (format!("Checked {}", progress.target), None),
        CheckState::Failed { code, message } => (
            format!("The check of {} stopped", progress.target),
            Some(view! {
                <div class="error" data-testid="check-error" role="alert">
                    <span class="error-code">{code.clone()}</span>
                    <span class="error-message">{message.clone()}</span>
                </div>
            }),
        ),
    };
    view! {
        <section class="panel" aria-labelledby="check-heading" aria-live="polite">
            <h2 id="check-heading" data-testid="check-heading">{heading}</h2>
            {failure}
            <p data-testid="check-summary">{counts}</p>
            <div class="table-scroll">
                <table class="check-results" data-testid="check-results">
                    <thead>
                        <tr><th>"Check"</th><th>"Result"</th><th>"Request and answer"</th></tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
