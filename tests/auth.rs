//! Registry authentication end to end: htpasswd Basic auth and distribution's
//! Bearer token auth on real `docker-registry` processes (the token service is
//! `support::token_server`), credentials typed into the page, taken from the
//! proxy side's Docker config and credential helpers, and what the proxy
//! prints while it does all that (no secret may appear).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::api::{
    AuthInfo, AuthSource, ErrorCode, InspectResponse, PLAN_PATH, PUSH_PATH, PlanResponse, PushEvent,
};
use shared::credentials::{CREDENTIALS_HEADER, Credential, CredentialSet};
use support::docker_config::{DockerConfigDir, HelperAnswer, auth_entry};
use support::proxy_process::ProxyProcess;
use support::token_server::{Grants, Lifetimes, TokenServer};
use support::{
    ApiFailure, Format, Image, ImageSpec, Proxy, ProxyClient, Registry, RegistryOptions,
};

fn image(seed: u64) -> Image {
    ImageSpec::new(Format::Oci, "linux/amd64", seed).build()
}

fn creds(registry: &str, username: &str, password: &str) -> CredentialSet {
    CredentialSet(
        [(
            registry.to_string(),
            Credential {
                username: username.into(),
                password: password.into(),
            },
        )]
        .into(),
    )
}

async fn htpasswd_registry(user: &str, password: &str) -> Registry {
    Registry::start_with_auth(user, password)
        .await
        .unwrap_or_else(|e| panic!("start docker-registry with htpasswd: {e}"))
}

/// A token-auth registry trusting `tokens`, serving what was pushed to the
/// returned anonymous registry (same storage; keep both alive).
async fn token_registry(tokens: &TokenServer) -> (Registry, Registry) {
    let seed = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    let guarded = Registry::start_with(RegistryOptions {
        auth_yaml: Some(tokens.registry_auth()),
        storage: Some(seed.storage_dir()),
        ..RegistryOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start docker-registry with token auth: {e}"));
    (seed, guarded)
}

async fn seed(registry: &Registry, repo: &str, image: &Image, tag: &str) {
    registry
        .pusher()
        .push_image(repo, image, Some(tag))
        .await
        .unwrap_or_else(|e| panic!("seed {repo}:{tag}: {e}\nregistry log:\n{}", registry.log()));
}

/// A proxy allowed to reach these `HOST:PORT`s over plain HTTP on loopback.
async fn proxy_for(hosts: &[String], docker: Option<&DockerConfigDir>) -> Proxy {
    let hosts = hosts.to_vec();
    let docker = docker.map(DockerConfigDir::credentials);
    Proxy::start_with(move |config| {
        config.insecure_registries = hosts;
        config.docker_credentials = docker;
    })
    .await
}

fn expect_ok(result: Result<InspectResponse, ApiFailure>, what: &str) -> InspectResponse {
    result.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

fn expect_err(result: Result<InspectResponse, ApiFailure>, what: &str) -> ApiFailure {
    match result {
        Ok(r) => panic!("{what}: expected an error, got {r:?}"),
        Err(e) => e,
    }
}

fn source_of(response: &InspectResponse) -> AuthSource {
    response
        .auth
        .as_ref()
        .expect("the answer says where credentials came from")
        .source
}

/// The push's events, or the error answered before the stream started.
async fn push(
    client: &ProxyClient,
    spec: &Value,
    credentials: Option<&CredentialSet>,
) -> Result<Vec<PushEvent>, ApiFailure> {
    let mut request = client
        .request(Method::POST, PUSH_PATH)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(spec.to_string());
    if let Some(c) = credentials {
        request = request.header(CREDENTIALS_HEADER, c.encode());
    }
    let response = client.send(request).await;
    if !response.status.is_success() {
        return Err(support::proxy::decode::<Value>(response).expect_err("a non-2xx answer"));
    }
    let text = String::from_utf8(response.body.to_vec()).expect("NDJSON is UTF-8");
    Ok(text
        .lines()
        .map(|l| PushEvent::from_ndjson(l).unwrap_or_else(|e| panic!("event `{l}`: {e}")))
        .collect())
}

fn assert_done(events: &[PushEvent]) {
    assert!(
        matches!(events.last(), Some(PushEvent::Done { .. })),
        "the push did not finish: {events:#?}"
    );
}

#[tokio::test]
async fn basic_auth_inspect_with_right_wrong_and_missing_credentials() {
    let registry = htpasswd_registry("alice", "basic-right-pw-8c1f").await;
    let img = image(1);
    seed(&registry, "app", &img, "1").await;
    let proxy = proxy_for(&[registry.host()], None).await;
    let client = proxy.client();
    let reference = registry.reference("app:1");

    let ok = expect_ok(
        client
            .inspect_with(
                &reference,
                &creds(&registry.host(), "alice", "basic-right-pw-8c1f"),
            )
            .await,
        "right credentials",
    );
    assert_eq!(ok.digest, img.manifest.digest);
    assert_eq!(source_of(&ok), AuthSource::Typed);
    assert_eq!(
        ok.auth.as_ref().map(|a| a.registry.as_str()),
        Some(registry.host().as_str())
    );

    let wrong = expect_err(
        client
            .inspect_with(&reference, &creds(&registry.host(), "alice", "wrong-pw"))
            .await,
        "wrong password",
    );
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error.code, ErrorCode::Unauthorized);
    assert!(
        wrong.error.message.contains("rejected"),
        "{}",
        wrong.error.message
    );
    assert!(
        wrong.error.message.contains("typed into the page"),
        "{}",
        wrong.error.message
    );

    let missing = expect_err(client.inspect(&reference).await, "no credentials");
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert!(
        missing
            .error
            .message
            .contains("add them in the credentials panel"),
        "{}",
        missing.error.message
    );

    // Content fetched for alice is cached by digest, but never served to a
    // caller without her credentials.
    let by_digest = registry.reference(&format!("app@{}", img.manifest.digest));
    let anonymous = expect_err(client.inspect(&by_digest).await, "cached, anonymous");
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn basic_auth_push_with_right_wrong_and_missing_credentials() {
    let registry = htpasswd_registry("pusher", "basic-push-pw-51d2").await;
    seed(&registry, "src/a", &image(2), "1").await;
    let proxy = proxy_for(&[registry.host()], None).await;
    let client = proxy.client();
    let spec = json!({
        "type": "oci",
        "image": registry.reference("team/app:1"),
        "manifests": [{"image": registry.reference("src/a:1")}],
    });
    let missing = push(&client, &spec, None)
        .await
        .expect_err("no credentials");
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED, "{missing:?}");
    let wrong = push(
        &client,
        &spec,
        Some(&creds(&registry.host(), "pusher", "nope")),
    )
    .await
    .expect_err("wrong credentials");
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
    let events = push(
        &client,
        &spec,
        Some(&creds(&registry.host(), "pusher", "basic-push-pw-51d2")),
    )
    .await
    .unwrap_or_else(|e| panic!("push with the right credentials: {e:?}"));
    assert_done(&events);
    let pushed = registry
        .pusher()
        .get_manifest("team/app", "1", shared::media_type::MANIFEST_ACCEPT)
        .await
        .unwrap_or_else(|e| panic!("read back the pushed index: {e}"));
    assert!(pushed.status.is_success(), "{pushed:?}");
}

#[tokio::test]
async fn bearer_pull_scope_denial_anonymous_and_wrong_password() {
    let tokens = TokenServer::start(Grants::none()).await;
    tokens.add_user("alice", "alice-bearer-pw-77aa", Grants::all());
    tokens.add_user(
        "bob",
        "bob-bearer-pw-19cd",
        Grants::none().allow("elsewhere", &["pull"]),
    );
    let (seed_registry, registry) = token_registry(&tokens).await;
    let img = image(3);
    seed(&seed_registry, "app", &img, "1").await;
    let proxy = proxy_for(&[registry.host(), tokens.host()], None).await;
    let client = proxy.client();
    let reference = registry.reference("app:1");

    let ok = expect_ok(
        client
            .inspect_with(
                &reference,
                &creds(&registry.host(), "alice", "alice-bearer-pw-77aa"),
            )
            .await,
        "alice may pull",
    );
    assert_eq!(ok.digest, img.manifest.digest);
    assert_eq!(source_of(&ok), AuthSource::Typed);
    let asked: Vec<_> = tokens
        .requests()
        .into_iter()
        .filter(|r| r.user.as_deref() == Some("alice"))
        .collect();
    assert!(!asked.is_empty());
    assert!(
        asked
            .iter()
            .all(|r| r.method == "GET" && r.scopes == ["repository:app:pull"]),
        "{asked:?}"
    );

    let denied = expect_err(
        client
            .inspect_with(
                &reference,
                &creds(&registry.host(), "bob", "bob-bearer-pw-19cd"),
            )
            .await,
        "bob may not pull app",
    );
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{denied:?}");
    assert_eq!(denied.error.code, ErrorCode::Denied);
    assert!(
        denied.error.message.contains("do not grant"),
        "{}",
        denied.error.message
    );

    let anonymous = expect_err(client.inspect(&reference).await, "anonymous");
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{anonymous:?}");
    assert!(
        anonymous
            .error
            .message
            .contains("add them in the credentials panel"),
        "{}",
        anonymous.error.message
    );

    let wrong = expect_err(
        client
            .inspect_with(
                &reference,
                &creds(&registry.host(), "alice", "not-her-password"),
            )
            .await,
        "wrong password",
    );
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let expected = format!("the token service at {} answered 401", tokens.host());
    assert!(
        wrong.error.message.contains(&expected),
        "{}",
        wrong.error.message
    );
}

#[tokio::test]
async fn bearer_push_mounts_across_repositories_with_one_token() {
    let tokens = TokenServer::start(Grants::none()).await;
    tokens.add_user("carol", "carol-push-pw-3e3e", Grants::all());
    let (seed_registry, registry) = token_registry(&tokens).await;
    seed(&seed_registry, "base/img", &image(4), "1").await;
    let proxy = proxy_for(&[registry.host(), tokens.host()], None).await;
    let client = proxy.client();
    let spec = json!({
        "type": "oci",
        "image": registry.reference("team/app:1"),
        "manifests": [{"image": registry.reference("base/img:1")}],
    });
    let events = push(
        &client,
        &spec,
        Some(&creds(&registry.host(), "carol", "carol-push-pw-3e3e")),
    )
    .await
    .unwrap_or_else(|e| panic!("push: {e:?}\nregistry log:\n{}", registry.log()));
    assert_done(&events);
    let both = ["repository:team/app:pull,push", "repository:base/img:pull"];
    assert!(
        tokens
            .requests()
            .iter()
            .any(|r| r.status == 200 && r.scopes == both),
        "one token for the push and the mount source: {:#?}",
        tokens.requests()
    );
    let pushed = seed_registry
        .pusher()
        .get_manifest("team/app", "1", shared::media_type::MANIFEST_ACCEPT)
        .await
        .unwrap_or_else(|e| panic!("read back: {e}"));
    assert!(pushed.status.is_success(), "{pushed:?}");
}

#[tokio::test]
async fn bearer_tokens_are_cached_and_renewed_when_they_expire() {
    let tokens = TokenServer::start(Grants::none()).await;
    for user in ["cached", "short", "stale"] {
        tokens.add_user(user, &format!("{user}-pw-0b0b"), Grants::all());
    }
    let (seed_registry, registry) = token_registry(&tokens).await;
    seed(&seed_registry, "app", &image(5), "1").await;
    let proxy = proxy_for(&[registry.host(), tokens.host()], None).await;
    let client = proxy.client();
    let reference = registry.reference("app:1");
    let issued_to = |user: &str| {
        tokens
            .requests()
            .iter()
            .filter(|r| r.token.is_some() && r.user.as_deref() == Some(user))
            .count()
    };
    let inspect_as = |user: &'static str| {
        let client = client.clone();
        let reference = reference.clone();
        let set = creds(&registry.host(), user, &format!("{user}-pw-0b0b"));
        async move { expect_ok(client.inspect_with(&reference, &set).await, user) }
    };

    // A 300 s token is reused.
    inspect_as("cached").await;
    inspect_as("cached").await;
    assert_eq!(issued_to("cached"), 1);

    // A 6 s token is renewed 5 s early: after 2 s it is not used again.
    tokens.set_lifetimes(Lifetimes {
        expires_in: 6,
        exp_offset: 300,
    });
    inspect_as("short").await;
    let first = issued_to("short");
    assert!(first >= 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    inspect_as("short").await;
    assert!(issued_to("short") > first, "a new token after expiry");

    // The registry stops accepting a token the client still believes in
    // (`exp` 55 s ago + 60 s leeway: 5 s to use it, ample even on a loaded
    // machine): the proxy drops it and gets a new one.
    tokens.set_lifetimes(Lifetimes {
        expires_in: 300,
        exp_offset: -55,
    });
    inspect_as("stale").await;
    assert_eq!(issued_to("stale"), 1);
    tokio::time::sleep(Duration::from_millis(5500)).await;
    inspect_as("stale").await;
    assert_eq!(issued_to("stale"), 2, "the rejected token was replaced");
}

#[tokio::test]
async fn a_realm_that_is_not_allow_listed_gets_no_credentials() {
    let tokens = TokenServer::start(Grants::none()).await;
    tokens.add_user("alice", "realm-pw-6f6f", Grants::all());
    let (seed_registry, registry) = token_registry(&tokens).await;
    seed(&seed_registry, "app", &image(6), "1").await;
    // Only the registry is allow-listed, not its (loopback, plain HTTP) realm.
    let proxy = proxy_for(&[registry.host()], None).await;
    let refused = expect_err(
        proxy
            .client()
            .inspect_with(
                &registry.reference("app:1"),
                &creds(&registry.host(), "alice", "realm-pw-6f6f"),
            )
            .await,
        "realm not allow-listed",
    );
    assert_eq!(
        refused.error.code,
        ErrorCode::ForbiddenTarget,
        "{refused:?}"
    );
    assert!(
        refused.error.message.contains(&tokens.host()),
        "{}",
        refused.error.message
    );
    assert!(tokens.requests().is_empty(), "{:?}", tokens.requests());
}

#[tokio::test]
async fn docker_config_auths_apply_after_typed_credentials() {
    let registry = htpasswd_registry("cfguser", "config-pw-2a2a").await;
    let img = image(7);
    seed(&registry, "app", &img, "1").await;
    let docker = DockerConfigDir::new();
    docker.write(&json!({"auths": {registry.host(): auth_entry("cfguser", "config-pw-2a2a")}}));
    let proxy = proxy_for(&[registry.host()], Some(&docker)).await;
    let client = proxy.client();
    let reference = registry.reference("app:1");

    let ok = expect_ok(client.inspect(&reference).await, "from the Docker config");
    assert_eq!(ok.digest, img.manifest.digest);
    assert_eq!(source_of(&ok), AuthSource::DockerConfig);

    // Typed credentials come first, even wrong ones.
    let typed = expect_err(
        client
            .inspect_with(
                &reference,
                &creds(&registry.host(), "cfguser", "typed-wrong"),
            )
            .await,
        "typed wins",
    );
    assert_eq!(typed.status, StatusCode::UNAUTHORIZED);

    // Proxy-side credentials off (the in-process default): anonymous.
    let off = proxy_for(&[registry.host()], None).await;
    let anonymous = expect_err(off.client().inspect(&reference).await, "off");
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn identity_tokens_are_used_as_oauth_refresh_tokens() {
    let tokens = TokenServer::start(Grants::none()).await;
    tokens.add_user("dora", "dora-pw-unused", Grants::all());
    tokens.add_refresh_token("identity-token-5a5a-secret", "dora");
    let (seed_registry, registry) = token_registry(&tokens).await;
    let img = image(8);
    seed(&seed_registry, "app", &img, "1").await;
    let docker = DockerConfigDir::new();
    docker.write(&json!({"auths": {registry.host(): {
        "auth": base64::engine::general_purpose::STANDARD.encode("dora:"),
        "identitytoken": "identity-token-5a5a-secret",
    }}}));
    let proxy = proxy_for(&[registry.host(), tokens.host()], Some(&docker)).await;
    let ok = expect_ok(
        proxy.client().inspect(&registry.reference("app:1")).await,
        "identity token",
    );
    assert_eq!(ok.digest, img.manifest.digest);
    assert_eq!(source_of(&ok), AuthSource::DockerConfig);
    let requests = tokens.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "POST" && r.user.as_deref() == Some("dora") && r.status == 200),
        "{requests:?}"
    );
}

/// Before a push, the plan says for every registry involved whose
/// credentials will be presented (target first), without any secret.
#[tokio::test]
async fn a_plan_says_where_each_registrys_credentials_come_from() {
    let target = htpasswd_registry("planner", "plan-pw-7e7e").await;
    let helped = htpasswd_registry("helped", "helped-pw-8f8f").await;
    let public = Registry::start().await.expect("start docker-registry");
    let arm64 = ImageSpec::new(Format::Oci, "linux/arm64", 23).build();
    seed(&helped, "src/a", &image(22), "1").await;
    seed(&public, "src/b", &arm64, "1").await;
    let docker = DockerConfigDir::new();
    docker.install_helper(
        "test",
        &BTreeMap::from([(
            helped.host(),
            HelperAnswer::Credential {
                username: "helped".into(),
                secret: "helped-pw-8f8f".into(),
            },
        )]),
    );
    docker.write(&json!({"credHelpers": {helped.host(): "test"}}));
    let proxy = proxy_for(
        &[target.host(), helped.host(), public.host()],
        Some(&docker),
    )
    .await;
    let client = proxy.client();
    let spec = json!({
        "type": "oci",
        "image": target.reference("team/app:1"),
        "manifests": [
            {"image": helped.reference("src/a:1")},
            {"image": public.reference("src/b:1")},
        ],
    });
    let response = client
        .send(
            client
                .request(Method::POST, PLAN_PATH)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(
                    CREDENTIALS_HEADER,
                    creds(&target.host(), "planner", "plan-pw-7e7e").encode(),
                )
                .body(spec.to_string()),
        )
        .await;
    let text = String::from_utf8_lossy(&response.body).into_owned();
    assert!(response.status.is_success(), "{text}");
    for secret in ["plan-pw-7e7e", "helped-pw-8f8f"] {
        assert!(!text.contains(secret), "the plan leaks a secret: {text}");
    }
    let plan: PlanResponse = serde_json::from_str(&text).expect("a plan");
    assert_eq!(
        plan.auth,
        [
            AuthInfo {
                source: AuthSource::Typed,
                registry: target.host(),
                helper: None,
            },
            AuthInfo {
                source: AuthSource::CredentialHelper,
                registry: helped.host(),
                helper: Some("docker-credential-test".into()),
            },
            AuthInfo::anonymous(&public.host()),
        ]
    );
}

#[tokio::test]
async fn credential_helpers_from_cred_helpers_and_creds_store() {
    let basic = htpasswd_registry("helperuser", "helper-pw-4d4d").await;
    let tokens = TokenServer::start(Grants::none()).await;
    tokens.add_user("erin", "unused", Grants::all());
    tokens.add_refresh_token("helper-identity-9e9e", "erin");
    let (seed_registry, bearer) = token_registry(&tokens).await;
    let basic_img = image(9);
    let bearer_img = image(10);
    seed(&basic, "app", &basic_img, "1").await;
    seed(&seed_registry, "app", &bearer_img, "1").await;

    let docker = DockerConfigDir::new();
    docker.install_helper(
        "test",
        &BTreeMap::from([(
            basic.host(),
            HelperAnswer::Credential {
                username: "helperuser".into(),
                secret: "helper-pw-4d4d".into(),
            },
        )]),
    );
    docker.install_helper(
        "store",
        &BTreeMap::from([(
            bearer.host(),
            HelperAnswer::Credential {
                username: "<token>".into(),
                secret: "helper-identity-9e9e".into(),
            },
        )]),
    );
    docker.write(&json!({
        "credHelpers": {basic.host(): "test"},
        "credsStore": "store",
        // Placeholder left by `docker login` with a store: not used.
        "auths": {bearer.host(): {}},
    }));
    let proxy = proxy_for(&[basic.host(), bearer.host(), tokens.host()], Some(&docker)).await;
    let client = proxy.client();

    let ok = expect_ok(
        client.inspect(&basic.reference("app:1")).await,
        "credHelpers",
    );
    assert_eq!(ok.digest, basic_img.manifest.digest);
    let auth = ok.auth.expect("auth info");
    assert_eq!(auth.source, AuthSource::CredentialHelper);
    assert_eq!(auth.helper.as_deref(), Some("docker-credential-test"));
    assert_eq!(docker.helper_calls("test"), [basic.host()]);

    let ok = expect_ok(
        client.inspect(&bearer.reference("app:1")).await,
        "credsStore",
    );
    assert_eq!(ok.digest, bearer_img.manifest.digest);
    assert_eq!(source_of(&ok), AuthSource::CredentialHelper);
    assert_eq!(docker.helper_calls("store"), [bearer.host()]);
    assert!(
        tokens
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.status == 200)
    );

    // A registry the store knows nothing about: anonymous, not an error.
    let anonymous_registry = Registry::start().await.expect("start docker-registry");
    seed(&anonymous_registry, "pub", &image(11), "1").await;
    let proxy = proxy_for(&[anonymous_registry.host()], Some(&docker)).await;
    let ok = expect_ok(
        proxy
            .client()
            .inspect(&anonymous_registry.reference("pub:1"))
            .await,
        "not found in the store",
    );
    assert_eq!(source_of(&ok), AuthSource::Anonymous);
}

#[tokio::test]
async fn broken_docker_configs_give_clear_errors_without_secrets() {
    let registry = htpasswd_registry("u", "broken-pw-1c1c").await;
    seed(&registry, "app", &image(12), "1").await;
    let reference = registry.reference("app:1");
    let docker = DockerConfigDir::new();
    let proxy = proxy_for(&[registry.host()], Some(&docker)).await;
    let client = proxy.client();
    let config_path = docker.config_file().display().to_string();

    let check = |failure: &ApiFailure, needles: &[&str]| {
        assert_eq!(
            failure.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{failure:?}"
        );
        for needle in needles {
            assert!(
                failure.error.message.contains(needle),
                "`{needle}` in {}",
                failure.error.message
            );
        }
        assert!(
            !failure.error.message.contains("s3cret"),
            "{}",
            failure.error.message
        );
    };

    docker.write(&json!({"auths": {registry.host(): {"auth": "!!not base64 s3cret!!"}}}));
    let e = expect_err(client.inspect(&reference).await, "bad base64");
    check(
        &e,
        &[
            &config_path,
            &format!("auths.\"{}\".auth", registry.host()),
            "base64",
        ],
    );

    docker.write_raw(r#"{"auths": {"x": {"auth": "s3cret""#);
    let e = expect_err(client.inspect(&reference).await, "truncated JSON");
    check(&e, &[&config_path, "truncated JSON"]);

    docker.write(&json!({"credHelpers": {registry.host(): "missing"}}));
    let e = expect_err(client.inspect(&reference).await, "missing helper");
    check(
        &e,
        &[
            "docker-credential-missing",
            "not on the search path",
            &config_path,
            "credHelpers",
        ],
    );

    docker.install_helper(
        "locked",
        &BTreeMap::from([(
            registry.host(),
            HelperAnswer::Fail {
                message: "the password store is locked".into(),
                code: 3,
            },
        )]),
    );
    docker.write(&json!({"credsStore": "locked"}));
    let e = expect_err(client.inspect(&reference).await, "failing helper");
    check(
        &e,
        &[
            "docker-credential-locked",
            "exit status: 3",
            "the password store is locked",
            "credsStore",
        ],
    );
}

/// Every auth path through the real binary with debug/trace logging; nothing
/// secret may show in what it prints.
#[tokio::test]
async fn the_binary_never_prints_secrets() {
    let typed_basic = htpasswd_registry("typeduser", "typed-basic-pw-a1a1").await;
    let config_basic = htpasswd_registry("cfguser", "config-basic-pw-b2b2").await;
    let tokens = TokenServer::start(Grants::none()).await;
    tokens.add_user("helperuser", "helper-bearer-pw-c3c3", Grants::all());
    tokens.add_user("typedbearer", "typed-bearer-pw-d4d4", Grants::all());
    let (seed_registry, bearer) = token_registry(&tokens).await;
    seed(&typed_basic, "app", &image(13), "1").await;
    seed(&config_basic, "app", &image(14), "1").await;
    seed(&seed_registry, "app", &image(15), "1").await;

    let docker = DockerConfigDir::new();
    docker.install_helper(
        "logtest",
        &BTreeMap::from([(
            bearer.host(),
            HelperAnswer::Credential {
                username: "helperuser".into(),
                secret: "helper-bearer-pw-c3c3".into(),
            },
        )]),
    );
    docker.write(&json!({
        "auths": {config_basic.host(): auth_entry("cfguser", "config-basic-pw-b2b2")},
        "credHelpers": {bearer.host(): "logtest"},
    }));
    let home = tempfile::tempdir().expect("a temp HOME");
    let path = std::env::join_paths(std::iter::once(docker.bin_dir()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("a PATH");
    let mut args = vec![
        "--docker-config".to_string(),
        docker.path().display().to_string(),
        "--docker-credentials".to_string(),
        "on".to_string(),
    ];
    for host in [
        typed_basic.host(),
        config_basic.host(),
        bearer.host(),
        tokens.host(),
    ] {
        args.push("--insecure-registry".into());
        args.push(host);
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_manifest-web-under-test"));
    let process = ProxyProcess::spawn(
        binary,
        &args,
        &[
            ("RUST_LOG", "debug,proxy=trace".to_string()),
            ("PATH", path.to_string_lossy().into_owned()),
            ("HOME", home.path().display().to_string()),
            ("DOCKER_CONFIG", home.path().display().to_string()),
        ],
    )
    .await;
    let client = process.client();

    let typed_basic_set = creds(&typed_basic.host(), "typeduser", "typed-basic-pw-a1a1");
    let typed_bearer_set = creds(&bearer.host(), "typedbearer", "typed-bearer-pw-d4d4");
    let runs = [
        (
            typed_basic.reference("app:1"),
            Some(&typed_basic_set),
            AuthSource::Typed,
        ),
        (
            config_basic.reference("app:1"),
            None,
            AuthSource::DockerConfig,
        ),
        (
            bearer.reference("app:1"),
            None,
            AuthSource::CredentialHelper,
        ),
        (
            bearer.reference("app:1"),
            Some(&typed_bearer_set),
            AuthSource::Typed,
        ),
    ];
    for (reference, set, source) in runs {
        let result = match set {
            Some(set) => client.inspect_with(&reference, set).await,
            None => client.inspect(&reference).await,
        };
        let ok = expect_ok(result, &reference);
        assert_eq!(source_of(&ok), source, "{reference}");
    }
    // A rejected one too: error paths log as well.
    let _ = client
        .inspect_with(
            &config_basic.reference("app:1"),
            &creds(&config_basic.host(), "cfguser", "rejected-pw-e5e5"),
        )
        .await;
    let output = process.stop().await;
    let printed = format!("{}\n{}", output.stdout, output.stderr);
    // Debug logging of the proxy's own credential code is on, so a leak would show.
    assert!(
        printed.contains("asking a credential helper"),
        "the logs are on: {printed}"
    );

    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut secrets: Vec<String> = vec![
        "typed-basic-pw-a1a1".into(),
        "config-basic-pw-b2b2".into(),
        "helper-bearer-pw-c3c3".into(),
        "typed-bearer-pw-d4d4".into(),
        "rejected-pw-e5e5".into(),
        b64("typeduser:typed-basic-pw-a1a1"),
        b64("cfguser:config-basic-pw-b2b2"),
        b64("helperuser:helper-bearer-pw-c3c3"),
        b64("typedbearer:typed-bearer-pw-d4d4"),
        typed_basic_set.encode(),
        typed_bearer_set.encode(),
    ];
    let issued: Vec<String> = tokens
        .requests()
        .into_iter()
        .filter_map(|r| r.token)
        .collect();
    assert!(
        issued.len() >= 2,
        "bearer tokens were issued: {:?}",
        tokens.requests()
    );
    for token in issued {
        // A JWT's signature alone is secret enough to look for.
        secrets.push(token.rsplit('.').next().unwrap_or_default().to_string());
        secrets.push(token);
    }
    for secret in &secrets {
        assert!(
            !printed.contains(secret.as_str()),
            "`{secret}` appears in the proxy's output:\n{printed}"
        );
    }
    for line in printed.lines() {
        let lower = line.to_ascii_lowercase();
        assert!(
            !(lower.contains("authorization:")
                && (lower.contains("basic ") || lower.contains("bearer "))),
            "an Authorization value is printed: {line}"
        );
    }
}

/// The badge is for pages on any site (`<img src>` in a README): served to
/// cross-site no-cors requests, and therefore never with anyone's
/// credentials, neither typed nor the proxy's own (docs/security.md, rule 2).
#[tokio::test]
async fn the_badge_is_embeddable_anywhere_and_always_anonymous() {
    let registry = htpasswd_registry("badgeuser", "badge-pw-3c3c").await;
    seed(&registry, "private", &image(9), "1").await;
    let docker = DockerConfigDir::new();
    docker.write(&json!({"auths": {registry.host(): auth_entry("badgeuser", "badge-pw-3c3c")}}));
    let proxy = proxy_for(&[registry.host()], Some(&docker)).await;
    let client = proxy.client();
    let reference = registry.reference("private:1");
    let badge_path = format!("{}?ref={reference}", shared::api::BADGE_PATH);

    // The inspection uses the proxy's Docker login; the badge does not, with
    // or without typed credentials, from any site.
    let ok = expect_ok(client.inspect(&reference).await, "with the Docker config");
    assert_eq!(source_of(&ok), AuthSource::DockerConfig);
    let typed = creds(&registry.host(), "badgeuser", "badge-pw-3c3c");
    for (site, with_typed) in [(None, false), (Some("cross-site"), false), (None, true)] {
        let mut request = client.request(Method::GET, &badge_path);
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        if with_typed {
            request = request.header(CREDENTIALS_HEADER, typed.encode());
        }
        let answer = client.send(request).await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{site:?} {with_typed}: {answer:?}"
        );
    }

    // A public image's badge is served to another site's `<img>` (no Origin,
    // `Sec-Fetch-Site: cross-site`), while the rest of the API refuses it.
    let public = Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"));
    seed(&public, "open", &image(10), "1").await;
    let proxy = proxy_for(&[public.host()], None).await;
    let client = proxy.client();
    let reference = public.reference("open:1");
    for site in ["cross-site", "same-site"] {
        let request = client
            .request(
                Method::GET,
                &format!("{}?ref={reference}", shared::api::BADGE_PATH),
            )
            .header("sec-fetch-site", site)
            .header("sec-fetch-dest", "image");
        let answer = client.send(request).await;
        assert_eq!(answer.status, StatusCode::OK, "{site}: {answer:?}");
        assert_eq!(answer.header("content-type"), Some("image/svg+xml"));
        let svg = String::from_utf8(answer.body.to_vec()).unwrap();
        assert!(svg.contains(">linux/amd64</text>"), "{svg}");
        let request = client
            .request(
                Method::GET,
                &format!("{}?ref={reference}", shared::api::INSPECT_PATH),
            )
            .header("sec-fetch-site", site);
        assert_eq!(
            client.send(request).await.status,
            StatusCode::FORBIDDEN,
            "{site}"
        );
    }
    // A name rebound to the proxy's address is still refused.
    let request = client
        .request(
            Method::GET,
            &format!("{}?ref={reference}", shared::api::BADGE_PATH),
        )
        .header("host", "evil.example:8080");
    assert_eq!(client.send(request).await.status, StatusCode::FORBIDDEN);
}
