//! What an SBOM says, as a table a person can search: SPDX 2.x JSON and
//! CycloneDX JSON, bare (an OCI artifact's layer) or as an in-toto
//! statement's predicate (buildx's attestations).
//!
//! Only the fields shown are read (the rest of a document of tens of MB is
//! skipped, not kept), rows are capped at [`MAX_ROWS`] while the count stays
//! exact, and nesting is bounded by serde_json's recursion limit. A document
//! whose fields have the wrong shape is an error naming where, never a panic.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// Package rows kept per document; the count is of them all.
pub const MAX_ROWS: usize = 5_000;
/// A field longer than this is cut (with `…`): a table cell, not a blob.
const MAX_CELL: usize = 512;

/// An SBOM at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SbomSummary {
    /// `SPDX-2.3`, `CycloneDX 1.5`.
    pub format: String,
    /// The document's name (SPDX) or main component (CycloneDX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Every package the document lists.
    pub package_count: usize,
    /// The first [`MAX_ROWS`] of them.
    pub packages: Vec<PackageRow>,
}

impl SbomSummary {
    /// Some rows were left out ([`MAX_ROWS`]).
    pub fn truncated(&self) -> bool {
        self.packages.len() < self.package_count
    }
}

/// One package: what the table shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PackageRow {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

impl PackageRow {
    /// Does any cell contain `needle` (ASCII case folded)? An empty needle
    /// matches every row.
    pub fn matches(&self, needle: &str) -> bool {
        let needle = needle.trim().to_ascii_lowercase();
        needle.is_empty()
            || [
                Some(&self.name),
                self.version.as_ref(),
                self.license.as_ref(),
                self.purl.as_ref(),
            ]
            .into_iter()
            .flatten()
            .any(|cell| cell.to_ascii_lowercase().contains(&needle))
    }
}

/// An SPDX 2.x JSON document (the fields shown).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SpdxDocument {
    #[serde(default)]
    spdx_version: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    packages: Vec<SpdxPackage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version_info: Option<String>,
    #[serde(default)]
    license_concluded: Option<String>,
    #[serde(default)]
    license_declared: Option<String>,
    #[serde(default)]
    external_refs: Vec<SpdxExternalRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxExternalRef {
    #[serde(default)]
    reference_type: Option<String>,
    #[serde(default)]
    reference_locator: Option<String>,
}

/// SPDX's "nothing known" values, not worth a cell.
fn spdx_value(v: Option<String>) -> Option<String> {
    v.filter(|s| !matches!(s.as_str(), "" | "NOASSERTION" | "NONE"))
}

impl SpdxDocument {
    pub(crate) fn summarize(self) -> SbomSummary {
        let format = self
            .spdx_version
            .map_or_else(|| "SPDX".to_string(), |v| cell(&v));
        let package_count = self.packages.len();
        let packages = self
            .packages
            .into_iter()
            .take(MAX_ROWS)
            .map(|p| PackageRow {
                name: cell(p.name.as_deref().unwrap_or("")),
                version: spdx_value(p.version_info).map(|s| cell(&s)),
                license: spdx_value(p.license_concluded)
                    .or(spdx_value(p.license_declared))
                    .map(|s| cell(&s)),
                purl: p
                    .external_refs
                    .into_iter()
                    .find(|r| r.reference_type.as_deref() == Some("purl"))
                    .and_then(|r| r.reference_locator)
                    .map(|s| cell(&s)),
            })
            .collect();
        SbomSummary {
            format,
            name: self.name.map(|s| cell(&s)),
            package_count,
            packages,
        }
    }
}

/// A CycloneDX JSON document (the fields shown).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CycloneDxDocument {
    #[serde(default)]
    spec_version: Option<String>,
    #[serde(default)]
    metadata: Option<CycloneDxMetadata>,
    #[serde(default)]
    components: Vec<CycloneDxComponent>,
}

#[derive(Deserialize)]
struct CycloneDxMetadata {
    #[serde(default)]
    component: Option<CycloneDxMain>,
}

#[derive(Deserialize)]
struct CycloneDxMain {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "bom-ref")]
    _bom_ref: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct CycloneDxComponent {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    licenses: Vec<CycloneDxLicenseChoice>,
    /// Sub-components (a jar in a jar): listed as packages too.
    #[serde(default)]
    components: Vec<CycloneDxComponent>,
}

#[derive(Deserialize)]
struct CycloneDxLicenseChoice {
    #[serde(default)]
    license: Option<CycloneDxLicense>,
    #[serde(default)]
    expression: Option<String>,
}

#[derive(Deserialize)]
struct CycloneDxLicense {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

impl CycloneDxComponent {
    fn license(&self) -> Option<String> {
        let names: Vec<&str> = self
            .licenses
            .iter()
            .filter_map(|c| {
                c.expression.as_deref().or_else(|| {
                    c.license
                        .as_ref()
                        .and_then(|l| l.id.as_deref().or(l.name.as_deref()))
                })
            })
            .collect();
        (!names.is_empty()).then(|| cell(&names.join(" AND ")))
    }
}

impl CycloneDxDocument {
    pub(crate) fn summarize(self) -> SbomSummary {
        let format = match &self.spec_version {
            Some(v) => format!("CycloneDX {}", cell(v)),
            None => "CycloneDX".to_string(),
        };
        let name = self
            .metadata
            .and_then(|m| m.component)
            .and_then(|c| c.name)
            .map(|s| cell(&s));
        // Depth first, without recursion: nesting is already bounded by
        // the parser, but a loop keeps the stack flat whatever it was.
        let mut package_count = 0;
        let mut packages = Vec::new();
        let mut stack: Vec<CycloneDxComponent> = self.components.into_iter().rev().collect();
        while let Some(mut c) = stack.pop() {
            package_count += 1;
            let children = std::mem::take(&mut c.components);
            stack.extend(children.into_iter().rev());
            if packages.len() < MAX_ROWS {
                packages.push(PackageRow {
                    license: c.license(),
                    name: cell(c.name.as_deref().unwrap_or("")),
                    version: c.version.filter(|v| !v.is_empty()).map(|s| cell(&s)),
                    purl: c.purl.filter(|v| !v.is_empty()).map(|s| cell(&s)),
                });
            }
        }
        SbomSummary {
            format,
            name,
            package_count,
            packages,
        }
    }
}

/// `text`, cut at [`MAX_CELL`] bytes (on a character boundary) with `…`.
pub(crate) fn cell(text: &str) -> String {
    if text.len() <= MAX_CELL {
        return text.to_string();
    }
    let mut end = MAX_CELL;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Read an SPDX document from JSON text.
pub fn parse_spdx(text: &[u8]) -> Result<SbomSummary, String> {
    serde_json::from_slice::<SpdxDocument>(text)
        .map(SpdxDocument::summarize)
        .map_err(|e| format!("not an SPDX JSON document: {}", e))
}

/// Read a CycloneDX document from JSON text.
pub fn parse_cyclonedx(text: &[u8]) -> Result<SbomSummary, String> {
    serde_json::from_slice::<CycloneDxDocument>(text)
        .map(CycloneDxDocument::summarize)
        .map_err(|e| format!("not a CycloneDX JSON document: {}", e))
}
