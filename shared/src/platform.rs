//! Platforms: what an index entry runs on.
//!
//! The wire type is our own because oci-spec 0.10 drops `os.version` and
//! `os.features` (it expects `os_version`), and Windows images are unusable
//! without `os.version`. Field order follows the image-spec Go struct, so the
//! index bytes we build look like every other tool's.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// What is wrong with a platform string or an os/arch/variant combination.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    #[error("the platform is empty: expected os/arch[/variant], e.g. linux/arm64 or linux/arm/v7")]
    Empty,
    #[error("`{input}` has no architecture: expected os/arch[/variant], e.g. linux/amd64")]
    MissingArchitecture { input: String },
    #[error("`{input}` has too many `/`: expected os/arch[/variant], e.g. linux/arm/v7")]
    TooManyParts { input: String },
    #[error("`{input}` has an empty {part}: expected os/arch[/variant], e.g. linux/arm/v7")]
    EmptyPart { input: String, part: &'static str },
    #[error("the {part} `{value}` may only hold letters, digits, `_`, `.` and `-`")]
    InvalidCharacter { part: &'static str, value: String },
    #[error(
        "`{input}` ends in `:` but has no OS version after it, e.g. windows/amd64:10.0.17763.2565"
    )]
    EmptyOsVersion { input: String },
    #[error("`{input}`: the OS version `{os_version}` may not contain spaces or `/`")]
    InvalidOsVersion { input: String, os_version: String },
    // Lists and hints are worked out when displayed, keeping this type small
    // (errors that embed it stay cheap to return).
    #[error("unknown operating system `{os}`{}: known ones are {}", os_hint(.os), os_list())]
    UnknownOs { os: String },
    #[error(
        "unknown architecture `{arch}` for {os}{}: {os} supports {}",
        arch_hint(.os, .arch),
        arch_list(.os)
    )]
    UnknownOsArch { os: String, arch: String },
    #[error("unknown variant `{variant}` for {arch}: expected one of {}", variant_list(.arch))]
    UnknownVariant { arch: String, variant: String },
    #[error("{arch} has no variants, but `{variant}` was given: leave the variant out")]
    VariantNotAllowed { arch: String, variant: String },
}

/// Go's first-class and second-class ports (`go tool dist list`), plus
/// `unknown/unknown`, which BuildKit gives attestation manifests.
const KNOWN_OS_ARCH: &[(&str, &[&str])] = &[
    ("aix", &["ppc64"]),
    ("android", &["386", "amd64", "arm", "arm64"]),
    ("darwin", &["amd64", "arm64"]),
    ("dragonfly", &["amd64"]),
    ("freebsd", &["386", "amd64", "arm", "arm64", "riscv64"]),
    ("illumos", &["amd64"]),
    ("ios", &["amd64", "arm64"]),
    ("js", &["wasm"]),
    (
        "linux",
        &[
            "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle",
            "ppc64", "ppc64le", "riscv64", "s390x",
        ],
    ),
    ("netbsd", &["386", "amd64", "arm", "arm64"]),
    (
        "openbsd",
        &["386", "amd64", "arm", "arm64", "ppc64", "riscv64"],
    ),
    ("plan9", &["386", "amd64", "arm"]),
    ("solaris", &["amd64"]),
    ("wasip1", &["wasm"]),
    ("windows", &["386", "amd64", "arm", "arm64"]),
    ("unknown", &["unknown"]),
];

/// Variants per architecture, per the OCI image-spec and containerd.
/// Architectures not listed take no variant.
const KNOWN_VARIANTS: &[(&str, &[&str])] = &[
    ("arm", &["v5", "v6", "v7", "v8"]),
    (
        "arm64",
        &[
            "v8", "v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9",
            "v9", "v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5",
        ],
    ),
    ("amd64", &["v1", "v2", "v3", "v4"]),
    ("riscv64", &["rva20u64", "rva22u64", "rva23u64"]),
];

/// Names people type that mean a Go name: `x86_64` is `amd64`, and so on.
const ALIASES: &[(&str, &str)] = &[
    ("x86_64", "amd64"),
    ("x86-64", "amd64"),
    ("x64", "amd64"),
    ("aarch64", "arm64"),
    ("armhf", "arm"),
    ("armel", "arm"),
    ("i386", "386"),
    ("i686", "386"),
    ("x86", "386"),
    ("macos", "darwin"),
    ("osx", "darwin"),
];

/// ` (did you mean `linux`?)` when `value` is a known spelling of something.
fn hint(value: &str, known: &[&str]) -> String {
    let lower = value.to_ascii_lowercase();
    let alias = ALIASES
        .iter()
        .find(|(from, _)| *from == lower)
        .map(|(_, to)| *to);
    let suggestion = alias.or_else(|| known.iter().copied().find(|k| *k == lower));
    match suggestion {
        Some(s) if s != value => format!(" (did you mean `{s}`?)"),
        _ => String::new(),
    }
}

fn arches_of(os: &str) -> &'static [&'static str] {
    KNOWN_OS_ARCH
        .iter()
        .find(|(known, _)| *known == os)
        .map_or(&[], |(_, arches)| *arches)
}

fn os_list() -> String {
    let names: Vec<&str> = KNOWN_OS_ARCH.iter().map(|(os, _)| *os).collect();
    names.join(", ")
}

fn os_hint(os: &str) -> String {
    let names: Vec<&str> = KNOWN_OS_ARCH.iter().map(|(os, _)| *os).collect();
    hint(os, &names)
}

fn arch_list(os: &str) -> String {
    arches_of(os).join(", ")
}

fn arch_hint(os: &str, arch: &str) -> String {
    hint(arch, arches_of(os))
}

fn variants_of(arch: &str) -> Option<&'static [&'static str]> {
    KNOWN_VARIANTS
        .iter()
        .find(|(known, _)| *known == arch)
        .map(|(_, variants)| *variants)
}

fn variant_list(arch: &str) -> String {
    variants_of(arch).unwrap_or(&[]).join(", ")
}

/// The components of `os/arch[/variant]` may hold these characters.
fn valid_part(part: &str) -> bool {
    part.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// containerd's `normalizeArch`: the spelling that two equal platforms share.
fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let arch = arch.to_ascii_lowercase();
    let variant = variant.to_ascii_lowercase();
    match arch.as_str() {
        "i386" => ("386".into(), String::new()),
        "x86_64" | "x86-64" | "amd64" => {
            let variant = if variant == "v1" {
                String::new()
            } else {
                variant
            };
            ("amd64".into(), variant)
        }
        "aarch64" | "arm64" => {
            let variant = match variant.as_str() {
                "8" | "v8" | "v8.0" => String::new(),
                "9" | "9.0" | "v9.0" => "v9".into(),
                _ => variant,
            };
            ("arm64".into(), variant)
        }
        "armhf" => ("arm".into(), "v7".into()),
        "armel" => ("arm".into(), "v6".into()),
        "arm" => {
            let variant = match variant.as_str() {
                "" | "7" => "v7".into(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            };
            ("arm".into(), variant)
        }
        _ => (arch, variant),
    }
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        Platform {
            architecture: architecture.to_string(),
            os: os.to_string(),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_string),
            ..Platform::default()
        }
    }
    /// Parse `linux/arm/v7`, `windows/amd64:10.0.17763.2565`, `linux/amd64`.
    ///
    /// Parsing is literal (no case folding, no `x86_64` -> `amd64`): what is
    /// typed is what goes into an index. [`Platform::validate_known`] is the
    /// check that catches such spellings, with a suggestion.
    pub fn parse(s: &str) -> Result<Self, PlatformError> {
        let input = s.trim();
        if input.is_empty() {
            return Err(PlatformError::Empty);
        }
        let (path, os_version) = match input.split_once(':') {
            Some((path, version)) => {
                if version.is_empty() {
                    return Err(PlatformError::EmptyOsVersion {
                        input: input.to_string(),
                    });
                }
                if version.chars().any(|c| c.is_whitespace() || c == '/') {
                    return Err(PlatformError::InvalidOsVersion {
                        input: input.to_string(),
                        os_version: version.to_string(),
                    });
                }
                (path, Some(version.to_string()))
            }
            None => (input, None),
        };
        let parts: Vec<&str> = path.split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [os] => {
                if os.is_empty() {
                    return Err(PlatformError::EmptyPart {
                        input: input.to_string(),
                        part: "operating system",
                    });
                }
                return Err(PlatformError::MissingArchitecture {
                    input: input.to_string(),
                });
            }
            [os, arch] => (*os, *arch, None),
            [os, arch, variant] => (*os, *arch, Some(*variant)),
            _ => {
                return Err(PlatformError::TooManyParts {
                    input: input.to_string(),
                });
            }
        };
        let named = [
            ("operating system", Some(os)),
            ("architecture", Some(arch)),
            ("variant", variant),
        ];
        for (part, value) in named {
            let Some(value) = value else { continue };
            if value.is_empty() {
                return Err(PlatformError::EmptyPart {
                    input: input.to_string(),
                    part,
                });
            }
            if !valid_part(value) {
                return Err(PlatformError::InvalidCharacter {
                    part,
                    value: value.to_string(),
                });
            }
        }
        let mut platform = Platform::new(os, arch, variant);
        platform.os_version = os_version;
        Ok(platform)
    }
    /// `unknown/unknown`: the platform BuildKit gives attestation manifests.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }
    /// Check the os/arch pair and the variant against the OCI platform
    /// conventions (GOOS/GOARCH values; arm v5-v8, arm64 v8/v9.x, amd64 v1-v4...).
    pub fn validate_known(&self) -> Result<(), PlatformError> {
        if !KNOWN_OS_ARCH.iter().any(|(os, _)| *os == self.os) {
            return Err(PlatformError::UnknownOs {
                os: self.os.clone(),
            });
        }
        if !arches_of(&self.os).contains(&self.architecture.as_str()) {
            return Err(PlatformError::UnknownOsArch {
                os: self.os.clone(),
                arch: self.architecture.clone(),
            });
        }
        let Some(variant) = self.variant.as_deref().filter(|v| !v.is_empty()) else {
            return Ok(());
        };
        match variants_of(&self.architecture) {
            Some(variants) if variants.contains(&variant) => Ok(()),
            Some(_) => Err(PlatformError::UnknownVariant {
                arch: self.architecture.clone(),
                variant: variant.to_string(),
            }),
            None => Err(PlatformError::VariantNotAllowed {
                arch: self.architecture.clone(),
                variant: variant.to_string(),
            }),
        }
    }
    /// The identity used to find duplicate entries in an index: os, arch,
    /// variant (normalized: arm64 `v8` equals none) and os.version.
    ///
    /// Normalization is containerd's: case is folded, `x86_64`/`aarch64`/
    /// `i386`/`armhf`/`armel` map to Go names, arm64 `v8`/`v8.0` is no
    /// variant, arm with no variant is `v7`, amd64 `v1` is no variant.
    pub fn identity(&self) -> String {
        let os = match self.os.to_ascii_lowercase().as_str() {
            "macos" => "darwin".to_string(),
            other => other.to_string(),
        };
        let (arch, variant) =
            normalize_arch(&self.architecture, self.variant.as_deref().unwrap_or(""));
        let mut out = format!("{os}/{arch}");
        if !variant.is_empty() {
            out.push('/');
            out.push_str(&variant);
        }
        if let Some(version) = self.os_version.as_deref().filter(|v| !v.is_empty()) {
            out.push(':');
            out.push_str(version);
        }
        out
    }
}

/// `linux/arm/v7`, `windows/amd64:10.0.17763.2565`.
impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = self.variant.as_deref().filter(|v| !v.is_empty()) {
            write!(f, "/{variant}")?;
        }
        if let Some(version) = self.os_version.as_deref().filter(|v| !v.is_empty()) {
            write!(f, ":{version}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = PlatformError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_os_arch_variant_and_version() {
        assert_eq!(p("linux/amd64"), Platform::new("linux", "amd64", None));
        assert_eq!(p("linux/arm/v7"), Platform::new("linux", "arm", Some("v7")));
        let w = p("windows/amd64:10.0.17763.2565");
        assert_eq!(w.os, "windows");
        assert_eq!(w.architecture, "amd64");
        assert_eq!(w.variant, None);
        assert_eq!(w.os_version.as_deref(), Some("10.0.17763.2565"));
        let v = p("linux/arm64/v8:5.10");
        assert_eq!(v.variant.as_deref(), Some("v8"));
        assert_eq!(v.os_version.as_deref(), Some("5.10"));
        assert_eq!(p(" linux/amd64 "), Platform::new("linux", "amd64", None));
    }

    #[test]
    fn display_matches_parse_form() {
        for s in [
            "linux/amd64",
            "linux/arm/v7",
            "windows/amd64:10.0.17763.2565",
            "linux/arm64/v8:5.10",
            "unknown/unknown",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
        // An empty variant or version is not shown.
        let mut q = Platform::new("linux", "amd64", Some(""));
        q.os_version = Some(String::new());
        assert_eq!(q.to_string(), "linux/amd64");
    }

    #[test]
    fn parse_errors_are_specific() {
        assert_eq!(Platform::parse(""), Err(PlatformError::Empty));
        assert_eq!(
            Platform::parse("linux"),
            Err(PlatformError::MissingArchitecture {
                input: "linux".into()
            })
        );
        assert!(matches!(
            Platform::parse("linux/arm/v7/x"),
            Err(PlatformError::TooManyParts { .. })
        ));
        assert_eq!(
            Platform::parse("linux//v7"),
            Err(PlatformError::EmptyPart {
                input: "linux//v7".into(),
                part: "architecture"
            })
        );
        assert!(matches!(
            Platform::parse("/amd64"),
            Err(PlatformError::EmptyPart {
                part: "operating system",
                ..
            })
        ));
        assert!(matches!(
            Platform::parse("linux/arm/"),
            Err(PlatformError::EmptyPart {
                part: "variant",
                ..
            })
        ));
        assert!(matches!(
            Platform::parse("windows/amd64:"),
            Err(PlatformError::EmptyOsVersion { .. })
        ));
        let err = Platform::parse("linux/am d64").unwrap_err();
        assert!(err.to_string().contains("architecture `am d64`"), "{err}");
        assert!(matches!(
            Platform::parse("windows/amd64:10 0"),
            Err(PlatformError::InvalidOsVersion { .. })
        ));
    }

    #[test]
    fn parse_is_literal() {
        let q = p("Linux/x86_64");
        assert_eq!(q.os, "Linux");
        assert_eq!(q.architecture, "x86_64");
    }

    #[test]
    fn validate_known_accepts_go_ports_and_conventions() {
        for s in [
            "linux/amd64",
            "linux/amd64/v3",
            "linux/386",
            "linux/arm/v5",
            "linux/arm/v6",
            "linux/arm/v7",
            "linux/arm/v8",
            "linux/arm",
            "linux/arm64",
            "linux/arm64/v8",
            "linux/arm64/v8.2",
            "linux/arm64/v9.5",
            "linux/riscv64/rva22u64",
            "linux/s390x",
            "linux/ppc64le",
            "linux/loong64",
            "linux/mips64le",
            "windows/amd64:10.0.17763.2565",
            "windows/arm64",
            "darwin/arm64",
            "freebsd/riscv64",
            "js/wasm",
            "wasip1/wasm",
            "aix/ppc64",
            "unknown/unknown",
        ] {
            if let Err(e) = p(s).validate_known() {
                panic!("{s} should be known: {e}");
            }
        }
    }

    #[test]
    fn validate_known_rejects_with_what_is_accepted() {
        let err = p("linux/x86_64").validate_known().unwrap_err();
        assert!(matches!(err, PlatformError::UnknownOsArch { .. }));
        let msg = err.to_string();
        assert!(msg.contains("`x86_64`"), "{msg}");
        assert!(msg.contains("did you mean `amd64`"), "{msg}");
        assert!(msg.contains("s390x"), "{msg}");

        let err = p("Linux/amd64").validate_known().unwrap_err();
        assert!(err.to_string().contains("did you mean `linux`"), "{err}");
        let err = p("macos/arm64").validate_known().unwrap_err();
        assert!(err.to_string().contains("did you mean `darwin`"), "{err}");
        let err = p("beos/amd64").validate_known().unwrap_err();
        assert_eq!(err, PlatformError::UnknownOs { os: "beos".into() });
        assert!(!err.to_string().contains("did you mean"), "{err}");
        assert!(err.to_string().contains("windows"), "{err}");

        let err = p("darwin/386").validate_known().unwrap_err();
        assert!(
            err.to_string().contains("darwin supports amd64, arm64"),
            "{err}"
        );

        let err = p("linux/arm/v9").validate_known().unwrap_err();
        assert_eq!(
            err,
            PlatformError::UnknownVariant {
                arch: "arm".into(),
                variant: "v9".into(),
            }
        );
        assert!(
            err.to_string().ends_with("expected one of v5, v6, v7, v8"),
            "{err}"
        );
        assert!(p("linux/arm64/v10").validate_known().is_err());
        assert!(p("linux/amd64/v5").validate_known().is_err());
        let err = p("linux/386/v1").validate_known().unwrap_err();
        assert!(matches!(err, PlatformError::VariantNotAllowed { .. }));
        assert!(err.to_string().contains("leave the variant out"), "{err}");
        assert!(p("unknown/amd64").validate_known().is_err());
    }

    #[test]
    fn identity_follows_containerd_normalization() {
        let id = |s: &str| p(s).identity();
        assert_eq!(id("linux/arm64"), id("linux/arm64/v8"));
        assert_eq!(id("linux/arm64"), id("linux/arm64/v8.0"));
        assert_eq!(id("linux/arm64"), "linux/arm64");
        assert_ne!(id("linux/arm64"), id("linux/arm64/v9"));
        assert_eq!(id("linux/arm64/v9"), id("linux/arm64/v9.0"));
        assert_eq!(id("linux/arm"), id("linux/arm/v7"));
        assert_eq!(id("linux/arm"), "linux/arm/v7");
        assert_ne!(id("linux/arm/v6"), id("linux/arm/v7"));
        assert_eq!(id("linux/amd64"), id("linux/amd64/v1"));
        assert_ne!(id("linux/amd64"), id("linux/amd64/v2"));
        assert_eq!(id("linux/x86_64"), id("linux/amd64"));
        assert_eq!(id("linux/aarch64"), id("linux/arm64"));
        assert_eq!(id("Linux/AMD64"), id("linux/amd64"));
        // Windows versions are distinct entries.
        assert_ne!(
            id("windows/amd64:10.0.17763.2565"),
            id("windows/amd64:10.0.20348.1607")
        );
        assert_eq!(
            id("windows/amd64:10.0.17763.2565"),
            "windows/amd64:10.0.17763.2565"
        );
        assert_ne!(id("windows/amd64"), id("windows/amd64:10.0.17763.2565"));
    }

    #[test]
    fn error_stays_small() {
        // Other errors embed this one; clippy's result_large_err is at 128.
        assert!(std::mem::size_of::<PlatformError>() <= 56);
    }

    #[test]
    fn serde_uses_oci_field_names() {
        let json = r#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.2565","os.features":["win32k"]}"#;
        let q: Platform = serde_json::from_str(json).unwrap();
        assert_eq!(q.os_version.as_deref(), Some("10.0.17763.2565"));
        assert_eq!(q.os_features, vec!["win32k".to_string()]);
        assert_eq!(serde_json::to_string(&q).unwrap(), json);
    }

    fn platform() -> impl Strategy<Value = Platform> {
        (
            "[a-z][a-z0-9]{0,8}",
            "[a-z0-9][a-z0-9_]{0,8}",
            proptest::option::of("[a-z0-9][a-z0-9.]{0,6}"),
            proptest::option::of("[0-9]{1,2}(\\.[0-9]{1,5}){0,3}"),
        )
            .prop_map(|(os, arch, variant, version)| {
                let mut q = Platform::new(&os, &arch, variant.as_deref());
                q.os_version = version;
                q
            })
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = Platform::parse(&s);
        }

        #[test]
        fn checks_never_panic(s in "[a-zA-Z0-9_./:-]{0,30}") {
            if let Ok(q) = Platform::parse(&s) {
                let _ = q.validate_known();
                let _ = q.identity();
                prop_assert_eq!(Platform::parse(&q.to_string()), Ok(q));
            }
        }

        #[test]
        fn display_parse_round_trip(q in platform()) {
            let text = q.to_string();
            prop_assert_eq!(Platform::parse(&text), Ok(q));
        }
    }
}
