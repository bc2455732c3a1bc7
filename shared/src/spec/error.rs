//! What is wrong with a push spec, said so that a person can fix it: every
//! variant names the field (`manifests[2].platform.architecture`) and, for
//! YAML, the line and column.

use crate::platform::PlatformError;
use crate::reference::ReferenceError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The YAML does not parse, or a value has the wrong shape.
    #[error("{}", yaml_message(*.line, *.column, .field.as_deref(), .message))]
    Yaml {
        /// 1-based; 0 when the parser could not tell.
        line: u64,
        column: u64,
        /// The field path, when known (`manifests[1].platform`).
        field: Option<String>,
        message: String,
    },
    /// A JSON body that does not parse, or has the wrong shape.
    #[error("{}", json_message(*.line, *.column, .message))]
    Json {
        /// 1-based; 0 when not known.
        line: u64,
        column: u64,
        message: String,
    },
    /// A validation error, placed at the line of the YAML value it is about.
    #[error("YAML line {line}, column {column}: {error}")]
    InYaml {
        line: u64,
        column: u64,
        error: Box<SpecError>,
    },
    /// A required field is empty.
    #[error("`{field}` is empty: {hint}")]
    Empty { field: String, hint: &'static str },
    #[error("`{field}`: `{input}` is not a valid image reference: {source}")]
    Reference {
        field: String,
        input: String,
        source: ReferenceError,
    },
    #[error(
        "`{field}`: the target `{input}` names a digest; an index is pushed to a tag, e.g. `{suggestion}`"
    )]
    TargetHasDigest {
        field: String,
        input: String,
        suggestion: String,
    },
    #[error("`{field}`: `{tag}` is not a valid tag: {source}")]
    Tag {
        field: String,
        tag: String,
        source: ReferenceError,
    },
    #[error("`{field}`: {source}")]
    Platform {
        field: String,
        source: PlatformError,
    },
    /// Half a platform: os without architecture, variant without both...
    #[error(
        "`{field}` is empty but `{given}` is set: give both os and architecture, or neither to take them from the image"
    )]
    IncompletePlatform { field: String, given: String },
    #[error(
        "`expect`: `{input}` is not a digest ({message}); write the digest the target tag points at now, e.g. sha256:<64 hex digits>"
    )]
    Expect { input: String, message: String },
    #[error("`manifests` is empty: list at least one source image")]
    NoManifests,
    #[error(
        "`{field}`: a Docker manifest list cannot carry annotations; set `type: oci` to build an OCI index, or remove the annotations"
    )]
    AnnotationsNeedOci { field: String },
    #[error("`{field}`: annotation keys cannot be empty")]
    EmptyAnnotationKey { field: String },
    /// `from-args`: a platform in the list does not parse.
    #[error("platform {position} (`{input}`) of `{list}`: {source}")]
    TemplatePlatform {
        position: usize,
        input: String,
        list: String,
        source: PlatformError,
    },
    #[error("the platform list is empty: give e.g. `linux/amd64,linux/arm64`")]
    NoPlatforms,
    #[error(
        "the template `{template}` has no OS, ARCH or VARIANT placeholder, so all {count} platforms would use the same image; write e.g. `foo/bar-ARCH:v1`"
    )]
    TemplateWithoutPlaceholder { template: String, count: usize },
    #[error(
        "the template `{template}` gives the same image `{image}` for {first} and {second}; add a placeholder that tells them apart (OS, ARCH, VARIANT)"
    )]
    TemplateCollision {
        template: String,
        image: String,
        first: String,
        second: String,
    },
}

fn json_message(line: u64, column: u64, message: &str) -> String {
    // serde_json's own messages end with " at line L column C".
    let message = message
        .rsplit_once(" at line ")
        .map_or(message, |(text, _)| text);
    if line > 0 {
        format!("the spec is not valid JSON (line {line}, column {column}): {message}")
    } else {
        format!("the spec is not valid JSON: {message}")
    }
}

fn yaml_message(line: u64, column: u64, field: Option<&str>, message: &str) -> String {
    let mut out = String::from("YAML");
    if line > 0 {
        out.push_str(&format!(" line {line}, column {column}"));
    }
    if let Some(field) = field.filter(|f| !f.is_empty()) {
        out.push_str(&format!(" (`{field}`)"));
    }
    out.push_str(": ");
    out.push_str(message);
    out
}

impl SpecError {
    /// The field path the error is about, if it is about one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            SpecError::Yaml { field, .. } => field.as_deref(),
            SpecError::InYaml { error, .. } => error.field(),
            SpecError::Empty { field, .. }
            | SpecError::Reference { field, .. }
            | SpecError::TargetHasDigest { field, .. }
            | SpecError::Tag { field, .. }
            | SpecError::Platform { field, .. }
            | SpecError::IncompletePlatform { field, .. }
            | SpecError::AnnotationsNeedOci { field }
            | SpecError::EmptyAnnotationKey { field } => Some(field),
            SpecError::NoManifests => Some("manifests"),
            SpecError::Expect { .. } => Some("expect"),
            SpecError::Json { .. }
            | SpecError::TemplatePlatform { .. }
            | SpecError::NoPlatforms
            | SpecError::TemplateWithoutPlaceholder { .. }
            | SpecError::TemplateCollision { .. } => None,
        }
    }
}
