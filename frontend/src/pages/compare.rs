//! Two references compared (`/compare?a=REF&b=REF`, shareable):
//! `GET /api/v1/compare` decides (`shared::compare`), this page shows
//! platforms, layers and config differences. Opened from another site, it
//! compares nothing until a person asks (see `opened_from`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::compare::{Comparison, Layer};

use crate::api;
use crate::app::PageModule;
use crate::components::byte_size::ByteSize;
use crate::components::failure_line::FailureLine;
use crate::credentials_store::CredentialsStore;
use crate::latest::Latest;
use crate::lookup::Lookup;
use crate::route::{Page, Route, Router};

/// The compare page's module (`src/bin/compare.rs`).
pub const MODULE: PageModule = PageModule {
    page: Page::Compare,
    install: |_router, _credentials| {},
    view: || view! { <ComparePage /> }.into_any(),
};

type State = Lookup<Box<Comparison>>;

#[component]
pub fn ComparePage() -> impl IntoView {
    let router = Router::use_router();
    let credentials = CredentialsStore::use_store();
    let from_url = move || match router.route() {
        Route::Compare { a, b } => (a, b),
        _ => (String::new(), String::new()),
    };
    let (a0, b0) = untrack(from_url);
    let a = RwSignal::new(a0);
    let b = RwSignal::new(b0);
    let state = Latest::new(State::Idle);
    // Only the route the page opened at was chosen by another site.
    let mut held = crate::opened_from::from_another_site();
    Effect::new(move |_| {
        let (ra, rb) = from_url();
        a.set(ra.clone());
        b.set(rb.clone());
        if ra.is_empty() || rb.is_empty() {
            state.set(State::Idle);
            return;
        }
        if std::mem::take(&mut held) {
            state.set(State::Held);
            return;
        }
        let creds = credentials.current();
        state.run(
            State::Loading,
            async move { api::compare(&ra, &rb, &creds).await },
            |answer| match answer {
                Ok(c) => State::Read(Box::new(c)),
                Err(e) => State::Failed(e),
            },
        );
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        router.navigate(Route::compare(&a.get_untracked(), &b.get_untracked()));
    };
    let field = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <label for=id>{label}</label>
            <input
                id=id
                data-testid=id
                type="text"
                required
                autocomplete="off"
                spellcheck="false"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
    };
    let body = move || match state.get() {
        State::Idle => view! {
            <p class="muted">"Two image references: an index or an image each."</p>
        }
        .into_any(),
        State::Held => view! {
            <p data-testid="held-notice" role="status">
                "Opened from another site: nothing was looked up yet (comparing may use this "
                "proxy's saved credentials). Press Compare to compare them."
            </p>
        }
        .into_any(),
        State::Loading => view! {
            <div class="panel loading" data-testid="loading" role="status">"Comparing…"</div>
        }
        .into_any(),
        State::Failed(failure) => view! { <FailureLine failure /> }.into_any(),
        State::Read(c) => view! { <Result c=*c /> }.into_any(),
    };
    view! {
        <form class="compare-form" on:submit=on_submit>
            {field("compare-a", "A", a)}
            {field("compare-b", "B", b)}
            <button type="submit" data-testid="compare-button">"Compare"</button>
        </form>
        <section class="panel" data-testid="compare-page">
            <h1>"Compare"</h1>
            {body}
        </section>
    }
}

fn list(items: Vec<String>, testid: &'static str) -> impl IntoView {
    let items = items
        .into_iter()
        .map(|p| view! { <li class="mono">{p}</li> })
        .collect_view();
    view! { <ul data-testid=testid>{items}</ul> }
}

fn layers(title: &'static str, layers: Vec<Layer>, total: u64) -> impl IntoView {
    let rows = layers
        .into_iter()
        .map(|l| {
            let short: String = l.digest.to_string().chars().take(19).collect();
            view! {
                <li><span class="mono" title=l.digest.to_string()>{short}"…"</span>" "
                    <ByteSize bytes=l.size /></li>
            }
        })
        .collect_view();
    view! {
        <div>
            <h4>{title}" ("<ByteSize bytes=total />")"</h4>
            <ul>{rows}</ul>
        </div>
    }
}

#[component]
fn Result(c: Comparison) -> impl IntoView {
    let inspect = |r: &str| Route::inspect(r).to_url();
    let platforms = c.platforms;
    let per_platform = c
        .layers
        .into_iter()
        .map(|(platform, l)| {
            let verdict = if l.identical {
                "identical"
            } else {
                "different"
            };
            let note = l.note.map(|n| view! { <p class="muted">{n}</p> });
            let detail = (!l.identical).then(|| {
                view! {
                    <div class="three-columns">
                        {layers("Shared", l.shared, l.shared_bytes)}
                        {layers("Only in A", l.only_a, l.only_a_bytes)}
                        {layers("Only in B", l.only_b, l.only_b_bytes)}
                    </div>
                }
            });
            view! {
                <section class="compare-platform" data-testid="compare-platform">
                    <h3>
                        <span class="mono">{platform}</span>": "
                        <span data-testid="compare-verdict">{verdict}</span>
                    </h3>
                    {note}
                    {detail}
                </section>
            }
        })
        .collect_view();
    let differences = c
        .config
        .into_iter()
        .map(|d| {
            let field = match d.key {
                Some(key) => format!("{} {key}", d.field),
                None => d.field,
            };
            view! {
                <tr>
                    <td class="mono">{d.platform}</td>
                    <td class="mono">{field}</td>
                    <td class="mono">{d.a.unwrap_or_else(|| "(not set)".into())}</td>
                    <td class="mono">{d.b.unwrap_or_else(|| "(not set)".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p>
            "A: " <a class="mono" href=inspect(&c.a.reference)>{c.a.reference.clone()}</a>
            <br />
            "B: " <a class="mono" href=inspect(&c.b.reference)>{c.b.reference.clone()}</a>
        </p>
        <h2>"Platforms"</h2>
        <div class="three-columns">
            <div><h4>"In both"</h4>{list(platforms.both, "compare-both")}</div>
            <div><h4>"Only in A"</h4>{list(platforms.only_a, "compare-only-a")}</div>
            <div><h4>"Only in B"</h4>{list(platforms.only_b, "compare-only-b")}</div>
        </div>
        <h2>"Layers"</h2>
        {per_platform}
        <h2>"Config differences"</h2>
        <table class="data">
            <thead><tr><th>"Platform"</th><th>"Field"</th><th>"A"</th><th>"B"</th></tr></thead>
            <tbody data-testid="compare-config">{differences}</tbody>
        </table>
    }
}
