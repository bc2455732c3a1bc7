//! What one attestation document says: an in-toto statement (buildx's
//! attestation layers) or a bare SBOM (an OCI artifact's layer), read into
//! an SBOM table, a provenance summary, or, for anything else, its
//! predicate type and the raw JSON pretty-printed.
//!
//! The document is hostile input of up to the proxy's cap: each reader
//! takes only the fields it shows, rows and subjects are capped, the raw
//! view is given only for documents up to [`MAX_RAW_BYTES`], and a document
//! that does not read is a note, never a panic.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};

use crate::provenance::{self, ProvenanceSummary};
use crate::sbom::{self, SbomSummary, cell};

/// The media type of buildx's attestation layers.
pub const IN_TOTO_MEDIA_TYPE: &str = "application/vnd.in-toto+json";
/// The layer annotation naming the statement's predicate type.
pub const PREDICATE_TYPE_ANNOTATION: &str = "in-toto.io/predicate-type";
/// Documents up to this size are also shown raw, pretty-printed.
pub const MAX_RAW_BYTES: usize = 512 * 1024;
/// Subjects listed per statement.
pub const MAX_SUBJECTS: usize = 100;

pub const SPDX_PREDICATE: &str = "https://spdx.dev/Document";
pub const CYCLONEDX_PREDICATE: &str = "https://cyclonedx.org/bom";
pub const SLSA_V02_PREDICATE: &str = "https://slsa.dev/provenance/v0.2";
pub const SLSA_V1_PREDICATE: &str = "https://slsa.dev/provenance/v1";

/// One document, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentView {
    /// The in-toto statement's `predicateType`; `None` for a bare document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// What the statement is about (name and digests), capped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Subject>,
    pub summary: Summary,
    /// The whole document pretty-printed, when it is small enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Why something is not shown (too large for the raw view, a predicate
    /// that did not read as its type says).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

/// What the document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Summary {
    Sbom(SbomSummary),
    Provenance(ProvenanceSummary),
    /// Nothing we summarize: the predicate type and the raw view say it.
    Other,
}

/// The fields that tell documents apart; everything else skipped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default, rename = "_type")]
    statement_type: Option<String>,
    #[serde(default)]
    predicate_type: Option<String>,
    #[serde(default)]
    spdx_version: Option<IgnoredAny>,
    #[serde(default)]
    bom_format: Option<String>,
}

#[derive(Deserialize)]
struct Statement<P> {
    #[serde(default)]
    subject: Vec<Subject>,
    predicate: P,
}

/// What kind of predicate a type names (versions of one format alike:
/// `https://spdx.dev/Document/v2.3`, `https://cyclonedx.org/bom/v1.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Spdx,
    CycloneDx,
    SlsaV02,
    SlsaV1,
    Other,
}

fn kind_of(predicate_type: &str) -> Kind {
    let is = |base: &str| {
        predicate_type == base
            || predicate_type
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    if is(SPDX_PREDICATE) {
        Kind::Spdx
    } else if is(CYCLONEDX_PREDICATE) {
        Kind::CycloneDx
    } else if predicate_type == SLSA_V02_PREDICATE {
        Kind::SlsaV02
    } else if is(SLSA_V1_PREDICATE) {
        Kind::SlsaV1
    } else {
        Kind::Other
    }
}

/// Read one document (the exact bytes of a layer).
pub fn read_document(bytes: &[u8]) -> DocumentView {
    let mut view = DocumentView {
        predicate_type: None,
        subjects: Vec::new(),
        summary: Summary::Other,
        raw: None,
        notes: Vec::new(),
    };
    match raw_view(bytes) {
        Ok(raw) => view.raw = Some(raw),
        Err(note) => view.notes.push(note),
    }
    let probe: Probe = match serde_json::from_slice(bytes) {
        Ok(p) => p,
        Err(e) => {
            view.notes.push(format!("not a JSON object: {e}"));
            return view;
        }
    };
    let is_statement = probe
        .statement_type
        .as_deref()
        .is_some_and(|t| t.starts_with("https://in-toto.io/Statement"));
    let read = if is_statement {
        let predicate_type = probe.predicate_type.as_deref().unwrap_or("");
        view.predicate_type = Some(cell(predicate_type));
        match kind_of(predicate_type) {
            Kind::Spdx => statement(bytes, &mut view, |d: sbom::SpdxDocument| {
                Summary::Sbom(d.summarize())
            }),
            Kind::CycloneDx => statement(bytes, &mut view, |d: sbom::CycloneDxDocument| {
                Summary::Sbom(d.summarize())
            }),
            Kind::SlsaV02 => statement(bytes, &mut view, |p: provenance::V02| {
                Summary::Provenance(p.summarize())
            }),
            Kind::SlsaV1 => statement(bytes, &mut view, |p: provenance::V1| {
                Summary::Provenance(p.summarize())
            }),
            Kind::Other => statement(bytes, &mut view, |_: IgnoredAny| Summary::Other),
        }
    } else if probe.spdx_version.is_some() {
        sbom::parse_spdx(bytes).map(Summary::Sbom)
    } else if probe.bom_format.as_deref() == Some("CycloneDX") {
        sbom::parse_cyclonedx(bytes).map(Summary::Sbom)
    } else {
        Ok(Summary::Other)
    };
    match read {
        Ok(summary) => view.summary = summary,
        Err(note) => view.notes.push(note),
    }
    view
}

/// Read `bytes` as a statement whose predicate is a `P`, keeping its
/// subjects in `view`.
fn statement<P: DeserializeOwned>(
    bytes: &[u8],
    view: &mut DocumentView,
    summarize: impl FnOnce(P) -> Summary,
) -> Result<Summary, String> {
    let s: Statement<P> = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "the predicate does not read as {}: {e}",
            view.predicate_type.as_deref().unwrap_or("its type")
        )
    })?;
    view.subjects = s
        .subject
        .into_iter()
        .take(MAX_SUBJECTS)
        .map(|mut subject| {
            subject.name = cell(&subject.name);
            subject
        })
        .collect();
    Ok(summarize(s.predicate))
}

/// The document pretty-printed, or why not.
fn raw_view(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_RAW_BYTES {
        return Err(format!(
            "the document is {} bytes; the raw view shows documents up to {} KiB",
            bytes.len(),
            MAX_RAW_BYTES / 1024
        ));
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    serde_json::to_string_pretty(&value).map_err(|e| format!("cannot pretty-print: {e}"))
}

#[cfg(test)]
#[path = "statement_tests.rs"]
mod tests;
