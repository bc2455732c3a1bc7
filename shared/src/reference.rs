//! Image references as the Docker CLI and containerd understand them.
//!
//! `alpine` is `docker.io/library/alpine:latest`; `index.docker.io` is
//! `docker.io`; `host:port/ns/repo:tag`, `localhost/x`, `repo@sha256:...` and
//! `repo:tag@sha256:...` all parse. Unlike manifest-tool, a reference with
//! neither tag nor digest means `latest`, and we say so explicitly.

use std::fmt;
use std::str::FromStr;

use crate::digest::{Digest, DigestError};

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

/// Names Docker Hub is also known by; all normalize to [`DOCKER_HUB`].
const DOCKER_HUB_ALIASES: [&str; 3] = [DOCKER_HUB, "index.docker.io", DOCKER_HUB_API_HOST];

/// Longest `registry/repository` name the distribution grammar allows.
pub const NAME_MAX_LEN: usize = 255;
/// Longest tag the distribution grammar allows.
pub const TAG_MAX_LEN: usize = 128;

/// What is wrong with a reference, specific enough to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error(
        "the reference is empty: type an image name such as `alpine` or `ghcr.io/owner/repo:tag`"
    )]
    Empty,
    #[error(
        "`{input}` is a URL: leave out `{scheme}://` and write host/repository[:tag], e.g. `ghcr.io/owner/repo:tag`"
    )]
    HasScheme { input: String, scheme: String },
    #[error(
        "`{input}` looks like an image ID (64 hex characters), not a name: to pin by digest write `name@sha256:<hex>`"
    )]
    ImageId { input: String },
    #[error("invalid registry `{registry}`: {reason}")]
    InvalidRegistry { registry: String, reason: String },
    #[error("`{input}` has no repository: expected {registry}/<repository>[:tag]")]
    MissingRepository { input: String, registry: String },
    #[error(
        "invalid reference format: repository names must be lowercase, but `{repository}` is not (did you mean `{suggestion}`?)"
    )]
    Uppercase {
        repository: String,
        suggestion: String,
    },
    #[error("invalid repository `{repository}`: path component `{component}` {reason}")]
    InvalidRepository {
        repository: String,
        component: String,
        reason: String,
    },
    #[error(
        "invalid tag `{tag}`: {reason} (a tag is 1-128 of A-Z a-z 0-9 _ . - and does not start with . or -)"
    )]
    InvalidTag { tag: String, reason: String },
    #[error("invalid digest after `@`: {0}")]
    InvalidDigest(#[from] DigestError),
    #[error(
        "the name `{name}` is {length} characters long: registry plus repository may be at most {NAME_MAX_LEN}"
    )]
    NameTooLong { name: String, length: usize },
    #[error(
        "`{input}` names an image, not a repository: leave out the `:tag` or `@digest`, e.g. `{repository}`"
    )]
    NotARepository { input: String, repository: String },
}

/// The normalized form of a registry host: lowercase, and Docker Hub's aliases
/// (`index.docker.io`, `registry-1.docker.io`) folded into `docker.io`.
/// Not validated; see [`Reference::parse`] for that.
pub fn normalize_registry(registry: &str) -> String {
    let lower = registry.to_ascii_lowercase();
    if DOCKER_HUB_ALIASES.contains(&lower.as_str()) {
        DOCKER_HUB.to_string()
    } else {
        lower
    }
}

/// Is this (normalized or not) registry Docker Hub?
pub fn is_docker_hub(registry: &str) -> bool {
    normalize_registry(registry) == DOCKER_HUB
}

impl Reference {
    pub fn parse(s: &str) -> Result<Self, ReferenceError> {
        let input = s.trim();
        if input.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if let Some((scheme, _)) = input.split_once("://") {
            return Err(ReferenceError::HasScheme {
                input: input.to_string(),
                scheme: scheme.to_string(),
            });
        }
        if input.len() == 64 && input.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ReferenceError::ImageId {
                input: input.to_string(),
            });
        }
        // Neither name nor tag may hold `@`, so the first one starts the digest.
        let (name_tag, digest) = match input.split_once('@') {
            Some((name_tag, digest)) => (name_tag, Some(Digest::parse(digest)?)),
            None => (input, None),
        };
        // A `:` after the last `/` starts the tag; one before it is a port.
        let last_slash = name_tag.rfind('/');
        let (name, tag) = match name_tag.rfind(':') {
            Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
                (&name_tag[..colon], Some(&name_tag[colon + 1..]))
            }
            _ => (name_tag, None),
        };
        // The first component is a registry iff it looks like a host.
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest)) if looks_like_host(first) => (first, rest),
            _ => (DOCKER_HUB, name),
        };
        validate_registry(registry).map_err(|e| match e {
            ReferenceError::InvalidRegistry { registry, reason } => {
                ReferenceError::InvalidRegistry {
                    registry,
                    reason: format!(
                        "{reason}; the part before the first `/` is a registry because it has a `.` or `:` or is `localhost`"
                    ),
                }
            }
            other => other,
        })?;
        if repository.is_empty() {
            return Err(ReferenceError::MissingRepository {
                input: input.to_string(),
                registry: normalize_registry(registry),
            });
        }
        Reference::build(registry, repository, tag, digest)
    }

    /// A repository without tag or digest (`alpine`, `ghcr.io/o/r`), as the
    /// tag list names it: normalized as `parse` does (`docker.io`,
    /// `library/`); a `:tag` or `@digest` is refused rather than dropped.
    /// The answer's tag is `latest` (no tag is asked for by it).
    pub fn parse_repository(s: &str) -> Result<Self, ReferenceError> {
        let input = s.trim();
        let parsed = Reference::parse(input)?;
        let last = input.rsplit('/').next().unwrap_or(input);
        if input.contains('@') || last.contains(':') {
            return Err(ReferenceError::NotARepository {
                input: input.to_string(),
                repository: parsed.name(),
            });
        }
        Ok(parsed)
    }

    /// Build from parts already known to be valid (e.g. a repository plus a
    /// digest that came from a registry); validates them all the same.
    /// Normalization is the same as `parse`: Docker Hub aliases fold into
    /// `docker.io`, `library/` is added there, and `latest` is the tag when
    /// neither tag nor digest is given.
    pub fn from_parts(
        registry: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<Digest>,
    ) -> Result<Self, ReferenceError> {
        validate_registry(registry)?;
        if repository.is_empty() {
            return Err(ReferenceError::MissingRepository {
                input: format!("{registry}/"),
                registry: normalize_registry(registry),
            });
        }
        Reference::build(registry, repository, tag, digest)
    }

    /// Normalize and validate; `registry` is already known to be well-formed.
    fn build(
        registry: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<Digest>,
    ) -> Result<Self, ReferenceError> {
        let registry = normalize_registry(registry);
        validate_repository(repository)?;
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.to_string()
        };
        let length = registry.len() + 1 + repository.len();
        if length > NAME_MAX_LEN {
            return Err(ReferenceError::NameTooLong {
                name: format!("{registry}/{repository}"),
                length,
            });
        }
        if let Some(tag) = tag {
            validate_tag(tag)?;
        }
        let tag = match (tag, &digest) {
            (Some(tag), _) => Some(tag.to_string()),
            (None, None) => Some("latest".to_string()),
            (None, Some(_)) => None,
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    pub fn registry(&self) -> &str {
        &self.registry
    }
    /// The host[:port] to send `/v2/` requests to (`registry-1.docker.io` for
    /// Docker Hub, otherwise the registry itself).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API_HOST
        } else {
            &self.registry
        }
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
    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
    /// What goes after `/manifests/`: the digest when there is one, else the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            // Unreachable by construction (no digest means a tag), but `latest`
            // is what a registry client would ask for anyway.
            (None, None) => "latest".to_string(),
        }
    }
    /// The same repository pinned to `digest` (the tag is kept for display).
    pub fn with_digest(&self, digest: Digest) -> Self {
        Reference {
            digest: Some(digest),
            ..self.clone()
        }
    }
    /// The same repository at `tag`, without digest.
    pub fn with_tag(&self, tag: &str) -> Result<Self, ReferenceError> {
        validate_tag(tag)?;
        Ok(Reference {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        })
    }
    /// Same registry, another repository (for cross-repo mounts).
    pub fn same_registry(&self, other: &Reference) -> bool {
        normalize_registry(&self.registry) == normalize_registry(&other.registry)
    }
}

/// distribution/reference's rule for the first path component, minus its
/// "has an uppercase letter" case: an uppercase namespace is far more likely
/// a mistyped Docker Hub name than a host, so it gets the lowercase error.
fn looks_like_host(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost"
}

/// `host[:port]`, host being DNS labels or a bracketed IPv6 address.
fn validate_registry(registry: &str) -> Result<(), ReferenceError> {
    let invalid = |reason: String| ReferenceError::InvalidRegistry {
        registry: registry.to_string(),
        reason,
    };
    if registry.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err(invalid("the IPv6 address has no closing `]`".into()));
        };
        let address = &rest[..end];
        if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(invalid(
                "an IPv6 address in brackets may only hold hex digits and `:`, e.g. `[::1]:5000`"
                    .into(),
            ));
        }
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => {
                return Err(invalid(format!(
                    "unexpected `{after}` after the IPv6 address"
                )));
            }
        };
        (None, port)
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        if host.is_empty() {
            return Err(invalid("the host name is empty".into()));
        }
        for label in host.split('.') {
            if label.is_empty() {
                return Err(invalid(
                    "the host name has an empty part (`..`, or a leading or trailing `.`)".into(),
                ));
            }
            if let Some(c) = label
                .chars()
                .find(|c| !c.is_ascii_alphanumeric() && *c != '-')
            {
                return Err(invalid(format!(
                    "`{c}` is not allowed in a host name (letters, digits, `-` and `.` only)"
                )));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(invalid(format!(
                    "host name part `{label}` starts or ends with `-`"
                )));
            }
        }
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return Err(invalid(format!(
                "port `{port}` is not a number from 1 to 65535"
            )));
        }
    }
    Ok(())
}

/// Path components `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`, joined by `/`.
fn validate_repository(repository: &str) -> Result<(), ReferenceError> {
    if repository.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(ReferenceError::Uppercase {
            repository: repository.to_string(),
            suggestion: repository.to_ascii_lowercase(),
        });
    }
    for component in repository.split('/') {
        if let Err(reason) = check_component(component) {
            return Err(ReferenceError::InvalidRepository {
                repository: repository.to_string(),
                component: component.to_string(),
                reason,
            });
        }
    }
    Ok(())
}

fn check_component(component: &str) -> Result<(), String> {
    if component.is_empty() {
        return Err("is empty (a doubled, leading or trailing `/`)".into());
    }
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if let Some(c) = component
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "has `{c}`: only a-z, 0-9 and the separators `.` `_` `__` `-` are allowed"
        ));
    }
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return Err("must start and end with a lowercase letter or digit".into());
    }
    // Separators between alphanumeric runs: one `.`, one `_`, `__`, or any
    // number of `-`.
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &component[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return Err(format!(
                "has the separator `{sep}`: use a single `.`, `_`, `__`, or dashes between letters and digits"
            ));
        }
    }
    Ok(())
}

/// `[\w][\w.-]{0,127}` (also how a registry's tag list is checked).
pub fn validate_tag(tag: &str) -> Result<(), ReferenceError> {
    let invalid = |reason: String| ReferenceError::InvalidTag {
        tag: tag.to_string(),
        reason,
    };
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let Some(first) = tag.chars().next() else {
        return Err(invalid("it is empty (nothing after `:`)".into()));
    };
    if !word(first) {
        return Err(invalid(format!("it starts with `{first}`")));
    }
    if let Some(c) = tag.chars().find(|&c| !(word(c) || c == '.' || c == '-')) {
        return Err(invalid(format!("`{c}` is not allowed")));
    }
    if tag.len() > TAG_MAX_LEN {
        return Err(invalid(format!("it is {} characters long", tag.len())));
    }
    Ok(())
}

/// Fully qualified: `docker.io/library/alpine:latest`,
/// `localhost:5000/x@sha256:...`, `ghcr.io/o/r:1@sha256:...`.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEX: &str = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

    fn digest() -> Digest {
        Digest::parse(&format!("sha256:{HEX}")).unwrap()
    }

    #[test]
    fn repositories_for_the_tag_list() {
        let name = |s: &str| Reference::parse_repository(s).map(|r| r.name());
        assert_eq!(name("alpine").unwrap(), "docker.io/library/alpine");
        assert_eq!(name("index.docker.io/o/r").unwrap(), "docker.io/o/r");
        assert_eq!(name("localhost:5000/a/b").unwrap(), "localhost:5000/a/b");
        for image in [
            "alpine:3",
            "localhost:5000/a/b:1",
            &format!("a@sha256:{HEX}"),
        ] {
            let err = name(image).unwrap_err();
            assert!(
                matches!(err, ReferenceError::NotARepository { .. }),
                "{image}: {err}"
            );
        }
        assert!(err_text(name("alpine:3")).contains("docker.io/library/alpine"));
        assert!(matches!(name(""), Err(ReferenceError::Empty)));
    }

    fn err_text(r: Result<String, ReferenceError>) -> String {
        r.unwrap_err().to_string()
    }

    fn full(s: &str) -> String {
        match Reference::parse(s) {
            Ok(r) => r.to_string(),
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn docker_hub_short_names_are_normalized() {
        assert_eq!(full("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(full("golang:1.17"), "docker.io/library/golang:1.17");
        assert_eq!(full("user/repo"), "docker.io/user/repo:latest");
        assert_eq!(full("docker.io/alpine"), "docker.io/library/alpine:latest");
        assert_eq!(
            full("index.docker.io/alpine"),
            "docker.io/library/alpine:latest"
        );
        assert_eq!(full("registry-1.docker.io/x"), "docker.io/library/x:latest");
        assert_eq!(full("index.docker.io/user/x:1"), "docker.io/user/x:1");
        assert_eq!(full("  alpine  "), "docker.io/library/alpine:latest");
        let r = Reference::parse("alpine").unwrap();
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.repository(), "library/alpine");
        assert_eq!(r.tag(), Some("latest"));
        assert_eq!(r.digest(), None);
        assert_eq!(r.manifest_reference(), "latest");
        assert_eq!(r.name(), "docker.io/library/alpine");
    }

    #[test]
    fn library_is_added_on_docker_hub_only() {
        assert_eq!(full("ghcr.io/x"), "ghcr.io/x:latest");
        assert_eq!(full("localhost/x"), "localhost/x:latest");
        assert_eq!(full("localhost:5000/x:1"), "localhost:5000/x:1");
        assert_eq!(full("library/foo/bar"), "docker.io/library/foo/bar:latest");
        assert_eq!(full("other/library"), "docker.io/other/library:latest");
    }

    #[test]
    fn registries_with_ports_and_ipv6() {
        let r = Reference::parse("myhost.example:5000/ns/repo:tag").unwrap();
        assert_eq!(r.registry(), "myhost.example:5000");
        assert_eq!(r.api_host(), "myhost.example:5000");
        assert_eq!(r.repository(), "ns/repo");
        assert_eq!(r.tag(), Some("tag"));

        let r = Reference::parse("[::1]:5000/x").unwrap();
        assert_eq!(r.registry(), "[::1]:5000");
        assert_eq!(r.repository(), "x");
        assert_eq!(r.to_string(), "[::1]:5000/x:latest");

        let r = Reference::parse("[fc00:1:2:3:4:5:6:7]:5000/library/debian").unwrap();
        assert_eq!(r.registry(), "[fc00:1:2:3:4:5:6:7]:5000");
        assert_eq!(
            full("127.0.0.1:5000/debian"),
            "127.0.0.1:5000/debian:latest"
        );
        assert_eq!(full("[::1]/x:2"), "[::1]/x:2");
        // Host names are case-insensitive; we keep them lowercase.
        assert_eq!(full("GHCR.io/o/r"), "ghcr.io/o/r:latest");
    }

    #[test]
    fn digests_and_tags_are_both_kept() {
        let r = Reference::parse(&format!("localhost:5000/x@sha256:{HEX}")).unwrap();
        assert_eq!(r.tag(), None);
        assert_eq!(r.digest(), Some(&digest()));
        assert_eq!(r.manifest_reference(), format!("sha256:{HEX}"));
        assert_eq!(r.to_string(), format!("localhost:5000/x@sha256:{HEX}"));

        let r = Reference::parse(&format!("ghcr.io/o/r:1@sha256:{HEX}")).unwrap();
        assert_eq!(r.tag(), Some("1"));
        assert_eq!(r.manifest_reference(), format!("sha256:{HEX}"));
        assert_eq!(r.to_string(), format!("ghcr.io/o/r:1@sha256:{HEX}"));

        assert_eq!(
            full(&format!("busybox:latest@sha256:{HEX}")),
            format!("docker.io/library/busybox:latest@sha256:{HEX}")
        );
    }

    #[test]
    fn with_digest_keeps_the_tag_and_with_tag_drops_the_digest() {
        let r = Reference::parse("ghcr.io/o/r:1").unwrap();
        let pinned = r.with_digest(digest());
        assert_eq!(pinned.tag(), Some("1"));
        assert_eq!(pinned.digest(), Some(&digest()));
        assert_eq!(pinned.manifest_reference(), digest().to_string());
        let retagged = pinned.with_tag("2").unwrap();
        assert_eq!(retagged.to_string(), "ghcr.io/o/r:2");
        assert!(matches!(
            r.with_tag("-bad"),
            Err(ReferenceError::InvalidTag { .. })
        ));
    }

    #[test]
    fn same_registry_compares_normalized_registries() {
        let a = Reference::parse("alpine").unwrap();
        let b = Reference::parse("index.docker.io/user/other").unwrap();
        let c = Reference::parse("ghcr.io/user/other").unwrap();
        let d = Reference::parse("localhost:5000/a").unwrap();
        let e = Reference::parse("localhost:5001/a").unwrap();
        assert!(a.same_registry(&b));
        assert!(!a.same_registry(&c));
        assert!(!d.same_registry(&e));
        assert!(d.same_registry(&d.with_tag("x").unwrap()));
    }

    #[test]
    fn from_parts_normalizes_and_validates() {
        let r = Reference::from_parts("index.docker.io", "alpine", None, None).unwrap();
        assert_eq!(r.to_string(), "docker.io/library/alpine:latest");
        let r = Reference::from_parts("localhost:5000", "a/b", None, Some(digest())).unwrap();
        assert_eq!(r.to_string(), format!("localhost:5000/a/b@sha256:{HEX}"));
        assert!(matches!(
            Reference::from_parts("localhost:5000", "A", None, None),
            Err(ReferenceError::Uppercase { .. })
        ));
        assert!(matches!(
            Reference::from_parts("bad host", "a", None, None),
            Err(ReferenceError::InvalidRegistry { .. })
        ));
        assert!(matches!(
            Reference::from_parts("localhost", "a", Some(".x"), None),
            Err(ReferenceError::InvalidTag { .. })
        ));
        assert!(matches!(
            Reference::from_parts("localhost", "", None, None),
            Err(ReferenceError::MissingRepository { .. })
        ));
    }

    #[test]
    fn normalize_registry_folds_docker_hub_aliases() {
        for alias in [
            "docker.io",
            "index.docker.io",
            "registry-1.docker.io",
            "Docker.IO",
        ] {
            assert_eq!(normalize_registry(alias), "docker.io");
            assert!(is_docker_hub(alias));
        }
        assert_eq!(normalize_registry("ghcr.io"), "ghcr.io");
        assert!(!is_docker_hub("docker.com"));
    }

    #[test]
    fn uppercase_repository_says_lowercase() {
        let err = Reference::parse("docker.io/docker/Docker").unwrap_err();
        assert_eq!(
            err,
            ReferenceError::Uppercase {
                repository: "docker/Docker".into(),
                suggestion: "docker/docker".into()
            }
        );
        assert!(
            err.to_string()
                .contains("repository names must be lowercase"),
            "{err}"
        );
        // An uppercase first component is a mistyped namespace, not a host.
        assert!(matches!(
            Reference::parse("MyUser/app"),
            Err(ReferenceError::Uppercase { .. })
        ));
        assert!(matches!(
            Reference::parse("UPPERCASEISINVALID"),
            Err(ReferenceError::Uppercase { .. })
        ));
    }

    #[test]
    fn errors_name_the_wrong_part() {
        assert_eq!(Reference::parse(""), Err(ReferenceError::Empty));
        assert_eq!(Reference::parse("   "), Err(ReferenceError::Empty));

        let err = Reference::parse("https://github.com/docker/docker").unwrap_err();
        assert!(matches!(err, ReferenceError::HasScheme { ref scheme, .. } if scheme == "https"));
        assert!(err.to_string().contains("https://"), "{err}");

        let err = Reference::parse(HEX).unwrap_err();
        assert!(matches!(err, ReferenceError::ImageId { .. }));

        let err = Reference::parse("alpine:").unwrap_err();
        assert!(matches!(err, ReferenceError::InvalidTag { ref tag, .. } if tag.is_empty()));
        let err = Reference::parse("alpine:-x").unwrap_err();
        assert!(err.to_string().contains("starts with `-`"), "{err}");
        let long_tag = "a".repeat(129);
        let err = Reference::parse(&format!("alpine:{long_tag}")).unwrap_err();
        assert!(err.to_string().contains("129 characters"), "{err}");
        assert!(Reference::parse(&format!("alpine:{}", "a".repeat(128))).is_ok());

        let err = Reference::parse("alpine@sha256:abc").unwrap_err();
        assert!(matches!(
            err,
            ReferenceError::InvalidDigest(DigestError::WrongLength { found: 3, .. })
        ));
        assert!(
            err.to_string().starts_with("invalid digest after `@`"),
            "{err}"
        );
        assert!(matches!(
            Reference::parse(&format!("alpine@md5:{HEX}")),
            Err(ReferenceError::InvalidDigest(
                DigestError::UnknownAlgorithm { .. }
            ))
        ));

        let err = Reference::parse("ghcr.io/").unwrap_err();
        assert_eq!(
            err,
            ReferenceError::MissingRepository {
                input: "ghcr.io/".into(),
                registry: "ghcr.io".into()
            }
        );

        let err = Reference::parse("localhost:99999/x").unwrap_err();
        assert!(err.to_string().contains("port `99999`"), "{err}");
        let err = Reference::parse("localhost:/x").unwrap_err();
        assert!(
            matches!(err, ReferenceError::InvalidRegistry { .. }),
            "{err}"
        );

        let err = Reference::parse("docker///docker").unwrap_err();
        assert!(
            matches!(err, ReferenceError::InvalidRepository { ref component, .. } if component.is_empty()),
            "{err}"
        );
        let err = Reference::parse("dock..er/docker").unwrap_err();
        assert!(err.to_string().contains("`..`"), "{err}");
        let err = Reference::parse("ghcr.io/o/r!").unwrap_err();
        assert!(err.to_string().contains("`!`"), "{err}");
    }

    #[test]
    fn name_length_is_limited_after_normalization() {
        // 255 = "docker.io/library/" (18) + 237.
        let ok = "a".repeat(237);
        assert!(Reference::parse(&ok).is_ok());
        let err = Reference::parse(&"a".repeat(238)).unwrap_err();
        assert!(
            matches!(err, ReferenceError::NameTooLong { length: 256, .. }),
            "{err}"
        );
    }

    // Ported from distribution/reference's normalize_test.go
    // (TestValidateReferenceName / TestValidateRemoteName).
    #[test]
    fn distribution_valid_names() {
        for name in [
            "docker/docker",
            "library/debian",
            "debian",
            "localhost/library/debian",
            "localhost/debian",
            "docker.io/docker/docker",
            "docker.io/library/debian",
            "docker.io/debian",
            "index.docker.io/docker/docker",
            "index.docker.io/library/debian",
            "index.docker.io/debian",
            "127.0.0.1:5000/docker/docker",
            "127.0.0.1:5000/library/debian",
            "127.0.0.1:5000/debian",
            "192.168.0.1",
            "192.168.0.1:80",
            "192.168.0.1:8/debian",
            "192.168.0.2:25000/debian",
            "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            "[fc00::1]:5000/docker",
            "[fc00::1]:5000/docker/docker",
            "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
            "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
            "docker-rules/docker",
            "docker---rules/docker",
            "doc/docker",
            "d/docker",
            "jess/t",
            "dock__er/docker",
            "test_com/foo",
            "test-com:8080/foo",
            "xn--n3h.com:18080/foo",
        ] {
            if let Err(e) = Reference::parse(name) {
                panic!("{name:?} should be valid: {e}");
            }
        }
    }

    #[test]
    fn distribution_invalid_names() {
        for name in [
            "https://github.com/docker/docker",
            "docker/Docker",
            "-docker",
            "-docker/docker",
            "-docker.io/docker/docker",
            "docker///docker",
            "docker.io/docker/Docker",
            "docker.io/docker///docker",
            "[fc00::1]",
            "[fc00::1]:5000",
            "fc00::1:5000/debian",
            "[fe80::1%eth0]:5000/debian",
            "[2001:db8:3:4::192.0.2.33]:5000/debian",
            "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
            "docker-/docker",
            "-docker-/docker",
            "____/____",
            "_docker/_docker",
            "dock..er/docker",
            "dock_.er/docker",
            "dock-.er/docker",
            "docker/",
            "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
            "$$$",
            "::",
            " a b ",
        ] {
            assert!(
                Reference::parse(name).is_err(),
                "{name:?} should be invalid, got {:?}",
                Reference::parse(name)
            );
        }
    }

    // Ported from TestParseRepositoryInfo / TestNormalizedSplitHostname /
    // TestParseAnyReference: (input, registry, repository).
    #[test]
    fn distribution_normalization() {
        for (input, registry, repository) in [
            ("fooo/bar", "docker.io", "fooo/bar"),
            ("docker.io/fooo/bar", "docker.io", "fooo/bar"),
            ("index.docker.io/fooo/bar", "docker.io", "fooo/bar"),
            ("library/ubuntu", "docker.io", "library/ubuntu"),
            ("ubuntu", "docker.io", "library/ubuntu"),
            ("docker.io/library/ubuntu", "docker.io", "library/ubuntu"),
            ("nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu"),
            (
                "127.0.0.1:8000/private/moonbase",
                "127.0.0.1:8000",
                "private/moonbase",
            ),
            (
                "127.0.0.1:8000/privatebase",
                "127.0.0.1:8000",
                "privatebase",
            ),
            (
                "example.com/private/moonbase",
                "example.com",
                "private/moonbase",
            ),
            (
                "example.com:8000/privatebasee",
                "example.com:8000",
                "privatebasee",
            ),
            (
                "ubuntu-12.04-base",
                "docker.io",
                "library/ubuntu-12.04-base",
            ),
            (
                "index.docker.io/library/ubuntu-12.04-base",
                "docker.io",
                "library/ubuntu-12.04-base",
            ),
            ("docker.io/foo", "docker.io", "library/foo"),
            ("store/foo/bar", "docker.io", "store/foo/bar"),
            ("test.com/foo", "test.com", "foo"),
            ("test_com/foo", "docker.io", "test_com/foo"),
            ("docker/migrator", "docker.io", "docker/migrator"),
            ("test.com:8080/foo", "test.com:8080", "foo"),
            ("test-com:8080/foo", "test-com:8080", "foo"),
            ("xn--n3h.com/foo", "xn--n3h.com", "foo"),
            ("dbcc1", "docker.io", "library/dbcc1"),
            ("dmcgowan/myapp", "docker.io", "dmcgowan/myapp"),
            // 63 hex characters is a name, not an image ID.
            (
                "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
                "docker.io",
                "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
            ),
            ("192.168.0.1:80", "docker.io", "library/192.168.0.1"),
        ] {
            let r = Reference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.registry(), registry, "registry of {input}");
            assert_eq!(r.repository(), repository, "repository of {input}");
        }
        let r = Reference::parse("192.168.0.1:80").unwrap();
        assert_eq!(r.tag(), Some("80"));
        assert_eq!(
            full(&format!("redis@sha256:{HEX}")),
            format!("docker.io/library/redis@sha256:{HEX}")
        );
    }

    fn component() -> impl Strategy<Value = String> {
        "[a-z0-9]{1,5}((\\.|_|__|-{1,3})[a-z0-9]{1,5}){0,2}"
    }

    fn registry() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("docker.io".to_string()),
            Just("localhost".to_string()),
            Just("[::1]:5000".to_string()),
            "[a-z][a-z0-9-]{0,8}[a-z0-9]\\.[a-z]{2,5}",
            ("[a-z0-9]{1,10}", 1u16..=65535).prop_map(|(h, p)| format!("{h}:{p}")),
        ]
    }

    fn reference() -> impl Strategy<Value = Reference> {
        (
            registry(),
            proptest::collection::vec(component(), 1..4),
            proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
            proptest::option::of("[0-9a-f]{64}"),
        )
            .prop_map(|(registry, path, tag, hex)| {
                let digest = hex.map(|h| Digest::parse(&format!("sha256:{h}")).unwrap());
                Reference::from_parts(&registry, &path.join("/"), tag.as_deref(), digest).unwrap()
            })
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = Reference::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_reference_like_input(
            s in "[a-zA-Z0-9._:/@\\[\\]-]{0,80}"
        ) {
            if let Ok(r) = Reference::parse(&s) {
                // Whatever parses is normalized: parsing its display is a fixed point.
                prop_assert_eq!(Reference::parse(&r.to_string()), Ok(r.clone()));
            }
        }

        #[test]
        fn display_parse_round_trip(r in reference()) {
            let text = r.to_string();
            let back = Reference::parse(&text);
            prop_assert_eq!(back.as_ref(), Ok(&r), "{}", text);
            prop_assert_eq!(back.unwrap().to_string(), text);
        }
    }
}
