//! A repository's tags (`/tags?repository=REGISTRY/REPO[&digest=D]`): asked
//! from the proxy a page at a time (`GET /api/v1/tags`, "More" asks for the
//! next), filtered in the page, each tag a link to its inspection. With a
//! digest (an inspection's repository breadcrumb passes its own), each page
//! is asked with `digest=` and the tags pointing at it are marked, with how
//! many of the listed tags the proxy could check. Opened from another site,
//! it lists nothing until a person asks (see `opened_from`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::Pointing;

use crate::api::{self, ApiFailure};
use crate::app::PageModule;
use crate::components::failure_line::FailureLine;
use crate::credentials_store::CredentialsStore;
use crate::latest::Latest;
use crate::route::{Page, Route, Router};

/// The tags page's module (`src/bin/tags.rs`).
pub const MODULE: PageModule = PageModule {
    page: Page::Tags,
    install: |_router, _credentials| {},
    view: || view! { <TagsPage /> }.into_any(),
};

/// What the page holds for the repository in the URL.
#[derive(Debug, Clone, PartialEq)]
enum Listing {
    Idle,
    /// Opened from another site: nothing is listed until a person asks.
    Held,
    Loading,
    Failed(ApiFailure),
    /// The tags read so far, and the `last` of the next page if any.
    Listed {
        repository: String,
        tags: Vec<String>,
        next: Option<String>,
        more: bool,
        /// Asked with a digest: the pages' answers, added up.
        pointing: Option<Pointing>,
    },
}

/// The pointing of the pages read so far and of the page just read.
fn add_pointing(so_far: Option<Pointing>, page: Option<Pointing>) -> Option<Pointing> {
    match (so_far, page) {
        (Some(mut all), Some(page)) if all.digest == page.digest => {
            all.tags.extend(page.tags);
            all.checked += page.checked;
            all.of += page.of;
            Some(all)
        }
        (_, page) => page,
    }
}

#[component]
pub fn TagsPage() -> impl IntoView {
    let router = Router::use_router();
    let credentials = CredentialsStore::use_store();
    let from_url = move || match router.route() {
        Route::Tags { repository, .. } => repository.unwrap_or_default(),
        _ => String::new(),
    };
    let digest_in_url = move || match router.route() {
        Route::Tags { digest, .. } => digest,
        _ => None,
    };
    let text = RwSignal::new(untrack(from_url));
    let filter = RwSignal::new(String::new());
    let listing = Latest::new(Listing::Idle);
    let load = move |repository: String,
                     so_far: Vec<String>,
                     pointing: Option<Pointing>,
                     last: Option<String>| {
        let creds = credentials.current();
        let digest = untrack(digest_in_url);
        let pending = if so_far.is_empty() {
            Listing::Loading
        } else {
            Listing::Listed {
                repository: repository.clone(),
                tags: so_far.clone(),
                next: last.clone(),
                more: true,
                pointing: pointing.clone(),
            }
        };
        let asked = repository.clone();
        listing.run(
            pending,
            async move { api::tags(&asked, last.as_deref(), digest.as_deref(), &creds).await },
            move |answer| match answer {
                Ok(page) => {
                    let mut tags = so_far;
                    tags.extend(page.tags);
                    Listing::Listed {
                        repository: page.repository,
                        tags,
                        next: page.next,
                        more: false,
                        pointing: add_pointing(pointing, page.pointing),
                    }
                }
                Err(failure) => Listing::Failed(failure),
            },
        );
    };
    // Only the route the page opened at was chosen by another site.
    let mut held = crate::opened_from::from_another_site();
    Effect::new(move |_| {
        let repository = from_url();
        digest_in_url();
        text.set(repository.clone());
        if repository.is_empty() {
            listing.set(Listing::Idle);
        } else if std::mem::take(&mut held) {
            listing.set(Listing::Held);
        } else {
            load(repository, Vec::new(), None, None);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // The same repository keeps the digest whose tags are marked.
        let repository = text.get_untracked();
        let digest = if repository.trim() == untrack(from_url) {
            untrack(digest_in_url).unwrap_or_default()
        } else {
            String::new()
        };
        router.navigate(Route::tags_pointing(&repository, &digest));
    };
    let body = move || match listing.get() {
        Listing::Idle => view! {
            <p class="muted">"Type a repository (" <code>"alpine"</code> ", "
                <code>"ghcr.io/owner/repo"</code> ") to list its tags."</p>
        }
        .into_any(),
        Listing::Held => view! {
            <p data-testid="held-notice" role="status">
                "Opened from another site: nothing was looked up yet (listing may use this "
                "proxy's saved credentials). Press List tags to list them."
            </p>
        }
        .into_any(),
        Listing::Loading => view! {
            <div class="panel loading" data-testid="loading" role="status">"Listing tags…"</div>
        }
        .into_any(),
        Listing::Failed(failure) => view! { <FailureLine failure /> }.into_any(),
        Listing::Listed {
            repository,
            tags,
            next,
            more,
            pointing,
        } => {
            let needle = filter.get().to_lowercase();
            let shown: Vec<String> = tags
                .iter()
                .filter(|t| needle.is_empty() || t.to_lowercase().contains(&needle))
                .cloned()
                .collect();
            let count = format!(
                "{} of {} tags{}",
                shown.len(),
                tags.len(),
                if next.is_some() { " read so far" } else { "" }
            );
            let summary = pointing.as_ref().map(|p| {
                view! { <p class="muted" data-testid="pointing-summary">{p.summary()}</p> }
            });
            let rows = shown
                .into_iter()
                .map(|tag| {
                    let href = Route::inspect(&format!("{repository}:{tag}")).to_url();
                    let here = pointing.as_ref().is_some_and(|p| p.points(&tag));
                    let mark = here.then(|| {
                        view! {
                            <span class="badge" data-testid="tag-pointing" title="Points at the inspected digest">
                                "points here"
                            </span>
                        }
                    });
                    view! {
                        <li class:pointing=here>
                            <a class="mono" href=href data-testid="tag-link">{tag}</a>
                            " "
                            {mark}
                        </li>
                    }
                })
                .collect_view();
            let more_button = next.map(|last| {
                let repository = repository.clone();
                let tags = tags.clone();
                let pointing = pointing.clone();
                view! {
                    <button
                        type="button"
                        data-testid="tags-more"
                        disabled=more
                        on:click=move |_| {
                            load(
                                repository.clone(),
                                tags.clone(),
                                pointing.clone(),
                                Some(last.clone()),
                            )
                        }
                    >
                        {if more { "Loading…" } else { "More" }}
                    </button>
                }
            });
            view! {
                <p class="muted" data-testid="tags-count">{count}</p>
                {summary}
                <ul class="tag-list" data-testid="tag-list">{rows}</ul>
                {more_button}
            }
            .into_any()
        }
    };
    view! {
        <form class="reference-form" on:submit=on_submit role="search">
            <label for="repo-input">"Repository"</label>
            <div class="reference-row">
                <input
                    id="repo-input"
                    data-testid="repo-input"
                    type="text"
                    required
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="e.g. alpine, ghcr.io/owner/repo, localhost:5000/app"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <button type="submit" data-testid="tags-button">"List tags"</button>
            </div>
        </form>
        <section class="panel" data-testid="tags-page">
            <h1>"Tags"</h1>
            <input
                type="search"
                data-testid="tags-filter"
                placeholder="Filter tags"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
            {body}
        </section>
    }
}
