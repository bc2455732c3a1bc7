use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

const LAYER: &str = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

fn payload(name: &str) -> String {
    format!(
        "{{\n   \"schemaVersion\": 1,\n   \"name\": \"{name}\",\n   \"tag\": \"1\",\n   \"architecture\": \"amd64\",\n   \"fsLayers\": [\n      {{ \"blobSum\": \"{LAYER}\" }}\n   ]\n}}"
    )
}

fn protected(length: usize, tail: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        r#"{{"formatLength":{length},"formatTail":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(tail)
    ))
}

/// Signed the way libtrust signs: the signatures spliced in before the
/// payload's final `\n}`.
fn signed(payload: &str) -> String {
    let cut = payload.rfind("\n}").unwrap();
    let tail = &payload[cut..];
    format!(
        "{},\n   \"signatures\": [{{\"signature\":\"c2ln\",\"protected\":\"{}\"}}]{tail}",
        &payload[..cut],
        protected(cut, tail)
    )
}

fn verify(raw: &str, content_type: &str, expected: &Digest) -> Result<Manifest, RegistryError> {
    verify_root(
        raw.as_bytes().to_vec(),
        Some(content_type),
        Some(expected),
        None,
        "manifest `x`",
    )
    .map(|(m, _)| m)
}

#[test]
fn a_signed_schema1_manifest_is_verified_over_its_payload() {
    let genuine = payload("genuine");
    let good = Digest::sha256(genuine.as_bytes());
    let raw = signed(&genuine);
    let m = verify(&raw, media_type::DOCKER_SCHEMA1_SIGNED, &good).unwrap();
    assert_eq!(m.raw, raw.as_bytes(), "shown as sent");
    assert_eq!(m.media_type, media_type::DOCKER_SCHEMA1_SIGNED);
    let ManifestBody::Schema1(s1) = &m.body else {
        panic!("{:?}", m.body)
    };
    assert_eq!(s1.name, "genuine");
}

/// A hostile registry answers `repo@GOOD` with its own document whose
/// header claims the payload is all tail: the genuine bytes.
#[test]
fn a_forged_signature_header_is_a_digest_mismatch() {
    let genuine = payload("genuine");
    let good = Digest::sha256(genuine.as_bytes());
    let evil = payload("evil");
    let cut = evil.rfind("\n}").unwrap();
    let forged = format!(
        "{},\n   \"signatures\": [{{\"protected\":\"{}\"}}]\n}}",
        &evil[..cut],
        protected(0, &genuine)
    );
    for content_type in [media_type::DOCKER_SCHEMA1_SIGNED, media_type::OCI_INDEX] {
        match verify(&forged, content_type, &good) {
            Err(RegistryError::DigestMismatch { expected, .. }) => assert_eq!(expected, good),
            other => panic!("{content_type}: {other:?}"),
        }
    }
}

/// Only a schema1 document has a signed payload: an index carrying a
/// `signatures` array is hashed whole.
#[test]
fn other_documents_are_hashed_whole() {
    let genuine = payload("genuine");
    let good = Digest::sha256(genuine.as_bytes());
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[],"signatures":[{{"protected":"{}"}}]}}"#,
        media_type::OCI_INDEX,
        protected(0, &genuine)
    );
    assert!(matches!(
        verify(&index, media_type::OCI_INDEX, &good),
        Err(RegistryError::DigestMismatch { .. })
    ));
    let whole = Digest::sha256(index.as_bytes());
    assert!(verify(&index, media_type::OCI_INDEX, &whole).is_ok());
}
