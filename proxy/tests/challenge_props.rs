//! Properties of the `WWW-Authenticate` parser: it is fed whatever a
//! registry (or anything pretending to be one) sends, so it must never
//! panic, and what it reads back must be exactly what a well-formed header
//! said, however the parameters are quoted, ordered or cased.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proxy::registry::auth::challenge::parse_challenges;

/// A challenge as generated: scheme, parameters (unique names) with values
/// that are tokens or need quoting.
#[derive(Debug, Clone)]
struct Generated {
    scheme: String,
    params: Vec<(String, String, bool)>,
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn scheme() -> impl Strategy<Value = String> {
    // Schemes start with a letter in practice; any token is allowed.
    "[A-Za-z][A-Za-z0-9-]{0,10}"
}

fn value() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        token().prop_map(|t| (t, false)),
        // Anything printable, quotes and backslashes included, quoted.
        "[ -~]{0,40}".prop_map(|v| (v, true)),
    ]
}

fn challenge() -> impl Strategy<Value = Generated> {
    (
        scheme(),
        proptest::collection::btree_map("[a-z][a-z0-9_-]{0,8}", value(), 0..5),
        any::<u64>(),
    )
        .prop_map(|(scheme, params, seed)| {
            // Parameter order varies (the parser must not care).
            let mut params: Vec<_> = params
                .into_iter()
                .map(|(name, (value, quoted))| (name, value, quoted))
                .collect();
            if !params.is_empty() {
                let k = (seed as usize) % params.len();
                params.rotate_left(k);
            }
            Generated { scheme, params }
        })
}

fn quote(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn render(challenges: &[Generated], upper_names: bool, spaces: bool) -> String {
    let sep = if spaces { " , " } else { "," };
    challenges
        .iter()
        .map(|c| {
            let params: Vec<String> = c
                .params
                .iter()
                .map(|(name, value, quoted)| {
                    let name = if upper_names {
                        name.to_ascii_uppercase()
                    } else {
                        name.clone()
                    };
                    let value = if *quoted { quote(value) } else { value.clone() };
                    if spaces {
                        format!("{name} = {value}")
                    } else {
                        format!("{name}={value}")
                    }
                })
                .collect();
            if params.is_empty() {
                c.scheme.clone()
            } else {
                format!("{} {}", c.scheme, params.join(sep))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(input in ".{0,200}") {
        let _ = parse_challenges(&input);
    }

    #[test]
    fn header_like_text_never_panics(input in "[A-Za-z =,\"\\\\\t:/.-]{0,120}") {
        let _ = parse_challenges(&input);
    }

    #[test]
    fn well_formed_challenges_read_back_exactly(
        challenges in proptest::collection::vec(challenge(), 1..4),
        upper_names in any::<bool>(),
        spaces in any::<bool>(),
    ) {
        let header = render(&challenges, upper_names, spaces);
        let parsed = parse_challenges(&header)
            .map_err(|e| TestCaseError::fail(format!("{header:?}: {e}")))?;
        prop_assert_eq!(parsed.len(), challenges.len(), "{:?}", header);
        for (got, want) in parsed.iter().zip(&challenges) {
            prop_assert_eq!(&got.scheme, &want.scheme.to_ascii_lowercase());
            let expected: BTreeMap<String, String> = want
                .params
                .iter()
                .map(|(n, v, _)| (n.clone(), v.clone()))
                .collect();
            prop_assert_eq!(&got.params, &expected, "{:?}", header);
            prop_assert!(got.token68.is_none());
        }
    }
}
