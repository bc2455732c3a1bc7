//! The model of manifest-web, shared by the proxy (native) and the page (wasm32).
//!
//! Everything here is pure: plain data and plain functions, no I/O, no async.
//! That keeps the rules about references, digests, platforms and pushes in one
//! place where they are unit-tested without a network or a browser; the proxy
//! and the frontend are thin adapters around it.

pub mod annotation;
pub mod api;
pub mod attestation;
pub mod badge;
pub mod check;
pub mod compare;
pub mod config;
pub mod credentials;
pub mod descriptor;
pub mod digest;
pub mod footprint;
pub mod inspect;
pub mod inspect_raw;
pub mod inspect_text;
pub mod json_error;
pub mod link_header;
pub mod manifest;
pub mod media_type;
pub mod mquery;
pub mod plan;
pub mod platform;
pub mod platform_images;
pub mod provenance;
pub mod reference;
pub mod sbom;
pub mod size;
pub mod spec;
pub mod statement;
pub mod unit_variant;

pub use descriptor::Descriptor;
pub use digest::{Algorithm, Digest, DigestError};
pub use manifest::{Manifest, ManifestBody, ManifestError};
pub use platform::{Platform, PlatformError};
pub use reference::{Reference, ReferenceError};
