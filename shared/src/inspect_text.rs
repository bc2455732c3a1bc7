//! The inspection as `manifest-tool inspect` prints it, line for line.
//!
//! People paste manifest-tool output into issues, scripts grep it, and
//! reviewers compare it; the page's "copy as text" must produce the same
//! bytes so that a diff against the CLI is empty. The layout below follows
//! manifest-tool v2's `cmd/manifest-tool/inspect.go` (`outputList`,
//! `outputImage`) with colour off (fatih/color prints plain `fmt.Sprint`
//! values when not on a terminal).
//!
//! One deliberate difference: manifest-tool exits (`logrus.Fatal`) when a
//! child manifest cannot be read; we print the error for that entry instead
//! and go on, as the page does.
//!
//! The text repeats a child's layers under every entry that names it (as
//! manifest-tool does), so an index listing one many-layered child a
//! thousand times would print it a thousand times: the output is bounded
//! like the JSON answer, and past the bound it is an error, not a cut text.

use crate::api::{IndexContent, InspectResponse};
use crate::attestation::{attested_digest, is_attestation};
use crate::media_type;
use crate::platform::Platform;

/// Why an inspection has no manifest-tool text form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// manifest-tool only prints indexes / manifest lists and image manifests
    /// (schema1 and anything else: "unknown descriptor type").
    #[error(
        "manifest-tool's text output has no layout for {kind} (`{media_type}`): it prints indexes, manifest lists and image manifests only; use the JSON view"
    )]
    UnknownDescriptorType {
        media_type: String,
        kind: &'static str,
    },
    /// The text would be longer than `limit` bytes.
    #[error(
        "the manifest-tool text of this inspection is larger than the {limit}-byte limit on one answer (its entries repeat their children's layers)"
    )]
    TooLarge { limit: usize },
}

/// Text that may not grow past a limit, `reserved` bytes of which go to
/// text written elsewhere.
struct Bounded {
    text: String,
    reserved: usize,
    limit: usize,
}

impl Bounded {
    fn new(limit: usize) -> Self {
        Bounded::after(0, limit)
    }

    fn after(reserved: usize, limit: usize) -> Self {
        Bounded {
            text: String::new(),
            reserved,
            limit,
        }
    }

    fn push(&mut self, s: &str) -> Result<(), TextError> {
        let len = self.reserved.saturating_add(self.text.len());
        if len.saturating_add(s.len()) > self.limit {
            return Err(TextError::TooLarge { limit: self.limit });
        }
        self.text.push_str(s);
        Ok(())
    }
}

/// Render `r` as `manifest-tool inspect NAME` prints it. `name` is the
/// reference as the person typed it (manifest-tool echoes its argument).
/// Past `max_bytes` of text it is [`TextError::TooLarge`].
pub fn render(r: &InspectResponse, name: &str, max_bytes: usize) -> Result<String, TextError> {
    match r.media_type.as_str() {
        media_type::OCI_INDEX | media_type::DOCKER_MANIFEST_LIST => {
            let empty = IndexContent::default();
            render_list(r, r.index().unwrap_or(&empty), name, max_bytes)
        }
        media_type::OCI_MANIFEST | media_type::DOCKER_MANIFEST => render_image(r, name, max_bytes),
        other => Err(TextError::UnknownDescriptorType {
            media_type: other.to_string(),
            kind: media_type::describe(other),
        }),
    }
}

fn render_list(
    r: &InspectResponse,
    index: &IndexContent,
    name: &str,
    max_bytes: usize,
) -> Result<String, TextError> {
    let entries = &index.manifests;
    let mut head = String::new();
    head.push_str(&format!("Name:   {name} (Type: {})\n", r.media_type));
    head.push_str(&format!("Digest: {}\n", r.digest));

    let mut body = Bounded::after(head.len(), max_bytes);
    let mut attestations = 0usize;
    for (i, e) in entries.iter().enumerate() {
        let n = i + 1;
        let attestation = is_attestation(&e.descriptor);
        let detail = if attestation {
            attestations += 1;
            " (vnd.docker.reference.type=attestation-manifest)"
        } else {
            ""
        };
        let d = &e.descriptor;
        body.push(&format!("[{n}]     Type: {}{detail}\n", d.media_type))?;
        body.push(&format!("[{n}]   Digest: {}\n", d.digest))?;
        body.push(&format!("[{n}]   Length: {}\n", d.size))?;
        match d.media_type.as_str() {
            media_type::OCI_MANIFEST | media_type::DOCKER_MANIFEST => {
                if let Some(error) = &e.error {
                    body.push(&format!("[{n}]    -   Error: {}\n\n", error.message))?;
                    continue;
                }
                if attestation {
                    let about = attested_digest(d).unwrap_or("");
                    body.push(&format!(
                        "[{n}]       >>> Attestation for digest: {about}\n\n"
                    ))?;
                    continue;
                }
                body.push(&format!("[{n}] Platform:\n"))?;
                let mut platform = String::new();
                match &d.platform {
                    Some(p) => push_platform(&mut platform, n, p),
                    None => {
                        platform.push_str(&format!("[{n}]    -      (no platform specified)\n"))
                    }
                }
                body.push(&platform)?;
                let layers = index
                    .child(e)
                    .and_then(|c| c.layers.as_deref())
                    .unwrap_or(&[]);
                body.push(&format!("[{n}] # Layers: {}\n", layers.len()))?;
                for (j, layer) in layers.iter().enumerate() {
                    body.push(&format!(
                        "     layer {:02}: digest = {}\n",
                        j + 1,
                        layer.digest
                    ))?;
                    body.push(&format!("                 type = {}\n", layer.media_type))?;
                }
                body.push("\n")?;
            }
            other => body.push(&format!(
                "Unknown media type for further display: {other}\n"
            ))?,
        }
    }
    let images = entries.len() - attestations;
    let image_word = if images > 1 { "images" } else { "image" };
    let attestation_word = if attestations > 1 {
        "attestations"
    } else {
        "attestation"
    };
    let mut out = Bounded::new(max_bytes);
    out.push(&head)?;
    out.push(&format!(
        " * Contains {} manifest references ({images} {image_word}, {attestations} {attestation_word}):\n",
        entries.len()
    ))?;
    out.push(&body.text)?;
    Ok(out.text)
}

fn push_platform(out: &mut String, n: usize, p: &Platform) {
    out.push_str(&format!("[{n}]    -      OS: {}\n", p.os));
    if let Some(v) = p.os_version.as_deref().filter(|v| !v.is_empty()) {
        out.push_str(&format!("[{n}]    - OS Vers: {v}\n"));
    }
    if !p.os_features.is_empty() {
        // Go prints a []string as `[a b]`.
        out.push_str(&format!(
            "[{n}]    - OS Feat: [{}]\n",
            p.os_features.join(" ")
        ));
    }
    out.push_str(&format!("[{n}]    -    Arch: {}\n", p.architecture));
    if let Some(v) = p.variant.as_deref().filter(|v| !v.is_empty()) {
        out.push_str(&format!("[{n}]    - Variant: {v}\n"));
    }
}

fn render_image(r: &InspectResponse, name: &str, max_bytes: usize) -> Result<String, TextError> {
    let (os, arch) = r
        .image()
        .and_then(|i| i.image_config.as_ref())
        .map_or(("", ""), |c| (c.os.as_str(), c.architecture.as_str()));
    let layers = r.layers().unwrap_or(&[]);
    let mut out = Bounded::new(max_bytes);
    out.push(&format!("Name: {name} (Type: {})\n", r.media_type))?;
    out.push(&format!("      Digest: {}\n", r.digest))?;
    out.push(&format!("        Size: {}\n", r.size))?;
    out.push(&format!("          OS: {os}\n"))?;
    out.push(&format!("        Arch: {arch}\n"))?;
    out.push(&format!("    # Layers: {}\n", layers.len()))?;
    for (i, layer) in layers.iter().enumerate() {
        out.push(&format!(
            "      layer {:02}: digest = {}\n",
            i + 1,
            layer.digest
        ))?;
    }
    Ok(out.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        ApiError, ChildView, Content, EntryView, ErrorCode, ImageContent, IndexContent,
        Schema1Content,
    };
    use crate::config::ImageConfig;
    use crate::descriptor::Descriptor;
    use crate::digest::Digest;
    use crate::media_type::Kind;
    use std::collections::BTreeMap;

    fn d(media: &str, seed: &str, size: u64, platform: Option<&str>) -> Descriptor {
        Descriptor {
            media_type: media.into(),
            digest: Digest::sha256(seed.as_bytes()),
            size,
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            platform: platform.map(|p| Platform::parse(p).unwrap()),
            artifact_type: None,
        }
    }

    fn layers(seed: &str, n: usize) -> Vec<Descriptor> {
        (0..n)
            .map(|i| d(media_type::DOCKER_LAYER, &format!("{seed}-{i}"), 100, None))
            .collect()
    }

    /// No limit: the tests of the layout.
    const ANY: usize = usize::MAX;

    /// An entry and, when its child was read, the child's layers.
    type Listed = (EntryView, Option<Vec<Descriptor>>);

    fn entry(descriptor: Descriptor, layers: Option<Vec<Descriptor>>) -> Listed {
        (EntryView::new(descriptor), layers)
    }

    /// An answer about `127.0.0.1:5000/lists/app:v1` whose root is 1234 bytes.
    fn response(media: &str, content: Content) -> InspectResponse {
        let reference = crate::reference::Reference::parse("127.0.0.1:5000/lists/app:v1").unwrap();
        InspectResponse::new(
            &reference,
            Digest::sha256(b"root"),
            media,
            &[b' '; 1234],
            content,
        )
    }

    fn index(media: &str, listed: Vec<Listed>) -> InspectResponse {
        let mut content = IndexContent::default();
        for (e, layers) in listed {
            if let Some(layers) = layers {
                let child = ChildView {
                    layers: Some(layers),
                    ..ChildView::new(Kind::Image)
                };
                content.children.insert(e.descriptor.digest.clone(), child);
            }
            content.manifests.push(e);
        }
        response(media, Content::Index(content))
    }

    fn image(
        media: &str,
        layers: Vec<Descriptor>,
        image_config: Option<ImageConfig>,
    ) -> InspectResponse {
        let config = d(media_type::OCI_CONFIG, "config", 10, None);
        let content = ImageContent {
            image_config,
            ..ImageContent::new(config, layers)
        };
        response(media, Content::Image(content))
    }

    // What manifest-tool's outputList prints for a Docker list with a
    // Linux entry and a Windows entry carrying os.version and os.features,
    // written out from its format strings.
    #[test]
    fn docker_list_with_windows_entry() {
        let amd = d(
            media_type::DOCKER_MANIFEST,
            "amd",
            528,
            Some("linux/arm/v7"),
        );
        let mut win = d(
            media_type::DOCKER_MANIFEST,
            "win",
            1161,
            Some("windows/amd64:10.0.17763.2565"),
        );
        win.platform.as_mut().unwrap().os_features = vec!["win32k".into()];
        let amd_layers = layers("amd", 2);
        let win_layers = layers("win", 1);
        let r = index(
            media_type::DOCKER_MANIFEST_LIST,
            vec![
                entry(amd.clone(), Some(amd_layers.clone())),
                entry(win.clone(), Some(win_layers.clone())),
            ],
        );
        let expected = format!(
            "Name:   app:v1 (Type: application/vnd.docker.distribution.manifest.list.v2+json)\n\
             Digest: {root}\n \
             * Contains 2 manifest references (2 images, 0 attestation):\n\
             [1]     Type: application/vnd.docker.distribution.manifest.v2+json\n\
             [1]   Digest: {amd}\n\
             [1]   Length: 528\n\
             [1] Platform:\n\
             [1]    -      OS: linux\n\
             [1]    -    Arch: arm\n\
             [1]    - Variant: v7\n\
             [1] # Layers: 2\n     \
             layer 01: digest = {l0}\n                 \
             type = application/vnd.docker.image.rootfs.diff.tar.gzip\n     \
             layer 02: digest = {l1}\n                 \
             type = application/vnd.docker.image.rootfs.diff.tar.gzip\n\
             \n\
             [2]     Type: application/vnd.docker.distribution.manifest.v2+json\n\
             [2]   Digest: {win}\n\
             [2]   Length: 1161\n\
             [2] Platform:\n\
             [2]    -      OS: windows\n\
             [2]    - OS Vers: 10.0.17763.2565\n\
             [2]    - OS Feat: [win32k]\n\
             [2]    -    Arch: amd64\n\
             [2] # Layers: 1\n     \
             layer 01: digest = {w0}\n                 \
             type = application/vnd.docker.image.rootfs.diff.tar.gzip\n\
             \n",
            root = r.digest,
            amd = amd.digest,
            win = win.digest,
            l0 = amd_layers[0].digest,
            l1 = amd_layers[1].digest,
            w0 = win_layers[0].digest,
        );
        assert_eq!(render(&r, "app:v1", ANY).unwrap(), expected);
    }

    #[test]
    fn attestations_nested_indexes_missing_platforms_and_errors() {
        let image = d(media_type::OCI_MANIFEST, "img", 700, Some("linux/amd64"));
        let mut att = d(
            media_type::OCI_MANIFEST,
            "att",
            800,
            Some("unknown/unknown"),
        );
        att.annotations.insert(
            crate::attestation::REFERENCE_TYPE.into(),
            crate::attestation::ATTESTATION_MANIFEST.into(),
        );
        att.annotations.insert(
            crate::attestation::REFERENCE_DIGEST.into(),
            image.digest.to_string(),
        );
        let nested = d(media_type::OCI_INDEX, "nested", 300, None);
        let bare = d(media_type::OCI_MANIFEST, "bare", 400, None);
        let broken = d(media_type::OCI_MANIFEST, "broken", 500, Some("linux/s390x"));
        let mut broken_entry = entry(broken.clone(), None);
        broken_entry.0.error = Some(ApiError::new(ErrorCode::NotFound, "gone"));
        let r = index(
            media_type::OCI_INDEX,
            vec![
                entry(image.clone(), Some(Vec::new())),
                entry(att.clone(), Some(layers("att", 1))),
                entry(nested.clone(), None),
                entry(bare.clone(), Some(Vec::new())),
                broken_entry,
            ],
        );
        let text = render(&r, "x@sha256:abc", ANY).unwrap();
        let expected = format!(
            "Name:   x@sha256:abc (Type: application/vnd.oci.image.index.v1+json)\n\
             Digest: {root}\n \
             * Contains 5 manifest references (4 images, 1 attestation):\n\
             [1]     Type: application/vnd.oci.image.manifest.v1+json\n\
             [1]   Digest: {img}\n\
             [1]   Length: 700\n\
             [1] Platform:\n\
             [1]    -      OS: linux\n\
             [1]    -    Arch: amd64\n\
             [1] # Layers: 0\n\
             \n\
             [2]     Type: application/vnd.oci.image.manifest.v1+json (vnd.docker.reference.type=attestation-manifest)\n\
             [2]   Digest: {att}\n\
             [2]   Length: 800\n\
             [2]       >>> Attestation for digest: {img}\n\
             \n\
             [3]     Type: application/vnd.oci.image.index.v1+json\n\
             [3]   Digest: {nested}\n\
             [3]   Length: 300\n\
             Unknown media type for further display: application/vnd.oci.image.index.v1+json\n\
             [4]     Type: application/vnd.oci.image.manifest.v1+json\n\
             [4]   Digest: {bare}\n\
             [4]   Length: 400\n\
             [4] Platform:\n\
             [4]    -      (no platform specified)\n\
             [4] # Layers: 0\n\
             \n\
             [5]     Type: application/vnd.oci.image.manifest.v1+json\n\
             [5]   Digest: {broken}\n\
             [5]   Length: 500\n\
             [5]    -   Error: gone\n\
             \n",
            root = r.digest,
            img = image.digest,
            att = att.digest,
            nested = nested.digest,
            bare = bare.digest,
            broken = broken.digest,
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn counts_use_singular_words_for_zero_and_one() {
        let r = index(media_type::OCI_INDEX, Vec::new());
        assert!(
            render(&r, "a:b", ANY)
                .unwrap()
                .contains(" * Contains 0 manifest references (0 image, 0 attestation):\n")
        );
    }

    /// An index naming one many-layered child many times prints its layers
    /// under each entry: past the limit that is an error, for lists and
    /// images alike, and the limit is the whole text's.
    #[test]
    fn the_text_is_bounded() {
        let child = d(media_type::OCI_MANIFEST, "child", 500, Some("linux/amd64"));
        let many = layers("child", 100);
        let listed: Vec<_> = (0..1000)
            .map(|_| entry(child.clone(), Some(many.clone())))
            .collect();
        let r = index(media_type::OCI_INDEX, listed);
        let whole = render(&r, "a:b", ANY).unwrap();
        assert!(whole.len() > 10_000_000, "{}", whole.len());
        assert_eq!(render(&r, "a:b", whole.len()).unwrap(), whole);
        let err = render(&r, "a:b", 1_000_000).unwrap_err();
        assert_eq!(err, TextError::TooLarge { limit: 1_000_000 });
        assert!(err.to_string().contains("1000000-byte limit"), "{err}");
        assert!(render(&r, "a:b", whole.len() - 1).is_err());
        let image = image(media_type::OCI_MANIFEST, many, None);
        let text = render(&image, "a:b", ANY).unwrap();
        assert!(render(&image, "a:b", text.len() - 1).is_err());
    }

    #[test]
    fn single_image() {
        let l = layers("single", 2);
        let config =
            ImageConfig::parse(br#"{"architecture":"arm64","os":"linux","variant":"v8"}"#).unwrap();
        let r = image(media_type::DOCKER_MANIFEST, l.clone(), Some(config));
        let expected = format!(
            "Name: demo/single:1.0 (Type: application/vnd.docker.distribution.manifest.v2+json)\n      \
             Digest: {root}\n        \
             Size: 1234\n          \
             OS: linux\n        \
             Arch: arm64\n    \
             # Layers: 2\n      \
             layer 01: digest = {l0}\n      \
             layer 02: digest = {l1}\n",
            root = r.digest,
            l0 = l[0].digest,
            l1 = l[1].digest,
        );
        assert_eq!(render(&r, "demo/single:1.0", ANY).unwrap(), expected);
    }

    #[test]
    fn an_artifact_prints_empty_os_and_arch() {
        let r = image(media_type::OCI_MANIFEST, Vec::new(), None);
        let text = render(&r, "a:sbom", ANY).unwrap();
        assert!(
            text.contains("\n          OS: \n        Arch: \n    # Layers: 0\n"),
            "{text}"
        );
    }

    #[test]
    fn schema1_has_no_text_form() {
        let r = response(
            media_type::DOCKER_SCHEMA1_SIGNED,
            Content::Schema1(Schema1Content { layers: Vec::new() }),
        );
        let err = render(&r, "old:1", ANY).unwrap_err();
        assert!(matches!(err, TextError::UnknownDescriptorType { .. }));
        assert!(err.to_string().contains("schema 1"), "{err}");
    }
}
