//! Indexes: a Docker manifest list, an OCI index with annotations, and an
//! index whose entry is an index; each pushed by tag and read back byte
//! for byte (annotations included).

use shared::check::content::{TAG_INDEX, TAG_LIST, TAG_NESTED};
use shared::check::{Verdict, content::Object};

use super::Session;
use super::manifests::same_manifest;

pub(super) async fn run(s: &mut Session<'_, '_>) {
    let list = s.content.docker_list.clone();
    let index = s.content.oci_index.clone();
    let nested = s.content.nested_index.clone();
    round_trip(s, "docker-manifest-list", &list, TAG_LIST).await;
    round_trip(s, "oci-index-annotations", &index, TAG_INDEX).await;
    round_trip(s, "nested-index", &nested, TAG_NESTED).await;
}

/// PUT `object` under `tag`, GET it back: 201, then the same bytes.
async fn round_trip(s: &mut Session<'_, '_>, name: &str, object: &Object, tag: &str) {
    let put = match s.put_manifest(object, Some(tag)).await {
        Ok(a) => a,
        Err(e) => return s.unanswered(name, e),
    };
    if put.status != 201 {
        let shown = put.describe(&["docker-content-digest"]);
        return s.record(
            name,
            Verdict::Fail,
            format!("a PUT is answered 201. {shown}"),
        );
    }
    let get = match s.get_manifest(tag, object.media_type).await {
        Ok(a) => a,
        Err(e) => return s.unanswered(name, e),
    };
    let shown = format!(
        "{} | {}",
        put.describe(&["docker-content-digest"]),
        get.describe(&["content-type"])
    );
    match same_manifest(&get, object) {
        None => s.record(
            name,
            Verdict::Pass,
            format!("stored and read back byte for byte. {shown}"),
        ),
        Some(problem) => s.record(name, Verdict::Fail, format!("{problem}. {shown}")),
    }
}
