//! The manifest exactly as the registry sent it: these are the bytes the
//! digest is computed over, so they are shown untouched (not re-formatted).
//! The digests of manifests in it (index entries, a subject) are links that
//! inspect that object, so a person can walk the graph from the raw view; the
//! config digest jumps to the config on the same page; media types and
//! well-known annotation keys say what they mean on hover.
//! The whole inspection answer can be downloaded too, as the proxy sent it.

use std::sync::Arc;

use leptos::ev::MouseEvent;
use leptos::prelude::*;

use crate::components::copy_button::CopyButton;
use crate::components::route_link::RouteLink;
use crate::query;
use crate::raw_links::{Piece, pieces};
use crate::route::Route;

/// `linkable`: the manifest digests in `raw`; `config`: the config blob's
/// digest, shown at `#image-config`; `base`: `registry/repository`;
/// `answer`: the inspect answer's text.
#[component]
pub fn RawJson(
    raw: String,
    digest: String,
    linkable: Vec<String>,
    config: Option<String>,
    base: String,
    answer: Arc<str>,
) -> impl IntoView {
    // The `data:` URLs hold the whole text, percent-encoded: made when the
    // link is followed, not on every render of a large answer.
    let raw_text: Arc<str> = raw.as_str().into();
    let name = digest.replace(':', "-");
    let answer_filename = format!("inspect-{name}.json");
    let filename = name + ".json";
    let body = pieces(&raw, &linkable, config.as_deref())
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.into_any(),
            Piece::Explained { text, about } => {
                view! { <span class="explained" title=about>{text}</span> }.into_any()
            }
            Piece::Config(d) => view! {
                <a class="raw-link" href="#image-config" data-testid="raw-config-link">
                    {d}
                </a>
            }
            .into_any(),
            Piece::Manifest(d) => {
                let route = Route::inspect(&format!("{base}@{d}"));
                view! {
                    <RouteLink route attr:class="raw-link" attr:data-testid="raw-link">
                        {d}
                    </RouteLink>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <section class="panel raw">
            <div class="panel-head">
                <h2>"Raw manifest"</h2>
                <div class="actions">
                    <CopyButton text=raw.clone() what="manifest" />
                    <a
                        class="button"
                        href=JSON_URL
                        download=filename
                        data-testid="raw-download"
                        on:click=fill_in(raw_text)
                    >
                        "Download"
                    </a>
                    <a
                        class="button"
                        href=JSON_URL
                        download=answer_filename
                        on:click=fill_in(answer)
                        title="The whole inspection, as the manifest-web API answered it"
                        data-testid="inspect-json-download"
                    >
                        "Inspection JSON"
                    </a>
                </div>
            </div>
            <pre class="json" data-testid="raw-json">{body}</pre>
        </section>
    }
}

/// The start of a download link's `data:` URL (the whole of it, empty, until
/// the link is followed).
const JSON_URL: &str = "data:application/json;charset=utf-8,";

/// A click handler that puts `text` into the download link's URL just before
/// the browser follows it.
fn fill_in(text: Arc<str>) -> impl Fn(MouseEvent) + 'static {
    move |ev: MouseEvent| {
        let link: web_sys::Element = event_target(&ev);
        let url = format!("{JSON_URL}{}", query::encode_component(&text));
        let _ = link.set_attribute("href", &url);
    }
}
