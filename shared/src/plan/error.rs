//! Why no plan can be made, each message naming the spec entry it is about.

use crate::digest::{Digest, DigestError};
use crate::platform::PlatformError;

/// Why no plan can be made. Each message names the spec entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("internal: {expected} spec entries but {found} resolved sources")]
    SourceCount { expected: usize, found: usize },
    #[error(
        "`{field}`: `{source_ref}` was not found ({reason}); fix the reference, or set `ignoreMissing: true` to skip missing sources"
    )]
    Missing {
        field: String,
        source_ref: String,
        reason: String,
    },
    #[error("every source is missing ({}), so there is nothing to put in the index", skipped.join(", "))]
    AllMissing { skipped: Vec<String> },
    #[error("`{field}`: the manifest of `{source_ref}` does not match its digest: {error}")]
    Digest {
        field: String,
        source_ref: String,
        error: DigestError,
    },
    #[error(
        "`{field}`: the index `{source_ref}` lists {listed} ({listed_size} bytes), but the manifest fetched for it is {actual} ({actual_size} bytes)"
    )]
    ChildMismatch {
        field: String,
        source_ref: String,
        listed: Digest,
        listed_size: u64,
        actual: Digest,
        actual_size: u64,
    },
    #[error(
        "`{field}`: `{source_ref}` is a {what} ({media_type}), which cannot be an entry of an index; use an image or an index"
    )]
    UnsupportedSource {
        field: String,
        source_ref: String,
        what: &'static str,
        media_type: String,
    },
    #[error(
        "`{field}`: the index `{source_ref}` contains another index ({digest}); nested indexes cannot be merged, list that index's images instead"
    )]
    NestedIndex {
        field: String,
        source_ref: String,
        digest: Digest,
    },
    #[error(
        "`{field}`: {declared_by} says {key} `{declared}`, but the image `{source_ref}` ({digest}) is {key} `{actual}` according to its config; fix the platform or the source"
    )]
    PlatformConflict {
        field: String,
        source_ref: String,
        digest: Digest,
        /// `the spec`, or `the source index` for an entry of a source index.
        declared_by: &'static str,
        key: &'static str,
        declared: String,
        actual: String,
    },
    #[error(
        "`{field}`: the image `{source_ref}` ({digest}) does not say which os/architecture it is for; declare `platform` with `os` and `architecture`"
    )]
    NoPlatform {
        field: String,
        source_ref: String,
        digest: Digest,
    },
    #[error("`{field}`: `{source_ref}` ({digest}) would be listed as {platform}: {error}")]
    UnknownPlatform {
        field: String,
        source_ref: String,
        digest: Digest,
        platform: String,
        error: PlatformError,
    },
    #[error("`{field}`: the index `{source_ref}` has no image for {declared}; it has {available}")]
    NoMatchingPlatform {
        field: String,
        source_ref: String,
        declared: String,
        available: String,
    },
    #[error(
        "two entries have the same platform {platform}: {first_digest} from `{first_source}` and {second_digest} from `{second_source}`; remove one or give them different platforms"
    )]
    DuplicatePlatform {
        platform: String,
        first_source: String,
        first_digest: Digest,
        second_source: String,
        second_digest: Digest,
    },
    #[error(
        "`{field}`: `{source_ref}` ({digest}) is an {media_type_name}; a Docker manifest list can only hold Docker schema 2 images, set `type: oci` to build an OCI index"
    )]
    OciInDockerList {
        field: String,
        source_ref: String,
        digest: Digest,
        media_type_name: &'static str,
    },
    #[error(
        "`{field}`: a Docker manifest list cannot carry annotations; set `type: oci` to build an OCI index, or remove the annotations"
    )]
    AnnotationsNeedOci { field: String },
    #[error("internal: the index could not be serialized: {message}")]
    Serialize { message: String },
}
