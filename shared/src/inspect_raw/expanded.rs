//! `manifest-tool inspect --raw --expand-config` for a single image: the
//! config blob itself in place of its descriptor, as Go's
//! `ocispec.Image` marshals it (`manifestConfigJson` in manifest-tool's
//! `inspect.go`): its fields in Go's order, empty ones left out as its
//! `omitempty` tags say, maps sorted, timestamps as Go re-prints them.
//! An index is printed as without the flag (manifest-tool does the same).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{RawError, go_json};
use crate::descriptor::Descriptor;
use crate::manifest::ImageManifest;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestConfigJson<'a> {
    schema_version: u32,
    name: &'a str,
    digest: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    os: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    architecture: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'a str>,
    config: &'a GoImage,
    /// Go's nil slice: `null` when there are none.
    layers: Option<&'a [Descriptor]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a Descriptor>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// `ocispec.Image`, field for field.
#[derive(Serialize, Deserialize)]
struct GoImage {
    #[serde(default, skip_serializing_if = "Option::is_none", with = "go_time")]
    created: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    author: String,
    #[serde(default, deserialize_with = "or_default")]
    architecture: String,
    #[serde(default, deserialize_with = "or_default")]
    os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    os_version: String,
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "or_default"
    )]
    os_features: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    variant: String,
    /// A struct: Go's `omitempty` never leaves it out.
    #[serde(default, deserialize_with = "or_default")]
    config: GoImageConfig,
    #[serde(default, deserialize_with = "or_default")]
    rootfs: GoRootFs,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "or_default"
    )]
    history: Vec<GoHistory>,
}

/// `ocispec.ImageConfig`.
#[derive(Default, Serialize, Deserialize)]
struct GoImageConfig {
    #[serde(
        rename = "User",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    user: String,
    #[serde(
        rename = "ExposedPorts",
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "or_default"
    )]
    exposed_ports: BTreeMap<String, Empty>,
    #[serde(
        rename = "Env",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "or_default"
    )]
    env: Vec<String>,
    #[serde(
        rename = "Entrypoint",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "or_default"
    )]
    entrypoint: Vec<String>,
    #[serde(
        rename = "Cmd",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "or_default"
    )]
    cmd: Vec<String>,
    #[serde(
        rename = "Volumes",
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "or_default"
    )]
    volumes: BTreeMap<String, Empty>,
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    working_dir: String,
    #[serde(
        rename = "Labels",
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "or_default"
    )]
    labels: BTreeMap<String, String>,
    #[serde(
        rename = "StopSignal",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    stop_signal: String,
    #[serde(
        rename = "ArgsEscaped",
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "or_default"
    )]
    args_escaped: bool,
}

/// `struct{}`: whatever the value was, Go reads it as nothing and writes `{}`.
#[derive(Default, Serialize)]
struct Empty {}

impl<'de> Deserialize<'de> for Empty {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Empty {})
    }
}

/// `ocispec.RootFS`.
#[derive(Default, Serialize, Deserialize)]
struct GoRootFs {
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    kind: String,
    /// `null` when there are none (a nil slice).
    #[serde(default)]
    diff_ids: Option<Vec<String>>,
}

/// `ocispec.History`.
#[derive(Serialize, Deserialize)]
struct GoHistory {
    #[serde(default, skip_serializing_if = "Option::is_none", with = "go_time")]
    created: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    created_by: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    author: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "or_default"
    )]
    comment: String,
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "or_default"
    )]
    empty_layer: bool,
}

/// `null` reads as the default, as Go's decoder leaves the zero value.
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A `*time.Time`: read as the text, written as Go's RFC 3339 with
/// nanoseconds prints it (trailing zeros of the fraction dropped, a zero
/// offset as `Z`).
mod go_time {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(text) => s.serialize_str(&super::go_rfc3339(text)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<String>::deserialize(d)
    }
}

fn go_rfc3339(text: &str) -> String {
    let (date_time, offset) = match text.len().checked_sub(6) {
        Some(at) if text.is_char_boundary(at) && matches!(&text[at..at + 1], "+" | "-") => {
            text.split_at(at)
        }
        _ => match text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
            Some(rest) => (rest, "Z"),
            None => return text.to_string(),
        },
    };
    let offset = match offset {
        "+00:00" | "-00:00" => "Z",
        other => other,
    };
    let date_time = match date_time.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => date_time.to_string(),
    };
    format!("{date_time}{offset}")
}

/// Render an image with its config expanded (`config_bytes`, the blob as
/// fetched and verified).
pub(super) fn render(
    name: &str,
    digest: String,
    image: &ImageManifest,
    config_bytes: &[u8],
) -> Result<String, RawError> {
    let config: GoImage = serde_json::from_slice(config_bytes)
        .map_err(|e| RawError::Serialize(format!("the image config cannot be read: {e}")))?;
    go_json(&ManifestConfigJson {
        schema_version: image.schema_version,
        name,
        digest,
        os: &config.os,
        architecture: &config.architecture,
        media_type: image.media_type.as_deref(),
        config: &config,
        layers: (!image.layers.is_empty()).then_some(&image.layers[..]),
        subject: image.subject.as_ref(),
        annotations: &image.annotations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_as_go_prints_them() {
        assert_eq!(go_rfc3339("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05Z");
        assert_eq!(
            go_rfc3339("2024-01-02T03:04:05.120000Z"),
            "2024-01-02T03:04:05.12Z"
        );
        assert_eq!(
            go_rfc3339("2024-01-02T03:04:05.000Z"),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            go_rfc3339("2024-01-02T03:04:05+00:00"),
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            go_rfc3339("2024-01-02T03:04:05.5-07:00"),
            "2024-01-02T03:04:05.5-07:00"
        );
        assert_eq!(go_rfc3339("not a time"), "not a time");
    }
}
