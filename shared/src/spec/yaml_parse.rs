//! Reading manifest-tool YAML specs (feature `yaml`: the proxy only, since
//! serde-saphyr is large in wasm).
//!
//! Errors name the line and column (from serde-saphyr) and the field path
//! (tracked with serde_path_to_error), because "invalid type" alone does not
//! tell anyone which of thirty `architecture:` lines is wrong. Validation
//! errors found after parsing are pointed back at their line the same way.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::{Location, Spanned};

use super::error::SpecError;
use super::model::PushSpec;
use super::validate::ValidatedSpec;

/// Parse a manifest-tool push spec (plus our optional keys). Only the shape is
/// checked here; see [`PushSpec::validate`] and [`parse_and_validate_yaml`].
pub fn parse_yaml(text: &str) -> Result<PushSpec, SpecError> {
    let mut path = None;
    let result = serde_saphyr::with_deserializer_from_str(text, |de| {
        serde_path_to_error::deserialize(de).map_err(|e| {
            path = Some(e.path().to_string());
            e.into_inner()
        })
    });
    result.map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        SpecError::Yaml {
            line,
            column,
            field: path.filter(|p| !p.is_empty() && p != "." && p != "?"),
            message: clean_message(&e.without_snippet().to_string()),
        }
    })
}

/// [`parse_yaml`] then [`PushSpec::validate`], with a validation error placed
/// at the line and column of the field it is about.
pub fn parse_and_validate_yaml(text: &str) -> Result<(PushSpec, ValidatedSpec), SpecError> {
    let spec = parse_yaml(text)?;
    match spec.validate() {
        Ok(valid) => Ok((spec, valid)),
        Err(error) => {
            let location = error.field().and_then(|f| locate(text, f));
            Err(match location {
                Some((line, column)) => SpecError::InYaml {
                    line,
                    column,
                    error: Box::new(error),
                },
                None => error,
            })
        }
    }
}

/// serde-saphyr appends the position (which we show separately) and, for
/// some errors, a hint meant for developers.
fn clean_message(message: &str) -> String {
    let mut message = message.trim();
    if let Some(at) = message.rfind(" at line ")
        && message[at..].contains(", column ")
    {
        message = &message[..at];
    }
    if let Some(hint) = message.find(", set DuplicateKeyPolicy") {
        message = &message[..hint];
    }
    message.to_string()
}

// The spec again, this time only to learn where each value is.

type Loc = Option<Spanned<IgnoredAny>>;

#[derive(Deserialize)]
struct SpecLoc {
    #[serde(default)]
    image: Loc,
    #[serde(default)]
    tags: Option<Spanned<Option<Vec<Spanned<IgnoredAny>>>>>,
    #[serde(default)]
    manifests: Option<Spanned<Option<Vec<Spanned<EntryLoc>>>>>,
    #[serde(default)]
    annotations: Loc,
}

#[derive(Deserialize)]
struct EntryLoc {
    #[serde(default)]
    image: Loc,
    #[serde(default)]
    platform: Option<Spanned<Option<PlatformLoc>>>,
    #[serde(default)]
    annotations: Loc,
}

#[derive(Deserialize)]
struct PlatformLoc {
    #[serde(default)]
    architecture: Loc,
    #[serde(default)]
    os: Loc,
    #[serde(default)]
    variant: Loc,
    #[serde(default)]
    osversion: Loc,
}

/// Line and column of the value at `field` (`manifests[2].platform.os`),
/// or of the nearest enclosing value that is present.
fn locate(text: &str, field: &str) -> Option<(u64, u64)> {
    let spec: SpecLoc = serde_saphyr::from_str(text).ok()?;
    let pos = |l: &Location| (l.line() > 0).then(|| (l.line(), l.column()));
    let (head, rest) = split_index(field);
    match head {
        "image" => spec.image.as_ref().and_then(|s| pos(&s.referenced)),
        "annotations" => spec.annotations.as_ref().and_then(|s| pos(&s.referenced)),
        "tags" => {
            let tags = spec.tags.as_ref()?;
            let item = rest
                .index
                .and_then(|i| tags.value.as_ref()?.get(i))
                .and_then(|t| pos(&t.referenced));
            item.or_else(|| pos(&tags.referenced))
        }
        "manifests" => {
            let manifests = spec.manifests.as_ref()?;
            let outer = pos(&manifests.referenced);
            let Some(entry) = rest.index.and_then(|i| manifests.value.as_ref()?.get(i)) else {
                return outer;
            };
            let entry_pos = pos(&entry.referenced).or(outer);
            let e = &entry.value;
            let mut keys = rest.tail.split('.').filter(|k| !k.is_empty());
            let found = match keys.next() {
                Some("image") => e.image.as_ref().and_then(|s| pos(&s.referenced)),
                Some("annotations") => e.annotations.as_ref().and_then(|s| pos(&s.referenced)),
                Some("platform") => {
                    let platform = e.platform.as_ref()?;
                    let inner = platform.value.as_ref().and_then(|p| match keys.next()? {
                        "architecture" => p.architecture.as_ref(),
                        "os" => p.os.as_ref(),
                        "variant" => p.variant.as_ref(),
                        "osversion" => p.osversion.as_ref(),
                        _ => None,
                    });
                    inner
                        .and_then(|s| pos(&s.referenced))
                        .or_else(|| pos(&platform.referenced))
                }
                _ => None,
            };
            found.or(entry_pos)
        }
        _ => None,
    }
}

struct PathRest<'a> {
    index: Option<usize>,
    /// After `]`, without the leading `.`.
    tail: &'a str,
}

/// `manifests[2].platform.os` -> (`manifests`, index 2, tail `platform.os`).
fn split_index(field: &str) -> (&str, PathRest<'_>) {
    let Some(open) = field.find('[') else {
        let (head, tail) = field.split_once('.').unwrap_or((field, ""));
        return (head, PathRest { index: None, tail });
    };
    let head = &field[..open];
    let after = &field[open + 1..];
    let Some(close) = after.find(']') else {
        return (
            head,
            PathRest {
                index: None,
                tail: "",
            },
        );
    };
    let index = after[..close].parse().ok();
    let tail = after[close + 1..].trim_start_matches('.');
    (head, PathRest { index, tail })
}
