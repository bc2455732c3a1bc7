//! One request of the check and the registry's answer, as plain data, and
//! how a report shows it: the request line, the status, only the headers
//! that decided the result, and the error body cut short (a hostile
//! registry's body must not fill the report).

/// How much of an error body a report quotes.
pub const BODY_QUOTE_CHARS: usize = 300;

/// How much of a request's path and query a report quotes.
pub const TARGET_QUOTE_CHARS: usize = 160;

/// A request and its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exchange {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub status: u16,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Exchange {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `PUT /v2/r/manifests/t -> 201; docker-content-digest: sha256:...`,
    /// with the `deciding` headers (those present) and, for an answer that
    /// is not a success, the start of its body.
    pub fn describe(&self, deciding: &[&str]) -> String {
        // Upload URLs carry long state tokens: the start says which request it was.
        let target = quote(&self.target, TARGET_QUOTE_CHARS);
        let mut text = format!("{} {target} -> {}", self.method, self.status);
        for name in deciding {
            match self.header(name) {
                Some(value) => text.push_str(&format!("; {name}: {}", quote(value, 200))),
                None => text.push_str(&format!("; no {name}")),
            }
        }
        if !self.is_success() && !self.body.is_empty() {
            let body = String::from_utf8_lossy(&self.body);
            text.push_str(&format!("; body: {}", quote(body.trim(), BODY_QUOTE_CHARS)));
        }
        text
    }

    /// The registry's error code (`{"errors":[{"code":...}]}`), if its body
    /// has one.
    pub fn error_code(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Errors {
            errors: Vec<Code>,
        }
        #[derive(serde::Deserialize)]
        struct Code {
            code: String,
        }
        let parsed: Errors = serde_json::from_slice(&self.body).ok()?;
        parsed.errors.into_iter().next().map(|c| c.code)
    }
}

/// `text` on one line, at most `max` characters (an ellipsis says it was cut).
pub fn quote(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut cut: String = one_line.chars().take(max).collect();
    if one_line.chars().count() > max {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_shows_status_deciding_headers_and_the_body_cut_short() {
        let e = Exchange {
            method: "DELETE".into(),
            target: "/v2/r/manifests/sha256:ab".into(),
            status: 405,
            headers: vec![("content-type".into(), "application/json".into())],
            body: format!(
                "{{\"errors\":[{{\"code\":\"UNSUPPORTED\",\"message\":\"{}\"}}]}}\n",
                "x".repeat(1000)
            )
            .into_bytes(),
        };
        let text = e.describe(&["docker-content-digest"]);
        assert!(
            text.starts_with("DELETE /v2/r/manifests/sha256:ab -> 405; no docker-content-digest; body: {\"errors\""),
            "{text}"
        );
        assert!(text.ends_with('…'), "{text}");
        assert!(text.len() < 420, "{}", text.len());
        assert!(!text.contains('\n'));
        assert_eq!(e.error_code().as_deref(), Some("UNSUPPORTED"));
    }

    #[test]
    fn a_success_shows_no_body() {
        let e = Exchange {
            method: "GET".into(),
            target: "/v2/".into(),
            status: 200,
            headers: vec![(
                "Docker-Distribution-Api-Version".into(),
                "registry/2.0".into(),
            )],
            body: b"{}".to_vec(),
        };
        assert_eq!(
            e.describe(&["docker-distribution-api-version"]),
            "GET /v2/ -> 200; docker-distribution-api-version: registry/2.0"
        );
        assert_eq!(e.error_code(), None);
    }
}
