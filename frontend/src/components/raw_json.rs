//! The manifest exactly as the registry sent it: these are the bytes the
//! digest is computed over, so they are shown untouched (not re-formatted).
//! The digests of manifests in it (index entries, a subject) are links that
//! inspect that object, so a person can walk the graph from the raw view; the
//! config digest jumps to the config on the same page; media types and
//! well-known annotation keys say what they mean on hover.
//! The whole inspection answer can be downloaded too, as the proxy sent it.

use std::sync::Arc;

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
    let href = json_url(&raw);
    let answer_href = json_url(&answer);
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
                    <a class="button" href=href download=filename data-testid="raw-download">
                        "Download"
                    </a>
                    <a
                        class="button"
                        href=answer_href
                        download=answer_filename
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

/// A `data:` URL holding `text`, for a download link.
fn json_url(text: &str) -> String {
    "data:application/json;charset=utf-8,".to_string() + &query::encode_component(text)
}
