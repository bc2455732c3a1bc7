//! `WWW-Authenticate` challenges (RFC 7235), parsed properly.
//!
//! Registries differ in the details (parameter order, which parameters, extra
//! `error=` parameters, scopes with commas inside quotes, several challenges
//! in one header), so a split on commas or a regex gets some of them wrong.
//! This is a small tokenizer over the RFC grammar:
//! `challenge = scheme [ 1*SP ( token68 / #( token BWS "=" BWS ( token / quoted-string ) ) ) ]`.

use std::collections::BTreeMap;

/// One challenge: the scheme (lowercased) and its parameters (names lowercased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: BTreeMap<String, String>,
    /// A token68 instead of parameters (e.g. `Negotiate abc==`); unused by registries.
    pub token68: Option<String>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    #[error("the WWW-Authenticate header is empty")]
    Empty,
    #[error("the WWW-Authenticate header is malformed at byte {at}: {reason}")]
    Malformed { at: usize, reason: &'static str },
}

/// Does a 401 say the token lacked the access asked for
/// (`Bearer ... error="insufficient_scope"`)? Distribution answers this when
/// the token service granted less than was asked for: the caller is known
/// but not allowed, which is a denial, not a missing login.
pub fn insufficient_scope(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|text| parse_challenges(text).ok())
        .flatten()
        .any(|c| c.is("bearer") && c.param("error") == Some("insufficient_scope"))
}

/// Parse a `WWW-Authenticate` value (one or several challenges).
pub fn parse_challenges(header: &str) -> Result<Vec<Challenge>, ChallengeError> {
    let mut p = Parser {
        s: header.as_bytes(),
        pos: 0,
    };
    let mut out = Vec::new();
    loop {
        p.skip_list_separators();
        if p.at_end() {
            break;
        }
        let scheme = p.token().ok_or(p.error("expected an auth scheme"))?;
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: BTreeMap::new(),
            token68: None,
        };
        let had_space = p.skip_spaces();
        if had_space && !p.at_end() && p.peek() != Some(b',') {
            if let Some(t68) = p.try_token68() {
                challenge.token68 = Some(t68);
            } else {
                p.params(&mut challenge.params)?;
            }
        }
        out.push(challenge);
        p.skip_spaces();
        match p.peek() {
            None => break,
            Some(b',') => {}
            Some(_) => return Err(p.error("expected `,` between challenges")),
        }
    }
    if out.is_empty() {
        return Err(ChallengeError::Empty);
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn is_token68_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~+/".contains(&c)
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }
    fn error(&self, reason: &'static str) -> ChallengeError {
        ChallengeError::Malformed {
            at: self.pos,
            reason,
        }
    }
    fn skip_spaces(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos > start
    }
    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
    }
    fn token(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        (self.pos > start).then(|| String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    /// `token68` followed by the end or a comma; otherwise nothing is consumed.
    fn try_token68(&mut self) -> Option<String> {
        let start = self.pos;
        let mut end = start;
        while self.s.get(end).copied().is_some_and(is_token68_char) {
            end += 1;
        }
        if end == start {
            return None;
        }
        let mut eq = end;
        while self.s.get(eq) == Some(&b'=') {
            eq += 1;
        }
        let mut after = eq;
        while matches!(self.s.get(after), Some(b' ' | b'\t')) {
            after += 1;
        }
        // `abc==` or `abc` alone is a token68; `name=value` is a parameter.
        if !matches!(self.s.get(after), None | Some(b',')) {
            return None;
        }
        self.pos = eq;
        Some(String::from_utf8_lossy(&self.s[start..eq]).into_owned())
    }

    /// `#auth-param`, stopping before a following challenge.
    fn params(&mut self, params: &mut BTreeMap<String, String>) -> Result<(), ChallengeError> {
        loop {
            let save = self.pos;
            self.skip_spaces();
            let Some(name) = self.token() else {
                return Err(self.error("expected a parameter name"));
            };
            self.skip_spaces();
            if self.peek() != Some(b'=') {
                // A token without `=` starts the next challenge.
                if params.is_empty() {
                    return Err(self.error("expected `=` after the parameter name"));
                }
                self.pos = save;
                return Ok(());
            }
            self.pos += 1;
            self.skip_spaces();
            let value = if self.peek() == Some(b'"') {
                self.quoted()?
            } else {
                self.token()
                    .ok_or(self.error("expected a token or quoted string as parameter value"))?
            };
            params.insert(name.to_ascii_lowercase(), value);
            self.skip_spaces();
            match self.peek() {
                None => return Ok(()),
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    // Skip empty list elements, then see what comes next.
                    self.skip_list_separators();
                    if self.at_end() {
                        return Ok(());
                    }
                    let before = self.pos;
                    let next = self.token();
                    self.skip_spaces();
                    let is_param = next.is_some() && self.peek() == Some(b'=');
                    if is_param {
                        self.pos = before;
                    } else {
                        // The next challenge: leave it, and its separator, to the caller.
                        self.pos = comma;
                        return Ok(());
                    }
                }
                Some(_) => return Err(self.error("expected `,` after a parameter")),
            }
        }
    }

    fn quoted(&mut self) -> Result<String, ChallengeError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    return Err(ChallengeError::Malformed {
                        at: open,
                        reason: "unterminated quoted string",
                    });
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c) => {
                            out.push(c);
                            self.pos += 1;
                        }
                        None => return Err(self.error("a backslash ends the quoted string")),
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(h: &str) -> Challenge {
        let mut v = parse_challenges(h).unwrap();
        assert_eq!(v.len(), 1, "{v:?}");
        v.remove(0)
    }

    #[test]
    fn docker_hub() {
        let c = one(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
        );
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c.param("service"), Some("registry.docker.io"));
        assert_eq!(c.param("scope"), Some("repository:library/alpine:pull"));
    }

    #[test]
    fn ghcr_with_push_scope_containing_a_comma() {
        let c = one(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:owner/img:pull,push""#,
        );
        assert_eq!(c.param("scope"), Some("repository:owner/img:pull,push"));
        assert_eq!(c.param("realm"), Some("https://ghcr.io/token"));
    }

    #[test]
    fn quay_without_scope() {
        let c = one(r#"Bearer realm="https://quay.io/v2/auth",service="quay.io""#);
        assert_eq!(c.param("service"), Some("quay.io"));
        assert_eq!(c.param("scope"), None);
    }

    #[test]
    fn gcr_and_acr_with_error_param_in_another_order() {
        let c = one(
            r#"Bearer realm="https://gcr.io/v2/token",service="gcr.io",scope="repository:google-containers/pause:pull""#,
        );
        assert_eq!(c.param("realm"), Some("https://gcr.io/v2/token"));
        let c = one(
            r#"Bearer scope="repository:samples/hello:pull", error="invalid_token", realm="https://x.azurecr.io/oauth2/token",service="x.azurecr.io""#,
        );
        assert_eq!(c.param("realm"), Some("https://x.azurecr.io/oauth2/token"));
        assert_eq!(c.param("error"), Some("invalid_token"));
        assert_eq!(c.param("service"), Some("x.azurecr.io"));
    }

    #[test]
    fn ecr_and_distribution_basic() {
        let c = one(
            r#"Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com""#,
        );
        assert!(c.is("Basic"));
        assert_eq!(c.param("service"), Some("ecr.amazonaws.com"));
        let c = one(r#"Basic realm="Registry Realm""#);
        assert_eq!(c.param("realm"), Some("Registry Realm"));
    }

    #[test]
    fn several_challenges_unquoted_tokens_case_and_escapes() {
        let v = parse_challenges(
            r#"Basic realm="a, \"quoted\" realm", BEARER Realm="https://t.example/token" , Service=reg"#,
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].scheme, "basic");
        assert_eq!(v[0].param("realm"), Some(r#"a, "quoted" realm"#));
        assert_eq!(v[1].scheme, "bearer");
        // Unquoted token values stop at characters outside tchar (`:` and `/`),
        // so an unquoted URL is a parse error, not a silently wrong value.
        let c = one("Bearer realm=token-service,service=reg");
        assert_eq!(c.param("realm"), Some("token-service"));
        assert_eq!(c.param("service"), Some("reg"));
    }

    #[test]
    fn bare_scheme_and_token68() {
        let v = parse_challenges("Basic, Negotiate abc+/==").unwrap();
        assert_eq!(v[0].scheme, "basic");
        assert!(v[0].params.is_empty());
        assert_eq!(v[1].token68.as_deref(), Some("abc+/=="));
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        for bad in [
            "",
            "   ",
            r#"Bearer realm="https://unterminated"#,
            r#"Bearer realm="x" service="y""#,
            "Bearer realm=\"x\\",
            "=foo",
            r#"Bearer realm="x",="y""#,
            "Bearer realm=https://auth.example/token",
            "Bearer ü=1",
        ] {
            assert!(parse_challenges(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn insufficient_scope_is_recognized() {
        use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
        let mut h = HeaderMap::new();
        h.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(
                r#"Bearer realm="http://t/token",service="reg",scope="repository:a:pull",error="insufficient_scope""#,
            ),
        );
        assert!(insufficient_scope(&h));
        h.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer realm="http://t/token",error="invalid_token""#),
        );
        assert!(!insufficient_scope(&h));
        assert!(!insufficient_scope(&HeaderMap::new()));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let samples = ["\"", "\\", ",", "=", "a", " ", "B", "é", "\t"];
        // Every string of up to 4 of these pieces.
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for s in &inputs {
                for piece in samples {
                    next.push(format!("{s}{piece}"));
                }
            }
            for s in &next {
                let _ = parse_challenges(s);
            }
            inputs = next;
        }
    }
}
