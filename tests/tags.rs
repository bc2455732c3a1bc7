//! `GET /api/v1/tags`: a real registry's tag list, in answers of `n` tags
//! chained by `next`; a registry that pages below `n` is followed by its
//! `Link`, but only on its own origin. The paging itself is lent to the
//! registry by the fault proxy (`Fault::TagPages`): distribution 2.8's own
//! `last` is a binary search over tags in directory order, so its pages
//! overlap and skip.

use reqwest::StatusCode;
use shared::api::{ErrorBody, ErrorCode, TAGS_PATH, TagsResponse};
use support::fault::{Fault, FaultProxy, Rule};
use support::{Format, ImageSpec, Proxy, RawResponse, Registry};

async fn tags(proxy: &Proxy, query: &[(&str, &str)]) -> RawResponse {
    let client = proxy.client();
    client
        .send(client.request(reqwest::Method::GET, TAGS_PATH).query(query))
        .await
}

fn decode(r: &RawResponse) -> TagsResponse {
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    serde_json::from_slice(&r.body).expect("a tags answer")
}

fn error(r: &RawResponse) -> (StatusCode, ErrorCode, String) {
    let body: ErrorBody = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&r.body)));
    (r.status, body.error.code, body.error.message)
}

/// 25 tags (`t00`..`t24`) on one image in `repo`.
async fn tagged(registry: &Registry, repo: &str) -> Vec<String> {
    let pusher = registry.pusher();
    let image = ImageSpec::new(Format::Oci, "linux/amd64", 3).build();
    pusher
        .push_image(repo, &image, Some("t00"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));
    let all: Vec<String> = (0..25).map(|i| format!("t{i:02}")).collect();
    for tag in &all[1..] {
        pusher
            .push_manifest(repo, tag, &image.manifest)
            .await
            .unwrap_or_else(|e| panic!("tag {tag}: {e}"));
    }
    all
}

#[tokio::test]
async fn answers_of_n_tags_chain_by_next_to_the_whole_list() {
    let registry = Registry::start().await.expect("docker-registry");
    let all = tagged(&registry, "tags/app").await;
    let fault = FaultProxy::start(&registry).await;
    fault.inject(Rule::new(
        "GET",
        "/tags/list",
        Fault::TagPages {
            page_size: 1000,
            link_origin: None,
        },
    ));
    let proxy = Proxy::start_with({
        let hosts = vec![fault.host(), registry.host()];
        move |config| config.insecure_registries = hosts
    })
    .await;
    let repository = fault.reference("tags/app");

    let mut seen = Vec::new();
    let mut last: Option<String> = None;
    let mut answers = 0;
    while answers < 10 {
        let mut query = vec![("repository", repository.as_str()), ("n", "10")];
        if let Some(last) = &last {
            query.push(("last", last));
        }
        let page = decode(&tags(&proxy, &query).await);
        answers += 1;
        assert_eq!(page.repository, repository);
        assert!(page.tags.len() <= 10);
        seen.extend(page.tags.clone());
        match page.next {
            Some(next) => {
                assert_eq!(Some(&next), page.tags.last(), "next is the last tag listed");
                last = Some(next);
            }
            None => break,
        }
    }
    assert_eq!(answers, 3, "10 + 10 + 5");
    assert_eq!(seen, all);
    assert_eq!(
        fault.count("GET", "/tags/list"),
        3,
        "one registry page each"
    );

    // The registry itself, without n: the default answer holds them all
    // (in the registry's order).
    let direct = registry.reference("tags/app");
    let whole = decode(&tags(&proxy, &[("repository", &direct)]).await);
    let mut sorted = whole.tags.clone();
    sorted.sort();
    assert_eq!((sorted, whole.next), (all, None));
}

#[tokio::test]
async fn a_registry_paging_below_n_is_followed_on_its_own_origin_only() {
    let registry = Registry::start().await.expect("docker-registry");
    let all = tagged(&registry, "tags/paged").await;
    let fault = FaultProxy::start(&registry).await;
    let other = FaultProxy::start(&registry).await;
    let proxy = Proxy::start_with({
        let hosts = vec![fault.host(), other.host()];
        move |config| config.insecure_registries = hosts
    })
    .await;
    let repository = fault.reference("tags/paged");

    // Pages of 4: an answer of 10 takes three of the registry's pages.
    fault.inject(Rule::new(
        "GET",
        "/tags/list",
        Fault::TagPages {
            page_size: 4,
            link_origin: None,
        },
    ));
    let first = decode(&tags(&proxy, &[("repository", &repository), ("n", "10")]).await);
    assert_eq!(first.tags, all[..10]);
    assert_eq!(first.next.as_deref(), Some("t09"));
    assert_eq!(fault.count("GET", "/tags/list"), 3, "4 + 4 + 2 of the next");
    let rest = decode(
        &tags(
            &proxy,
            &[("repository", &repository), ("n", "100"), ("last", "t09")],
        )
        .await,
    );
    assert_eq!(rest.tags, all[10..]);
    assert_eq!(rest.next, None);

    // A link to another origin (even an allowed registry) is not followed.
    fault.clear_rules();
    fault.reset_counts();
    fault.inject(Rule::new(
        "GET",
        "/tags/list",
        Fault::TagPages {
            page_size: 4,
            link_origin: Some(format!("http://{}", other.host())),
        },
    ));
    let (status, code, message) =
        error(&tags(&proxy, &[("repository", &repository), ("n", "10")]).await);
    assert_eq!(
        (status, code),
        (StatusCode::FORBIDDEN, ErrorCode::ForbiddenTarget)
    );
    assert!(message.contains("another origin"), "{message}");
    assert_eq!(other.total(), 0, "nothing was sent to the other origin");
    assert_eq!(fault.count("GET", "/tags/list"), 1);
}

#[tokio::test]
async fn bad_requests_are_named() {
    let registry = Registry::start().await.expect("docker-registry");
    let proxy = Proxy::start(&[&registry]).await;
    let with_tag = registry.reference("tags/app:1");
    let repository = registry.reference("tags/app");
    for (query, code, needle) in [
        (
            vec![("repository", with_tag.as_str())],
            ErrorCode::InvalidReference,
            "names an image, not a repository",
        ),
        (
            vec![("repository", repository.as_str()), ("n", "0")],
            ErrorCode::InvalidInput,
            "must be 1 to 1000",
        ),
        (
            vec![("repository", repository.as_str()), ("n", "5000")],
            ErrorCode::InvalidInput,
            "must be 1 to 1000",
        ),
        (
            vec![("repository", repository.as_str()), ("last", "-x")],
            ErrorCode::InvalidReference,
            "invalid tag",
        ),
    ] {
        let (status, got, message) = error(&tags(&proxy, &query).await);
        assert_eq!((status, got), (StatusCode::BAD_REQUEST, code), "{query:?}");
        assert!(message.contains(needle), "{query:?}: {message}");
    }
    // A repository the registry does not have: its 404.
    let (status, code, _) =
        error(&tags(&proxy, &[("repository", &registry.reference("tags/none"))]).await);
    assert_eq!((status, code), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
}

/// `digest=`: of 103 tags, the first 100 are asked with a HEAD each (the
/// bound), two of them point at the digest; a second answer within the
/// cache's few seconds asks nothing again; a tag whose HEAD gives no digest
/// is not counted as checked, and the answer is still an answer.
#[tokio::test]
async fn pointing_tags_are_found_by_a_bounded_head_each() {
    let registry = Registry::start().await.expect("docker-registry");
    let pusher = registry.pusher();
    let repo = "tags/pointing";
    let wanted = ImageSpec::new(Format::Oci, "linux/arm64", 2).build();
    let other = ImageSpec::new(Format::Oci, "linux/amd64", 3).build();
    assert_ne!(wanted.manifest.digest, other.manifest.digest);
    pusher
        .push_image(repo, &wanted, Some("p0"))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));
    pusher
        .push_manifest(repo, "p1", &wanted.manifest)
        .await
        .expect("tag p1");
    pusher
        .push_image(repo, &other, Some("t000"))
        .await
        .expect("push other");
    for i in 1..=100 {
        pusher
            .push_manifest(repo, &format!("t{i:03}"), &other.manifest)
            .await
            .expect("tag t…");
    }
    let fault = FaultProxy::start(&registry).await;
    let sorted_pages = Rule::new(
        "GET",
        "/tags/list",
        Fault::TagPages {
            page_size: 1000,
            link_origin: None,
        },
    );
    fault.inject(sorted_pages.clone());
    let proxy = Proxy::start_with({
        let hosts = vec![fault.host()];
        move |config| config.insecure_registries = hosts
    })
    .await;
    let repository = fault.reference(repo);
    let digest = wanted.manifest.digest.to_string();
    let query = [
        ("repository", repository.as_str()),
        ("n", "1000"),
        ("digest", digest.as_str()),
    ];

    let answer = decode(&tags(&proxy, &query).await);
    assert_eq!(answer.tags.len(), 103);
    let pointing = answer.pointing.expect("asked with digest=");
    assert_eq!(pointing.digest, wanted.manifest.digest);
    assert_eq!(pointing.tags, ["p0", "p1"]);
    assert_eq!((pointing.checked, pointing.of), (100, 103), "the bound");
    assert_eq!(
        fault.count("HEAD", "/manifests/"),
        100,
        "one HEAD per checked tag"
    );
    assert_eq!(fault.count("HEAD", "/manifests/t099"), 0, "past the bound");

    // Again at once: from the cache, not one HEAD more.
    let again = decode(&tags(&proxy, &query).await);
    assert_eq!(again.pointing.expect("pointing").tags, ["p0", "p1"]);
    assert_eq!(fault.count("HEAD", "/manifests/"), 100);

    // Without digest= nothing is asked and nothing said.
    let plain = decode(&tags(&proxy, &query[..2]).await);
    assert_eq!(plain.pointing, None);
    let json = String::from_utf8_lossy(&tags(&proxy, &query[..2]).await.body).to_string();
    assert!(!json.contains("\"pointing\":"), "{json}");
    assert_eq!(fault.count("HEAD", "/manifests/"), 100);

    // A fresh proxy (no cache); p1's HEAD answers without a digest: not
    // checked, not an error.
    fault.clear_rules();
    fault.reset_counts();
    fault.inject(sorted_pages);
    fault.inject(Rule::new("HEAD", "/manifests/p1", Fault::NoDigestHeader));
    let fresh = Proxy::start_with({
        let hosts = vec![fault.host()];
        move |config| config.insecure_registries = hosts
    })
    .await;
    let five = decode(
        &tags(
            &fresh,
            &[
                ("repository", repository.as_str()),
                ("n", "5"),
                ("digest", digest.as_str()),
            ],
        )
        .await,
    );
    assert_eq!(five.tags, ["p0", "p1", "t000", "t001", "t002"]);
    let pointing = five.pointing.expect("pointing");
    assert_eq!(pointing.tags, ["p0"]);
    assert_eq!((pointing.checked, pointing.of), (4, 5));
    assert_eq!(fault.count("HEAD", "/manifests/"), 5);

    // A digest that is not one is the caller's error.
    let (status, code, message) = error(
        &tags(
            &fresh,
            &[("repository", repository.as_str()), ("digest", "latest")],
        )
        .await,
    );
    assert_eq!(
        (status, code),
        (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput)
    );
    assert!(message.contains("`digest=latest`"), "{message}");
}
