//! The typed-in credentials as the page sends them: the same header value as
//! `shared::credentials::CredentialSet::encode` (base64url, no padding, of
//! the JSON), written with a few lines of base64 instead of the `base64`
//! crate's general engine, which cost the page about 1 KB for one call (the
//! page has a size budget). A test checks both give the same value.

use shared::credentials::CredentialSet;

/// The `x-registry-auth` value for `credentials`.
pub fn encode(credentials: &CredentialSet) -> String {
    // Serializing string maps cannot fail; an empty object is the harmless
    // fallback should it ever.
    base64url(&serde_json::to_vec(credentials).unwrap_or_else(|_| b"{}".to_vec()))
}

/// RFC 4648 §5 (URL- and filename-safe alphabet), no padding.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        // 3 bytes give 4 characters, 2 give 3, 1 gives 2.
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::credentials::Credential;

    #[test]
    fn rfc_4648_vectors_without_padding() {
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64url(plain.as_bytes()), encoded, "{plain:?}");
        }
        // The two characters that differ from standard base64.
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn same_header_as_the_shared_encoder() {
        let mut set = CredentialSet::default();
        assert_eq!(encode(&set), set.encode());
        set.0.insert(
            "localhost:5000".into(),
            Credential {
                username: "ünïcode user".into(),
                password: "p@ss/word+?~".into(),
            },
        );
        set.0.insert("ghcr.io".into(), Credential::default());
        assert_eq!(encode(&set), set.encode());
        assert_eq!(CredentialSet::decode(&encode(&set)), Ok(set));
    }
}
