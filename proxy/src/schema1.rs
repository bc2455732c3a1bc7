//! The bytes a signed Docker schema1 manifest's digest is over.
//!
//! A `prettyjws` manifest carries its signatures inside the JSON, so its
//! digest (the one in `Docker-Content-Digest`, and the one you pull by) is
//! over the payload *without* the signature block: the first `formatLength`
//! bytes followed by the base64url `formatTail` from the protected header.
//! Hashing the raw body would report a mismatch for every such manifest.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// The signed payload of a JWS schema1 manifest; `None` when `raw` is not
/// one (unsigned schema1, any other manifest, or malformed signatures).
///
/// Only a document that really is the payload with its signature block
/// spliced in qualifies: every signature names the same cut, `raw` ends
/// with the recorded tail, and what lies between the cut and the tail is the
/// `"signatures"` member and nothing else. Without that check, a document
/// whose header says "the payload is all in the tail" (`formatLength` 0,
/// `formatTail` = some genuine manifest) would hash like the genuine one
/// while its own, different fields were shown.
pub fn signed_payload(raw: &[u8]) -> Option<Vec<u8>> {
    #[derive(Deserialize)]
    struct Jws {
        signatures: Vec<Signature>,
    }
    #[derive(Deserialize)]
    struct Signature {
        protected: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Protected {
        format_length: usize,
        format_tail: String,
    }
    let cut = |s: &Signature| -> Option<(usize, Vec<u8>)> {
        let protected = URL_SAFE_NO_PAD
            .decode(s.protected.trim_end_matches('='))
            .ok()?;
        let protected: Protected = serde_json::from_slice(&protected).ok()?;
        let tail = URL_SAFE_NO_PAD
            .decode(protected.format_tail.trim_end_matches('='))
            .ok()?;
        Some((protected.format_length, tail))
    };
    let jws: Jws = serde_json::from_slice(raw).ok()?;
    let (length, tail) = cut(jws.signatures.first()?)?;
    for other in &jws.signatures[1..] {
        if cut(other)? != (length, tail.clone()) {
            return None;
        }
    }
    let end = raw.len().checked_sub(tail.len())?;
    if length > end || !raw.ends_with(&tail) || !is_signature_member(&raw[length..end]) {
        return None;
    }
    let mut payload = raw[..length].to_vec();
    payload.extend_from_slice(&tail);
    Some(payload)
}

/// `,\n   "signatures": [...]`: a comma, then one JSON member named
/// `signatures` whose value is an array, and nothing else.
fn is_signature_member(spliced: &[u8]) -> bool {
    let Some(rest) = spliced.trim_ascii_start().strip_prefix(b",") else {
        return false;
    };
    let mut object = Vec::with_capacity(rest.len() + 2);
    object.push(b'{');
    object.extend_from_slice(rest);
    object.push(b'}');
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&object) {
        Ok(map) => map.len() == 1 && map.get("signatures").is_some_and(|v| v.is_array()),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a signed manifest the way libtrust does: the payload is cut
    /// before its final `\n}`, the signatures are spliced in, and the cut-off
    /// tail is recorded in the protected header.
    fn signed(payload: &str) -> String {
        let cut = payload.rfind("\n}").unwrap();
        let tail = &payload[cut..];
        let protected = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"formatLength":{cut},"formatTail":"{}","time":"2016-01-01T00:00:00Z"}}"#,
            URL_SAFE_NO_PAD.encode(tail)
        ));
        format!(
            "{},\n   \"signatures\": [{{\"header\":{{\"alg\":\"ES256\"}},\"signature\":\"c2ln\",\"protected\":\"{protected}\"}}]{tail}",
            &payload[..cut]
        )
    }

    #[test]
    fn recovers_the_signed_payload() {
        let payload = "{\n   \"schemaVersion\": 1,\n   \"name\": \"x\",\n   \"tag\": \"1\"\n}";
        let raw = signed(payload);
        assert_ne!(raw, payload);
        assert_eq!(signed_payload(raw.as_bytes()).unwrap(), payload.as_bytes());
    }

    #[test]
    fn every_signature_must_name_the_same_cut() {
        let payload = "{\n   \"schemaVersion\": 1,\n   \"name\": \"x\"\n}";
        let raw = signed(payload);
        // A second signature with another cut.
        let other = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"formatLength":1,"formatTail":"{}"}}"#,
            URL_SAFE_NO_PAD.encode("\n}")
        ));
        let raw2 = raw.replacen("}]", &format!("}},{{\"protected\":\"{other}\"}}]"), 1);
        assert_ne!(raw, raw2);
        assert!(signed_payload(raw2.as_bytes()).is_none());
    }

    #[test]
    fn a_payload_hidden_in_the_tail_is_not_one() {
        let genuine = "{\n   \"schemaVersion\": 1,\n   \"name\": \"genuine\"\n}";
        // The attacker's document: its own fields, and a header claiming the
        // payload is all tail (the genuine bytes).
        let protected = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"formatLength":0,"formatTail":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(genuine)
        ));
        let forged = format!(
            r#"{{"schemaVersion":1,"name":"evil","signatures":[{{"protected":"{protected}"}}]}}"#
        );
        assert!(signed_payload(forged.as_bytes()).is_none());
        // Also when the document ends with the genuine bytes' tail.
        let cut = genuine.len() - 2;
        let protected = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"formatLength":{cut},"formatTail":"{}"}}"#,
            URL_SAFE_NO_PAD.encode("\n}")
        ));
        let forged = format!(
            "{{\"schemaVersion\":1,\"name\":\"evil\",\"signatures\":[{{\"protected\":\"{protected}\"}}],\"x\":1\n}}"
        );
        assert!(signed_payload(forged.as_bytes()).is_none());
    }

    #[test]
    fn other_documents_have_no_payload() {
        assert!(signed_payload(br#"{"schemaVersion":2}"#).is_none());
        assert!(signed_payload(br#"{"signatures":[]}"#).is_none());
        assert!(signed_payload(br#"{"signatures":[{"protected":"!!"}]}"#).is_none());
        // formatLength past the end is rejected, not a panic.
        let p = URL_SAFE_NO_PAD.encode(r#"{"formatLength":9999,"formatTail":""}"#);
        let raw = format!(r#"{{"signatures":[{{"protected":"{p}"}}]}}"#);
        assert!(signed_payload(raw.as_bytes()).is_none());
    }
}
