use std::collections::BTreeMap;

use super::*;
use crate::api::{ChildView, Content, EntryView, ImageContent, IndexContent};
use crate::config::RunConfig;
use crate::media_type::{OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST};
use crate::platform::Platform;
use crate::reference::Reference;

pub(crate) fn layer(seed: &str, size: u64) -> Descriptor {
    Descriptor {
        media_type: OCI_LAYER_GZIP.into(),
        digest: Digest::sha256(seed.as_bytes()),
        size,
        urls: vec![],
        annotations: BTreeMap::new(),
        platform: None,
        artifact_type: None,
    }
}

pub(crate) fn config(platform: &str, env: &[&str], cmd: &[&str], history: usize) -> ImageConfig {
    let p = Platform::parse(platform).unwrap();
    ImageConfig {
        architecture: p.architecture,
        os: p.os,
        variant: p.variant,
        config: Some(RunConfig {
            env: Some(env.iter().map(|s| s.to_string()).collect()),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            ..RunConfig::default()
        }),
        history: vec![Default::default(); history],
        ..ImageConfig::default()
    }
}

/// One image: its platform, layers and config, and the manifest digest
/// made from `seed`.
pub(crate) struct Img<'a> {
    pub seed: &'a str,
    pub platform: &'a str,
    pub layers: Vec<Descriptor>,
    pub config: ImageConfig,
}

pub(crate) fn image(img: &Img) -> InspectResponse {
    let reference = Reference::parse("localhost:5000/a:1").unwrap();
    let mut content = ImageContent::new(layer("config", 10), img.layers.clone());
    content.image_config = Some(img.config.clone());
    InspectResponse::new(
        &reference,
        Digest::sha256(img.seed.as_bytes()),
        OCI_MANIFEST,
        img.seed.as_bytes(),
        Content::Image(content),
    )
}

pub(crate) fn index(seed: &str, images: &[Img]) -> InspectResponse {
    let reference = Reference::parse(&format!("localhost:5000/a:{seed}")).unwrap();
    let mut content = IndexContent::default();
    for img in images {
        let mut d = layer(img.seed, 500);
        d.media_type = OCI_MANIFEST.into();
        d.platform = Some(Platform::parse(img.platform).unwrap());
        content.manifests.push(EntryView::new(d.clone()));
        content.children.insert(
            d.digest.clone(),
            ChildView {
                config: Some(layer("config", 10)),
                layers: Some(img.layers.clone()),
                image_config: Some(img.config.clone()),
                ..ChildView::new(Kind::Image)
            },
        );
    }
    InspectResponse::new(
        &reference,
        Digest::sha256(seed.as_bytes()),
        OCI_INDEX,
        seed.as_bytes(),
        Content::Index(content),
    )
}

fn img<'a>(seed: &'a str, platform: &'a str, layers: &[(&str, u64)], env: &[&str]) -> Img<'a> {
    Img {
        seed,
        platform,
        layers: layers.iter().map(|(s, n)| layer(s, *n)).collect(),
        config: config(platform, env, &["sh"], layers.len()),
    }
}

#[test]
fn platforms_split_and_identical_images_are_said_so() {
    let base = img("amd", "linux/amd64", &[("base", 100)], &["PATH=/bin"]);
    let a = index(
        "a",
        &[
            img("amd", "linux/amd64", &[("base", 100)], &["PATH=/bin"]),
            img("arm", "linux/arm64/v8", &[("arm", 90)], &[]),
        ],
    );
    let b = index(
        "b",
        &[
            base,
            img("ppc", "linux/ppc64le", &[("ppc", 80)], &[]),
            // The same platform as a's `linux/arm64/v8`, spelled without v8.
            img("arm2", "linux/arm64", &[("arm2", 95)], &[]),
        ],
    );
    let c = compare(&a, &b);
    assert_eq!(c.platforms.both, ["linux/amd64", "linux/arm64/v8"]);
    assert_eq!(c.platforms.only_a, Vec::<String>::new());
    assert_eq!(c.platforms.only_b, ["linux/ppc64le"]);
    let amd = &c.layers["linux/amd64"];
    assert!(amd.identical);
    assert_eq!(amd.shared_bytes, 100);
    let arm = &c.layers["linux/arm64/v8"];
    assert!(!arm.identical);
    assert_eq!(
        (arm.only_a_bytes, arm.only_b_bytes, arm.shared_bytes),
        (90, 95, 0)
    );
    assert!(
        c.config.iter().all(|d| d.platform == "linux/arm64/v8"),
        "identical images have no config differences: {:?}",
        c.config
    );
    assert_eq!((c.a.kind, c.b.kind), (Kind::Index, Kind::Index));
}

#[test]
fn shared_and_own_layers_with_sizes_and_config_differences() {
    let a = image(&Img {
        config: {
            let mut c = config("linux/amd64", &["PATH=/bin", "A=1", "GONE=x"], &["sh"], 2);
            let run = c.config.as_mut().unwrap();
            run.labels = Some(BTreeMap::from([("v".into(), "1".into())]));
            run.user = Some("root".into());
            run.exposed_ports = Some(BTreeMap::from([("80/tcp".into(), serde_json::json!({}))]));
            c
        },
        ..img("a", "linux/amd64", &[("base", 100), ("app1", 10)], &[])
    });
    let b = image(&Img {
        config: {
            let mut c = config(
                "linux/amd64",
                &["PATH=/bin", "A=2", "NEW=y"],
                &["sh", "-c", "x"],
                3,
            );
            let run = c.config.as_mut().unwrap();
            run.labels = Some(BTreeMap::from([("v".into(), "2".into())]));
            run.working_dir = Some("/app".into());
            c
        },
        ..img(
            "b",
            "linux/amd64",
            &[("base", 100), ("app2", 20), ("extra", 5)],
            &[],
        )
    });
    let c = compare(&a, &b);
    assert_eq!(c.platforms.both, ["linux/amd64"]);
    let l = &c.layers["linux/amd64"];
    assert!(!l.identical);
    assert_eq!(
        l.shared,
        [Layer {
            digest: Digest::sha256(b"base"),
            size: 100
        }]
    );
    assert_eq!(l.only_a.len(), 1);
    assert_eq!(l.only_b.len(), 2);
    assert_eq!(
        (l.shared_bytes, l.only_a_bytes, l.only_b_bytes),
        (100, 10, 25)
    );
    type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    let found: Vec<Row> = c
        .config
        .iter()
        .map(|d| {
            (
                d.field.as_str(),
                d.key.as_deref(),
                d.a.as_deref(),
                d.b.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("env", Some("A"), Some("1"), Some("2")),
            ("env", Some("GONE"), Some("x"), None),
            ("env", Some("NEW"), None, Some("y")),
            ("cmd", None, Some(r#"["sh"]"#), Some(r#"["sh","-c","x"]"#)),
            ("labels", Some("v"), Some("1"), Some("2")),
            ("user", None, Some("root"), None),
            ("workingDir", None, None, Some("/app")),
            ("exposedPorts", None, Some("80/tcp"), None),
            ("historyLength", None, Some("2"), Some("3")),
        ]
    );
}

#[test]
fn an_index_and_an_image_compare_the_matching_platform() {
    let a = index(
        "a",
        &[
            img("amd", "linux/amd64", &[("base", 100)], &[]),
            img("arm", "linux/arm/v7", &[("arm", 70)], &[]),
        ],
    );
    let same = image(&img("amd", "linux/amd64", &[("base", 100)], &[]));
    let c = compare(&a, &same);
    assert_eq!(c.platforms.both, ["linux/amd64"]);
    assert_eq!(c.platforms.only_a, ["linux/arm/v7"]);
    assert!(c.layers["linux/amd64"].identical);
    assert_eq!(c.layers.len(), 1);

    // No matching platform: nothing compared.
    let other = image(&img("s390", "linux/s390x", &[("s", 1)], &[]));
    let c = compare(&other, &a);
    assert_eq!(c.platforms.only_a, ["linux/s390x"]);
    assert_eq!(c.platforms.only_b, ["linux/amd64", "linux/arm/v7"]);
    assert!(c.layers.is_empty() && c.config.is_empty());
}

#[test]
fn two_single_images_are_compared_whatever_their_platforms() {
    let a = image(&img("a", "linux/amd64", &[("base", 100)], &[]));
    let b = image(&img("b", "linux/arm64", &[("base", 100), ("x", 1)], &[]));
    let c = compare(&a, &b);
    assert_eq!(c.platforms.only_a, ["linux/amd64"]);
    assert_eq!(c.platforms.only_b, ["linux/arm64"]);
    let l = &c.layers["linux/amd64 vs linux/arm64"];
    assert_eq!((l.shared_bytes, l.only_b_bytes), (100, 1));
}

#[test]
fn unread_children_are_noted_not_guessed() {
    let a = index("a", &[img("amd", "linux/amd64", &[("base", 100)], &[])]);
    let mut b = index("b", &[img("amd2", "linux/amd64", &[("base", 100)], &[])]);
    if let Content::Index(i) = &mut b.content {
        let d = i.manifests[0].descriptor.digest.clone();
        i.children.remove(&d);
    }
    let c = compare(&a, &b);
    let l = &c.layers["linux/amd64"];
    assert!(!l.identical);
    assert!(l.note.as_deref().unwrap().contains("not read"));
    assert!(l.shared.is_empty() && c.config.is_empty());
    // The wire names the issue asks for.
    let json = serde_json::to_value(&c).unwrap();
    for key in ["onlyA", "onlyB", "both"] {
        assert!(json["platforms"].get(key).is_some(), "{key}");
    }
    assert!(json["layers"]["linux/amd64"].get("identical").is_some());
    let back: Comparison = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
}
