//! `GET /api/v1/referrers?ref=REPO@DIGEST` against distribution 2.8, which
//! has no referrers API: the proxy falls back to the `sha256-<hex>` tag
//! schema that clients such as oras maintain, and this test maintains it the
//! same way (an OCI index of the artifacts, tagged with the subject digest).
//! The API itself (in pages) is lent to the registry by the fault proxy,
//! which answers it from that same tag-schema index.

use reqwest::StatusCode;
use shared::Descriptor;
use shared::api::{
    ErrorBody, ErrorCode, REFERRERS_PATH, ReferrersResponse, ReferrersSource, referrers_tag,
};
use support::artifact::{ArtifactSpec, SPDX_JSON};
use support::fault::{Fault, FaultProxy, Rule};
use support::{Child, Format, Image, ImageSpec, IndexBuilder, Proxy, RawResponse, Registry};

async fn referrers(proxy: &Proxy, reference: &str) -> RawResponse {
    let client = proxy.client();
    let request = client
        .request(reqwest::Method::GET, REFERRERS_PATH)
        .query(&[("ref", reference)]);
    client.send(request).await
}

fn decode(r: &RawResponse) -> ReferrersResponse {
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    serde_json::from_slice(&r.body).expect("a referrers answer")
}

#[tokio::test]
async fn tag_schema_referrers_are_listed_with_their_artifact_type() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let proxy = Proxy::start(&[&registry]).await;
    let pusher = registry.pusher();
    let repo = "refs/app";
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 7).build();
    pusher
        .push_image(repo, &image, Some("1.0"))
        .await
        .unwrap_or_else(|e| panic!("push image: {e}\n{}", registry.log()));
    let subject = image.manifest.digest.clone();
    let subject_ref = registry.reference(&format!("{repo}@{subject}"));

    // Nothing refers to it yet.
    let none = decode(&referrers(&proxy, &subject_ref).await);
    assert_eq!(none.source, ReferrersSource::None);
    assert!(none.referrers.is_empty());
    assert_eq!(none.subject, subject);

    // An SBOM whose subject is the image, pushed by digest...
    let sbom = ArtifactSpec::sbom(repo, Some(image.descriptor())).build();
    pusher
        .push_image(repo, &sbom, None)
        .await
        .unwrap_or_else(|e| panic!("push sbom: {e}\n{}", registry.log()));
    // ...and listed in the tag-schema index, as oras does.
    let mut entry = sbom.descriptor();
    entry.artifact_type = Some(SPDX_JSON.to_string());
    entry.annotations.insert(
        "org.opencontainers.image.created".into(),
        "2024-03-01T12:00:00Z".into(),
    );
    let index = IndexBuilder::new(Format::Oci)
        .entry(entry.clone(), Child::Image(Box::new(sbom.clone())))
        .build();
    pusher
        .push_index(repo, &index, Some(&referrers_tag(&subject)))
        .await
        .unwrap_or_else(|e| panic!("push referrers index: {e}\n{}", registry.log()));

    let listed = decode(&referrers(&proxy, &subject_ref).await);
    assert_eq!(listed.source, ReferrersSource::TagSchema);
    assert_eq!(listed.referrers, vec![entry]);
    assert_eq!(
        listed.referrers[0].artifact_type.as_deref(),
        Some(SPDX_JSON)
    );
    assert!(listed.reference.ends_with(&format!("{repo}@{subject}")));

    // The artifact itself names its subject, which the page links to.
    let artifact = proxy
        .client()
        .inspect(&registry.reference(&format!("{repo}@{}", sbom.manifest.digest)))
        .await
        .unwrap_or_else(|e| panic!("inspect the sbom: {e:?}"));
    assert_eq!(artifact.subject, Some(image.descriptor()));
    assert_eq!(artifact.artifact_type.as_deref(), Some(SPDX_JSON));
}

#[tokio::test]
async fn referrers_need_a_digest() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let proxy = Proxy::start(&[&registry]).await;
    let answer = referrers(&proxy, &registry.reference("refs/app:1.0")).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error: ErrorBody = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(error.error.code, ErrorCode::InvalidInput);
    assert!(
        error.error.message.contains("has no digest"),
        "{}",
        error.error.message
    );
}

/// An image with `n` distinct SBOMs referring to it, listed (by the tag
/// schema) in the registry; returns the image and the listed descriptors.
async fn image_with_referrers(
    registry: &Registry,
    repo: &str,
    n: usize,
) -> (Image, Vec<Descriptor>) {
    let pusher = registry.pusher();
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 31).build();
    pusher
        .push_image(repo, &image, Some("1.0"))
        .await
        .unwrap_or_else(|e| panic!("push image: {e}\n{}", registry.log()));
    let mut builder = IndexBuilder::new(Format::Oci);
    let mut listed = Vec::new();
    for i in 0..n {
        let mut spec = ArtifactSpec::sbom(repo, Some(image.descriptor()));
        spec.annotations
            .insert("org.example.sbom-number".into(), i.to_string());
        let sbom = spec.build();
        pusher
            .push_image(repo, &sbom, None)
            .await
            .unwrap_or_else(|e| panic!("push sbom {i}: {e}\n{}", registry.log()));
        let mut entry = sbom.descriptor();
        entry.artifact_type = Some(SPDX_JSON.to_string());
        builder = builder.entry(entry.clone(), Child::Image(Box::new(sbom)));
        listed.push(entry);
    }
    pusher
        .push_index(
            repo,
            &builder.build(),
            Some(&referrers_tag(&image.manifest.digest)),
        )
        .await
        .unwrap_or_else(|e| panic!("push referrers index: {e}\n{}", registry.log()));
    (image, listed)
}

#[tokio::test]
async fn the_referrers_api_is_used_and_every_page_followed() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let (image, listed) = image_with_referrers(&registry, "refs/paged", 5).await;
    let distinct: std::collections::BTreeSet<_> = listed.iter().map(|d| &d.digest).collect();
    assert_eq!(distinct.len(), 5, "five different SBOMs");
    let fault = FaultProxy::start(&registry).await;
    fault.inject(Rule::new(
        "GET",
        "/referrers/",
        Fault::ReferrersApi {
            page_size: 2,
            link_origin: None,
        },
    ));
    let proxy = Proxy::start_with({
        let host = fault.host();
        move |config| config.insecure_registries = vec![host]
    })
    .await;
    let subject = image.manifest.digest.clone();
    let answer =
        decode(&referrers(&proxy, &fault.reference(&format!("refs/paged@{subject}"))).await);
    assert_eq!(answer.source, ReferrersSource::Api);
    assert_eq!(
        answer.referrers, listed,
        "all five, in order, from three pages"
    );
    assert_eq!(fault.count("GET", "/referrers/"), 3, "{:?}", fault.counts());
    assert_eq!(
        fault.count("GET", &referrers_tag(&subject)),
        0,
        "the tag schema is not consulted when the API answers"
    );
}

#[tokio::test]
async fn a_referrers_page_linking_to_another_origin_is_not_followed() {
    let registry = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let (image, _) = image_with_referrers(&registry, "refs/elsewhere", 3).await;
    let fault = FaultProxy::start(&registry).await;
    // A second fault proxy stands for "another origin": allow-listed too, so
    // only the same-origin rule can keep the proxy away from it.
    let other = FaultProxy::start(&registry).await;
    fault.inject(Rule::new(
        "GET",
        "/referrers/",
        Fault::ReferrersApi {
            page_size: 2,
            link_origin: Some(format!("http://{}", other.host())),
        },
    ));
    let proxy = Proxy::start_with({
        let hosts = vec![fault.host(), other.host()];
        move |config| config.insecure_registries = hosts
    })
    .await;
    let subject = image.manifest.digest.clone();
    let answer = referrers(
        &proxy,
        &fault.reference(&format!("refs/elsewhere@{subject}")),
    )
    .await;
    let body = String::from_utf8_lossy(&answer.body);
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{body}");
    let error: ErrorBody = serde_json::from_slice(&answer.body).expect("an error body");
    assert_eq!(error.error.code, ErrorCode::ForbiddenTarget);
    assert!(
        error.error.message.contains("another origin"),
        "{}",
        error.error.message
    );
    assert_eq!(fault.count("GET", "/referrers/"), 1);
    assert_eq!(other.total(), 0, "nothing was sent to the other origin");
}
