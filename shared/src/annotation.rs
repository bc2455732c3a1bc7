//! What the well-known annotation keys mean, so the page can explain a key
//! on hover instead of sending people to the OCI image spec. Only keys with
//! a settled meaning are described: the OCI pre-defined ones, the keys
//! BuildKit puts on attestation entries, and in-toto's predicate type.

/// A one-line explanation of `key`, or `None` for a key with no agreed
/// meaning.
pub fn describe(key: &str) -> Option<&'static str> {
    if let Some(name) = key.strip_prefix("org.opencontainers.image.") {
        return Some(match name {
            "created" => "When the image was built (RFC 3339)",
            "authors" => "Who maintains the image",
            "url" => "Where to find out more about the image",
            "documentation" => "Where the image's documentation is",
            "source" => "Where the source the image was built from is",
            "version" => "The version of the packaged software",
            "revision" => "The source revision the image was built from",
            "vendor" => "Who distributes the image",
            "licenses" => "The licenses of the contents (SPDX expression)",
            "ref.name" => "The image's name or tag, e.g. in an OCI layout",
            "title" => "A human-readable title",
            "description" => "A human-readable description",
            "base.digest" => "The digest of the image this one is built on",
            "base.name" => "The reference of the image this one is built on",
            _ => return None,
        });
    }
    match key {
        "vnd.docker.reference.type" => {
            Some("What this entry is to the image it refers to (BuildKit: attestation-manifest)")
        }
        "vnd.docker.reference.digest" => Some("The digest of the image this entry describes"),
        "in-toto.io/predicate-type" => Some("The in-toto predicate type of the attestation"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_are_explained_and_others_are_not() {
        assert_eq!(
            describe("org.opencontainers.image.created"),
            Some("When the image was built (RFC 3339)")
        );
        assert!(
            describe("org.opencontainers.image.base.digest")
                .is_some_and(|d| d.contains("built on"))
        );
        assert!(describe("vnd.docker.reference.digest").is_some());
        assert!(describe("vnd.docker.reference.type").is_some());
        assert!(describe("in-toto.io/predicate-type").is_some());
        // Unknown keys, a bare prefix, and near misses.
        assert_eq!(describe("org.opencontainers.image."), None);
        assert_eq!(describe("org.opencontainers.image.colour"), None);
        assert_eq!(describe("com.example.created"), None);
        assert_eq!(describe("created"), None);
        assert_eq!(describe(""), None);
    }
}
