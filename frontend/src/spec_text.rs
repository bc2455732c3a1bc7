//! Lists and maps of the push spec typed into single text fields: tags and
//! os.features as comma/space separated words, annotations as `key=value`
//! lines. Each pair of functions round-trips, so the form can show what the
//! spec holds after an import and read back what was typed.

use std::collections::BTreeMap;

/// `1.0, latest stable` -> `["1.0", "latest", "stable"]`.
pub fn parse_words(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn words_text(words: &[String]) -> String {
    words.join(", ")
}

/// One `key=value` per line; blank lines are skipped, a line without `=` is
/// a key with an empty value, and spaces around keys and values are dropped.
/// A key typed twice keeps its last value.
pub fn parse_annotations(text: &str) -> BTreeMap<String, String> {
    // Inserted one by one (a later key replaces an earlier one): `collect`
    // into a map compiles a whole stable sort into the page.
    let mut annotations = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let (key, value) = match line.split_once('=') {
            Some((key, value)) => (key.trim(), value.trim()),
            None => (line.trim(), ""),
        };
        annotations.insert(key.to_string(), value.to_string());
    }
    annotations
}

pub fn annotations_text(annotations: &BTreeMap<String, String>) -> String {
    annotations
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_commas_and_spaces() {
        assert_eq!(
            parse_words(" 1.0, latest  stable,,\n"),
            vec!["1.0", "latest", "stable"]
        );
        assert!(parse_words(" , ").is_empty());
        let words = vec!["a".to_string(), "b".to_string()];
        assert_eq!(parse_words(&words_text(&words)), words);
    }

    #[test]
    fn annotations_are_key_value_lines() {
        let map = parse_annotations(
            "org.opencontainers.image.title = demo app\n\n flag\nurl=https://x/?a=b\n",
        );
        assert_eq!(
            map.get("org.opencontainers.image.title")
                .map(String::as_str),
            Some("demo app")
        );
        assert_eq!(map.get("flag").map(String::as_str), Some(""));
        // Only the first `=` separates.
        assert_eq!(map.get("url").map(String::as_str), Some("https://x/?a=b"));
        assert_eq!(map.len(), 3);
        assert_eq!(parse_annotations(&annotations_text(&map)), map);
        let twice = parse_annotations("k=1\nother=x\n k = 2\n");
        assert_eq!(twice.get("k").map(String::as_str), Some("2"));
        assert_eq!(twice.len(), 2);
    }
}
