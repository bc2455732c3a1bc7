//! What an attestation says (`/attestation?ref=REPOSITORY@DIGEST`): for
//! each document of an attestation manifest or referrer artifact, the SBOM
//! as a searchable table, the provenance at a glance, or the predicate type
//! and the raw statement. Its own module: the inspect page links here, and
//! the tables' code is never in the inspect page's download.

use leptos::prelude::*;
use shared::api::{AttestationDocument, AttestationResponse};
use shared::statement::Summary;

use crate::api::{self, ApiFailure};
use crate::app::PageModule;
use crate::components::error_view::ErrorView;
use crate::components::provenance_view::ProvenanceView;
use crate::components::route_link::RouteLink;
use crate::components::sbom_table::SbomTable;
use crate::credentials_store::CredentialsStore;
use crate::latest::Latest;
use crate::route::{Page, Route, Router};

#[derive(Debug, Clone)]
enum State {
    Empty,
    /// Opened from another site: nothing is looked up until a person asks.
    Held(String),
    Loading(String),
    Ready(Box<AttestationResponse>),
    Failed(String, ApiFailure),
}

/// The page's state: the answer for the reference in the URL.
#[derive(Clone, Copy)]
struct AttestationStore {
    state: Latest<State>,
    credentials: CredentialsStore,
}

impl AttestationStore {
    fn read(&self, reference: String) {
        let set = self.credentials.current();
        let asked = reference.clone();
        self.state.run(
            State::Loading(reference.clone()),
            async move { api::attestation(&asked, &set).await },
            move |answer| match answer {
                Ok(r) => State::Ready(Box::new(r)),
                Err(failure) => State::Failed(reference, failure),
            },
        );
    }
}

pub const MODULE: PageModule = PageModule {
    page: Page::Attestation,
    install: |router, credentials| install(router, credentials),
    view: || view! { <AttestationPage /> }.into_any(),
};

fn install(router: Router, credentials: CredentialsStore) {
    let store = AttestationStore {
        state: Latest::new(State::Empty),
        credentials,
    };
    provide_context(store);
    // Only the route the page opened at was chosen by another site.
    let hold = StoredValue::new(crate::opened_from::from_another_site());
    Effect::new(move |_| {
        let Route::Attestation { reference } = router.route() else {
            return;
        };
        let reference = reference.trim().to_string();
        if reference.is_empty() {
            store.state.set(State::Empty);
            return;
        }
        if hold.get_value() {
            hold.set_value(false);
            store.state.set(State::Held(reference));
            return;
        }
        store.read(reference);
    });
}

#[component]
fn AttestationPage() -> impl IntoView {
    let store = expect_context::<AttestationStore>();
    view! {
        <div class="page-stack" data-testid="attestation-page">
            {move || match store.state.get() {
                State::Empty => view! {
                    <section class="panel intro">
                        <h1>"Attestation"</h1>
                        <p class="muted">
                            "Open an attestation from an inspection (its SBOM or provenance entry) to see what it says."
                        </p>
                    </section>
                }
                .into_any(),
                State::Held(reference) => {
                    let notice = crate::opened_from::held_notice(&reference);
                    let asked = reference.clone();
                    view! {
                        <section class="panel" data-testid="held">
                            <p>{notice}</p>
                            <button type="button" data-testid="read-held" on:click=move |_| store.read(asked.clone())>
                                "Read " {reference}
                            </button>
                        </section>
                    }
                    .into_any()
                }
                State::Loading(reference) => view! {
                    <div class="panel loading" data-testid="loading" role="status">
                        <span class="spinner" aria-hidden="true"></span>
                        "Reading " <code>{reference}</code> "…"
                    </div>
                }
                .into_any(),
                State::Failed(reference, failure) => view! { <ErrorView reference failure /> }.into_any(),
                State::Ready(response) => view! { <Answer response=*response /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Answer(response: AttestationResponse) -> impl IntoView {
    let repository = response
        .reference
        .rsplit_once('@')
        .map_or(response.reference.clone(), |(r, _)| r.to_string());
    let subject = response.subject.clone().map(|digest| {
        let target = format!("{repository}@{digest}");
        view! {
            <dt>"Attests"</dt>
            <dd>
                <RouteLink route=Route::inspect(&target) attr:data-testid="attestation-subject">
                    <span class="mono">{digest.to_string()}</span>
                </RouteLink>
            </dd>
        }
    });
    let artifact_type = response.artifact_type.clone().map(|t| {
        view! {
            <dt>"Artifact type"</dt>
            <dd class="mono">{t}</dd>
        }
    });
    let signature = response.signature.clone().map(|s| {
        view! { <p class="hint" data-testid="attestation-signature">{s}</p> }
    });
    let documents = response
        .documents
        .into_iter()
        .map(|document| view! { <Document document /> })
        .collect_view();
    view! {
        <section class="panel">
            <h1>"Attestation"</h1>
            <dl class="facts">
                <dt>"Manifest"</dt>
                <dd>
                    <RouteLink route=Route::inspect(&response.reference)>
                        <span class="mono">{response.reference.clone()}</span>
                    </RouteLink>
                </dd>
                {subject}
                {artifact_type}
            </dl>
            {signature}
        </section>
        {documents}
    }
}

#[component]
fn Document(document: AttestationDocument) -> impl IntoView {
    let heading = document
        .view
        .as_ref()
        .and_then(|v| v.predicate_type.clone())
        .or(document.predicate_type.clone())
        .unwrap_or_else(|| document.media_type.clone());
    let skipped = document
        .skipped
        .clone()
        .map(|s| view! { <p class="hint" data-testid="document-skipped">{s}</p> });
    let body = document.view.map(|view| {
        let notes = view
            .notes
            .iter()
            .map(|n| view! { <li>{n.clone()}</li> })
            .collect_view();
        let summary = match view.summary {
            Summary::Sbom(sbom) => view! { <SbomTable sbom /> }.into_any(),
            Summary::Provenance(p) => view! { <ProvenanceView provenance=p /> }.into_any(),
            Summary::Other => ().into_any(),
        };
        let raw = view.raw.map(|raw| {
            view! {
                <details data-testid="document-raw">
                    <summary>"Raw statement"</summary>
                    <pre class="raw">{raw}</pre>
                </details>
            }
        });
        view! {
            <ul class="warnings">{notes}</ul>
            {summary}
            {raw}
        }
    });
    view! {
        <section class="panel" data-testid="attestation-document">
            <h2 class="mono">{heading}</h2>
            <p class="muted mono">
                {format!("{} · {} · {} bytes", document.digest, document.media_type, document.size)}
            </p>
            {skipped}
            {body}
        </section>
    }
}
