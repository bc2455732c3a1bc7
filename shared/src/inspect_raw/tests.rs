//! The raw form over manifests parsed from literal JSON, compared with the
//! text Go's `json.MarshalIndent` gives for manifest-tool's structs.

use super::*;

fn parse(json: &str) -> Manifest {
    Manifest::parse(json.as_bytes().to_vec(), None).unwrap()
}

const CONFIG_DIGEST: &str =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const LAYER_DIGEST: &str =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn image_json(annotation: &str) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{CONFIG_DIGEST}","size":7}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{LAYER_DIGEST}","size":9}}],"annotations":{{"org.example.url":"{annotation}"}}}}"#
    )
}

#[test]
fn an_image_has_name_digest_os_architecture_then_its_fields() {
    let m = parse(&image_json("https://x.example/?a=1&b=<2>"));
    let config = ImageConfig {
        os: "linux".into(),
        architecture: "arm64".into(),
        ..ImageConfig::default()
    };
    let out = render("r.example/app:1", &m, &[], Some(&config)).unwrap();
    let expected = format!(
        r#"{{
    "name": "r.example/app:1",
    "digest": "{}",
    "os": "linux",
    "architecture": "arm64",
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {{
        "mediaType": "application/vnd.oci.image.config.v1+json",
        "digest": "{CONFIG_DIGEST}",
        "size": 7
    }},
    "layers": [
        {{
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "{LAYER_DIGEST}",
            "size": 9
        }}
    ],
    "annotations": {{
        "org.example.url": "https://x.example/?a=1\u0026b=\u003c2\u003e"
    }}
}}"#,
        m.digest
    );
    assert_eq!(out, expected);
}

#[test]
fn an_index_lists_each_childs_manifest() {
    let child = parse(&image_json("a"));
    let index = parse(&format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}}],"annotations":{{"k":"v"}}}}"#,
        child.digest,
        child.size()
    ));
    let out = render("r.example/app:1", &index, &[&child], None).unwrap();
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["name"], "r.example/app:1");
    assert_eq!(value["digest"], index.digest.to_string());
    assert_eq!(value["schemaVersion"], 2);
    assert_eq!(value["annotations"]["k"], "v");
    assert_eq!(value["manifests"][0]["config"]["digest"], CONFIG_DIGEST);
    assert_eq!(value["manifests"][0]["layers"][0]["digest"], LAYER_DIGEST);
    // Keys in manifest-tool's order.
    let keys: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("    \"") && !l.starts_with("     "))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "digest",
            "schemaVersion",
            "mediaType",
            "manifests",
            "annotations"
        ]
    );
    assert!(out.starts_with("{\n    \"name\""), "{out}");
}

#[test]
fn what_manifest_tool_cannot_print_is_an_error() {
    let child = parse(&image_json("a"));
    let nested = parse(&format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{}","size":{}}}]}}"#,
        child.digest,
        child.size()
    ));
    let e = render("x", &nested, &[&child], None).unwrap_err();
    assert!(matches!(e, RawError::UnknownChildType(_)), "{e}");
    let e = render("x", &nested, &[], None).unwrap_err();
    assert!(matches!(e, RawError::ChildCount { .. }), "{e}");
}

#[test]
fn expand_config_puts_the_config_in_go_order() {
    let m = parse(&image_json("u"));
    let config = format!(
        r#"{{"unknown":1,"created":"2024-01-02T03:04:05.000000Z","os":"linux","architecture":"amd64","history":[{{"empty_layer":true,"created_by":"x","created":"2024-01-02T03:04:05.100+00:00"}}],"rootfs":{{"diff_ids":["{LAYER_DIGEST}"],"type":"layers"}},"config":{{"Labels":null,"Cmd":["sh"],"Env":["PATH=/bin"],"ExposedPorts":{{"80/tcp":{{}}}}}}}}"#
    );
    let out = render_expanded("r.example/app:1", &m, &[], Some(config.as_bytes())).unwrap();
    let expected = format!(
        r#"{{
    "schemaVersion": 2,
    "name": "r.example/app:1",
    "digest": "{}",
    "os": "linux",
    "architecture": "amd64",
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {{
        "created": "2024-01-02T03:04:05Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {{
            "ExposedPorts": {{
                "80/tcp": {{}}
            }},
            "Env": [
                "PATH=/bin"
            ],
            "Cmd": [
                "sh"
            ]
        }},
        "rootfs": {{
            "type": "layers",
            "diff_ids": [
                "{LAYER_DIGEST}"
            ]
        }},
        "history": [
            {{
                "created": "2024-01-02T03:04:05.1Z",
                "created_by": "x",
                "empty_layer": true
            }}
        ]
    }},
    "layers": [
        {{
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "{LAYER_DIGEST}",
            "size": 9
        }}
    ],
    "annotations": {{
        "org.example.url": "u"
    }}
}}"#,
        m.digest
    );
    assert_eq!(out, expected);

    // An index prints as without the flag; a config that is not JSON is an error.
    assert!(render_expanded("r/a:1", &m, &[], Some(b"[1]")).is_err());
}
