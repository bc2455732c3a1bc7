//! serde_json's errors as our messages tell them.
//!
//! The manifest reader and the config reader both report a JSON error's
//! position in fields of their own, so both want serde_json's text without
//! its position suffix. The helper lives beside them rather than in either,
//! so that neither model module depends on the other for it.
//!
//! Documents that hold secrets (the credentials header, a Docker config)
//! must not echo serde's message, which can quote values: for them there is
//! [`secret_safe_problem`], the error's category only.

/// serde_json's message without its " at line L column C" suffix (the
/// position is reported in fields of its own).
pub(crate) fn message_without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// What is wrong with a JSON document that may hold secrets, without
/// quoting any of it (serde's own message can quote values, e.g. a password):
/// its category only; the caller adds the line and column.
pub fn secret_safe_problem(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated JSON",
        _ => "invalid JSON",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_position_suffix_is_dropped() {
        let e = serde_json::from_str::<serde_json::Value>("{\n  \"a\": ]").unwrap_err();
        assert!(e.to_string().ends_with(" at line 2 column 8"), "{e}");
        assert_eq!(message_without_position(&e), "expected value");
        let eof = serde_json::from_str::<serde_json::Value>("").unwrap_err();
        assert_eq!(message_without_position(&eof), "EOF while parsing a value");
    }

    #[test]
    fn secrets_are_never_quoted() {
        let e = serde_json::from_str::<Vec<u8>>(r#"["hunter2"]"#).unwrap_err();
        assert!(e.to_string().contains("hunter2"), "{e}");
        assert_eq!(secret_safe_problem(&e), "unexpected shape");
        let eof = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(secret_safe_problem(&eof), "truncated JSON");
    }
}
