use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

fn entry(image: &str, os: &str, arch: &str, variant: &str) -> SpecEntry {
    SpecEntry {
        image: image.to_string(),
        platform: SpecPlatform {
            os: os.to_string(),
            architecture: arch.to_string(),
            variant: variant.to_string(),
            ..SpecPlatform::default()
        },
        annotations: BTreeMap::new(),
    }
}

fn spec(manifests: Vec<SpecEntry>) -> PushSpec {
    PushSpec {
        image: "localhost:5000/app:1.0".to_string(),
        manifests,
        ..PushSpec::default()
    }
}

// ---- validation ----------------------------------------------------------

#[test]
fn valid_spec_parses_references_and_dedupes_tags() {
    let mut s = spec(vec![
        entry("localhost:5000/app:amd64", "linux", "amd64", ""),
        entry("localhost:5000/app:armv7", "linux", "arm", "v7"),
    ]);
    s.tags = vec!["1".into(), "1.0".into(), "1".into(), " latest ".into()];
    let v = s.validate().unwrap();
    assert_eq!(v.target.registry(), "localhost:5000");
    assert_eq!(v.target.repository(), "app");
    assert_eq!(v.target.tag(), Some("1.0"));
    // The target's own tag and repeats are dropped; whitespace is trimmed.
    assert_eq!(v.tags, vec!["1".to_string(), "latest".to_string()]);
    assert_eq!(v.entries.len(), 2);
    assert_eq!(v.entries[1].source.tag(), Some("armv7"));
    assert_eq!(v.entries[1].declared.variant.as_deref(), Some("v7"));
    // No `type`: the plan decides from the sources.
    assert_eq!(v.index_type, IndexType::Auto);
}

#[test]
fn expect_is_a_digest_or_nothing() {
    let mut s = spec(vec![entry("localhost:5000/app:amd64", "", "", "")]);
    assert_eq!(s.validate().unwrap().expect, None);
    let digest = crate::digest::Digest::sha256(b"old index");
    s.expect = format!(" {digest} ");
    assert_eq!(s.validate().unwrap().expect, Some(digest.clone()));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["expect"], format!(" {digest} "));
    s.expect = "sha256:nothex".into();
    let e = s.validate().unwrap_err();
    assert_eq!(e.field(), Some("expect"));
    assert!(e.to_string().contains("sha256:nothex"), "{e}");
    s.expect = digest.to_string();
    assert!(
        to_yaml(&s).contains(&format!("expect: {digest}")),
        "{}",
        to_yaml(&s)
    );
}

#[test]
fn empty_target_and_bad_references_name_the_field() {
    let mut s = spec(vec![entry("localhost:5000/app:a", "", "", "")]);
    s.image = "  ".into();
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("image"));
    assert!(matches!(err, SpecError::Empty { .. }), "{err}");

    let s = spec(vec![
        entry("localhost:5000/app:a", "", "", ""),
        entry("localhost:5000/app:a", "", "", ""),
        entry("localhost:5000/UPPER/x::y", "", "", ""),
    ]);
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("manifests[2].image"));
    assert!(err.to_string().contains("UPPER/x::y"), "{err}");

    let s = spec(vec![entry("", "", "", "")]);
    assert_eq!(
        s.validate().unwrap_err().field(),
        Some("manifests[0].image")
    );
}

#[test]
fn target_with_digest_is_refused_with_a_tag_suggestion() {
    let digest = crate::digest::Digest::sha256(b"x");
    let mut s = spec(vec![entry("localhost:5000/app:a", "", "", "")]);
    s.image = format!("localhost:5000/app@{digest}");
    let err = s.validate().unwrap_err();
    assert!(matches!(err, SpecError::TargetHasDigest { .. }), "{err}");
    assert!(
        err.to_string().contains("localhost:5000/app:latest"),
        "{err}"
    );
}

#[test]
fn bad_tag_names_its_position() {
    let mut s = spec(vec![entry("localhost:5000/app:a", "", "", "")]);
    s.tags = vec!["ok".into(), "-bad".into()];
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("tags[1]"));
    assert!(err.to_string().contains("-bad"), "{err}");
    s.tags = vec!["".into()];
    assert_eq!(s.validate().unwrap_err().field(), Some("tags[0]"));
}

#[test]
fn no_manifests_is_an_error() {
    let err = spec(vec![]).validate().unwrap_err();
    assert_eq!(err, SpecError::NoManifests);
    assert_eq!(err.field(), Some("manifests"));
}

#[test]
fn docker_type_with_annotations_suggests_oci() {
    let mut s = spec(vec![entry("localhost:5000/app:a", "", "", "")]);
    s.index_type = IndexType::Docker;
    s.annotations
        .insert("org.opencontainers.image.title".into(), "x".into());
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("annotations"));
    assert!(err.to_string().contains("type: oci"), "{err}");
    s.index_type = IndexType::Oci;
    assert!(s.validate().is_ok());

    let mut s = spec(vec![
        entry("localhost:5000/app:a", "", "", ""),
        entry("localhost:5000/app:b", "", "", ""),
    ]);
    s.index_type = IndexType::Docker;
    s.manifests[1].annotations.insert("k".into(), "v".into());
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("manifests[1].annotations"));
    assert!(matches!(err, SpecError::AnnotationsNeedOci { .. }));
    s.index_type = IndexType::Oci;
    let v = s.validate().unwrap();
    assert_eq!(
        v.entries[1].annotations.get("k").map(String::as_str),
        Some("v")
    );

    s.manifests[0].annotations.insert(" ".into(), "v".into());
    assert_eq!(
        s.validate().unwrap_err().field(),
        Some("manifests[0].annotations")
    );
}

#[test]
fn half_a_platform_is_an_error_naming_the_missing_key() {
    let s = spec(vec![entry("localhost:5000/app:a", "linux", "", "")]);
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("manifests[0].platform.architecture"));
    assert!(
        err.to_string().contains("manifests[0].platform.os"),
        "{err}"
    );
    let s = spec(vec![entry("localhost:5000/app:a", "", "arm64", "")]);
    assert_eq!(
        s.validate().unwrap_err().field(),
        Some("manifests[0].platform.os")
    );
    // A variant alone refines the image's own os/arch (as in manifest-tool).
    let s = spec(vec![entry("localhost:5000/app:a", "", "", "v7")]);
    assert!(s.validate().is_ok());
}

#[test]
fn unknown_platforms_name_the_key_that_is_wrong() {
    let s = spec(vec![
        entry("localhost:5000/app:a", "linux", "amd64", ""),
        entry("localhost:5000/app:b", "linux", "amd65", ""),
    ]);
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("manifests[1].platform.architecture"));
    assert!(err.to_string().contains("amd65"), "{err}");

    let s = spec(vec![entry("localhost:5000/app:a", "linux", "arm", "v42")]);
    let err = s.validate().unwrap_err();
    assert_eq!(err.field(), Some("manifests[0].platform.variant"));
    assert!(err.to_string().contains("v42"), "{err}");
}

// ---- JSON ------------------------------------------------------------------

#[test]
fn json_uses_the_yaml_keys() {
    let json = r#"{
        "image": "localhost:5000/app:1",
        "tags": ["a"],
        "manifests": [
            {"image": "localhost:5000/app:w", "platform": {"architecture": "amd64", "os": "windows",
             "osversion": "10.0.17763.2565", "osfeatures": ["win32k"]},
             "annotations": {"k": "v"}}
        ],
        "annotations": {"x": "y"},
        "type": "oci",
        "ignoreMissing": true
    }"#;
    let s: PushSpec = serde_json::from_str(json).unwrap();
    assert_eq!(s.index_type, IndexType::Oci);
    assert!(s.ignore_missing);
    assert_eq!(s.manifests[0].platform.osversion, "10.0.17763.2565");
    assert_eq!(
        s.manifests[0].platform.osfeatures,
        vec!["win32k".to_string()]
    );
    let back: PushSpec = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    // Defaults are left out of the JSON we send.
    let minimal = serde_json::to_value(spec(vec![entry("a", "", "", "")])).unwrap();
    assert_eq!(
        minimal,
        serde_json::json!({"image": "localhost:5000/app:1.0", "manifests": [{"image": "a"}]})
    );
    // Typos are refused, not ignored.
    let err = serde_json::from_str::<PushSpec>(r#"{"image":"a","manifest":[]}"#).unwrap_err();
    assert!(err.to_string().contains("manifest"), "{err}");
}

// ---- YAML emit ---------------------------------------------------------------

#[test]
fn to_yaml_uses_manifest_tool_layout() {
    let mut s = spec(vec![
        entry("localhost:5000/app:arm64", "linux", "arm64", "v8"),
        entry("localhost:5000/app:386", "linux", "386", ""),
    ]);
    s.tags = vec!["1.0".into(), "stable".into()];
    let yaml = to_yaml(&s);
    assert_eq!(
        yaml,
        "image: localhost:5000/app:1.0\n\
         tags:\n  - \"1.0\"\n  - stable\n\
         manifests:\n\
         \x20 - image: localhost:5000/app:arm64\n\
         \x20   platform:\n      architecture: arm64\n      os: linux\n      variant: v8\n\
         \x20 - image: localhost:5000/app:386\n\
         \x20   platform:\n      architecture: \"386\"\n      os: linux\n"
    );
}

#[test]
fn to_yaml_writes_our_keys_only_when_not_default() {
    let mut s = spec(vec![entry("a", "", "", "")]);
    let yaml = to_yaml(&s);
    assert!(
        !yaml.contains("type:") && !yaml.contains("ignoreMissing"),
        "{yaml}"
    );
    assert!(!yaml.contains("platform"), "{yaml}");
    s.index_type = IndexType::Oci;
    s.ignore_missing = true;
    s.manifests[0].annotations.insert("k".into(), "v".into());
    s.annotations.insert("org.example.n".into(), "42".into());
    let yaml = to_yaml(&s);
    assert!(yaml.contains("\ntype: oci\n"), "{yaml}");
    assert!(yaml.contains("\nignoreMissing: true\n"), "{yaml}");
    assert!(yaml.contains("\n    annotations:\n      k: v\n"), "{yaml}");
    assert!(
        yaml.contains("\nannotations:\n  org.example.n: \"42\"\n"),
        "{yaml}"
    );
    let empty = to_yaml(&PushSpec::default());
    assert_eq!(empty, "image: \"\"\nmanifests: []\n");
}

#[test]
fn no_type_allows_annotations_and_round_trips_every_type() {
    // Without `type`, annotations make the plan choose an OCI index.
    let mut s = spec(vec![entry("localhost:5000/app:a", "", "", "")]);
    s.annotations.insert("org.example.k".into(), "v".into());
    s.manifests[0].annotations.insert("k".into(), "v".into());
    assert_eq!(s.validate().unwrap().index_type, IndexType::Auto);
    for (index_type, line) in [
        (IndexType::Auto, None),
        (IndexType::Docker, Some("\ntype: docker\n")),
        (IndexType::Oci, Some("\ntype: oci\n")),
    ] {
        let mut s = spec(vec![entry("localhost:5000/app:a", "", "", "")]);
        s.index_type = index_type;
        let yaml = to_yaml(&s);
        match line {
            Some(line) => assert!(yaml.contains(line), "{yaml}"),
            None => assert!(!yaml.contains("type:"), "{yaml}"),
        }
        #[cfg(feature = "yaml")]
        assert_eq!(parse_yaml(&yaml).unwrap(), s);
        let json = serde_json::to_string(&s).unwrap();
        #[cfg(feature = "yaml")]
        assert_eq!(parse_json(&json).unwrap(), s);
        // Without the feature (the page) the spec is read as the proxy wrote it.
        assert_eq!(serde_json::from_str::<PushSpec>(&json).unwrap(), s);
    }
    // `type: auto` may be written out too.
    #[cfg(feature = "yaml")]
    assert_eq!(
        parse_yaml("image: a\ntype: auto\n").unwrap().index_type,
        IndexType::Auto
    );
}

#[test]
fn scalars_that_would_change_type_are_quoted() {
    use super::yaml_emit::scalar;
    for s in [
        "386",
        "1.0",
        "1e3",
        "0x1F",
        "0o17",
        "1_000",
        "-1",
        "+1",
        ".5",
        ".inf",
        "true",
        "False",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "n",
        "null",
        "Null",
        "~",
        "",
        " x",
        "x ",
        "a: b",
        "a #b",
        "#x",
        "-x",
        "- x",
        "?x",
        ":x",
        "x:",
        "[x]",
        "{x}",
        "a,b",
        "*x",
        "&x",
        "!x",
        "|x",
        ">x",
        "'x",
        "\"x",
        "%x",
        "@x",
        "`x",
        "<<",
        "2001-12-14",
        "1:20",
        "10.0.17763.2565",
        "a\nb",
        "tab\there",
        "nul\u{0}",
        "\u{85}",
        "\u{2028}",
        "\u{feff}x",
    ] {
        let out = scalar(s);
        assert!(out.starts_with('"') && out.ends_with('"'), "{s:?} -> {out}");
    }
    for s in [
        "linux",
        "amd64",
        "v8",
        "arm64",
        "docker.io/library/alpine:3.19",
        "localhost:5000/a/b@sha256:abc",
        "My Image Title",
        "https://example.com/x",
        "Apache-2.0",
        "a:b",
        "é",
        "v1.0",
    ] {
        assert_eq!(scalar(s), s, "{s:?} should stay plain");
    }
    // Quotes and backslashes inside a plain scalar are literal...
    assert_eq!(scalar("say \"hi\" \\o/"), "say \"hi\" \\o/");
    // ...and escaped once the scalar has to be quoted.
    assert_eq!(scalar("\"hi\" \\"), r#""\"hi\" \\""#);
    assert_eq!(scalar("a\nb\tc\u{1}"), r#""a\nb\tc\u0001""#);
}

// ---- template ----------------------------------------------------------------

#[test]
fn template_follows_manifest_tool_readme() {
    let s = expand_template(
        "linux/amd64,linux/arm/v5, linux/arm/v7",
        "localhost:5000/foo/bar-ARCHVARIANT:v1",
        "localhost:5000/foo/bar:v1",
        &["v1.0".into()],
    )
    .unwrap();
    let images: Vec<&str> = s.manifests.iter().map(|m| m.image.as_str()).collect();
    assert_eq!(
        images,
        [
            "localhost:5000/foo/bar-amd64:v1",
            "localhost:5000/foo/bar-armv5:v1",
            "localhost:5000/foo/bar-armv7:v1"
        ]
    );
    assert_eq!(s.manifests[1].platform.variant, "v5");
    assert_eq!(s.manifests[0].platform.variant, "");
    assert_eq!(s.manifests[2].platform.os, "linux");
    assert_eq!(s.manifests[2].platform.architecture, "arm");
    assert_eq!(s.image, "localhost:5000/foo/bar:v1");
    assert_eq!(s.tags, vec!["v1.0".to_string()]);
    assert_eq!(s.index_type, IndexType::Auto);
}

#[test]
fn template_substitutes_arch_then_os_then_variant_once_each() {
    let p = crate::platform::Platform::new("linux", "arm64", Some("v8"));
    assert_eq!(substitute("foo/OS-ARCH-VARIANT", &p), "foo/linux-arm64-v8");
    assert_eq!(substitute("foo/OSARCHVARIANT", &p), "foo/linuxarm64v8");
    // Only the first occurrence of each, as manifest-tool does.
    assert_eq!(substitute("ARCH/ARCH", &p), "arm64/ARCH");
    assert_eq!(substitute("OS-OS", &p), "linux-OS");
    // No variant: VARIANT becomes empty.
    let p = crate::platform::Platform::new("windows", "amd64", None);
    assert_eq!(substitute("x-OS-ARCHVARIANT:1", &p), "x-windows-amd64:1");
}

#[test]
fn template_without_placeholder_is_refused_for_several_platforms() {
    let err =
        expand_template("linux/amd64,linux/arm64", "foo/bar:v1", "foo/bar:v2", &[]).unwrap_err();
    assert!(
        matches!(err, SpecError::TemplateWithoutPlaceholder { count: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("ARCH"), "{err}");
    // One platform with a fixed image is fine.
    let s = expand_template("linux/amd64", "foo/bar:v1", "foo/bar:v2", &[]).unwrap();
    assert_eq!(s.manifests.len(), 1);
}

#[test]
fn template_collisions_name_both_platforms() {
    let err = expand_template(
        "linux/amd64,linux/arm64",
        "foo/bar-VARIANT:v1",
        "foo/bar:v2",
        &[],
    )
    .unwrap_err();
    match &err {
        SpecError::TemplateCollision {
            first,
            second,
            image,
            ..
        } => {
            assert_eq!(first, "linux/amd64");
            assert_eq!(second, "linux/arm64");
            assert_eq!(image, "foo/bar-:v1");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn template_platforms_are_validated() {
    let err = expand_template("linux/amd64,linux", "foo/ARCH", "foo/bar:v1", &[]).unwrap_err();
    assert!(
        matches!(err, SpecError::TemplatePlatform { position: 2, .. }),
        "{err}"
    );
    let err =
        expand_template("linux/amd64,linux/amd65", "foo/ARCH", "foo/bar:v1", &[]).unwrap_err();
    assert!(err.to_string().contains("amd65"), "{err}");
    assert_eq!(
        expand_template(" , ", "foo/ARCH", "foo/bar:v1", &[]).unwrap_err(),
        SpecError::NoPlatforms
    );
    let err = expand_template("linux/amd64", "foo/ARCH", "", &[]).unwrap_err();
    assert_eq!(err.field(), Some("image"));
}

proptest! {
    #[test]
    fn expand_template_never_panics(
        platforms in "[a-z0-9/,: ]{0,30}",
        template in "[a-zA-Z0-9/:._-]{0,30}",
    ) {
        if let Ok(s) = expand_template(&platforms, &template, "localhost:5000/t:1", &[]) {
            prop_assert!(s.validate().is_ok());
        }
    }
}

// ---- YAML parse ----------------------------------------------------------------

#[cfg(feature = "yaml")]
mod yaml {
    use super::*;

    /// manifest-tool's README sample.
    const README: &str = r#"image: myprivreg:5000/someimage:latest
tags: ["1.0.0", "1.0", "1"]
manifests:
  -
    image: myprivreg:5000/someimage:arm64
    platform:
      architecture: arm64
      os: linux
  -
    image: myprivreg:5000/someimage:amd64
    platform:
      architecture: amd64
      os: linux
"#;

    /// manifest-tool's integration/test-registry.yml (with its placeholder
    /// registry filled in as its test script does).
    const TEST_REGISTRY: &str = "image: localhost:5000/alpine:latest
annotations:
  org.opencontainers.image.title: My Image Title
  org.opencontainers.image.description: My image description.
  org.opencontainers.image.authors: Fred Flintstone
  org.opencontainers.image.source: https://github.com/estesp/manifest-tool
  org.opencontainers.image.licenses: Apache-2.0
manifests: \n  - \n    image: localhost:5000/ppc64le_alpine:latest
    platform: \n      architecture: ppc64le
      os: linux
  - \n    image: localhost:5000/amd64_alpine:latest
    platform: \n      architecture: amd64
      os: linux
  - \n    image: localhost:5000/s390x_alpine:latest
    platform: \n      architecture: s390x
      os: linux
  - \n    image: localhost:5000/aarch64_alpine:latest
    platform: \n      architecture: arm64
      os: linux
      variant: v8
";

    #[test]
    fn parses_manifest_tool_readme_example() {
        let s = parse_yaml(README).unwrap();
        assert_eq!(s.image, "myprivreg:5000/someimage:latest");
        assert_eq!(s.tags, ["1.0.0", "1.0", "1"]);
        assert_eq!(s.manifests.len(), 2);
        assert_eq!(s.manifests[0].image, "myprivreg:5000/someimage:arm64");
        assert_eq!(s.manifests[0].platform.architecture, "arm64");
        assert_eq!(s.manifests[1].platform.os, "linux");
        assert_eq!(s.index_type, IndexType::Auto);
        let v = s.validate().unwrap();
        assert_eq!(v.target.registry(), "myprivreg:5000");
        assert_eq!(v.tags, ["1.0.0", "1.0", "1"]);
    }

    #[test]
    fn parses_manifest_tool_integration_spec() {
        let s = parse_yaml(TEST_REGISTRY).unwrap();
        assert_eq!(s.annotations.len(), 5);
        assert_eq!(
            s.annotations
                .get("org.opencontainers.image.title")
                .map(String::as_str),
            Some("My Image Title")
        );
        assert_eq!(s.manifests.len(), 4);
        assert_eq!(s.manifests[3].platform.variant, "v8");
        // manifest-tool pushes this one with --type oci; without a type the
        // plan makes it one (annotations); as Docker it is refused.
        assert_eq!(s.validate().unwrap().index_type, IndexType::Auto);
        let docker = PushSpec {
            index_type: IndexType::Docker,
            ..s.clone()
        };
        let err = docker.validate().unwrap_err();
        assert!(matches!(err, SpecError::AnnotationsNeedOci { .. }), "{err}");
        let s = PushSpec {
            index_type: IndexType::Oci,
            ..s
        };
        s.validate().unwrap();
        assert_eq!(parse_yaml(&to_yaml(&s)).unwrap(), s);
    }

    #[test]
    fn scalars_are_read_as_text() {
        let s = parse_yaml(
            "image: localhost:5000/x:1\ntags: [1.0, 2, true, 0x1F]\nmanifests:\n  - image: localhost:5000/x:386\n    platform:\n      architecture: 386\n      os: linux\n      variant:\n      osversion: 10.0\nannotations:\n  n: 1.10\n  b: yes\n  e: ~\ntype: oci\nignoreMissing: true\n",
        )
        .unwrap();
        assert_eq!(s.tags, ["1.0", "2", "true", "0x1F"]);
        assert_eq!(s.manifests[0].platform.architecture, "386");
        assert_eq!(s.manifests[0].platform.variant, "");
        assert_eq!(s.manifests[0].platform.osversion, "10.0");
        assert_eq!(s.annotations["n"], "1.10");
        assert_eq!(s.annotations["b"], "yes");
        assert_eq!(s.annotations["e"], "");
        assert_eq!(s.index_type, IndexType::Oci);
        assert!(s.ignore_missing);
    }

    #[test]
    fn empty_sections_are_defaults() {
        let s =
            parse_yaml("image: a\ntags:\nmanifests:\n  - image: b\n    platform:\nannotations:\n")
                .unwrap();
        assert!(s.tags.is_empty() && s.annotations.is_empty());
        assert!(s.manifests[0].platform.is_empty());
    }

    #[test]
    fn type_errors_name_line_column_and_field() {
        let text = "image: a\nmanifests:\n  - image: b\n  - image: c\n    platform:\n      architecture: [arm]\n";
        let err = parse_yaml(text).unwrap_err();
        match &err {
            SpecError::Yaml {
                line,
                column,
                field,
                ..
            } => {
                assert_eq!((*line, *column), (6, 21), "{err}");
                assert_eq!(field.as_deref(), Some("manifests[1].platform.architecture"));
            }
            other => panic!("unexpected {other}"),
        }
        let msg = err.to_string();
        assert!(msg.starts_with("YAML line 6, column 21"), "{msg}");
        assert!(msg.contains("manifests[1].platform.architecture"), "{msg}");
    }

    #[test]
    fn unknown_keys_and_bad_types_are_refused() {
        let err =
            parse_yaml("image: a\nmanifests:\n  - image: b\n    platfrom:\n      os: linux\n")
                .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("line 4"), "{msg}");
        assert!(msg.contains("platfrom"), "{msg}");
        let err = parse_yaml("image: a\ntype: docker2\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert_eq!(err.field(), Some("type"));
        let err = parse_yaml("image: a\nmanifests: [\n").unwrap_err();
        assert!(matches!(err, SpecError::Yaml { line: 2, .. }), "{err}");
        let err = parse_yaml("- a\n").unwrap_err();
        assert!(matches!(err, SpecError::Yaml { line: 1, .. }), "{err}");
        let err = parse_yaml("image: a\nimage: b\n").unwrap_err();
        assert!(!err.to_string().contains("DuplicateKeyPolicy"), "{err}");
    }

    #[test]
    fn validation_errors_point_at_their_line() {
        let text = "image: localhost:5000/app:1\nmanifests:\n  - image: localhost:5000/app:a\n  - image: \"localhost:5000/BAD//x\"\n";
        let err = parse_and_validate_yaml(text).unwrap_err();
        match &err {
            SpecError::InYaml {
                line,
                column,
                error,
            } => {
                assert_eq!((*line, *column), (4, 12));
                assert_eq!(error.field(), Some("manifests[1].image"));
            }
            other => panic!("unexpected {other}"),
        }
        assert_eq!(err.field(), Some("manifests[1].image"));
        assert!(
            err.to_string().starts_with("YAML line 4, column 12: "),
            "{err}"
        );

        let text = "image: localhost:5000/app:1\nmanifests:\n  - image: localhost:5000/app:a\n    platform:\n      os: linux\n      architecture: amd65\n";
        let err = parse_and_validate_yaml(text).unwrap_err();
        assert!(
            matches!(
                err,
                SpecError::InYaml {
                    line: 6,
                    column: 21,
                    ..
                }
            ),
            "{err}"
        );

        let text = "image: localhost:5000/app:1\ntags:\n  - ok\n  - -bad\nmanifests:\n  - image: localhost:5000/app:a\n";
        let err = parse_and_validate_yaml(text).unwrap_err();
        assert!(matches!(err, SpecError::InYaml { line: 4, .. }), "{err}");

        let (spec, valid) = parse_and_validate_yaml(README).unwrap();
        assert_eq!(spec.manifests.len(), valid.entries.len());
    }

    #[test]
    fn round_trips_tricky_values() {
        let mut s = spec(vec![
            entry("localhost:5000/a:386", "linux", "386", ""),
            entry("localhost:5000/a:w", "windows", "amd64", ""),
        ]);
        s.tags = vec!["1.0".into(), "true".into(), "null".into(), "0x10".into()];
        s.index_type = IndexType::Oci;
        s.ignore_missing = true;
        s.manifests[1].platform.osversion = "10.0.17763.2565".into();
        s.manifests[1].platform.osfeatures = vec!["win32k".into()];
        s.manifests[1].platform.features = vec!["sse4".into()];
        s.manifests[1]
            .annotations
            .insert("a: b".into(), "#c".into());
        s.annotations
            .insert("k".into(), "line\nbreak \"q\" \\ é \u{1}".into());
        s.annotations.insert("<<".into(), "~".into());
        s.annotations.insert("empty".into(), "".into());
        assert_eq!(parse_yaml(&to_yaml(&s)).unwrap(), s);
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9./:@_-]{0,20}",
            any::<String>(),
            prop::sample::select(vec![
                "386", "1.0", "true", "no", "null", "~", "", "-", "a: b", "#", "x #y", " lead",
                "trail ", "0o7", ".inf", "<<", "[a]", "{", "'", "\"", "\\", "\t", "é",
            ])
            .prop_map(str::to_string),
        ]
    }

    fn map() -> impl Strategy<Value = BTreeMap<String, String>> {
        prop::collection::btree_map(text(), text(), 0..3)
    }

    fn platform() -> impl Strategy<Value = SpecPlatform> {
        (
            text(),
            text(),
            text(),
            text(),
            prop::collection::vec(text(), 0..2),
            prop::collection::vec(text(), 0..2),
        )
            .prop_map(
                |(architecture, os, variant, osversion, osfeatures, features)| SpecPlatform {
                    architecture,
                    os,
                    variant,
                    osversion,
                    osfeatures,
                    features,
                },
            )
    }

    fn any_spec() -> impl Strategy<Value = PushSpec> {
        let entry =
            (text(), platform(), map()).prop_map(|(image, platform, annotations)| SpecEntry {
                image,
                platform,
                annotations,
            });
        (
            text(),
            prop::collection::vec(text(), 0..3),
            prop::collection::vec(entry, 0..3),
            map(),
            prop::sample::select(vec![IndexType::Auto, IndexType::Docker, IndexType::Oci]),
            any::<bool>(),
        )
            .prop_map(
                |(image, tags, manifests, annotations, index_type, ignore_missing)| PushSpec {
                    image,
                    tags,
                    manifests,
                    annotations,
                    index_type,
                    ignore_missing,
                    expect: String::new(),
                },
            )
    }

    proptest! {
        #[test]
        fn yaml_round_trip(s in any_spec()) {
            let yaml = to_yaml(&s);
            let back = parse_yaml(&yaml);
            prop_assert_eq!(back.as_ref(), Ok(&s), "YAML was:\n{}", yaml);
        }

        #[test]
        fn parse_never_panics(text in any::<String>()) {
            let _ = parse_yaml(&text);
        }
    }
}
