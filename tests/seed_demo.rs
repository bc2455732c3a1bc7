//! The `seed-demo` binary: it pushes the whole demo set to a loopback
//! registry (every object then inspectable through the proxy), and refuses
//! any other registry without sending anything.

use std::process::Command;

use shared::media_type::Kind;
use support::demo::{DemoContent, WINDOWS_OS_VERSION, demo_item, demo_set};
use support::{Proxy, Registry};

const SEED_DEMO: &str = env!("CARGO_BIN_EXE_seed-demo");

#[tokio::test]
async fn seeds_every_demo_object_and_the_proxy_reads_them_back() {
    let registry = Registry::start().await.expect("start docker-registry");
    let out = Command::new(SEED_DEMO)
        .args(["--registry", &registry.host()])
        .output()
        .expect("run seed-demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "seed-demo failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let proxy = Proxy::start(&[&registry]).await;
    let client = proxy.client();
    let items = demo_set();
    for item in &items {
        let reference = registry.reference(&format!("{}:{}", item.repository, item.tag));
        assert!(
            stdout.contains(&format!("{reference}\t{}", item.digest())),
            "seed-demo reports {reference} with its digest: {stdout}"
        );
        let response = client
            .inspect(&reference)
            .await
            .unwrap_or_else(|e| panic!("inspect {reference}: {e:?}"));
        assert_eq!(&response.digest, item.digest(), "{reference}");
        let expected_kind = match item.content {
            DemoContent::Image(_) => Kind::Image,
            DemoContent::Index(_) => Kind::Index,
        };
        assert_eq!(response.kind(), expected_kind, "{reference}");
        for entry in response.entries().unwrap_or_default() {
            assert!(entry.error.is_none(), "{reference}: {:?}", entry.error);
        }
    }

    // The showcase properties the page and the browser tests rely on.
    let multiarch = client
        .inspect(&registry.reference("demo/multiarch:latest"))
        .await
        .unwrap();
    let platforms: Vec<String> = multiarch
        .entries()
        .unwrap()
        .iter()
        .map(|e| e.descriptor.platform.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(platforms.len(), 6);
    assert!(
        platforms
            .iter()
            .any(|p| p.starts_with("windows/amd64") && p.contains(WINDOWS_OS_VERSION)),
        "{platforms:?}"
    );
    let oci_image = client
        .inspect(&registry.reference("demo/oci-image:1.0"))
        .await
        .unwrap();
    let sbom = client
        .inspect(&registry.reference("demo/oci-image:sbom"))
        .await
        .unwrap();
    assert_eq!(
        sbom.subject.as_ref().map(|s| &s.digest),
        Some(&oci_image.digest)
    );
}

#[test]
fn the_demo_set_is_deterministic() {
    let first: Vec<_> = demo_set().iter().map(|i| i.digest().clone()).collect();
    let second: Vec<_> = demo_set().iter().map(|i| i.digest().clone()).collect();
    assert_eq!(first, second);
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len(), "every demo object is distinct");
}

#[test]
fn refuses_a_registry_that_is_not_on_loopback() {
    // 192.0.2.0/24 is TEST-NET-1: nothing would answer, and nothing is sent.
    let out = Command::new(SEED_DEMO)
        .args(["--registry", "192.0.2.1:5000"])
        .output()
        .expect("run seed-demo");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("only loopback"), "{stderr}");
}

#[tokio::test]
async fn pushes_to_an_htpasswd_registry_only_with_credentials() {
    let registry = Registry::start_with_auth("demo", "s3cret-pass")
        .await
        .expect("start docker-registry with htpasswd");
    let anonymous = Command::new(SEED_DEMO)
        .args(["--registry", &registry.host()])
        .output()
        .expect("run seed-demo");
    assert!(!anonymous.status.success());
    let stderr = String::from_utf8_lossy(&anonymous.stderr);
    assert!(stderr.contains("401"), "{stderr}");

    let out = Command::new(SEED_DEMO)
        .args(["--registry", &registry.host()])
        .args(["--username", "demo", "--password", "s3cret-pass"])
        .output()
        .expect("run seed-demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The registry now has the demo list, readable with the same credentials.
    let list = registry
        .pusher()
        .get_manifest(
            "demo/multiarch",
            "latest",
            shared::media_type::MANIFEST_ACCEPT,
        )
        .await
        .unwrap();
    assert_eq!(list.status, reqwest::StatusCode::OK);
    let expected = demo_item("demo/multiarch");
    assert_eq!(
        list.header("docker-content-digest"),
        Some(expected.digest().to_string().as_str())
    );
}
