//! manifest-web's registry client: the one place that speaks the registry's
//! `/v2/` API.
//!
//! A crate of its own so that the compiler keeps the boundary: it knows
//! nothing of the HTTP API the proxy serves (no axum, no API error codes);
//! it answers verified bytes or a typed [`RegistryError`], and the proxy
//! decides how to answer the page. Callers get a [`Repository`] handle from a
//! [`RegistryClient`]; every operation on it goes through one request path
//! (bounds, retries, redirect policy, authentication, size caps).

pub mod auth;
pub mod body;
pub mod budget;
pub mod cache;
mod client;
pub mod counter_map;
pub mod credentials;
pub mod digesting;
pub mod error;
pub mod guard;
pub mod limits;
mod ops;
pub mod probe;
pub mod quota;
mod redirect;
pub mod refusal;
mod repository;
mod request;
pub mod retry;
pub mod round_trips;
pub mod settings;
pub mod tls_trust;
pub mod token_bucket;
pub mod transport;
pub mod upstream;

pub use budget::FetchBudget;
pub use client::ClientStats;
pub use client::RegistryClient;
pub use error::RegistryError;
pub use ops::{
    DOCKER_CONTENT_DIGEST, FetchedManifest, ManifestHead, MountOutcome, ReferrersPage,
    TAGS_PAGE_LIMIT, TagsPage,
};
pub use repository::Repository;
pub use settings::RegistrySettings;
