//! The inspection as `manifest-tool inspect --raw` prints it.
//!
//! CI scripts pipe that output into `jq` (`.manifests[].layers`,
//! `.architecture`), so the keys, their order and the layout must be the
//! ones manifest-tool v2 prints (`generateRawJSON` in
//! `cmd/manifest-tool/inspect.go`): for an index, `name`, `digest`, the
//! index's `schemaVersion`/`mediaType`, `manifests` with each child's image
//! manifest in place of its descriptor, and `annotations`; for an image,
//! `name`, `digest`, `os`/`architecture` from its config, then the
//! manifest's own fields. Go's `json.MarshalIndent` with four spaces, and its
//! HTML-safe escaping of `<`, `>` and `&`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::ImageConfig;
use crate::manifest::{ImageManifest, Manifest, ManifestBody};
use crate::media_type;

/// Why there is no raw form (manifest-tool fails the same way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RawError {
    #[error("unknown descriptor type: {0}")]
    UnknownDescriptorType(String),
    #[error("unknown media type for further display: {0}")]
    UnknownChildType(String),
    #[error("the index lists {listed} manifests but {given} were fetched")]
    ChildCount { listed: usize, given: usize },
    #[error("the raw JSON could not be written: {0}")]
    Serialize(String),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexJson<'a> {
    name: &'a str,
    digest: String,
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<&'a str>,
    /// Go's nil slice: `null` when the index lists nothing.
    manifests: Option<Vec<&'a ImageManifest>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct ImageJson<'a> {
    name: &'a str,
    digest: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    os: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    architecture: &'a str,
    #[serde(flatten)]
    manifest: &'a ImageManifest,
}

/// Render `root` as `manifest-tool inspect --raw --expand-config NAME`
/// prints it: an image with `config_bytes` (its config blob) in place of
/// its config descriptor; anything else as [`render`] does.
pub fn render_expanded(
    name: &str,
    root: &Manifest,
    children: &[&Manifest],
    config_bytes: Option<&[u8]>,
) -> Result<String, RawError> {
    match (
        media_type::essence(&root.media_type),
        &root.body,
        config_bytes,
    ) {
        (
            media_type::OCI_MANIFEST | media_type::DOCKER_MANIFEST,
            ManifestBody::Image(image),
            Some(bytes),
        ) => expanded::render(name, root.digest.to_string(), image, bytes),
        _ => render(name, root, children, None),
    }
}

/// Render `root` as `manifest-tool inspect --raw NAME` prints it (without
/// the final newline `fmt.Println` adds). `children`: for an index, the
/// manifest of each entry in index order; `config`: for an image, its config.
pub fn render(
    name: &str,
    root: &Manifest,
    children: &[&Manifest],
    config: Option<&ImageConfig>,
) -> Result<String, RawError> {
    let unknown = || RawError::UnknownDescriptorType(root.media_type.clone());
    match (media_type::essence(&root.media_type), &root.body) {
        (media_type::OCI_INDEX | media_type::DOCKER_MANIFEST_LIST, ManifestBody::Index(index)) => {
            if children.len() != index.manifests.len() {
                return Err(RawError::ChildCount {
                    listed: index.manifests.len(),
                    given: children.len(),
                });
            }
            let mut manifests = Vec::with_capacity(children.len());
            for (d, child) in index.manifests.iter().zip(children) {
                match (media_type::essence(&d.media_type), &child.body) {
                    (
                        media_type::OCI_MANIFEST | media_type::DOCKER_MANIFEST,
                        ManifestBody::Image(image),
                    ) => manifests.push(image),
                    _ => return Err(RawError::UnknownChildType(d.media_type.clone())),
                }
            }
            go_json(&IndexJson {
                name,
                digest: root.digest.to_string(),
                schema_version: index.schema_version,
                media_type: index.media_type.as_deref(),
                manifests: (!manifests.is_empty()).then_some(manifests),
                annotations: &index.annotations,
            })
        }
        (media_type::OCI_MANIFEST | media_type::DOCKER_MANIFEST, ManifestBody::Image(image)) => {
            go_json(&ImageJson {
                name,
                digest: root.digest.to_string(),
                os: config.map_or("", |c| c.os.as_str()),
                architecture: config.map_or("", |c| c.architecture.as_str()),
                manifest: image,
            })
        }
        _ => Err(unknown()),
    }
}

/// `json.MarshalIndent(v, "", "    ")`: four spaces, and `<`, `>`, `&`,
/// U+2028, U+2029 escaped as Go does (they only occur inside strings).
fn go_json(value: &impl Serialize) -> Result<String, RawError> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut ser)
        .map_err(|e| RawError::Serialize(e.to_string()))?;
    let text = String::from_utf8(out).map_err(|e| RawError::Serialize(e.to_string()))?;
    Ok(text
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029"))
}

mod expanded;

#[cfg(test)]
mod tests;
