//! Percent-encoding for the query strings the page reads and writes.
//!
//! References contain `/`, `:` and `@`, which RFC 3986 allows in a query, so
//! they stay as typed: `?ref=ghcr.io/o/r:1@sha256:...` is a URL a person can
//! read and edit. Everything else outside the unreserved set is escaped, `+`
//! included, because form decoding (which browsers and servers apply to
//! queries) turns a bare `+` into a space.

/// Escape one query component (a name or a value).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b':'
            | b'@' => out.push(b as char),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0x0f)] as char);
            }
        }
    }
    out
}

/// Undo `application/x-www-form-urlencoded` escaping: `+` is a space, `%XX` a
/// byte. A malformed escape is kept literally rather than rejected: a
/// hand-edited URL still shows what was typed.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                bytes.get(i + 1).and_then(hex_value),
                bytes.get(i + 2).and_then(hex_value),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The first value of `name` in a query string (with or without its leading
/// `?`), decoded.
pub fn get(search: &str, name: &str) -> Option<String> {
    search
        .strip_prefix('?')
        .unwrap_or(search)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(key, _)| decode_component(key) == name)
        .map(|(_, value)| decode_component(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_stay_readable() {
        let r = "ghcr.io/o/r:1.2@sha256:0123abcd";
        assert_eq!(encode_component(r), r);
    }

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(
            encode_component("a b+c&d=e?f#g%"),
            "a%20b%2Bc%26d%3De%3Ff%23g%25"
        );
        assert_eq!(encode_component("é"), "%C3%A9");
    }

    #[test]
    fn decoding_undoes_encoding() {
        for s in ["a b+c&d=e?f#g%", "é/ü:@", "", "localhost:5000/x@sha256:ab"] {
            assert_eq!(decode_component(&encode_component(s)), s);
        }
    }

    #[test]
    fn plus_is_a_space_and_bad_escapes_are_kept() {
        assert_eq!(decode_component("a+b"), "a b");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("%2b"), "+");
    }

    #[test]
    fn get_finds_the_first_value() {
        assert_eq!(
            get("?x=1&ref=alpine%3A3&ref=b", "ref").as_deref(),
            Some("alpine:3")
        );
        assert_eq!(get("ref=a+b", "ref").as_deref(), Some("a b"));
        assert_eq!(get("?ref", "ref").as_deref(), Some(""));
        assert_eq!(get("?&&x=1", "ref"), None);
        assert_eq!(get("", "ref"), None);
        assert_eq!(get("?reference=x", "ref"), None);
    }
}
