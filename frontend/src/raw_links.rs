//! The raw manifest as text with its interesting strings picked out, so the
//! raw view can make each one a link or explain it on hover while still
//! showing exactly the bytes the registry sent (the pieces join back into
//! the original text).
//!
//! Only JSON strings are looked at, and only whole ones: a digest is always a
//! whole string in a manifest, so a digest-looking run inside some other
//! value (an annotation, say) is left alone. Manifest digests (index entries,
//! a `subject`) link to an inspection of that manifest; the config digest
//! links to the config shown on the same page; layer digests name blobs with
//! nothing more to show, so they stay text.

use shared::{annotation, media_type};

/// A piece of the raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A digest that names one of the `manifests`.
    Manifest(String),
    /// The config blob's digest.
    Config(String),
    /// A media type or well-known annotation key, with what it means.
    Explained {
        text: String,
        about: &'static str,
    },
}

/// Split `raw` (JSON text) at every whole string that is one of the
/// `manifests` digests, the `config` digest, a known media type or a
/// well-known annotation key (digests as `algorithm:hex`).
pub fn pieces(raw: &str, manifests: &[String], config: Option<&str>) -> Vec<Piece> {
    let classify = |s: &str| -> Option<Piece> {
        if manifests.iter().any(|d| d == s) {
            Some(Piece::Manifest(s.to_string()))
        } else if config == Some(s) {
            Some(Piece::Config(s.to_string()))
        } else if let Some(about) = annotation::describe(s) {
            Some(Piece::Explained {
                text: s.to_string(),
                about,
            })
        } else {
            let about = media_type::describe(s);
            (about != media_type::OTHER && media_type::essence(s) == s).then(|| Piece::Explained {
                text: s.to_string(),
                about,
            })
        }
    };
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    let bytes = raw.as_bytes();
    while let Some(open) = raw[at..].find('"').map(|i| at + i) {
        // The closing quote: the next one not escaped by a backslash.
        let mut close = open + 1;
        while close < bytes.len() && bytes[close] != b'"' {
            close += if bytes[close] == b'\\' { 2 } else { 1 };
        }
        if close >= bytes.len() {
            break;
        }
        // Quotes and backslashes are ASCII, so both ends are char boundaries.
        if let Some(piece) = classify(&raw[open + 1..close]) {
            if text_start <= open {
                out.push(Piece::Text(raw[text_start..=open].to_string()));
            }
            out.push(piece);
            text_start = close;
        }
        at = close + 1;
    }
    if text_start < raw.len() {
        out.push(Piece::Text(raw[text_start..].to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(p: &[Piece]) -> String {
        p.iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Manifest(t) | Piece::Config(t) => t.as_str(),
                Piece::Explained { text, .. } => text,
            })
            .collect()
    }

    #[test]
    fn links_manifest_and_config_digests_and_keeps_the_bytes() {
        let child = format!("sha256:{}", "a".repeat(64));
        let config = format!("sha256:{}", "c".repeat(64));
        let layer = format!("sha256:{}", "b".repeat(64));
        let raw = format!(
            "{{\n   \"manifests\": [{{\"digest\": \"{child}\"}}],\n   \"config\": {{\"digest\":\"{config}\"}},\n   \"layers\": [{{\"digest\": \"{layer}\"}}], \"é\": \"x\\\"y\"}}"
        );
        let p = pieces(&raw, std::slice::from_ref(&child), Some(&config));
        assert_eq!(joined(&p), raw);
        let links: Vec<_> = p.iter().filter(|x| !matches!(x, Piece::Text(_))).collect();
        assert_eq!(
            links,
            [&Piece::Manifest(child.clone()), &Piece::Config(config)]
        );
        // Twice; the quotes stay text around the link.
        let twice = format!("[\"{child}\",\"{child}\"]");
        assert_eq!(
            pieces(&twice, std::slice::from_ref(&child), None),
            [
                Piece::Text("[\"".into()),
                Piece::Manifest(child.clone()),
                Piece::Text("\",\"".into()),
                Piece::Manifest(child.clone()),
                Piece::Text("\"]".into()),
            ]
        );
        // Only whole strings: not inside a longer value, not unquoted.
        for text in [
            format!("\"{child}ff\""),
            format!("\"see {child}\""),
            child.clone(),
        ] {
            assert_eq!(
                pieces(&text, std::slice::from_ref(&child), None),
                [Piece::Text(text.clone())]
            );
        }
        assert!(pieces("", &[child], None).is_empty());
        // An unterminated string is text.
        assert_eq!(pieces("{\"a", &[], None), [Piece::Text("{\"a".into())]);
    }

    #[test]
    fn explains_media_types_and_well_known_annotation_keys() {
        let raw = r#"{"mediaType": "application/vnd.oci.image.index.v1+json", "annotations": {"org.opencontainers.image.source": "application/x-other", "my.key": "v"}}"#;
        let p = pieces(raw, &[], None);
        assert_eq!(joined(&p), raw);
        let explained: Vec<(&str, &str)> = p
            .iter()
            .filter_map(|x| match x {
                Piece::Explained { text, about } => Some((text.as_str(), *about)),
                _ => None,
            })
            .collect();
        assert_eq!(explained.len(), 2, "{explained:?}");
        assert_eq!(explained[0].0, "application/vnd.oci.image.index.v1+json");
        assert_eq!(explained[0].1, media_type::describe(media_type::OCI_INDEX));
        assert_eq!(explained[1].0, "org.opencontainers.image.source");
        assert_eq!(
            Some(explained[1].1),
            annotation::describe("org.opencontainers.image.source")
        );
    }
}
