//! manifest-tool's `push from-args`: a platform list and an image name
//! template expanded into a spec.
//!
//! Substitution follows manifest-tool exactly: for each platform, the first
//! `ARCH` is replaced by the architecture, then the first `OS` by the os, then
//! the first `VARIANT` by the variant (the empty string when there is none).
//! We add a refusal manifest-tool lacks: a template that yields the same image
//! for two platforms (no placeholder at all, or only `VARIANT` for platforms
//! without one), which would list one image under several platforms.

use super::error::SpecError;
use super::model::{PushSpec, SpecEntry, SpecPlatform};
use crate::platform::Platform;

const PLACEHOLDERS: [&str; 3] = ["OS", "ARCH", "VARIANT"];

/// Expand `platforms` (`linux/amd64,linux/arm/v7`) and `template`
/// (`foo/bar-OSARCHVARIANT:v1`) into a spec pushing to `target` (and `tags`).
/// The resulting spec is validated before it is returned.
pub fn expand_template(
    platforms: &str,
    template: &str,
    target: &str,
    tags: &[String],
) -> Result<PushSpec, SpecError> {
    let template = template.trim();
    if template.is_empty() {
        return Err(SpecError::Empty {
            field: "template".to_string(),
            hint: "write the source image pattern, e.g. `foo/bar-ARCH:v1`",
        });
    }
    let list: Vec<&str> = platforms
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if list.is_empty() {
        return Err(SpecError::NoPlatforms);
    }
    if list.len() > 1 && !PLACEHOLDERS.iter().any(|p| template.contains(p)) {
        return Err(SpecError::TemplateWithoutPlaceholder {
            template: template.to_string(),
            count: list.len(),
        });
    }
    let mut manifests: Vec<SpecEntry> = Vec::with_capacity(list.len());
    let mut seen: Vec<(String, &str)> = Vec::with_capacity(list.len());
    for (i, input) in list.iter().enumerate() {
        let platform = parse_platform(i + 1, input, platforms)?;
        let image = substitute(template, &platform);
        if let Some((_, first)) = seen.iter().find(|(img, _)| *img == image) {
            return Err(SpecError::TemplateCollision {
                template: template.to_string(),
                image,
                first: first.to_string(),
                second: input.to_string(),
            });
        }
        seen.push((image.clone(), input));
        manifests.push(SpecEntry {
            image,
            platform: SpecPlatform::from_platform(&platform),
            annotations: Default::default(),
        });
    }
    let spec = PushSpec {
        image: target.trim().to_string(),
        tags: tags.iter().map(|t| t.trim().to_string()).collect(),
        manifests,
        ..PushSpec::default()
    };
    spec.validate()?;
    Ok(spec)
}

fn parse_platform(position: usize, input: &str, list: &str) -> Result<Platform, SpecError> {
    let error = |source| SpecError::TemplatePlatform {
        position,
        input: input.to_string(),
        list: list.to_string(),
        source,
    };
    let platform = Platform::parse(input).map_err(error)?;
    platform.validate_known().map_err(error)?;
    Ok(platform)
}

/// manifest-tool's substitution: ARCH, then OS, then VARIANT, first
/// occurrence of each.
pub fn substitute(template: &str, platform: &Platform) -> String {
    template
        .replacen("ARCH", &platform.architecture, 1)
        .replacen("OS", &platform.os, 1)
        .replacen("VARIANT", platform.variant.as_deref().unwrap_or(""), 1)
}
