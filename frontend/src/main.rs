//! manifest-web's page: inspect any image reference, and create and push
//! multi-platform indexes. It renders what the proxy answers; the rules about
//! references, digests and platforms live in `shared`.

mod api;
mod app;
mod check_progress;
mod check_store;
mod components;
mod create_store;
mod credentials_header;
mod credentials_store;
mod entry_filter;
mod index_to_spec;
mod inspect_store;
mod latest;
mod ndjson;
mod opened_from;
mod pages;
mod push_progress;
mod query;
mod raw_links;
mod route;
mod spec_text;
mod streamed;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
