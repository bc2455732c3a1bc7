//! Image references as the Docker CLI and containerd understand them.
//!
//! `alpine` is `docker.io/library/alpine:latest`; `index.docker.io` is
//! `docker.io`; `host:port/ns/repo:tag`, `localhost/x`, `repo@sha256:...` and
//! `repo:tag@sha256:...` all parse. Unlike manifest-tool, a reference with
//! neither tag nor digest means `latest`, and we say so explicitly.

use std::fmt;
use std::str::FromStr;

use crate::digest::Digest;

/// The canonical name of Docker Hub.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that actually serves Docker Hub's registry API.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";

/// A normalized, validated reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Normalized registry: `docker.io`, `ghcr.io`, `localhost:5000`.
    registry: String,
    /// Repository path, with `library/` added for official Docker Hub images.
    repository: String,
    /// The tag; `latest` when the input had neither tag nor digest.
    tag: Option<String>,
    digest: Option<Digest>,
}

/// What is wrong with a reference, specific enough to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    // e.g. Empty, InvalidRegistry{..}, InvalidRepository{component, reason},
    // Uppercase repository, InvalidTag{tag, reason}, InvalidDigest(DigestError),
    // NameTooLong ...
    #[error("the reference is empty: type an image name such as `alpine` or `ghcr.io/owner/repo:tag`")]
    Empty,
}

impl Reference {
    pub fn parse(_s: &str) -> Result<Self, ReferenceError> {
        todo!()
    }
    /// Build from parts already known to be valid (e.g. a repository plus a
    /// digest that came from a registry); validates them all the same.
    pub fn from_parts(
        _registry: &str,
        _repository: &str,
        _tag: Option<&str>,
        _digest: Option<Digest>,
    ) -> Result<Self, ReferenceError> {
        todo!()
    }
    pub fn registry(&self) -> &str {
        &self.registry
    }
    /// The host[:port] to send `/v2/` requests to (`registry-1.docker.io` for
    /// Docker Hub, otherwise the registry itself).
    pub fn api_host(&self) -> &str {
        todo!()
    }
    pub fn repository(&self) -> &str {
        &self.repository
    }
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }
    /// What goes after `/manifests/`: the digest when there is one, else the tag.
    pub fn manifest_reference(&self) -> String {
        todo!()
    }
    /// The same repository pinned to `digest` (the tag is kept for display).
    pub fn with_digest(&self, _digest: Digest) -> Self {
        todo!()
    }
    /// The same repository at `tag`, without digest.
    pub fn with_tag(&self, _tag: &str) -> Result<Self, ReferenceError> {
        todo!()
    }
    /// Same registry, another repository (for cross-repo mounts).
    pub fn same_registry(&self, _other: &Reference) -> bool {
        todo!()
    }
}

/// Fully qualified: `docker.io/library/alpine:latest`,
/// `localhost:5000/x@sha256:...`, `ghcr.io/o/r:1@sha256:...`.
impl fmt::Display for Reference {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}
