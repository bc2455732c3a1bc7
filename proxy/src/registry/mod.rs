//! Talking to OCI-distribution registries: the client and what it needs
//! (target guard, authentication, size caps, error mapping, cache).

pub mod auth;
pub mod body;
pub mod cache;
pub mod challenge;
pub mod client;
pub mod credentials;
pub mod digesting;
pub mod guard;
pub mod limits;
pub mod quota;
pub mod refusal;
pub mod retry;
pub mod tag_memo;
pub mod token_request;

pub use client::{
    FetchedManifest, ManifestHead, MountOutcome, ReferrersPage, RegistryClient, Repository,
};
