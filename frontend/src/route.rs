//! Which page is showing, kept in the URL so that every inspection is a link
//! a person can share, and back/forward walk through what was inspected.
//!
//! `Route` is the pure part (URL <-> page, unit-tested); `Router` is the thin
//! browser glue: it reads `window.location`, writes with `history.pushState`
//! and listens to `popstate`. A hand-made router because the page has few
//! routes and `leptos_router` would cost more wasm than it saves code.
//!
//! Each [`Page`] is its own wasm module (`frontend/src/bin/NAME.rs`), so that
//! opening one never downloads another's code. `index.html`'s loader picks
//! the module from the path (its table and [`Page::path`] are checked against
//! each other by a test here); within a module the router moves with
//! `pushState`, and a route of another page is a full page load.

use leptos::prelude::*;
use shared::Digest;
use shared::api::InspectResponse;

use crate::query;

pub const INSPECT_PATH: &str = "/";
pub const CREATE_PATH: &str = "/create";
pub const CHECK_PATH: &str = "/check";
pub const TAGS_PATH: &str = "/tags";
pub const COMPARE_PATH: &str = "/compare";
pub const SIZES_PATH: &str = "/sizes";
pub const ATTESTATION_PAGE_PATH: &str = "/attestation";

/// The pages, each built into its own wasm module named [`Page::name`]
/// (the bin `frontend/src/bin/NAME.rs`, the `<link data-trunk rel="rust">`
/// and the loader's table entry in `index.html`, the guard line in
/// `scripts/bundle-size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Inspect,
    Create,
    Check,
    Tags,
    Compare,
    Sizes,
    Attestation,
}

impl Page {
    pub const ALL: [Page; 7] = [
        Page::Inspect,
        Page::Create,
        Page::Check,
        Page::Tags,
        Page::Compare,
        Page::Sizes,
        Page::Attestation,
    ];

    /// The module's (and its bin's) name.
    pub fn name(self) -> &'static str {
        match self {
            Page::Inspect => "inspect",
            Page::Create => "create",
            Page::Check => "check",
            Page::Tags => "tags",
            Page::Compare => "compare",
            Page::Sizes => "sizes",
            Page::Attestation => "attestation",
        }
    }

    /// The path the page lives at (and its module is loaded for).
    pub fn path(self) -> &'static str {
        match self {
            Page::Inspect => INSPECT_PATH,
            Page::Create => CREATE_PATH,
            Page::Check => CHECK_PATH,
            Page::Tags => TAGS_PATH,
            Page::Compare => COMPARE_PATH,
            Page::Sizes => SIZES_PATH,
            Page::Attestation => ATTESTATION_PAGE_PATH,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/` or `/?ref=REFERENCE`.
    Inspect { reference: Option<String> },
    /// `/create`.
    Create,
    /// `/check`: the registry check.
    Check,
    /// `/tags?repository=REGISTRY/REPO[&digest=D]`: a repository's tags,
    /// those pointing at `digest` marked.
    Tags {
        repository: Option<String>,
        digest: Option<String>,
    },
    /// `/compare?a=REF&b=REF`: two references compared.
    Compare { a: String, b: String },
    /// `/sizes?ref=REFERENCE`: where the bytes of an image go.
    Sizes { reference: String },
    /// `/attestation?ref=REPOSITORY@DIGEST`: what an attestation says.
    Attestation { reference: String },
    /// Any other path: shown as "not found" rather than silently redirected.
    NotFound { path: String },
}

impl Route {
    /// The inspect page for `reference` (blank means the empty page).
    pub fn inspect(reference: &str) -> Route {
        let reference = reference.trim();
        Route::Inspect {
            reference: (!reference.is_empty()).then(|| reference.to_string()),
        }
    }

    /// The tags page for `repository` (blank means the empty page).
    pub fn tags(repository: &str) -> Route {
        let repository = repository.trim();
        Route::Tags {
            repository: (!repository.is_empty()).then(|| repository.to_string()),
            digest: None,
        }
    }

    /// The tags page for `repository`, marking the tags that point at
    /// `digest` (where an inspection's repository breadcrumb links to).
    pub fn tags_pointing(repository: &str, digest: &str) -> Route {
        match Route::tags(repository) {
            Route::Tags {
                repository: Some(repository),
                ..
            } => Route::Tags {
                repository: Some(repository),
                digest: Some(digest.trim().to_string()).filter(|d| !d.is_empty()),
            },
            blank => blank,
        }
    }

    /// The compare page for `a` and `b` (either may be blank: asked for).
    pub fn compare(a: &str, b: &str) -> Route {
        Route::Compare {
            a: a.trim().to_string(),
            b: b.trim().to_string(),
        }
    }

    /// The inspect page for a manifest in the same repository as `response`,
    /// pinned by digest: where an index entry, or a subject, links to.
    pub fn inspect_in_repository(response: &InspectResponse, digest: &Digest) -> Route {
        Route::inspect(&format!(
            "{}/{}@{}",
            response.registry, response.repository, digest
        ))
    }

    /// Read a route from a location's path and query (`location.search`).
    pub fn from_url(path: &str, search: &str) -> Route {
        match path.trim_end_matches('/') {
            "" | "/index.html" => Route::inspect(&query::get(search, "ref").unwrap_or_default()),
            CREATE_PATH => Route::Create,
            CHECK_PATH => Route::Check,
            TAGS_PATH => Route::tags_pointing(
                &query::get(search, "repository").unwrap_or_default(),
                &query::get(search, "digest").unwrap_or_default(),
            ),
            COMPARE_PATH => Route::Compare {
                a: query::get(search, "a")
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                b: query::get(search, "b")
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            },
            SIZES_PATH => Route::Sizes {
                reference: query::get(search, "ref")
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            },
            ATTESTATION_PAGE_PATH => Route::Attestation {
                reference: query::get(search, "ref").unwrap_or_default(),
            },
            other => Route::NotFound {
                path: other.to_string(),
            },
        }
    }

    /// The page (and so the wasm module) that shows this route. Paths nobody
    /// knows are said so by the inspect page's module, which `index.html`
    /// loads for every path its table does not name.
    pub fn page(&self) -> Page {
        match self {
            Route::Inspect { .. } | Route::NotFound { .. } => Page::Inspect,
            Route::Create => Page::Create,
            Route::Check => Page::Check,
            Route::Tags { .. } => Page::Tags,
            Route::Compare { .. } => Page::Compare,
            Route::Sizes { .. } => Page::Sizes,
            Route::Attestation { .. } => Page::Attestation,
        }
    }

    /// The same-origin URL (path and query) of this route.
    pub fn to_url(&self) -> String {
        match self {
            Route::Inspect { reference: None } => INSPECT_PATH.to_string(),
            Route::Inspect {
                reference: Some(reference),
            } => format!("{INSPECT_PATH}?ref={}", query::encode_component(reference)),
            Route::Create => CREATE_PATH.to_string(),
            Route::Check => CHECK_PATH.to_string(),
            Route::Tags {
                repository: None, ..
            } => TAGS_PATH.to_string(),
            Route::Tags {
                repository: Some(repository),
                digest,
            } => format!(
                "{TAGS_PATH}?repository={}{}",
                query::encode_component(repository),
                digest
                    .as_deref()
                    .map(|d| format!("&digest={}", query::encode_component(d)))
                    .unwrap_or_default()
            ),
            Route::Compare { a, b } => format!(
                "{COMPARE_PATH}?a={}&b={}",
                query::encode_component(a),
                query::encode_component(b)
            ),
            Route::Sizes { reference } => {
                format!("{SIZES_PATH}?ref={}", query::encode_component(reference))
            }
            Route::Attestation { reference } => format!(
                "{ATTESTATION_PAGE_PATH}?ref={}",
                query::encode_component(reference)
            ),
            Route::NotFound { path } => path.clone(),
        }
    }
}

/// The current route as a signal, and the way to change it. Provided as
/// context by the app shell.
#[derive(Debug, Clone, Copy)]
pub struct Router {
    route: RwSignal<Route>,
    /// The page whose module is running.
    page: Page,
}

impl Router {
    /// Start from the browser's location and follow back/forward.
    pub fn install(page: Page) -> Router {
        let route = RwSignal::new(current_route());
        // Lives as long as the page: the app shell is never unmounted.
        // A jump to a fragment (`#image-config`) also fires `popstate`; the
        // route is the same, and must not inspect again under the reader.
        let _listener = window_event_listener(leptos::ev::popstate, move |_| {
            let now = current_route();
            if now.page() != page {
                // Only entries this module pushed are walked without a
                // load; should another page's URL come up, load its module.
                let _ = window().location().reload();
            } else if route.with_untracked(|r| *r != now) {
                route.set(now);
            }
        });
        let router = Router { route, page };
        provide_context(router);
        router
    }

    /// The page whose module is running.
    pub fn page(&self) -> Page {
        self.page
    }

    pub fn use_router() -> Router {
        expect_context::<Router>()
    }

    /// The current route, tracked.
    pub fn route(&self) -> Route {
        self.route.get()
    }

    /// Go to `route`: a new history entry, unless the URL would not change (then
    /// the entry is replaced, so that inspecting the same reference twice does
    /// not need two presses of "back"). Setting the route re-runs whatever
    /// depends on it, so re-inspecting the current reference refreshes it.
    ///
    /// A route of another page loads that page (and its module) instead.
    pub fn navigate(&self, route: Route) {
        let url = route.to_url();
        if route.page() != self.page {
            load(&url);
            return;
        }
        let history = window().history();
        let current = current_url();
        if let Ok(history) = history {
            let result = if current == url {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
            };
            if let Err(e) = result {
                console_warn("could not update the address bar:", &e);
            }
        }
        self.route.set(route);
    }
}

/// A full page load of `url` (another page's module), as a link would.
pub fn load(url: &str) {
    if let Err(e) = window().location().assign(url) {
        console_warn(&format!("could not open {url}:"), &e);
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `console.warn(message, error)`: the browser shows the error itself,
    /// so the page carries no code to describe a JS value as text
    /// (`{:?}` of a `JsValue`; docs/performance.md has the bytes).
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str, error: &wasm_bindgen::JsValue);
}

fn current_url() -> String {
    let location = window().location();
    format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

fn current_route() -> Route {
    let location = window().location();
    Route::from_url(
        &location.pathname().unwrap_or_default(),
        &location.search().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_page_has_its_own_path() {
        assert_eq!(Route::from_url("/check", ""), Route::Check);
        assert_eq!(Route::from_url("/check/", "?x=1"), Route::Check);
        assert_eq!(Route::Check.to_url(), "/check");
    }

    #[test]
    fn root_is_the_empty_inspect_page() {
        assert_eq!(Route::from_url("/", ""), Route::Inspect { reference: None });
        assert_eq!(
            Route::from_url("", "?ref="),
            Route::Inspect { reference: None }
        );
        assert_eq!(
            Route::from_url("/", "?ref=+%20"),
            Route::Inspect { reference: None }
        );
        assert_eq!(Route::Inspect { reference: None }.to_url(), "/");
    }

    #[test]
    fn reference_round_trips_through_the_url() {
        for r in [
            "alpine",
            "docker.io/library/golang:1.17",
            "localhost:5000/a/b@sha256:0123456789abcdef",
            "weird ref+with&odd=chars#x",
        ] {
            let route = Route::inspect(r);
            let url = route.to_url();
            let (path, search) = url.split_at(url.find('?').expect("has a query"));
            assert_eq!(Route::from_url(path, search), route, "via {url}");
        }
    }

    #[test]
    fn inspect_url_is_readable() {
        assert_eq!(
            Route::inspect(" ghcr.io/o/r:1 ").to_url(),
            "/?ref=ghcr.io/o/r:1"
        );
    }

    #[test]
    fn entries_link_to_their_repository_by_digest() {
        let digest = Digest::sha256(b"child manifest");
        use shared::api::{Content, IndexContent};
        let reference = shared::Reference::parse("localhost:5000/demo/multi:latest").unwrap();
        let content = Content::Index(IndexContent::default());
        let response = InspectResponse::new(
            &reference,
            Digest::sha256(b"index"),
            shared::media_type::OCI_INDEX,
            b"index",
            content,
        );
        let route = Route::inspect_in_repository(&response, &digest);
        assert_eq!(
            route,
            Route::inspect(&format!("localhost:5000/demo/multi@{digest}"))
        );
        assert_eq!(
            route.to_url(),
            format!("/?ref=localhost:5000/demo/multi@sha256:{}", digest.hex())
        );
    }

    /// `index.html`'s loader picks a page's module by path with its own
    /// table: it must name exactly the pages and paths `Route` knows, and
    /// each page needs its module built (a `rel="rust"` link).
    #[test]
    fn the_loader_in_index_html_agrees_with_the_routes() {
        let html = include_str!("../../index.html");
        let start = html.find("const pages = {").expect("the loader's table");
        let table = &html[start..];
        let table = &table[..table.find('}').expect("end of the table")];
        for page in Page::ALL {
            assert_eq!(
                Route::from_url(page.path(), "").page(),
                page,
                "{page:?} lives at {}",
                page.path()
            );
            if page != Page::Inspect {
                assert!(
                    table.contains(&format!("\"{}\": \"{}\"", page.path(), page.name())),
                    "the loader's table names {} for {}: {table}",
                    page.name(),
                    page.path()
                );
            }
            assert!(
                html.contains(&format!("data-bin=\"{}\"", page.name())),
                "index.html builds the {} module",
                page.name()
            );
        }
        assert_eq!(
            table.matches(": \"").count(),
            Page::ALL.len() - 1,
            "every entry of the loader's table is a page: {table}"
        );
        // The fallback, for `/` and unknown paths alike.
        assert!(html.contains("|| \"inspect\""), "{html}");
        assert_eq!(Route::from_url("/elsewhere", "").page(), Page::Inspect);
    }

    #[test]
    fn tags_and_compare_round_trip_through_the_url() {
        for route in [
            Route::tags("localhost:5000/demo/app"),
            Route::tags(""),
            Route::tags_pointing("localhost:5000/demo/app", "sha256:00&x"),
            Route::compare("a:1", "ghcr.io/o/r@sha256:00&x"),
            Route::compare("alpine", ""),
            Route::Sizes {
                reference: "localhost:5000/a@sha256:00".into(),
            },
        ] {
            let url = route.to_url();
            let (path, search) = url.split_at(url.find('?').unwrap_or(url.len()));
            assert_eq!(Route::from_url(path, search), route, "via {url}");
        }
        assert_eq!(Route::compare("a", "b").to_url(), "/compare?a=a&b=b");
        assert_eq!(Route::tags("x/y").page(), Page::Tags);
        assert_eq!(
            Route::tags_pointing("x/y", "sha256:ab").to_url(),
            "/tags?repository=x/y&digest=sha256:ab"
        );
        assert_eq!(Route::tags_pointing("x/y", " "), Route::tags("x/y"));
        assert_eq!(Route::tags_pointing("", "sha256:ab"), Route::tags(""));
    }

    #[test]
    fn attestation_pages_round_trip_their_reference() {
        let reference = format!("localhost:5000/demo/app@{}", Digest::sha256(b"att"));
        let route = Route::Attestation {
            reference: reference.clone(),
        };
        assert_eq!(route.to_url(), format!("/attestation?ref={reference}"));
        let (path, search) = route
            .to_url()
            .split_once('?')
            .map(|(p, q)| (p.to_string(), format!("?{q}")))
            .unwrap();
        assert_eq!(Route::from_url(&path, &search), route);
        assert_eq!(route.page(), Page::Attestation);
    }

    #[test]
    fn create_and_unknown_paths() {
        assert_eq!(Route::from_url("/create", ""), Route::Create);
        assert_eq!(Route::from_url("/create/", "?ref=x"), Route::Create);
        assert_eq!(Route::Create.to_url(), "/create");
        assert_eq!(
            Route::from_url("/nope", ""),
            Route::NotFound {
                path: "/nope".into()
            }
        );
        assert_eq!(
            Route::from_url("/index.html", "?ref=alpine"),
            Route::inspect("alpine")
        );
    }
}
