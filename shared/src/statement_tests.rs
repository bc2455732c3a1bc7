use serde_json::json;

use super::*;
use crate::sbom::{MAX_ROWS, PackageRow};

/// An SPDX statement as BuildKit's syft scanner writes it (trimmed).
fn buildx_spdx() -> serde_json::Value {
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [{
            "name": "pkg:docker/example/app@1.0?platform=linux%2Famd64",
            "digest": {"sha256": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"}
        }],
        "predicate": {
            "SPDXID": "SPDXRef-DOCUMENT",
            "spdxVersion": "SPDX-2.3",
            "dataLicense": "CC0-1.0",
            "name": "sbom",
            "documentNamespace": "https://docker.com/docker-scout/sbom/1234",
            "creationInfo": {"created": "2024-03-01T12:00:00Z", "creators": ["Tool: buildkit-v0.13.0", "Tool: syft-v0.105.0"]},
            "packages": [
                {
                    "name": "alpine-baselayout",
                    "SPDXID": "SPDXRef-Package-apk-alpine-baselayout",
                    "versionInfo": "3.4.3-r2",
                    "licenseConcluded": "NOASSERTION",
                    "licenseDeclared": "GPL-2.0-only",
                    "downloadLocation": "https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout",
                    "externalRefs": [
                        {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:alpine-baselayout:alpine-baselayout:3.4.3-r2:*:*:*:*:*:*:*"},
                        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:apk/alpine/alpine-baselayout@3.4.3-r2?arch=x86_64&distro=alpine-3.19.1"}
                    ]
                },
                {
                    "name": "busybox",
                    "versionInfo": "1.36.1-r15",
                    "licenseConcluded": "GPL-2.0-only",
                    "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64"}]
                },
                {"name": "musl", "versionInfo": "NOASSERTION"}
            ],
            "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Package-apk-alpine-baselayout"}]
        }
    })
}

/// SLSA provenance v0.2 as buildx writes it (`--provenance=mode=max`).
fn buildx_provenance_v02() -> serde_json::Value {
    json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "pkg:docker/example/app@1.0?platform=linux%2Famd64", "digest": {"sha256": "aa"}}],
        "predicate": {
            "builder": {"id": "https://github.com/example/app/actions/runs/8123456789"},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "materials": [
                {"uri": "pkg:docker/docker/dockerfile@1", "digest": {"sha256": "ac85f380a63b13dfcefa89046420e1781752bab202122f8f50032edf31be0021"}},
                {"uri": "pkg:docker/alpine@3.19?platform=linux%2Famd64", "digest": {"sha256": "c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b"}}
            ],
            "invocation": {
                "configSource": {
                    "uri": "https://github.com/example/app.git#refs/heads/main",
                    "digest": {"sha1": "5e3e4a4ac71b2f8a6f0cbd9d0b5b2bfe6c1e9b71"},
                    "entryPoint": "Dockerfile"
                },
                "parameters": {
                    "frontend": "gateway.v0",
                    "args": {
                        "build-arg:VERSION": "1.0",
                        "build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR": "1",
                        "cmdline": "docker/dockerfile:1",
                        "source": "docker/dockerfile:1",
                        "target": "release"
                    },
                    "locals": [{"name": "context"}, {"name": "dockerfile"}]
                },
                "environment": {"platform": "linux/amd64"}
            },
            "metadata": {
                "buildInvocationID": "u2kx1a2b3c",
                "buildStartedOn": "2024-03-01T12:00:01.123Z",
                "buildFinishedOn": "2024-03-01T12:02:45.456Z",
                "completeness": {"parameters": true, "environment": true, "materials": false},
                "reproducible": false,
                "https://mobyproject.org/buildkit@v1#metadata": {
                    "vcs": {"revision": "5e3e4a4ac71b2f8a6f0cbd9d0b5b2bfe6c1e9b71", "source": "https://github.com/example/app"}
                }
            }
        }
    })
}

/// SLSA provenance v1 as buildx writes it (`--provenance=version=v1`).
fn buildx_provenance_v1() -> serde_json::Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "pkg:docker/example/app@1.0", "digest": {"sha256": "bb"}}],
        "predicate": {
            "buildDefinition": {
                "buildType": "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md",
                "externalParameters": {
                    "configSource": {"path": "Dockerfile"},
                    "request": {"frontend": "dockerfile.v0", "args": {"build-arg:GO_VERSION": "1.22", "target": "bin"}}
                },
                "internalParameters": {"builderPlatform": "linux/amd64"},
                "resolvedDependencies": [
                    {"uri": "pkg:docker/golang@1.22-alpine", "digest": {"sha256": "cc"}},
                    {"uri": "https://github.com/example/tool.git#v2", "digest": {"sha1": "0123456789abcdef0123456789abcdef01234567"}}
                ]
            },
            "runDetails": {
                "builder": {"id": "https://github.com/docker/buildx"},
                "metadata": {"invocationID": "x", "startedOn": "2024-05-02T08:00:00Z", "finishedOn": "2024-05-02T08:03:00Z"}
            }
        }
    })
}

fn read(value: &serde_json::Value) -> DocumentView {
    read_document(&serde_json::to_vec(value).unwrap())
}

#[test]
fn a_buildx_spdx_statement_is_a_package_table() {
    let view = read(&buildx_spdx());
    assert_eq!(view.predicate_type.as_deref(), Some(SPDX_PREDICATE));
    assert_eq!(view.subjects.len(), 1);
    assert!(view.subjects[0].name.starts_with("pkg:docker/example/app"));
    let Summary::Sbom(sbom) = &view.summary else {
        panic!("{view:#?}")
    };
    assert_eq!(sbom.format, "SPDX-2.3");
    assert_eq!(sbom.name.as_deref(), Some("sbom"));
    assert_eq!(sbom.package_count, 3);
    assert!(!sbom.truncated());
    assert_eq!(
        sbom.packages[0],
        PackageRow {
            name: "alpine-baselayout".into(),
            version: Some("3.4.3-r2".into()),
            // NOASSERTION concluded: the declared license.
            license: Some("GPL-2.0-only".into()),
            purl: Some(
                "pkg:apk/alpine/alpine-baselayout@3.4.3-r2?arch=x86_64&distro=alpine-3.19.1".into()
            ),
        }
    );
    assert_eq!(sbom.packages[2].version, None, "NOASSERTION is no version");
    assert!(view.raw.as_deref().unwrap().contains("\n  \"predicate\""));
    assert!(view.notes.is_empty(), "{:?}", view.notes);
    // Searching: any cell, case folded.
    assert!(sbom.packages[1].matches("BUSY"));
    assert!(sbom.packages[1].matches("pkg:apk"));
    assert!(!sbom.packages[2].matches("gpl"));
    assert!(sbom.packages[2].matches("  "));
}

#[test]
fn a_bare_cyclonedx_document_with_nested_components() {
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {"component": {"name": "example/app", "type": "container"}},
        "components": [
            {"type": "library", "name": "openssl", "version": "3.1.4", "purl": "pkg:apk/alpine/openssl@3.1.4",
             "licenses": [{"license": {"id": "Apache-2.0"}}]},
            {"type": "library", "name": "app.jar", "version": "2.0",
             "licenses": [{"expression": "MIT OR Apache-2.0"}],
             "components": [{"name": "jackson-core", "version": "2.16.1", "purl": "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.16.1",
                             "licenses": [{"license": {"name": "The Apache Software License"}}]}]}
        ]
    });
    let view = read(&doc);
    assert_eq!(view.predicate_type, None);
    let Summary::Sbom(sbom) = &view.summary else {
        panic!("{view:#?}")
    };
    assert_eq!(sbom.format, "CycloneDX 1.5");
    assert_eq!(sbom.name.as_deref(), Some("example/app"));
    assert_eq!(sbom.package_count, 3);
    let names: Vec<&str> = sbom.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["openssl", "app.jar", "jackson-core"]);
    assert_eq!(sbom.packages[0].license.as_deref(), Some("Apache-2.0"));
    assert_eq!(
        sbom.packages[1].license.as_deref(),
        Some("MIT OR Apache-2.0")
    );
    assert_eq!(
        sbom.packages[2].license.as_deref(),
        Some("The Apache Software License")
    );
}

#[test]
fn a_cyclonedx_statement_with_a_versioned_predicate_type() {
    let doc = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://cyclonedx.org/bom/v1.5",
        "subject": [],
        "predicate": {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "zlib"}]}
    });
    let Summary::Sbom(sbom) = read(&doc).summary else {
        panic!()
    };
    assert_eq!(sbom.package_count, 1);
}

#[test]
fn slsa_v02_from_buildx() {
    let view = read(&buildx_provenance_v02());
    let Summary::Provenance(p) = &view.summary else {
        panic!("{view:#?}")
    };
    assert_eq!(p.slsa_version, "v0.2");
    assert_eq!(
        p.builder_id.as_deref(),
        Some("https://github.com/example/app/actions/runs/8123456789")
    );
    assert_eq!(
        p.build_type.as_deref(),
        Some("https://mobyproject.org/buildkit@v1")
    );
    let source = p.source.as_ref().unwrap();
    assert_eq!(
        source.repository,
        "https://github.com/example/app.git#refs/heads/main"
    );
    assert_eq!(
        source.commit.as_deref(),
        Some("5e3e4a4ac71b2f8a6f0cbd9d0b5b2bfe6c1e9b71")
    );
    assert_eq!(p.build_args.get("VERSION").map(String::as_str), Some("1.0"));
    assert_eq!(
        p.build_args.get("target").map(String::as_str),
        Some("release")
    );
    assert!(!p.build_args.contains_key("build-arg:VERSION"));
    assert_eq!(p.started_on.as_deref(), Some("2024-03-01T12:00:01.123Z"));
    assert_eq!(p.finished_on.as_deref(), Some("2024-03-01T12:02:45.456Z"));
}

#[test]
fn slsa_v02_without_a_config_source_takes_the_vcs_metadata() {
    let mut doc = buildx_provenance_v02();
    doc["predicate"]["invocation"]
        .as_object_mut()
        .unwrap()
        .remove("configSource");
    let Summary::Provenance(p) = read(&doc).summary else {
        panic!()
    };
    let source = p.source.unwrap();
    assert_eq!(source.repository, "https://github.com/example/app");
    assert_eq!(
        source.commit.as_deref(),
        Some("5e3e4a4ac71b2f8a6f0cbd9d0b5b2bfe6c1e9b71")
    );
}

#[test]
fn slsa_v1_from_buildx() {
    let view = read(&buildx_provenance_v1());
    let Summary::Provenance(p) = &view.summary else {
        panic!("{view:#?}")
    };
    assert_eq!(p.slsa_version, "v1");
    assert_eq!(
        p.builder_id.as_deref(),
        Some("https://github.com/docker/buildx")
    );
    assert!(
        p.build_type
            .as_deref()
            .unwrap()
            .contains("slsa-definitions")
    );
    // The config source has no URI: the git dependency is the source.
    let source = p.source.as_ref().unwrap();
    assert_eq!(source.repository, "https://github.com/example/tool.git#v2");
    assert_eq!(
        source.commit.as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(
        p.build_args.get("GO_VERSION").map(String::as_str),
        Some("1.22")
    );
    assert_eq!(p.started_on.as_deref(), Some("2024-05-02T08:00:00Z"));
    assert_eq!(p.finished_on.as_deref(), Some("2024-05-02T08:03:00Z"));
}

#[test]
fn other_predicates_are_their_type_and_the_raw_statement() {
    let doc = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://cosign.sigstore.dev/attestation/vuln/v1",
        "subject": [{"name": "x", "digest": {"sha256": "dd"}}],
        "predicate": {"scanner": {"uri": "pkg:github/aquasecurity/trivy@0.50"}}
    });
    let view = read(&doc);
    assert_eq!(view.summary, Summary::Other);
    assert_eq!(
        view.predicate_type.as_deref(),
        Some("https://cosign.sigstore.dev/attestation/vuln/v1")
    );
    assert_eq!(view.subjects[0].digest["sha256"], "dd");
    let raw = view.raw.unwrap();
    assert!(raw.contains("\"scanner\": {"), "{raw}");
    let json = serde_json::to_value(read(&doc)).unwrap();
    assert_eq!(json["summary"]["kind"], "other");
}

#[test]
fn the_rows_are_capped_and_the_count_is_exact() {
    let packages: Vec<_> = (0..MAX_ROWS + 7)
        .map(|i| json!({"name": format!("p{i}"), "versionInfo": "1", "description": "d".repeat(100)}))
        .collect();
    let doc = json!({"spdxVersion": "SPDX-2.2", "packages": packages});
    let view = read(&doc);
    let Summary::Sbom(sbom) = &view.summary else {
        panic!()
    };
    assert_eq!(sbom.package_count, MAX_ROWS + 7);
    assert_eq!(sbom.packages.len(), MAX_ROWS);
    assert!(sbom.truncated());
    // Over the raw view's limit: said, not shown.
    assert!(view.raw.is_none(), "over the raw view's limit");
    assert!(view.notes[0].contains("raw view"), "{:?}", view.notes);
}

#[test]
fn hostile_documents_are_notes_not_panics() {
    // Nesting deeper than serde_json's recursion limit.
    let deep = format!(
        "{{\"bomFormat\":\"CycloneDX\",\"components\":{}1{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let view = read_document(deep.as_bytes());
    assert_eq!(view.summary, Summary::Other);
    assert!(!view.notes.is_empty());
    let nested = format!(
        "{{\"bomFormat\":\"CycloneDX\",\"components\":[{}{}]}}",
        "{\"name\":\"a\",\"components\":[".repeat(200),
        "]}".repeat(200)
    );
    let view = read_document(nested.as_bytes());
    assert!(
        view.notes.iter().any(|n| n.contains("recursion")),
        "{:?}",
        view.notes
    );
    // Wrong shapes name where.
    let view = read(&json!({"spdxVersion": "SPDX-2.3", "packages": [{"name": 7}]}));
    assert_eq!(view.summary, Summary::Other);
    assert!(view.notes[0].contains("SPDX"), "{:?}", view.notes);
    let view = read(
        &json!({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": SLSA_V02_PREDICATE, "predicate": {"builder": "me"}}),
    );
    assert!(view.notes[0].contains("slsa.dev"), "{:?}", view.notes);
    // Not JSON, not an object, empty.
    for bytes in [&b"\xff\xfe"[..], b"[1,2]", b"", b"null"] {
        let view = read_document(bytes);
        assert_eq!(view.summary, Summary::Other);
        assert!(!view.notes.is_empty(), "{bytes:?}");
    }
    // Long cells are cut.
    let long = "x".repeat(10_000);
    let Summary::Sbom(sbom) =
        read(&json!({"bomFormat": "CycloneDX", "components": [{"name": long}]})).summary
    else {
        panic!()
    };
    assert!(sbom.packages[0].name.len() < 600);
    assert!(sbom.packages[0].name.ends_with('…'));
}
