//! Test support: real registries, deterministic test images, a raw pusher and
//! the in-process proxy, shared by every integration test and `seed-demo`.
//!
//! Everything talks to 127.0.0.1 only. Content is built once into exact bytes
//! (`Blob`) whose digests are computed over those bytes; tests compare the
//! proxy's answers against these values, never against hard-coded digests.

pub mod artifact;
pub mod attack;
pub mod attestation;
pub mod blob;
pub mod demo;
pub mod docker_config;
pub mod fault;
pub mod image;
pub mod index;
pub mod layer;
pub mod metrics;
pub mod proxy;
pub mod proxy_process;
pub mod push;
pub mod registry;
pub mod token_server;

pub use artifact::ArtifactSpec;
pub use attack::{Attack, AttackRegistry};
pub use blob::Blob;
pub use fault::{Fault, FaultProxy, Rule};
pub use image::{Format, Image, ImageSpec};
pub use index::{Child, Index, IndexBuilder};
pub use proxy::{ApiFailure, Proxy, ProxyClient};
pub use push::{BasicAuth, Pusher, RawResponse};
pub use registry::{Registry, RegistryOptions};
