//! The media types manifest-web knows and what kind of object each is.

pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const DOCKER_FOREIGN_LAYER: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const OCI_LAYER_NONDIST_TAR: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar";
pub const OCI_LAYER_NONDIST_GZIP: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
pub const OCI_LAYER_NONDIST_ZSTD: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

/// The `Accept` header for manifest requests: every type we can read, so that
/// registries (distribution 2.8 in particular) serve indexes and OCI manifests
/// instead of a 404 or a schema1 down-conversion.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5, application/vnd.docker.distribution.manifest.v1+json;q=0.5";

/// What kind of object a manifest media type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// OCI index or Docker manifest list.
    Index,
    /// OCI image manifest or Docker schema2 manifest (artifacts included).
    Image,
    /// Docker schema1: recognised, read-only.
    Schema1,
    /// Anything else.
    Unknown,
}

/// Read by hand (`unit_variant`), written derived: the same names.
impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const NAMES: &[&str] = &["index", "image", "schema1", "unknown"];
        const KINDS: [Kind; 4] = [Kind::Index, Kind::Image, Kind::Schema1, Kind::Unknown];
        Ok(KINDS[crate::unit_variant::read(d, NAMES)?])
    }
}

pub fn kind_of(media_type: &str) -> Kind {
    match essence(media_type) {
        DOCKER_MANIFEST_LIST | OCI_INDEX => Kind::Index,
        DOCKER_MANIFEST | OCI_MANIFEST => Kind::Image,
        DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED => Kind::Schema1,
        _ => Kind::Unknown,
    }
}

/// The media type without parameters (`; charset=utf-8`) and whitespace.
pub fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or("").trim()
}

/// What [`describe`] says of a media type it does not know.
pub const OTHER: &str = "other";

/// A short human name: "Docker manifest list", "OCI image index", ...
pub fn describe(media_type: &str) -> &'static str {
    match essence(media_type) {
        DOCKER_MANIFEST_LIST => "Docker manifest list",
        DOCKER_MANIFEST => "Docker image manifest (schema 2)",
        DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED => "Docker schema 1 manifest (legacy)",
        DOCKER_CONFIG => "Docker image config",
        DOCKER_LAYER => "Docker layer (tar+gzip)",
        DOCKER_FOREIGN_LAYER => "Docker foreign layer",
        OCI_INDEX => "OCI image index",
        OCI_MANIFEST => "OCI image manifest",
        OCI_CONFIG => "OCI image config",
        OCI_EMPTY => "OCI empty descriptor",
        OCI_LAYER_TAR => "OCI layer (tar)",
        OCI_LAYER_GZIP => "OCI layer (tar+gzip)",
        OCI_LAYER_ZSTD => "OCI layer (tar+zstd)",
        OCI_LAYER_NONDIST_TAR | OCI_LAYER_NONDIST_GZIP | OCI_LAYER_NONDIST_ZSTD => {
            "OCI non-distributable layer"
        }
        _ => OTHER,
    }
}

/// Layers that registries must not be asked to copy: foreign Docker layers and
/// OCI non-distributable layers.
pub fn is_non_distributable(media_type: &str) -> bool {
    matches!(
        essence(media_type),
        DOCKER_FOREIGN_LAYER
            | OCI_LAYER_NONDIST_TAR
            | OCI_LAYER_NONDIST_GZIP
            | OCI_LAYER_NONDIST_ZSTD
    )
}
