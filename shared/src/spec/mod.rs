//! The push spec: what index to build, from which sources, under which
//! platforms. One model behind the page's form, manifest-tool YAML and the
//! `from-args` template, so the three can never disagree.
//!
//! YAML *emitting* is always available (the page exports specs); YAML
//! *parsing* needs feature `yaml` (the proxy), to keep serde-saphyr out of
//! the wasm bundle.

mod error;
#[cfg(feature = "yaml")]
mod json;
mod model;
mod template;
#[cfg(feature = "yaml")]
mod text;
mod validate;
mod yaml_emit;
#[cfg(feature = "yaml")]
mod yaml_parse;

pub use error::SpecError;
#[cfg(feature = "yaml")]
pub use json::parse_json;
pub use model::{IndexType, PushSpec, SpecEntry, SpecPlatform};
pub use template::{expand_template, substitute};
pub use validate::{ValidatedEntry, ValidatedSpec, parse_expect};
pub use yaml_emit::to_yaml;
#[cfg(feature = "yaml")]
pub use yaml_parse::{parse_and_validate_yaml, parse_yaml};

#[cfg(test)]
mod tests;
