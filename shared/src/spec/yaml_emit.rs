//! Writing a spec as manifest-tool YAML, by hand.
//!
//! Hand-written so the page can export YAML without bundling a YAML library.
//! The only subtle part is quoting: a plain scalar that YAML (1.1 or 1.2) would
//! read as a number, boolean or null (`386`, `1.0`, `yes`, `~`), or that would
//! not even parse (`a: b`, `#x`, `-x`), is written double-quoted, so that
//! manifest-tool, serde-saphyr and any other reader get back the same text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::{PushSpec, SpecPlatform};

/// The spec as YAML, in manifest-tool's layout (`image`, `tags`, `manifests`
/// with `image`/`platform`), then `annotations`, and our own keys (`type`,
/// `ignoreMissing`) only when they are not the defaults.
pub fn to_yaml(spec: &PushSpec) -> String {
    let mut out = String::new();
    line(&mut out, 0, "image", Some(&spec.image));
    if !spec.tags.is_empty() {
        line(&mut out, 0, "tags", None);
        for tag in &spec.tags {
            item(&mut out, 1, tag);
        }
    }
    if spec.manifests.is_empty() {
        out.push_str("manifests: []\n");
    } else {
        line(&mut out, 0, "manifests", None);
        for entry in &spec.manifests {
            // `  - image: ...` then the entry's other keys aligned under it.
            out.push_str("  - ");
            key_value(&mut out, "image", Some(&entry.image));
            if !entry.platform.is_empty() {
                line(&mut out, 2, "platform", None);
                platform(&mut out, 3, &entry.platform);
            }
            map(&mut out, 2, "annotations", &entry.annotations);
        }
    }
    map(&mut out, 0, "annotations", &spec.annotations);
    if spec.index_type != Default::default() {
        line(&mut out, 0, "type", Some(spec.index_type.as_str()));
    }
    if spec.ignore_missing {
        out.push_str("ignoreMissing: true\n");
    }
    if !spec.expect.is_empty() {
        line(&mut out, 0, "expect", Some(&spec.expect));
    }
    out
}

fn platform(out: &mut String, depth: usize, p: &SpecPlatform) {
    for (key, value) in [
        ("architecture", &p.architecture),
        ("os", &p.os),
        ("variant", &p.variant),
        ("osversion", &p.osversion),
    ] {
        if !value.is_empty() {
            line(out, depth, key, Some(value));
        }
    }
    for (key, list) in [("osfeatures", &p.osfeatures), ("features", &p.features)] {
        if !list.is_empty() {
            line(out, depth, key, None);
            for v in list {
                item(out, depth + 1, v);
            }
        }
    }
}

fn map(out: &mut String, depth: usize, key: &str, values: &BTreeMap<String, String>) {
    if values.is_empty() {
        return;
    }
    line(out, depth, key, None);
    for (k, v) in values {
        indent(out, depth + 1);
        out.push_str(&scalar(k));
        out.push_str(": ");
        out.push_str(&scalar(v));
        out.push('\n');
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn line(out: &mut String, depth: usize, key: &str, value: Option<&str>) {
    indent(out, depth);
    key_value(out, key, value);
}

fn key_value(out: &mut String, key: &str, value: Option<&str>) {
    out.push_str(key);
    out.push(':');
    if let Some(v) = value {
        out.push(' ');
        out.push_str(&scalar(v));
    }
    out.push('\n');
}

fn item(out: &mut String, depth: usize, value: &str) {
    indent(out, depth);
    out.push_str("- ");
    out.push_str(&scalar(value));
    out.push('\n');
}

/// `s` as a YAML scalar that reads back as exactly the string `s`.
pub(crate) fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false; // empty: must be `""` (plain empty is null)
    };
    if first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return false;
    }
    // Indicators that start something else than a plain scalar, or are
    // ambiguous at the start (`-x`, `?x`, `:x` are plain only in some places).
    if "-?:,[]{}#&*!|>'\"%@`.<=~+".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    // Flow indicators are fine in block context, but quoting them costs
    // nothing and keeps the text safe inside `[...]` too.
    if s.chars()
        .any(|c| needs_escape(c) || matches!(c, ',' | '[' | ']' | '{' | '}' | '#'))
    {
        return false;
    }
    !looks_like_non_string(s)
}

/// Would a YAML 1.1 or 1.2 reader take this plain scalar for something other
/// than a string (bool, null, number, date, sexagesimal number)?
fn looks_like_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    if WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return true;
    }
    // Anything starting with a digit and made only of number-ish characters:
    // 386, 1.0, 0x1F, 0o17, 1e3, 1_000, 2001-12-14, 1:20, 10.0.17763.
    // Over-quoting (e.g. a version) is harmless; under-quoting is not.
    let starts_with_digit = s.starts_with(|c: char| c.is_ascii_digit());
    starts_with_digit
        && s.chars().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(c, '.' | '_' | ':' | '-' | '+' | 'x' | 'X' | 'o' | 'O')
        })
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters YAML does not allow unescaped (outside its printable set) or
/// reads as line breaks / byte-order marks.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}
