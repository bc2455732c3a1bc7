//! "Edit as new index" hands an inspected index from the inspect page to the
//! create page. They are separate wasm modules with a page load between them,
//! so the index travels in the create page's URL fragment: the repository,
//! the tag, the media type and the raw manifest exactly as the registry sent
//! it (`/create#repository=..&tag=..&type=..&index=..`). The inspect page
//! has those bytes already (nothing to serialize, no code for it in its
//! module); the create page reads them with the model's `Index` and turns
//! them into a spec (`index_to_spec`). The fragment never reaches the proxy,
//! survives back/forward and reload, and needs no request (so not the
//! credentials typed into the inspect page, which a page load forgets).
//!
//! Whoever links to us can put any text there: a fragment that is not an
//! index is an import error shown in place. It only fills the form; nothing
//! is resolved or pushed until a person asks.

use shared::api::InspectResponse;
use shared::manifest::Index;
use shared::spec::PushSpec;

use crate::index_to_spec::{InspectedIndex, spec_from_index};
use crate::query::{self, encode_component};
use crate::route::CREATE_PATH;

/// The create page's URL, carrying `response`'s index.
pub fn create_url(response: &InspectResponse) -> String {
    format!(
        "{CREATE_PATH}#repository={}&tag={}&digest={}&type={}&index={}",
        encode_component(&format!("{}/{}", response.registry, response.repository)),
        encode_component(response.tag.as_deref().unwrap_or_default()),
        response.digest,
        encode_component(&response.media_type),
        encode_component(&response.raw),
    )
}

/// The spec a fragment (`location.hash`, with or without its `#`) hands
/// over: none when it hands over nothing, an error in words when what it
/// carries is not an index.
pub fn from_fragment(fragment: &str) -> Option<Result<PushSpec, String>> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let raw = query::get(fragment, "index")?;
    let field = |name| query::get(fragment, name).unwrap_or_default();
    let (repository, tag, media_type) = (field("repository"), field("tag"), field("type"));
    let digest = field("digest");
    let index: Index = match serde_json::from_str(&raw) {
        Ok(index) => index,
        Err(e) => {
            return Some(Err(format!(
                "the index handed to this page in its link could not be read: {e}"
            )));
        }
    };
    Some(Ok(spec_from_index(&InspectedIndex {
        repository: &repository,
        tag: (!tag.is_empty()).then_some(tag.as_str()),
        digest: &digest,
        media_type: &media_type,
        manifests: &index.manifests,
        annotations: &index.annotations,
    })))
}

/// The spec this page's own URL hands over.
pub fn from_location() -> Option<Result<PushSpec, String>> {
    let hash = leptos::prelude::window().location().hash().ok()?;
    from_fragment(&hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::{Content, IndexContent};
    use shared::media_type::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST};
    use shared::spec::IndexType;
    use shared::{Digest, Reference};

    #[test]
    fn an_index_goes_over_as_the_registry_sent_it() {
        let child = Digest::sha256(b"child");
        let raw = format!(
            r#"{{"schemaVersion": 2, "mediaType": "{DOCKER_MANIFEST_LIST}",
  "manifests": [{{"mediaType": "{DOCKER_MANIFEST}", "digest": "{child}", "size": 7,
    "platform": {{"architecture": "arm", "os": "linux", "variant": "v7"}}}}]}}"#
        );
        let reference = Reference::parse("127.0.0.1:5000/demo/app:v1").expect("a reference");
        let response = InspectResponse::new(
            &reference,
            Digest::sha256(raw.as_bytes()),
            DOCKER_MANIFEST_LIST,
            raw.as_bytes(),
            Content::Index(IndexContent::default()),
        );
        let url = create_url(&response);
        let (path, fragment) = url.split_once('#').expect("a fragment");
        assert_eq!(path, "/create");
        let spec = from_fragment(fragment)
            .expect("an index was handed over")
            .expect("it reads");
        assert_eq!(spec.image, "127.0.0.1:5000/demo/app:v1");
        assert_eq!(spec.index_type, IndexType::Docker);
        assert_eq!(spec.manifests.len(), 1);
        assert_eq!(
            spec.manifests[0].image,
            format!("127.0.0.1:5000/demo/app@{child}")
        );
        assert_eq!(spec.manifests[0].platform.variant, "v7");
        assert_eq!(
            spec.expect,
            response.digest.to_string(),
            "inspected by tag: a safe edit"
        );
        assert_eq!(from_fragment(&format!("#{fragment}")), Some(Ok(spec)));
    }

    #[test]
    fn nothing_handed_over_and_what_is_not_an_index() {
        assert_eq!(from_fragment(""), None);
        assert_eq!(from_fragment("#image-config"), None);
        let error = from_fragment("#repository=a/b&index=%7B%22manifests%22%3A3%7D")
            .expect("something was handed over")
            .expect_err("not an index");
        assert!(error.contains("could not be read"), "{error}");
        assert!(error.contains("invalid type"), "{error}");
    }
}
