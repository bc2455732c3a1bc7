//! The checks a source must pass to become an index entry: its bytes match
//! its digest, it is an image, and the platform it is listed under agrees
//! with its config (filled from the config where the spec says nothing).

use super::PlanError;
use crate::digest::Digest;
use crate::manifest::{Manifest, ManifestBody};
use crate::media_type::{self, Kind};
use crate::platform::Platform;

pub(super) fn verify(field: &str, source: &str, manifest: &Manifest) -> Result<(), PlanError> {
    manifest
        .digest
        .verify(&manifest.raw)
        .map_err(|error| PlanError::Digest {
            field: field.to_string(),
            source_ref: source.to_string(),
            error,
        })
}

pub(super) fn check_image_kind(
    field: &str,
    source: &str,
    manifest: &Manifest,
) -> Result<(), PlanError> {
    let unsupported = |what| PlanError::UnsupportedSource {
        field: field.to_string(),
        source_ref: source.to_string(),
        what,
        media_type: manifest.media_type.clone(),
    };
    match (&manifest.body, media_type::kind_of(&manifest.media_type)) {
        (ManifestBody::Image(_), Kind::Image) => Ok(()),
        (ManifestBody::Schema1(_), _) | (_, Kind::Schema1) => {
            Err(unsupported("Docker schema 1 manifest (legacy)"))
        }
        (ManifestBody::Index(_), _) | (_, Kind::Index) => Err(unsupported("index")),
        _ => Err(unsupported("manifest of an unknown type")),
    }
}

/// Does an index entry's platform fit what the spec declared (only the
/// fields the spec gives are compared)?
pub(super) fn matches_declared(declared: &Platform, actual: &Platform) -> bool {
    let eq = |d: &str, a: &str| d.is_empty() || d == a;
    eq(&declared.os, &actual.os)
        && eq(&declared.architecture, &actual.architecture)
        && declared
            .variant
            .as_ref()
            .is_none_or(|v| actual.variant.as_ref() == Some(v))
        && declared
            .os_version
            .as_ref()
            .is_none_or(|v| actual.os_version.as_ref() == Some(v))
}

pub(super) fn describe_declared(p: &Platform) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("os", Some(&p.os)),
        ("architecture", Some(&p.architecture)),
        ("variant", p.variant.as_ref()),
        ("osversion", p.os_version.as_ref()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k} {v}"));
        }
    }
    parts.join(", ")
}

/// The platform an entry is listed under: what is declared, completed from
/// the config (os/arch when none declared; variant, os.version, os.features
/// bubble up when not declared), and refused when the two disagree.
pub(super) fn settle_platform(
    declared_by: &'static str,
    field: &str,
    source: &str,
    digest: &Digest,
    declared: &Platform,
    config: Option<&Platform>,
) -> Result<Platform, PlanError> {
    let mut out = declared.clone();
    if let Some(c) = config {
        let conflict =
            |key: &'static str, declared: &str, actual: &str| PlanError::PlatformConflict {
                field: field.to_string(),
                source_ref: source.to_string(),
                digest: digest.clone(),
                declared_by,
                key,
                declared: declared.to_string(),
                actual: actual.to_string(),
            };
        for (key, ours, theirs) in [
            ("os", &mut out.os, &c.os),
            ("architecture", &mut out.architecture, &c.architecture),
        ] {
            if ours.is_empty() {
                ours.clone_from(theirs);
            } else if !theirs.is_empty() && !equivalent(key, ours, theirs) {
                return Err(conflict(key, ours, theirs));
            }
        }
        let (os, arch) = (out.os.clone(), out.architecture.clone());
        for (key, ours, theirs) in [
            ("variant", &mut out.variant, &c.variant),
            ("os.version", &mut out.os_version, &c.os_version),
        ] {
            match (ours.as_deref(), theirs.as_deref()) {
                (None, Some(t)) if !t.is_empty() => *ours = Some(t.to_string()),
                (Some(o), Some(t)) if !t.is_empty() => {
                    let same = if key == "variant" {
                        Platform::new(&os, &arch, Some(o)).identity()
                            == Platform::new(&os, &arch, Some(t)).identity()
                    } else {
                        o == t
                    };
                    if !same {
                        return Err(conflict(key, o, t));
                    }
                }
                _ => {}
            }
        }
        if out.os_features.is_empty() {
            out.os_features.clone_from(&c.os_features);
        }
    }
    if out.os.is_empty() || out.architecture.is_empty() {
        return Err(PlanError::NoPlatform {
            field: field.to_string(),
            source_ref: source.to_string(),
            digest: digest.clone(),
        });
    }
    out.validate_known()
        .map_err(|error| PlanError::UnknownPlatform {
            field: field.to_string(),
            source_ref: source.to_string(),
            digest: digest.clone(),
            platform: out.to_string(),
            error,
        })?;
    Ok(out)
}

/// Same os (`key == "os"`) or architecture under the usual normalization
/// (`Linux` is `linux`, `aarch64` is `arm64`), as `Platform::identity` does.
pub(super) fn equivalent(key: &str, a: &str, b: &str) -> bool {
    if key == "os" {
        Platform::new(a, "amd64", None).identity() == Platform::new(b, "amd64", None).identity()
    } else {
        Platform::new("linux", a, None).identity() == Platform::new("linux", b, None).identity()
    }
}
