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
    let jws: Jws = serde_json::from_slice(raw).ok()?;
    let first = jws.signatures.first()?;
    let protected = URL_SAFE_NO_PAD
        .decode(first.protected.trim_end_matches('='))
        .ok()?;
    let protected: Protected = serde_json::from_slice(&protected).ok()?;
    let tail = URL_SAFE_NO_PAD
        .decode(protected.format_tail.trim_end_matches('='))
        .ok()?;
    let mut payload = raw.get(..protected.format_length)?.to_vec();
    payload.extend_from_slice(&tail);
    Some(payload)
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
