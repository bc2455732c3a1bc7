//! "Edit as new index" hands a spec from the inspect page to the create page.
//! They are separate wasm modules with a page load between them, so the spec
//! travels in the create page's URL fragment (`/create#spec=JSON`): never
//! sent to the proxy, kept by back/forward and reload, and readable by the
//! create page without a request (and so without the credentials typed into
//! the inspect page, which a page load forgets).
//!
//! Whoever links to us can put any text there: it is read like any other
//! import, and a spec that does not parse is an import error shown in place.
//! It only fills the form; nothing is resolved or pushed until a person asks.

use shared::spec::PushSpec;

use crate::query;
use crate::route::CREATE_PATH;

/// The fragment's key.
const KEY: &str = "spec";

/// The create page's URL, carrying `spec`.
pub fn create_url(spec: &PushSpec) -> String {
    let json = serde_json::to_string(spec).unwrap_or_default();
    format!("{CREATE_PATH}#{KEY}={}", query::encode_component(&json))
}

/// The spec a fragment (`location.hash`, with or without its `#`) carries:
/// none when it carries none, an error in words when it is not a spec.
pub fn from_fragment(fragment: &str) -> Option<Result<PushSpec, String>> {
    let json = query::get(fragment.strip_prefix('#').unwrap_or(fragment), KEY)?;
    Some(
        serde_json::from_str(&json).map_err(|e| {
            format!("the index handed to this page in its link could not be read: {e}")
        }),
    )
}

/// The spec this page's own URL carries.
pub fn from_location() -> Option<Result<PushSpec, String>> {
    let hash = leptos::prelude::window().location().hash().ok()?;
    from_fragment(&hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::spec::{SpecEntry, SpecPlatform};

    #[test]
    fn a_spec_round_trips_through_the_url() {
        let spec = PushSpec {
            image: "localhost:5000/demo/app:1 & more#x".into(),
            tags: vec!["latest".into()],
            manifests: vec![SpecEntry {
                image: "localhost:5000/demo/app@sha256:0123".into(),
                platform: SpecPlatform {
                    os: "linux".into(),
                    architecture: "arm".into(),
                    variant: "v7".into(),
                    ..SpecPlatform::default()
                },
                ..SpecEntry::default()
            }],
            ..PushSpec::default()
        };
        let url = create_url(&spec);
        let (path, fragment) = url.split_once('#').expect("a fragment");
        assert_eq!(path, "/create");
        assert_eq!(from_fragment(fragment), Some(Ok(spec.clone())));
        assert_eq!(from_fragment(&format!("#{fragment}")), Some(Ok(spec)));
    }

    #[test]
    fn no_spec_and_bad_specs() {
        assert_eq!(from_fragment(""), None);
        assert_eq!(from_fragment("#image-config"), None);
        let error = from_fragment("#spec=%7B%22manifests%22%3A3%7D")
            .expect("a spec was handed over")
            .expect_err("not a spec");
        assert!(error.contains("could not be read"), "{error}");
        assert!(error.contains("invalid type"), "{error}");
    }
}
