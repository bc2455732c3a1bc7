use super::*;

fn registry(e: RegistryError) -> ProxyError {
    ProxyError::Registry(e)
}

#[test]
fn only_not_now_failures_are_transient() {
    let upstream = |status: u16| registry(RegistryError::upstream("r", "w", status, ""));
    for status in [429, 500, 502, 503, 504] {
        assert!(upstream(status).is_transient(), "{status}");
    }
    for status in [400, 404, 409, 501] {
        assert!(!upstream(status).is_transient(), "{status}");
    }
    let unreachable = |transient| {
        registry(RegistryError::Unreachable {
            host: "r".into(),
            detail: "reset".into(),
            transient,
        })
    };
    assert!(unreachable(true).is_transient());
    assert!(!unreachable(false).is_transient());
    let mismatch = registry(RegistryError::digest(
        "blob",
        shared::Digest::sha256(b"a").verify(b"b").unwrap_err(),
    ));
    assert!(!mismatch.is_transient());
    assert!(!ProxyError::InvalidQuery("x".into()).is_transient());
}

#[test]
fn statuses_follow_the_api_contract() {
    let text = |s: &str| s.to_string();
    let cases = [
        (
            ProxyError::InvalidReference {
                input: text("Bad"),
                source: shared::Reference::parse("Bad Ref").unwrap_err(),
            },
            ErrorCode::InvalidReference,
            400,
        ),
        (
            registry(RegistryError::NotFound {
                what: text("m"),
                detail: text(""),
            }),
            ErrorCode::NotFound,
            404,
        ),
        (
            registry(RegistryError::Unauthorized {
                registry: text("r"),
                detail: text(""),
            }),
            ErrorCode::Unauthorized,
            401,
        ),
        (
            registry(RegistryError::Denied {
                registry: text("r"),
                detail: text(""),
            }),
            ErrorCode::Denied,
            403,
        ),
        (
            registry(RegistryError::RateLimited {
                registry: text("r"),
                detail: text(""),
            }),
            ErrorCode::RateLimited,
            429,
        ),
        (
            registry(RegistryError::Unreachable {
                host: text("r"),
                detail: text(""),
                transient: false,
            }),
            ErrorCode::Unreachable,
            502,
        ),
        (
            registry(RegistryError::digest(
                "m",
                shared::Digest::sha256(b"a").verify(b"b").unwrap_err(),
            )),
            ErrorCode::DigestMismatch,
            502,
        ),
        (
            registry(RegistryError::upstream("r", "w", 500u16, "")),
            ErrorCode::Upstream,
            502,
        ),
        (
            ProxyError::ForbiddenOrigin(text("o")),
            ErrorCode::ForbiddenOrigin,
            403,
        ),
        (
            registry(RegistryError::ForbiddenTarget {
                host: text("h"),
                reason: text("r"),
            }),
            ErrorCode::ForbiddenTarget,
            403,
        ),
        (
            ProxyError::UnsupportedMediaType {
                given: text("text/plain"),
                accepted: text("application/json"),
            },
            ErrorCode::InvalidInput,
            415,
        ),
        (
            ProxyError::Internal(Internal::LimiterClosed),
            ErrorCode::Internal,
            500,
        ),
    ];
    for (error, code, status) in cases {
        assert_eq!(error.code(), code, "{error}");
        assert_eq!(error.status().as_u16(), status, "{error}");
    }
}

/// What a registry sends too much of is the registry's fault (502), not
/// the client's 413; the code still says what happened.
#[test]
fn too_large_from_a_registry_is_a_bad_gateway() {
    let e = registry(RegistryError::TooLarge {
        what: "config blob".into(),
        limit: 8,
    });
    assert_eq!(e.code(), ErrorCode::TooLarge);
    assert_eq!(e.status(), StatusCode::BAD_GATEWAY);
}

#[test]
fn messages_name_what_failed() {
    let e = registry(RegistryError::NotFound {
        what: "manifest `localhost:5000/x:1`".into(),
        detail: "MANIFEST_UNKNOWN: manifest unknown".into(),
    });
    assert_eq!(
        e.to_string(),
        "manifest `localhost:5000/x:1` was not found (MANIFEST_UNKNOWN: manifest unknown)"
    );
    let e = registry(RegistryError::Unreachable {
        host: "r.example".into(),
        detail: "connection refused".into(),
        transient: false,
    });
    assert!(e.to_string().contains("r.example"));
    assert_eq!(e.to_api_error().message, e.to_string());
}

/// Moved from shared (the codes of plan and spec errors are decided here).
#[test]
fn plan_errors_have_their_codes() {
    let digest = PlanError::Digest {
        field: "manifests[0]".into(),
        source_ref: "localhost:5000/src:a".into(),
        error: shared::Digest::sha256(b"a").verify(b"b").unwrap_err(),
    };
    assert_eq!(
        ProxyError::from(digest).to_api_error().code,
        ErrorCode::DigestMismatch
    );
    let count = PlanError::SourceCount {
        expected: 1,
        found: 0,
    };
    assert_eq!(
        ProxyError::from(count).to_api_error().code,
        ErrorCode::Internal
    );
    let missing = PlanError::AllMissing {
        skipped: vec!["a".into()],
    };
    let e = ProxyError::from(missing);
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    let annotations = PlanError::AnnotationsNeedOci {
        field: "annotations".into(),
    };
    let api = ProxyError::from(annotations.clone()).to_api_error();
    assert_eq!(api.code, ErrorCode::InvalidInput);
    assert_eq!(api.message, annotations.to_string());
}

#[test]
fn spec_errors_become_invalid_input() {
    let api = ProxyError::from(SpecError::NoManifests).to_api_error();
    assert_eq!(api.code, ErrorCode::InvalidInput);
    assert_eq!(api.message, SpecError::NoManifests.to_string());
}

/// A source error keeps the registry's code and names the spec entry.
#[test]
fn source_errors_name_the_entry() {
    let e = ProxyError::from(SourceError {
        field: "manifests[2]".into(),
        source_ref: "r/x:1".into(),
        error: RegistryError::Denied {
            registry: "r".into(),
            detail: String::new(),
        },
    });
    assert_eq!(e.code(), ErrorCode::Denied);
    assert_eq!(e.status(), StatusCode::FORBIDDEN);
    assert!(
        e.to_string().starts_with("`manifests[2]` (`r/x:1`): "),
        "{e}"
    );
}
