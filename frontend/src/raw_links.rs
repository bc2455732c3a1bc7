//! The raw manifest as text with its manifest digests picked out, so the
//! raw view can make each one a link that inspects that object while still
//! showing exactly the bytes the registry sent (the pieces join back into
//! the original text).
//!
//! Only digests of manifests are linked (index entries, a `subject`): config
//! and layer digests name blobs, which are not something to inspect.

/// A piece of the raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A digest that names one of the `linkable` manifests.
    Digest(String),
}

/// Split `raw` at every occurrence of a digest in `linkable`
/// (`algorithm:hex` strings).
pub fn pieces(raw: &str, linkable: &[String]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    while at < raw.len() {
        let rest = &raw[at..];
        let hit = rest
            .starts_with("sha")
            .then(|| {
                linkable
                    .iter()
                    .filter(|d| !d.is_empty() && rest.starts_with(d.as_str()))
                    .max_by_key(|d| d.len())
            })
            .flatten()
            // A whole digest only: not the prefix of a longer hex run.
            .filter(|d| {
                !rest[d.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            });
        match hit {
            Some(d) => {
                if text_start < at {
                    out.push(Piece::Text(raw[text_start..at].to_string()));
                }
                out.push(Piece::Digest(d.clone()));
                at += d.len();
                text_start = at;
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
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
                Piece::Text(t) | Piece::Digest(t) => t.as_str(),
            })
            .collect()
    }

    #[test]
    fn links_listed_digests_and_keeps_the_bytes() {
        let child = format!("sha256:{}", "a".repeat(64));
        let layer = format!("sha256:{}", "b".repeat(64));
        let raw = format!(
            "{{\n   \"manifests\": [{{\"digest\": \"{child}\"}}],\n   \"layers\": [{{\"digest\": \"{layer}\"}}], \"é\": 1}}"
        );
        let p = pieces(&raw, std::slice::from_ref(&child));
        assert_eq!(joined(&p), raw);
        assert_eq!(
            p.iter().filter(|x| matches!(x, Piece::Digest(_))).count(),
            1
        );
        assert!(p.contains(&Piece::Digest(child.clone())));
        assert!(!p.contains(&Piece::Digest(layer)));
        // Twice, and at the very start and end.
        let p = pieces(&format!("{child} {child}"), std::slice::from_ref(&child));
        assert_eq!(
            p,
            [
                Piece::Digest(child.clone()),
                Piece::Text(" ".into()),
                Piece::Digest(child.clone())
            ]
        );
        // Not a prefix of something longer.
        let longer = format!("{child}ff");
        assert_eq!(
            pieces(&longer, std::slice::from_ref(&child)),
            [Piece::Text(longer.clone())]
        );
        assert!(pieces("", &[child]).is_empty());
    }
}
