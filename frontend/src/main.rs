//! manifest-web's page: inspect any image reference, and (soon) create
//! multi-platform indexes. It renders what the proxy answers; the rules about
//! references, digests and platforms live in `shared`.

mod api;
mod app;
mod components;
mod inspect_store;
mod pages;
mod query;
mod route;
mod size;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
