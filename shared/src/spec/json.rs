//! Reading a spec from a JSON body (`POST /api/v1/push` with
//! `application/json`).
//!
//! JSON is YAML too, and manifest-tool reads `architecture: 386` as the text
//! `386`, so a JSON body gets the same reading: an integer or a boolean where
//! the spec wants text is taken as its text. A fractional number is refused
//! with a hint to quote it, because JSON hands it over as a value (`1.10`
//! arrives as 1.1, which is not what was written); YAML keeps the source
//! text, so it does not have this problem.

use serde_json::Value;

use super::error::SpecError;
use super::model::PushSpec;

/// The one spec field that really is a boolean.
const BOOLEAN_FIELD: &str = "ignoreMissing";

/// Parse a spec from JSON text (not validated).
pub fn parse_json(text: &str) -> Result<PushSpec, SpecError> {
    let first = match serde_json::from_str::<PushSpec>(text) {
        Ok(spec) => return Ok(spec),
        Err(e) => e,
    };
    // Not the shape as written: maybe only because of unquoted scalars.
    // Otherwise the first error (it has a line and column) is the answer.
    let Ok(mut value) = serde_json::from_str::<Value>(text) else {
        return Err(json_error(&first));
    };
    if !scalars_as_text(&mut value, "", None)? {
        return Err(json_error(&first));
    }
    // Read as text, it is still wrong. If the first error blamed a scalar
    // where text belongs (which is fine now), this one names the real
    // problem, though without a line (the parsed value has no positions);
    // otherwise the first one, with its line, is about the real problem.
    let first_text = first.to_string();
    let blamed_text = ["invalid type: integer", "invalid type: boolean"]
        .iter()
        .any(|p| first_text.starts_with(p))
        && first_text.contains("expected a string");
    serde_json::from_value(value).map_err(|e| {
        if blamed_text {
            SpecError::Json {
                line: 0,
                column: 0,
                message: e.to_string(),
            }
        } else {
            json_error(&first)
        }
    })
}

fn json_error(e: &serde_json::Error) -> SpecError {
    SpecError::Json {
        line: e.line() as u64,
        column: e.column() as u64,
        message: e.to_string(),
    }
}

/// Turn integers and booleans (but `ignoreMissing`) into strings, anywhere
/// in `value`; `path` names where `value` is, for errors. Whether anything
/// changed.
fn scalars_as_text(value: &mut Value, path: &str, key: Option<&str>) -> Result<bool, SpecError> {
    let text = match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => {
            return Err(SpecError::Json {
                line: 0,
                column: 0,
                message: format!(
                    "`{path}`: write this number as a string, quoted exactly as meant: JSON hands over a number with a fraction as its value, not its text (this one arrives as {n}; 1.10 would arrive as 1.1)"
                ),
            });
        }
        Value::Bool(b) if key != Some(BOOLEAN_FIELD) => b.to_string(),
        Value::Array(items) => {
            let mut changed = false;
            for (i, item) in items.iter_mut().enumerate() {
                changed |= scalars_as_text(item, &format!("{path}[{i}]"), None)?;
            }
            return Ok(changed);
        }
        Value::Object(fields) => {
            let mut changed = false;
            for (name, field) in fields.iter_mut() {
                let inner = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                changed |= scalars_as_text(field, &inner, Some(name))?;
            }
            return Ok(changed);
        }
        _ => return Ok(false),
    };
    *value = Value::String(text);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_booleans_are_read_as_text_like_yaml() {
        let spec = parse_json(
            r#"{"image": "r.example/app:1", "tags": [2, "latest"], "ignoreMissing": true,
                "manifests": [{"image": "r.example/app:386",
                               "platform": {"os": "linux", "architecture": 386},
                               "annotations": {"org.example.flag": false}}]}"#,
        )
        .unwrap();
        assert_eq!(spec.tags, ["2", "latest"]);
        assert!(spec.ignore_missing);
        assert_eq!(spec.manifests[0].platform.architecture, "386");
        assert_eq!(spec.manifests[0].annotations["org.example.flag"], "false");
    }

    #[test]
    fn fractions_must_be_quoted_and_say_where() {
        let e = parse_json(r#"{"image": "r.example/app:1", "tags": [1.10], "manifests": []}"#)
            .unwrap_err();
        let message = e.to_string();
        assert!(message.contains("`tags[0]`"), "{message}");
        assert!(message.contains("as a string"), "{message}");
    }

    #[test]
    fn other_errors_keep_their_line_and_column() {
        let e =
            parse_json("{\n  \"image\": \"r.example/app:1\",\n  \"manifests\": 3\n}").unwrap_err();
        match e {
            SpecError::Json { line, .. } => assert_eq!(line, 3, "{e}"),
            other => panic!("{other:?}"),
        }
        let e = parse_json("{\"image\": ").unwrap_err();
        assert!(matches!(e, SpecError::Json { line: 1, .. }), "{e:?}");
        // Wrong even when read as text: the real problem is named, not the
        // integer that is fine.
        let e = parse_json(
            r#"{"image": "r.example/app:1", "tags": [2], "manifests": [], "platfrom": 1}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("platfrom"), "{e}");
        // `ignoreMissing` stays a boolean: a string there is still wrong.
        let e =
            parse_json(r#"{"image": "r.example/app:1", "manifests": [], "ignoreMissing": "yes"}"#)
                .unwrap_err();
        assert!(
            e.to_string().contains("ignoreMissing") || e.to_string().contains("boolean"),
            "{e}"
        );
    }
}
