//! `GET /api/v1/inspect?ref=...&format=text`: manifest-tool's `inspect`
//! output for what a real registry holds. The expected text is written out
//! here from manifest-tool's format strings and the pushed content (the
//! demo's Docker list with a Windows entry, and a single image), so a change
//! of layout in the renderer is caught by a second, independent spelling.

use reqwest::StatusCode;
use shared::api::{ErrorBody, ErrorCode};
use support::demo::demo_item;
use support::{Format, ImageSpec, Proxy, RawResponse, Registry};

async fn world() -> (Registry, Proxy) {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let proxy = Proxy::start(&[&registry]).await;
    (registry, proxy)
}

async fn text(proxy: &Proxy, reference: &str, format: &str) -> RawResponse {
    let client = proxy.client();
    let request = client
        .request(reqwest::Method::GET, shared::api::INSPECT_PATH)
        .query(&[("ref", reference), ("format", format)]);
    client.send(request).await
}

fn body(r: &RawResponse) -> String {
    String::from_utf8(r.body.to_vec()).expect("the text answer is UTF-8")
}

#[tokio::test]
async fn docker_list_with_windows_entry_prints_like_manifest_tool() {
    let (registry, proxy) = world().await;
    let item = demo_item("demo/multiarch");
    let list = item.index();
    registry
        .pusher()
        .push_index(item.repository, list, Some(&item.tag))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));

    let name = registry.reference(&format!("{}:{}", item.repository, item.tag));
    let answer = text(&proxy, &name, "text").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", body(&answer));
    let content_type = answer.headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert_eq!(answer.headers["cache-control"], "no-cache");

    let mut expected = format!(
        "Name:   {name} (Type: {})\nDigest: {}\n * Contains {n} manifest references ({n} images, 0 attestation):\n",
        list.manifest.media_type,
        list.manifest.digest,
        n = list.entries.len(),
    );
    let mut saw_windows = false;
    for (i, entry) in list.entries.iter().enumerate() {
        let n = i + 1;
        let image = list.image(&entry.digest);
        let platform = entry
            .platform
            .as_ref()
            .expect("demo entries have platforms");
        expected.push_str(&format!("[{n}]     Type: {}\n", entry.media_type));
        expected.push_str(&format!("[{n}]   Digest: {}\n", entry.digest));
        expected.push_str(&format!("[{n}]   Length: {}\n", entry.size));
        expected.push_str(&format!("[{n}] Platform:\n"));
        expected.push_str(&format!("[{n}]    -      OS: {}\n", platform.os));
        if let Some(version) = &platform.os_version {
            saw_windows = true;
            expected.push_str(&format!("[{n}]    - OS Vers: {version}\n"));
        }
        expected.push_str(&format!("[{n}]    -    Arch: {}\n", platform.architecture));
        if let Some(variant) = &platform.variant {
            expected.push_str(&format!("[{n}]    - Variant: {variant}\n"));
        }
        expected.push_str(&format!(
            "[{n}] # Layers: {}\n",
            image.layer_descriptors.len()
        ));
        for (j, layer) in image.layer_descriptors.iter().enumerate() {
            expected.push_str(&format!(
                "     layer {:02}: digest = {}\n                 type = {}\n",
                j + 1,
                layer.digest,
                layer.media_type
            ));
        }
        expected.push('\n');
    }
    assert!(
        saw_windows,
        "the demo list has a Windows entry with os.version"
    );
    assert_eq!(body(&answer), expected);

    // By digest: the same text with the digest reference as the name, and
    // an answer that may be cached for good.
    let by_digest = registry.reference(&format!("{}@{}", item.repository, list.manifest.digest));
    let answer = text(&proxy, &by_digest, "text").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(body(&answer), expected.replacen(&name, &by_digest, 1));
}

#[tokio::test]
async fn single_image_prints_like_manifest_tool() {
    let (registry, proxy) = world().await;
    let image = ImageSpec::new(Format::Oci, "linux/arm64/v8", 42).build();
    registry
        .pusher()
        .push_image("text/single", &image, Some("1.0"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));
    let name = registry.reference("text/single:1.0");
    let answer = text(&proxy, &name, "text").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", body(&answer));
    let platform = image.platform.as_ref().unwrap();
    let mut expected = format!(
        "Name: {name} (Type: {})\n      Digest: {}\n        Size: {}\n          OS: {}\n        Arch: {}\n    # Layers: {}\n",
        image.manifest.media_type,
        image.manifest.digest,
        image.manifest.size(),
        platform.os,
        platform.architecture,
        image.layer_descriptors.len()
    );
    for (i, layer) in image.layer_descriptors.iter().enumerate() {
        expected.push_str(&format!(
            "      layer {:02}: digest = {}\n",
            i + 1,
            layer.digest
        ));
    }
    assert_eq!(body(&answer), expected);

    // The JSON answer is still the default, and a bad format is named.
    let json = text(&proxy, &name, "json").await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(
        json.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("json")
    );
    let bad = text(&proxy, &name, "yaml").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let error: ErrorBody = serde_json::from_slice(&bad.body).unwrap();
    assert_eq!(error.error.code, ErrorCode::InvalidInput);
    assert!(
        error.error.message.contains("`yaml`"),
        "{}",
        error.error.message
    );
}
