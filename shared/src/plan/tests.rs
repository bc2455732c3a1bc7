//! Every plan rule, over manifests built in memory (digests computed over the
//! bytes built here).

use std::collections::BTreeMap;

use serde_json::Value;

use super::*;
use crate::attestation::{ATTESTATION_MANIFEST, REFERENCE_DIGEST, REFERENCE_TYPE};
use crate::manifest::ManifestBody;
use crate::manifest::{ImageManifest, Schema1};
use crate::media_type::{
    DOCKER_CONFIG, DOCKER_FOREIGN_LAYER, DOCKER_LAYER, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST,
    OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_LAYER_NONDIST_GZIP, OCI_MANIFEST,
};
use crate::spec::{PushSpec, SpecEntry, SpecPlatform};

fn blob(media_type: &str, content: &str) -> Descriptor {
    Descriptor {
        media_type: media_type.to_string(),
        digest: Digest::sha256(content.as_bytes()),
        size: content.len() as u64,
        urls: Vec::new(),
        annotations: BTreeMap::new(),
        platform: None,
        artifact_type: None,
    }
}

fn config(os: &str, arch: &str, variant: Option<&str>) -> ImageConfig {
    ImageConfig {
        os: os.to_string(),
        architecture: arch.to_string(),
        variant: variant.map(str::to_string),
        ..ImageConfig::default()
    }
}

/// An image manifest of `media_type` whose config is `cfg` and whose layers
/// are named by `layers` (their content is the name).
fn image_with(media_type: &str, cfg: &ImageConfig, layers: &[Descriptor]) -> Manifest {
    let config_bytes = serde_json::to_vec(cfg).unwrap();
    let oci = media_type == OCI_MANIFEST;
    let body = ImageManifest {
        schema_version: 2,
        media_type: Some(media_type.to_string()),
        artifact_type: None,
        config: Descriptor {
            media_type: if oci { OCI_CONFIG } else { DOCKER_CONFIG }.to_string(),
            digest: Digest::sha256(&config_bytes),
            size: config_bytes.len() as u64,
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            platform: None,
            artifact_type: None,
        },
        layers: layers.to_vec(),
        subject: None,
        annotations: BTreeMap::new(),
    };
    let raw = serde_json::to_vec_pretty(&body).unwrap();
    Manifest {
        digest: Digest::sha256(&raw),
        raw,
        media_type: media_type.to_string(),
        body: ManifestBody::Image(body),
    }
}

fn docker_image(cfg: &ImageConfig, layer: &str) -> Manifest {
    image_with(DOCKER_MANIFEST, cfg, &[blob(DOCKER_LAYER, layer)])
}

fn oci_image(cfg: &ImageConfig, layer: &str) -> Manifest {
    image_with(OCI_MANIFEST, cfg, &[blob(OCI_LAYER_GZIP, layer)])
}

fn descriptor_of(m: &Manifest, platform: Option<Platform>) -> Descriptor {
    Descriptor {
        media_type: m.media_type.clone(),
        digest: m.digest.clone(),
        size: m.size(),
        urls: Vec::new(),
        annotations: BTreeMap::new(),
        platform,
        artifact_type: None,
    }
}

fn index_of(media_type: &str, children: &[ResolvedChild]) -> Manifest {
    let body = Index {
        schema_version: 2,
        media_type: Some(media_type.to_string()),
        artifact_type: None,
        manifests: children.iter().map(|c| c.descriptor.clone()).collect(),
        subject: None,
        annotations: BTreeMap::new(),
    };
    let raw = serde_json::to_vec(&body).unwrap();
    Manifest {
        digest: Digest::sha256(&raw),
        raw,
        media_type: media_type.to_string(),
        body: ManifestBody::Index(body),
    }
}

/// A BuildKit-style attestation manifest for `image`.
fn attestation_for(image: &Manifest, name: &str) -> ResolvedChild {
    let m = image_with(
        OCI_MANIFEST,
        &ImageConfig::default(),
        &[blob("application/vnd.in-toto+json", name)],
    );
    let mut d = descriptor_of(&m, Some(Platform::new("unknown", "unknown", None)));
    d.annotations
        .insert(REFERENCE_TYPE.into(), ATTESTATION_MANIFEST.into());
    d.annotations
        .insert(REFERENCE_DIGEST.into(), image.digest.to_string());
    ResolvedChild {
        descriptor: d,
        manifest: m,
        config: None,
    }
}

fn child(m: &Manifest, cfg: &ImageConfig) -> ResolvedChild {
    ResolvedChild {
        descriptor: descriptor_of(m, Some(cfg.platform())),
        manifest: m.clone(),
        config: Some(cfg.clone()),
    }
}

fn r(s: &str) -> Reference {
    Reference::parse(s).unwrap()
}

fn found(reference: &str, manifest: Manifest, cfg: ImageConfig) -> ResolvedSource {
    ResolvedSource {
        reference: r(reference),
        resolution: Resolution::Image {
            manifest,
            config: cfg,
        },
    }
}

fn missing(reference: &str) -> ResolvedSource {
    ResolvedSource {
        reference: r(reference),
        resolution: Resolution::Missing {
            reason: "manifest unknown".into(),
        },
    }
}

fn entry(image: &str, platform: &str) -> SpecEntry {
    SpecEntry {
        image: image.into(),
        platform: if platform.is_empty() {
            SpecPlatform::default()
        } else {
            SpecPlatform::from_platform(&Platform::parse(platform).unwrap())
        },
        annotations: BTreeMap::new(),
    }
}

fn validated(entries: Vec<SpecEntry>, oci: bool) -> ValidatedSpec {
    PushSpec {
        image: "localhost:5000/app:1.0".into(),
        tags: vec!["1".into(), "latest".into()],
        manifests: entries,
        index_type: if oci {
            IndexType::Oci
        } else {
            IndexType::Docker
        },
        ..PushSpec::default()
    }
    .validate()
    .unwrap()
}

fn index_json(plan: &Plan) -> Value {
    serde_json::from_slice(&plan.index).unwrap()
}

// ---- the index bytes and steps ------------------------------------------------

#[test]
fn docker_list_from_two_images() {
    let amd = config("linux", "amd64", None);
    let arm = config("linux", "arm", Some("v7"));
    let m_amd = docker_image(&amd, "layer-amd");
    let m_arm = docker_image(&arm, "layer-arm");
    let spec = validated(
        vec![
            entry("localhost:5000/src:amd64", "linux/amd64"),
            entry("localhost:5000/src:arm", "linux/arm/v7"),
        ],
        false,
    );
    let sources = [
        found("localhost:5000/src:amd64", m_amd.clone(), amd.clone()),
        found("localhost:5000/src:arm", m_arm.clone(), arm.clone()),
    ];
    let plan = plan(&spec, &sources).unwrap();

    // The digest is over exactly the bytes to push.
    assert_eq!(plan.digest, Digest::sha256(&plan.index));
    assert_eq!(plan.size, plan.index.len() as u64);
    assert_eq!(plan.media_type, DOCKER_MANIFEST_LIST);
    let json = index_json(&plan);
    assert_eq!(json["schemaVersion"], 2);
    assert_eq!(json["mediaType"], DOCKER_MANIFEST_LIST);
    assert!(json.get("annotations").is_none());
    let list = json["manifests"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["digest"], m_amd.digest.to_string());
    assert_eq!(list[0]["size"], m_amd.raw.len());
    assert_eq!(list[0]["mediaType"], DOCKER_MANIFEST);
    assert_eq!(
        list[0]["platform"],
        serde_json::json!({"architecture": "amd64", "os": "linux"})
    );
    assert_eq!(
        list[1]["platform"],
        serde_json::json!({"architecture": "arm", "os": "linux", "variant": "v7"})
    );

    assert!(plan.warnings.is_empty());
    assert_eq!(plan.entries.len(), 2);
    assert_eq!(plan.entries[1].source, "localhost:5000/src:arm");
    assert_eq!(plan.entries[1].digest, m_arm.digest);
    assert_eq!(plan.entries[1].platform.to_string(), "linux/arm/v7");

    // Per image: config, layers, manifest; then index; then extra tags.
    let kinds: Vec<StepKind> = plan.steps.iter().map(Step::kind).collect();
    use StepKind::*;
    assert_eq!(
        kinds,
        [Blob, Blob, Manifest, Blob, Blob, Manifest, Index, Tag, Tag]
    );
    let ManifestBody::Image(body) = &m_amd.body else {
        unreachable!()
    };
    assert_eq!(plan.steps[0].digest(), &body.config.digest);
    assert_eq!(plan.steps[1].digest(), &Digest::sha256(b"layer-amd"));
    match &plan.steps[2] {
        Step::Manifest {
            from,
            digest,
            bytes,
            media_type,
        } => {
            assert_eq!(from.repository(), "src");
            assert_eq!(digest, &m_amd.digest);
            assert_eq!(bytes, &m_amd.raw);
            assert_eq!(media_type, DOCKER_MANIFEST);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        plan.steps[6],
        Step::Index {
            tag: "1.0".into(),
            digest: plan.digest.clone()
        }
    );
    assert_eq!(
        plan.steps[8],
        Step::Tag {
            tag: "latest".into(),
            digest: plan.digest.clone()
        }
    );
    assert!(plan.steps[0].describe().contains("localhost:5000/src"));
}

#[test]
fn oci_index_carries_annotations() {
    let amd = config("linux", "amd64", None);
    let m = oci_image(&amd, "l");
    let mut e = entry("localhost:5000/src:a", "");
    e.annotations.insert("org.example.entry".into(), "1".into());
    let mut spec = PushSpec {
        image: "localhost:5000/app:1.0".into(),
        manifests: vec![e],
        index_type: IndexType::Oci,
        ..PushSpec::default()
    };
    spec.annotations
        .insert("org.opencontainers.image.title".into(), "App".into());
    let spec = spec.validate().unwrap();
    let plan = plan(&spec, &[found("localhost:5000/src:a", m, amd)]).unwrap();
    let json = index_json(&plan);
    assert_eq!(json["mediaType"], OCI_INDEX);
    assert_eq!(json["annotations"]["org.opencontainers.image.title"], "App");
    assert_eq!(
        json["manifests"][0]["annotations"]["org.example.entry"],
        "1"
    );
    assert_eq!(json["manifests"][0]["mediaType"], OCI_MANIFEST);
    // No extra tags: the index step is last.
    assert_eq!(plan.steps.last().map(Step::kind), Some(StepKind::Index));
}

#[test]
fn oci_index_accepts_docker_children() {
    let cfg = config("linux", "amd64", None);
    let spec = validated(vec![entry("localhost:5000/src:a", "")], true);
    let plan = plan(
        &spec,
        &[found("localhost:5000/src:a", docker_image(&cfg, "l"), cfg)],
    )
    .unwrap();
    assert_eq!(
        index_json(&plan)["manifests"][0]["mediaType"],
        DOCKER_MANIFEST
    );
}

// ---- platforms ------------------------------------------------------------------

#[test]
fn empty_platform_is_filled_from_config() {
    let mut win = config("windows", "amd64", None);
    win.os_version = Some("10.0.17763.2565".into());
    win.os_features = vec!["win32k".into()];
    let arm = config("linux", "arm", Some("v6"));
    let spec = validated(
        vec![
            entry("localhost:5000/src:win", ""),
            // Declared without variant: the config's v6 bubbles up.
            entry("localhost:5000/src:arm", "linux/arm"),
        ],
        false,
    );
    let plan = plan(
        &spec,
        &[
            found(
                "localhost:5000/src:win",
                docker_image(&win, "w"),
                win.clone(),
            ),
            found(
                "localhost:5000/src:arm",
                docker_image(&arm, "a"),
                arm.clone(),
            ),
        ],
    )
    .unwrap();
    let json = index_json(&plan);
    assert_eq!(
        json["manifests"][0]["platform"],
        serde_json::json!({"architecture": "amd64", "os": "windows",
            "os.version": "10.0.17763.2565", "os.features": ["win32k"]})
    );
    assert_eq!(json["manifests"][1]["platform"]["variant"], "v6");
}

#[test]
fn declared_platform_contradicting_config_is_an_error() {
    let arm64 = config("linux", "arm64", None);
    let m = docker_image(&arm64, "l");
    let spec = validated(vec![entry("localhost:5000/src:a", "linux/amd64")], false);
    let err = plan(&spec, &[found("localhost:5000/src:a", m.clone(), arm64)]).unwrap_err();
    match &err {
        PlanError::PlatformConflict {
            key,
            declared,
            actual,
            field,
            ..
        } => {
            assert_eq!(*key, "architecture");
            assert_eq!(declared, "amd64");
            assert_eq!(actual, "arm64");
            assert_eq!(field, "manifests[0]");
        }
        other => panic!("unexpected {other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("amd64") && msg.contains("arm64"), "{msg}");
    assert!(msg.contains(&m.digest.to_string()), "{msg}");

    let v6 = config("linux", "arm", Some("v6"));
    let spec = validated(vec![entry("localhost:5000/src:a", "linux/arm/v7")], false);
    let err = plan(
        &spec,
        &[found("localhost:5000/src:a", docker_image(&v6, "l"), v6)],
    )
    .unwrap_err();
    assert!(
        matches!(&err, PlanError::PlatformConflict { key: "variant", declared, actual, .. } if declared == "v7" && actual == "v6"),
        "{err}"
    );

    let win = config("windows", "amd64", None);
    let spec = validated(vec![entry("localhost:5000/src:a", "linux/amd64")], false);
    let err = plan(
        &spec,
        &[found("localhost:5000/src:a", docker_image(&win, "l"), win)],
    )
    .unwrap_err();
    assert!(
        matches!(err, PlanError::PlatformConflict { key: "os", .. }),
        "{err}"
    );
}

#[test]
fn equivalent_spellings_are_not_conflicts() {
    // arm64 declared as v8 while the config has no variant: no conflict.
    let arm64 = config("linux", "arm64", None);
    let spec = validated(vec![entry("localhost:5000/src:a", "linux/arm64/v8")], false);
    let plan = plan(
        &spec,
        &[found(
            "localhost:5000/src:a",
            docker_image(&arm64, "l"),
            arm64,
        )],
    )
    .unwrap();
    assert_eq!(plan.entries[0].platform.variant.as_deref(), Some("v8"));
}

#[test]
fn duplicate_platforms_name_both_digests() {
    let a = config("linux", "amd64", None);
    let m1 = docker_image(&a, "one");
    let m2 = docker_image(&a, "two");
    let spec = validated(
        vec![
            entry("localhost:5000/src:one", ""),
            entry("localhost:5000/src:two", "linux/amd64"),
        ],
        false,
    );
    let err = plan(
        &spec,
        &[
            found("localhost:5000/src:one", m1.clone(), a.clone()),
            found("localhost:5000/src:two", m2.clone(), a),
        ],
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, PlanError::DuplicatePlatform { .. }), "{msg}");
    assert!(msg.contains(&m1.digest.to_string()), "{msg}");
    assert!(msg.contains(&m2.digest.to_string()), "{msg}");
    assert!(msg.contains("linux/amd64"), "{msg}");
}

#[test]
fn unknown_and_absent_platforms_are_errors() {
    let odd = config("linux", "amd65", None);
    let spec = validated(vec![entry("localhost:5000/src:a", "")], false);
    let err = plan(
        &spec,
        &[found("localhost:5000/src:a", docker_image(&odd, "l"), odd)],
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::UnknownPlatform { .. }), "{err}");
    assert!(err.to_string().contains("amd65"), "{err}");

    let none = ImageConfig::default();
    let err = plan(
        &spec,
        &[found(
            "localhost:5000/src:a",
            docker_image(&none, "l"),
            none,
        )],
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::NoPlatform { .. }), "{err}");
    assert!(err.to_string().contains("declare `platform`"), "{err}");

    // A declared platform makes an artifact-like config without one usable.
    let none = ImageConfig::default();
    let spec = validated(vec![entry("localhost:5000/src:a", "linux/s390x")], false);
    let plan = plan(
        &spec,
        &[found(
            "localhost:5000/src:a",
            docker_image(&none, "l"),
            none,
        )],
    )
    .unwrap();
    assert_eq!(plan.entries[0].platform.to_string(), "linux/s390x");
}

// ---- missing sources ----------------------------------------------------------

#[test]
fn missing_source_is_an_error_unless_ignored() {
    let a = config("linux", "amd64", None);
    let entries = vec![
        entry("localhost:5000/src:a", ""),
        entry("localhost:5000/src:gone", ""),
    ];
    let sources = [
        found("localhost:5000/src:a", docker_image(&a, "l"), a.clone()),
        missing("localhost:5000/src:gone"),
    ];
    let spec = validated(entries, false);
    let err = plan(&spec, &sources).unwrap_err();
    assert!(
        matches!(&err, PlanError::Missing { field, .. } if field == "manifests[1]"),
        "{err}"
    );
    assert!(err.to_string().contains("ignoreMissing"), "{err}");

    let spec = ValidatedSpec {
        ignore_missing: true,
        ..spec
    };
    let ok = plan(&spec, &sources).unwrap();
    assert_eq!(ok.entries.len(), 1);
    assert_eq!(ok.warnings.len(), 1);
    assert!(
        ok.warnings[0].contains("localhost:5000/src:gone"),
        "{:?}",
        ok.warnings
    );

    let all_missing = [
        missing("localhost:5000/src:a"),
        missing("localhost:5000/src:gone"),
    ];
    let err = plan(&spec, &all_missing).unwrap_err();
    assert!(
        matches!(err, PlanError::AllMissing { ref skipped } if skipped.len() == 2),
        "{err}"
    );
}

// ---- Docker vs OCI ----------------------------------------------------------------

#[test]
fn oci_child_in_docker_list_suggests_oci() {
    let a = config("linux", "amd64", None);
    let spec = validated(vec![entry("localhost:5000/src:a", "")], false);
    let err = plan(
        &spec,
        &[found("localhost:5000/src:a", oci_image(&a, "l"), a)],
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::OciInDockerList { .. }), "{err}");
    assert!(err.to_string().contains("type: oci"), "{err}");
}

#[test]
fn docker_list_with_annotations_is_refused_by_the_plan_too() {
    let a = config("linux", "amd64", None);
    let mut spec = validated(vec![entry("localhost:5000/src:a", "")], false);
    spec.entries[0].annotations.insert("k".into(), "v".into());
    let sources = [found("localhost:5000/src:a", docker_image(&a, "l"), a)];
    let err = plan(&spec, &sources).unwrap_err();
    assert_eq!(
        err,
        PlanError::AnnotationsNeedOci {
            field: "manifests[0].annotations".into()
        }
    );
    spec.entries[0].annotations.clear();
    spec.annotations.insert("k".into(), "v".into());
    let err = plan(&spec, &sources).unwrap_err();
    assert!(err.to_string().contains("type: oci"), "{err}");
}

// ---- sources that are indexes ----------------------------------------------------

fn multi_arch_source() -> (Manifest, Manifest, Manifest, Vec<ResolvedChild>) {
    let amd = config("linux", "amd64", None);
    let arm = config("linux", "arm64", Some("v8"));
    let m_amd = oci_image(&amd, "amd");
    let m_arm = oci_image(&arm, "arm");
    let children = vec![
        child(&m_amd, &amd),
        child(&m_arm, &arm),
        attestation_for(&m_amd, "att-amd"),
        attestation_for(&m_arm, "att-arm"),
    ];
    let idx = index_of(OCI_INDEX, &children);
    (idx, m_amd, m_arm, children)
}

#[test]
fn index_source_contributes_images_and_keeps_attestations() {
    let (idx, m_amd, m_arm, children) = multi_arch_source();
    let spec = validated(vec![entry("localhost:5000/multi:1", "")], true);
    let sources = [ResolvedSource {
        reference: r("localhost:5000/multi:1"),
        resolution: Resolution::Index {
            manifest: idx,
            children: children.clone(),
        },
    }];
    let plan = plan(&spec, &sources).unwrap();
    let digests: Vec<&Digest> = plan.entries.iter().map(|e| &e.digest).collect();
    assert_eq!(
        digests,
        [
            &m_amd.digest,
            &m_arm.digest,
            &children[2].manifest.digest,
            &children[3].manifest.digest
        ]
    );
    assert_eq!(
        plan.entries[2].attestation_for.as_ref(),
        Some(&m_amd.digest)
    );
    assert!(plan.entries[2].platform.is_unknown());
    let json = index_json(&plan);
    assert_eq!(
        json["manifests"][3]["annotations"][REFERENCE_TYPE],
        ATTESTATION_MANIFEST
    );
    assert_eq!(
        json["manifests"][3]["annotations"][REFERENCE_DIGEST],
        m_arm.digest.to_string()
    );
    // Attestation blobs are copied like any other.
    assert!(
        plan.steps
            .iter()
            .any(|s| s.digest() == &Digest::sha256(b"att-arm"))
    );
}

#[test]
fn declared_platform_selects_from_an_index_source() {
    let (idx, _m_amd, m_arm, children) = multi_arch_source();
    let spec = validated(vec![entry("localhost:5000/multi:1", "linux/arm64")], true);
    let sources = [ResolvedSource {
        reference: r("localhost:5000/multi:1"),
        resolution: Resolution::Index {
            manifest: idx.clone(),
            children: children.clone(),
        },
    }];
    let plan = plan(&spec, &sources).unwrap();
    assert_eq!(plan.entries.len(), 2, "{:?}", plan.entries);
    assert_eq!(plan.entries[0].digest, m_arm.digest);
    assert_eq!(
        plan.entries[1].attestation_for.as_ref(),
        Some(&m_arm.digest)
    );
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);

    let spec = validated(vec![entry("localhost:5000/multi:1", "linux/s390x")], true);
    let err = super::plan(&spec, &sources).unwrap_err();
    assert!(matches!(err, PlanError::NoMatchingPlatform { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("linux/amd64") && msg.contains("linux/arm64/v8"),
        "{msg}"
    );
}

#[test]
fn docker_list_leaves_out_attestations_with_a_warning() {
    let amd = config("linux", "amd64", None);
    let m_amd = docker_image(&amd, "amd");
    let children = vec![child(&m_amd, &amd), attestation_for(&m_amd, "att")];
    let idx = index_of(OCI_INDEX, &children);
    let spec = validated(vec![entry("localhost:5000/multi:1", "")], false);
    let plan = plan(
        &spec,
        &[ResolvedSource {
            reference: r("localhost:5000/multi:1"),
            resolution: Resolution::Index {
                manifest: idx,
                children,
            },
        }],
    )
    .unwrap();
    assert_eq!(plan.entries.len(), 1);
    assert_eq!(plan.warnings.len(), 1);
    assert!(
        plan.warnings[0].contains("type: oci"),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn orphan_attestations_are_dropped_with_a_warning() {
    let amd = config("linux", "amd64", None);
    let m_amd = oci_image(&amd, "amd");
    let stranger = oci_image(&config("linux", "arm64", None), "x");
    let children = vec![child(&m_amd, &amd), attestation_for(&stranger, "att")];
    let idx = index_of(OCI_INDEX, &children);
    let spec = validated(vec![entry("localhost:5000/multi:1", "")], true);
    let plan = plan(
        &spec,
        &[ResolvedSource {
            reference: r("localhost:5000/multi:1"),
            resolution: Resolution::Index {
                manifest: idx,
                children,
            },
        }],
    )
    .unwrap();
    assert_eq!(plan.entries.len(), 1);
    assert!(
        plan.warnings[0].contains(REFERENCE_DIGEST),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn index_children_conflicting_with_their_config_are_errors() {
    let amd = config("linux", "amd64", None);
    let m = oci_image(&amd, "amd");
    let mut c = child(&m, &amd);
    c.descriptor.platform = Some(Platform::new("linux", "arm64", None));
    let idx = index_of(OCI_INDEX, std::slice::from_ref(&c));
    let spec = validated(vec![entry("localhost:5000/multi:1", "")], true);
    let err = plan(
        &spec,
        &[ResolvedSource {
            reference: r("localhost:5000/multi:1"),
            resolution: Resolution::Index {
                manifest: idx,
                children: vec![c],
            },
        }],
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PlanError::PlatformConflict {
                key: "architecture",
                declared_by: "the source index",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("the source index says architecture `arm64`"),
        "{err}"
    );
}

#[test]
fn nested_indexes_and_schema1_are_refused() {
    let (inner, ..) = multi_arch_source();
    let nested_child = ResolvedChild {
        descriptor: descriptor_of(&inner, Some(Platform::new("linux", "amd64", None))),
        manifest: inner.clone(),
        config: None,
    };
    let outer = index_of(OCI_INDEX, std::slice::from_ref(&nested_child));
    let spec = validated(vec![entry("localhost:5000/multi:1", "")], true);
    let err = plan(
        &spec,
        &[ResolvedSource {
            reference: r("localhost:5000/multi:1"),
            resolution: Resolution::Index {
                manifest: outer,
                children: vec![nested_child],
            },
        }],
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::NestedIndex { .. }), "{err}");

    let body = Schema1 {
        name: "src".into(),
        tag: "old".into(),
        architecture: "amd64".into(),
        fs_layers: vec![],
    };
    let raw = br#"{"schemaVersion":1}"#.to_vec();
    let schema1 = Manifest {
        digest: Digest::sha256(&raw),
        raw,
        media_type: crate::media_type::DOCKER_SCHEMA1_SIGNED.into(),
        body: ManifestBody::Schema1(body),
    };
    let a = config("linux", "amd64", None);
    let err = plan(&spec, &[found("localhost:5000/multi:1", schema1, a)]).unwrap_err();
    assert!(matches!(err, PlanError::UnsupportedSource { .. }), "{err}");
    assert!(err.to_string().contains("schema 1"), "{err}");
}

// ---- digests --------------------------------------------------------------------

#[test]
fn tampered_manifests_are_refused() {
    let a = config("linux", "amd64", None);
    let mut m = docker_image(&a, "l");
    m.raw.push(b' ');
    let spec = validated(vec![entry("localhost:5000/src:a", "")], false);
    let err = plan(&spec, &[found("localhost:5000/src:a", m, a.clone())]).unwrap_err();
    assert!(matches!(err, PlanError::Digest { .. }), "{err}");

    // A child whose listed descriptor does not match the fetched manifest.
    let m = oci_image(&a, "l");
    let mut c = child(&m, &a);
    c.descriptor.size += 1;
    let idx = index_of(OCI_INDEX, std::slice::from_ref(&c));
    let spec = validated(vec![entry("localhost:5000/multi:1", "")], true);
    let err = plan(
        &spec,
        &[ResolvedSource {
            reference: r("localhost:5000/multi:1"),
            resolution: Resolution::Index {
                manifest: idx,
                children: vec![c],
            },
        }],
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::ChildMismatch { .. }), "{err}");
}

// ---- steps ------------------------------------------------------------------------

#[test]
fn steps_skip_foreign_layers_shared_blobs_and_the_target_repo() {
    let amd = config("linux", "amd64", None);
    let arm = config("linux", "arm64", None);
    let base = blob(DOCKER_LAYER, "shared-base");
    let mut foreign = blob(DOCKER_FOREIGN_LAYER, "windows-base");
    foreign.urls = vec!["https://example.invalid/layer".into()];
    let nondist = blob(OCI_LAYER_NONDIST_GZIP, "nondist");
    let m_amd = image_with(
        DOCKER_MANIFEST,
        &amd,
        &[base.clone(), foreign, blob(DOCKER_LAYER, "amd-top")],
    );
    let m_arm = image_with(DOCKER_MANIFEST, &arm, &[base.clone(), nondist]);
    let spec = validated(
        vec![
            entry("localhost:5000/src:amd", ""),
            entry("localhost:5000/app:arm", ""),
        ],
        false,
    );
    let plan = plan(
        &spec,
        &[
            found("localhost:5000/src:amd", m_amd.clone(), amd),
            // Already in the target repository: nothing to copy.
            found("localhost:5000/app:arm", m_arm, arm),
        ],
    )
    .unwrap();
    let blobs: Vec<&Digest> = plan
        .steps
        .iter()
        .filter(|s| s.kind() == StepKind::Blob)
        .map(Step::digest)
        .collect();
    let ManifestBody::Image(body) = &m_amd.body else {
        unreachable!()
    };
    assert_eq!(
        blobs,
        [
            &body.config.digest,
            &base.digest,
            &Digest::sha256(b"amd-top")
        ]
    );
    let manifests: Vec<&Digest> = plan
        .steps
        .iter()
        .filter(|s| s.kind() == StepKind::Manifest)
        .map(Step::digest)
        .collect();
    assert_eq!(manifests, [&m_amd.digest]);
}

#[test]
fn source_count_must_match() {
    let spec = validated(vec![entry("localhost:5000/src:a", "")], false);
    let err = plan(&spec, &[]).unwrap_err();
    assert_eq!(
        err,
        PlanError::SourceCount {
            expected: 1,
            found: 0
        }
    );
}

// ---- no `type`: the plan decides ---------------------------------------------

fn automatic(entries: Vec<SpecEntry>) -> PushSpec {
    PushSpec {
        image: "localhost:5000/app:1.0".into(),
        manifests: entries,
        ..PushSpec::default()
    }
}

#[test]
fn no_type_with_docker_children_is_a_docker_list() {
    let amd = config("linux", "amd64", None);
    let arm = config("linux", "arm64", None);
    let spec = automatic(vec![
        entry("localhost:5000/src:amd", ""),
        entry("localhost:5000/src:arm", ""),
    ]);
    assert_eq!(spec.index_type, IndexType::Auto);
    let spec = spec.validate().unwrap();
    let sources = [
        found("localhost:5000/src:amd", docker_image(&amd, "a"), amd),
        found("localhost:5000/src:arm", docker_image(&arm, "b"), arm),
    ];
    let plan = plan(&spec, &sources).unwrap();
    assert_eq!(plan.media_type, DOCKER_MANIFEST_LIST);
    assert_eq!(index_json(&plan)["mediaType"], DOCKER_MANIFEST_LIST);
    let note = plan.type_note.unwrap();
    assert!(note.contains("Docker manifest list"), "{note}");
    assert!(
        note.contains("every entry is a Docker schema 2 image"),
        "{note}"
    );
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[test]
fn no_type_with_one_oci_child_is_an_oci_index() {
    let amd = config("linux", "amd64", None);
    let arm = config("linux", "arm64", None);
    let m_arm = oci_image(&arm, "b");
    let spec = automatic(vec![
        entry("localhost:5000/src:amd", ""),
        entry("localhost:5000/src:arm", ""),
    ])
    .validate()
    .unwrap();
    let sources = [
        found("localhost:5000/src:amd", docker_image(&amd, "a"), amd),
        found("localhost:5000/src:arm", m_arm.clone(), arm),
    ];
    let plan = plan(&spec, &sources).unwrap();
    assert_eq!(plan.media_type, OCI_INDEX);
    let json = index_json(&plan);
    assert_eq!(json["mediaType"], OCI_INDEX);
    assert_eq!(json["manifests"][0]["mediaType"], DOCKER_MANIFEST);
    assert_eq!(json["manifests"][1]["mediaType"], OCI_MANIFEST);
    let note = plan.type_note.unwrap();
    assert!(note.contains("OCI image index"), "{note}");
    assert!(note.contains("`localhost:5000/src:arm`"), "{note}");
    assert!(note.contains(&m_arm.digest.short()), "{note}");
}

#[test]
fn no_type_with_annotations_is_an_oci_index() {
    let amd = config("linux", "amd64", None);
    let sources = [found(
        "localhost:5000/src:amd",
        docker_image(&amd, "a"),
        amd,
    )];
    // Index annotations.
    let mut spec = automatic(vec![entry("localhost:5000/src:amd", "")]);
    spec.annotations.insert("org.example.k".into(), "v".into());
    let plan_a = plan(&spec.validate().unwrap(), &sources).unwrap();
    assert_eq!(plan_a.media_type, OCI_INDEX);
    assert_eq!(index_json(&plan_a)["annotations"]["org.example.k"], "v");
    assert!(plan_a.type_note.unwrap().contains("index annotations"));
    // Entry annotations.
    let mut e = entry("localhost:5000/src:amd", "");
    e.annotations.insert("org.example.e".into(), "1".into());
    let plan_e = plan(&automatic(vec![e]).validate().unwrap(), &sources).unwrap();
    assert_eq!(plan_e.media_type, OCI_INDEX);
    assert_eq!(
        index_json(&plan_e)["manifests"][0]["annotations"]["org.example.e"],
        "1"
    );
    assert!(
        plan_e
            .type_note
            .unwrap()
            .contains("manifests[0] has annotations")
    );
}

#[test]
fn no_type_keeps_attestations_of_an_index_source() {
    let (idx, _, _, children) = multi_arch_source();
    let spec = automatic(vec![entry("localhost:5000/multi:1", "")])
        .validate()
        .unwrap();
    let sources = [ResolvedSource {
        reference: r("localhost:5000/multi:1"),
        resolution: Resolution::Index {
            manifest: idx,
            children,
        },
    }];
    let plan = plan(&spec, &sources).unwrap();
    assert_eq!(plan.media_type, OCI_INDEX);
    assert_eq!(plan.entries.len(), 4);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

#[test]
fn explicit_docker_with_an_oci_child_stays_refused() {
    let a = config("linux", "amd64", None);
    let mut spec = automatic(vec![entry("localhost:5000/src:a", "")]);
    spec.index_type = IndexType::Docker;
    let err = plan(
        &spec.validate().unwrap(),
        &[found("localhost:5000/src:a", oci_image(&a, "l"), a)],
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::OciInDockerList { .. }), "{err}");
    assert!(
        err.to_string().contains(
            "a Docker manifest list can only hold Docker schema 2 images, set `type: oci`"
        ),
        "{err}"
    );
}

#[test]
fn explicit_types_carry_no_note() {
    let a = config("linux", "amd64", None);
    for oci in [false, true] {
        let spec = validated(vec![entry("localhost:5000/src:a", "")], oci);
        let sources = [found(
            "localhost:5000/src:a",
            docker_image(&a, "l"),
            a.clone(),
        )];
        assert_eq!(plan(&spec, &sources).unwrap().type_note, None);
    }
}
