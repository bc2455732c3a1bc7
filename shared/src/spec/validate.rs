//! Checking a spec before anything is fetched: every reference parses, tags
//! are tags, platforms are whole and known, and a Docker list carries no
//! annotations. The result holds parsed values, so the plan never re-parses.

use std::collections::BTreeMap;

use super::error::SpecError;
use super::model::{IndexType, PushSpec, SpecEntry, SpecPlatform};
use crate::platform::Platform;
use crate::reference::Reference;

/// A spec whose fields all parse. Built only by [`PushSpec::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedSpec {
    /// Where the index goes (always a tag, never a digest).
    pub target: Reference,
    /// Extra tags, in order, without duplicates or the target's own tag.
    pub tags: Vec<String>,
    pub entries: Vec<ValidatedEntry>,
    pub annotations: BTreeMap<String, String>,
    pub index_type: IndexType,
    pub ignore_missing: bool,
    /// The digest the target tag must still point at when it is written.
    pub expect: Option<crate::digest::Digest>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedEntry {
    /// The source as written in the spec (for messages).
    pub input: String,
    pub source: Reference,
    /// What the spec declares; empty fields are filled from the source.
    pub declared: Platform,
    pub annotations: BTreeMap<String, String>,
}

impl PushSpec {
    /// Check the whole spec; the first problem is returned.
    pub fn validate(&self) -> Result<ValidatedSpec, SpecError> {
        let target = parse_target(&self.image)?;
        let mut tags = Vec::new();
        for (i, tag) in self.tags.iter().enumerate() {
            let field = format!("tags[{i}]");
            let tag = tag.trim();
            if tag.is_empty() {
                return Err(SpecError::Empty {
                    field,
                    hint: "remove it or write a tag such as `v1.2`",
                });
            }
            target.with_tag(tag).map_err(|source| SpecError::Tag {
                field,
                tag: tag.to_string(),
                source,
            })?;
            if Some(tag) != target.tag() && !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_string());
            }
        }
        check_annotations("annotations", &self.annotations, self.index_type)?;
        let expect = parse_expect(&self.expect)?;
        if self.manifests.is_empty() {
            return Err(SpecError::NoManifests);
        }
        let entries = self
            .manifests
            .iter()
            .enumerate()
            .map(|(i, e)| validate_entry(i, e, self.index_type))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ValidatedSpec {
            target,
            tags,
            entries,
            annotations: self.annotations.clone(),
            index_type: self.index_type,
            ignore_missing: self.ignore_missing,
            expect,
        })
    }
}

/// `expect` as typed (spec key, CLI flag): empty is no check.
pub fn parse_expect(input: &str) -> Result<Option<crate::digest::Digest>, SpecError> {
    match input.trim() {
        "" => Ok(None),
        text => text
            .parse()
            .map(Some)
            .map_err(|e: crate::digest::DigestError| SpecError::Expect {
                input: text.to_string(),
                message: e.to_string(),
            }),
    }
}

fn parse_target(input: &str) -> Result<Reference, SpecError> {
    let field = "image".to_string();
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(SpecError::Empty {
            field,
            hint: "write the reference to push the index to, e.g. `registry.example.com/app:1.0`",
        });
    }
    let target = Reference::parse(trimmed).map_err(|source| SpecError::Reference {
        field: field.clone(),
        input: trimmed.to_string(),
        source,
    })?;
    if target.digest().is_some() {
        let suggestion = format!(
            "{}/{}:{}",
            target.registry(),
            target.repository(),
            target.tag().unwrap_or("latest")
        );
        return Err(SpecError::TargetHasDigest {
            field,
            input: trimmed.to_string(),
            suggestion,
        });
    }
    Ok(target)
}

fn check_annotations(
    field: &str,
    annotations: &BTreeMap<String, String>,
    index_type: IndexType,
) -> Result<(), SpecError> {
    if annotations.is_empty() {
        return Ok(());
    }
    if index_type == IndexType::Docker {
        return Err(SpecError::AnnotationsNeedOci {
            field: field.to_string(),
        });
    }
    if annotations.keys().any(|k| k.trim().is_empty()) {
        return Err(SpecError::EmptyAnnotationKey {
            field: field.to_string(),
        });
    }
    Ok(())
}

fn validate_entry(
    i: usize,
    entry: &SpecEntry,
    index_type: IndexType,
) -> Result<ValidatedEntry, SpecError> {
    let field = format!("manifests[{i}].image");
    let input = entry.image.trim();
    if input.is_empty() {
        return Err(SpecError::Empty {
            field,
            hint: "write the source image, e.g. `registry.example.com/app:1.0-arm64`",
        });
    }
    let source = Reference::parse(input).map_err(|source| SpecError::Reference {
        field,
        input: input.to_string(),
        source,
    })?;
    let declared = validate_platform(&format!("manifests[{i}].platform"), &entry.platform)?;
    check_annotations(
        &format!("manifests[{i}].annotations"),
        &entry.annotations,
        index_type,
    )?;
    Ok(ValidatedEntry {
        input: input.to_string(),
        source,
        declared,
        annotations: entry.annotations.clone(),
    })
}

/// A declared platform has os and architecture together (then it must be a
/// known combination) or neither (then they come from the image).
fn validate_platform(field: &str, p: &SpecPlatform) -> Result<Platform, SpecError> {
    let platform = p.to_platform();
    let has_os = !p.os.is_empty();
    let has_arch = !p.architecture.is_empty();
    if has_os != has_arch {
        let (missing, given) = if has_os {
            ("architecture", "os")
        } else {
            ("os", "architecture")
        };
        return Err(SpecError::IncompletePlatform {
            field: format!("{field}.{missing}"),
            given: format!("{field}.{given}"),
        });
    }
    if !has_os {
        // os/arch come from the image; a variant or os version given alone
        // refines it (as in manifest-tool) and is checked by the plan.
        return Ok(platform);
    }
    platform
        .validate_known()
        .map_err(|source| SpecError::Platform {
            field: format!("{field}.{}", platform_error_field(&platform)),
            source,
        })?;
    Ok(platform)
}

/// Which key of the platform an unknown-platform error is most about: the
/// variant when os/arch alone are fine, else the architecture.
fn platform_error_field(p: &Platform) -> &'static str {
    if p.variant.is_some() {
        let bare = Platform {
            variant: None,
            ..p.clone()
        };
        if bare.validate_known().is_ok() {
            return "variant";
        }
    }
    "architecture"
}
