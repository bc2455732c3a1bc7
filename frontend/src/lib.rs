//! manifest-web's page: inspect any image reference, and create and push
//! multi-platform indexes. It renders what the proxy answers; the rules about
//! references, digests and platforms live in `shared`.
//!
//! This library is every page's code; each page is a bin of its own
//! (`src/bin/NAME.rs`, one line: `app::start` with the page's
//! `PageModule`), built by Trunk into its own wasm module, so a page's
//! module carries only the code that page reaches.

/// Talc instead of Rust's default wasm allocator (dlmalloc): smaller in the
/// page's wasm, which every page's first load carries, and faster.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod after_paint;
mod api;
pub mod app;
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
mod lookup;
mod ndjson;
mod opened_from;
pub mod pages;
mod push_progress;
mod query;
mod raw_links;
pub mod route;
mod spec_handover;
mod spec_text;
mod streamed;
