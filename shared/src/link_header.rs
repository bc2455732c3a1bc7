//! The `Link` header (RFC 8288) as registries use it to page long answers:
//! the referrers API (and the tag list) answer one page and point at the next
//! with `Link: </v2/app/referrers/sha256:...?last=x>; rel="next"`. Only the
//! target of `rel="next"` matters here; where it may lead is the proxy's
//! decision (it must stay on the registry's origin).

/// The URI reference of the `rel="next"` link in a `Link` header value, as
/// written (often relative to the request URL). Several links may share one
/// header, separated by commas; `rel` may list several relation types and
/// may be quoted or not, in any case.
pub fn next_link(header: &str) -> Option<&str> {
    let mut rest = header;
    loop {
        let open = rest.find('<')?;
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let after = &rest[close + 1..];
        // The parameters run to the next link (a `<` outside quotes) or the end.
        let params_end = next_link_start(after).unwrap_or(after.len());
        let params = &after[..params_end];
        if split_unquoted(params, ';').any(is_rel_next) {
            return Some(target.trim());
        }
        rest = &after[params_end..];
    }
}

/// Where the next `<` outside a quoted string is.
fn next_link_start(s: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// `s` split at `sep` where it is not inside a quoted string.
fn split_unquoted(s: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    s.split(move |c| {
        if c == '"' {
            quoted = !quoted;
        }
        c == sep && !quoted
    })
}

fn is_rel_next(param: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else {
        return false;
    };
    name.trim().eq_ignore_ascii_case("rel")
        && value
            .trim()
            .trim_end_matches(',')
            .trim()
            .trim_matches('"')
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("next"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_and_registry_spellings() {
        // distribution's tag list.
        assert_eq!(
            next_link(r#"</v2/app/tags/list?last=b&n=2>; rel="next""#),
            Some("/v2/app/tags/list?last=b&n=2")
        );
        // Unquoted, other case, extra parameters, absolute target.
        assert_eq!(
            next_link("<https://r.example/v2/a/referrers/sha256:ab?n=1&last=x> ; Rel=Next; type=x"),
            Some("https://r.example/v2/a/referrers/sha256:ab?n=1&last=x")
        );
        // A quoted parameter may hold `<` and `;`.
        assert_eq!(
            next_link(r#"</p2>; title="a <b>; c"; rel="next""#),
            Some("/p2")
        );
        assert_eq!(
            next_link(r#"</p1>; title="x <y>"; rel="prev", </p3>; rel="next""#),
            Some("/p3")
        );
        // Several links in one header; several relation types.
        assert_eq!(
            next_link(r#"</first>; rel="first", </p3>; rel="prev", </p5>; rel="last next""#),
            Some("/p5")
        );
    }

    #[test]
    fn no_next_link() {
        for header in [
            "",
            "garbage",
            "</p1>",
            r#"</p1>; rel="prev""#,
            r#"</p1>; rel="nextpage""#,
            "<unterminated; rel=next",
            r#"</p1>; title="next""#,
        ] {
            assert_eq!(next_link(header), None, "{header:?}");
        }
    }
}
