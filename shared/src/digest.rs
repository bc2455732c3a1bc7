//! Content digests (`sha256:<hex>`, `sha512:<hex>`).
//!
//! A digest is only ever computed over the exact bytes received or sent, never
//! over re-serialized JSON: re-encoding changes whitespace and key order and so
//! the digest. `verify` is how every fetched object is checked.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

/// A validated digest: known algorithm, lowercase hex of the right length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

/// What is wrong with a digest string, or with content that does not match one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("the digest is empty: expected sha256:<64 hex characters>")]
    Empty,
    #[error("`{input}` has no `:` between algorithm and hex: expected sha256:<64 hex characters>")]
    MissingColon { input: String },
    #[error("unknown digest algorithm `{algorithm}`: expected sha256 or sha512 (lowercase)")]
    UnknownAlgorithm { algorithm: String },
    #[error(
        "digests are lowercase hex, but the {algorithm} digest has uppercase `{character}` at position {position} of the hex part"
    )]
    Uppercase {
        algorithm: Algorithm,
        character: char,
        position: usize,
    },
    #[error(
        "the {algorithm} digest has `{character}` at position {position} of the hex part: only 0-9 and a-f are allowed"
    )]
    NonHex {
        algorithm: Algorithm,
        character: char,
        position: usize,
    },
    #[error("a {algorithm} digest has {expected} hex characters, but this one has {found}")]
    WrongLength {
        algorithm: Algorithm,
        expected: usize,
        found: usize,
    },
    #[error("digest mismatch: expected {expected}, but the content hashes to {actual}")]
    Mismatch { expected: Digest, actual: Digest },
}

impl Algorithm {
    /// The algorithm named `name` (`sha256`, `sha512`; lowercase, as in digests).
    pub fn parse(name: &str) -> Result<Self, DigestError> {
        match name {
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            other => Err(DigestError::UnknownAlgorithm {
                algorithm: other.to_string(),
            }),
        }
    }
    /// How many hex characters a digest of this algorithm has.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

impl Digest {
    /// Parse `algorithm:hex`.
    pub fn parse(s: &str) -> Result<Self, DigestError> {
        if s.is_empty() {
            return Err(DigestError::Empty);
        }
        let Some((algorithm, hex)) = s.split_once(':') else {
            return Err(DigestError::MissingColon {
                input: s.to_string(),
            });
        };
        let algorithm = Algorithm::parse(algorithm)?;
        for (position, character) in hex.chars().enumerate() {
            match character {
                '0'..='9' | 'a'..='f' => {}
                'A'..='F' => {
                    return Err(DigestError::Uppercase {
                        algorithm,
                        character,
                        position,
                    });
                }
                _ => {
                    return Err(DigestError::NonHex {
                        algorithm,
                        character,
                        position,
                    });
                }
            }
        }
        if hex.len() != algorithm.hex_len() {
            return Err(DigestError::WrongLength {
                algorithm,
                expected: algorithm.hex_len(),
                found: hex.len(),
            });
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }
    /// sha256 over exactly these bytes.
    pub fn sha256(bytes: &[u8]) -> Self {
        Digest::compute(Algorithm::Sha256, bytes)
    }
    /// Digest of these bytes with the given algorithm.
    pub fn compute(algorithm: Algorithm, bytes: &[u8]) -> Self {
        use sha2::Digest as _;
        let hex = match algorithm {
            Algorithm::Sha256 => to_hex(&sha2::Sha256::digest(bytes)),
            Algorithm::Sha512 => to_hex(&sha2::Sha512::digest(bytes)),
        };
        Digest { algorithm, hex }
    }
    /// Check that `bytes` hash to this digest (using this digest's algorithm).
    pub fn verify(&self, bytes: &[u8]) -> Result<(), DigestError> {
        let actual = Digest::compute(self.algorithm, bytes);
        if actual == *self {
            Ok(())
        } else {
            Err(DigestError::Mismatch {
                expected: self.clone(),
                actual,
            })
        }
    }
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    pub fn hex(&self) -> &str {
        &self.hex
    }
    /// `sha256:0123456789ab` style short form for display.
    pub fn short(&self) -> String {
        // The hex is validated ASCII, so slicing by bytes is on char boundaries.
        format!("{}:{}", self.algorithm, &self.hex[..12])
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

impl FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::parse(s)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl FromStr for Algorithm {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Well-known digests: sha256("") and sha512("").
    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const EMPTY_SHA512: &str = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    // sha256("abc"), from FIPS 180-2.
    const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn computes_known_vectors() {
        assert_eq!(Digest::sha256(b"").hex(), EMPTY_SHA256);
        assert_eq!(Digest::sha256(b"abc").hex(), ABC_SHA256);
        let d = Digest::compute(Algorithm::Sha512, b"");
        assert_eq!(d.algorithm(), Algorithm::Sha512);
        assert_eq!(d.hex(), EMPTY_SHA512);
        assert_eq!(d.to_string(), format!("sha512:{EMPTY_SHA512}"));
    }

    #[test]
    fn parses_valid_digests() {
        let d = Digest::parse(&format!("sha256:{ABC_SHA256}")).unwrap();
        assert_eq!(d.algorithm(), Algorithm::Sha256);
        assert_eq!(d.hex(), ABC_SHA256);
        assert_eq!(d, Digest::sha256(b"abc"));
        let d: Digest = format!("sha512:{EMPTY_SHA512}").parse().unwrap();
        assert_eq!(d.algorithm(), Algorithm::Sha512);
    }

    #[test]
    fn rejects_empty_and_missing_colon() {
        assert_eq!(Digest::parse(""), Err(DigestError::Empty));
        assert_eq!(
            Digest::parse(ABC_SHA256),
            Err(DigestError::MissingColon {
                input: ABC_SHA256.to_string()
            })
        );
    }

    #[test]
    fn rejects_unknown_algorithm() {
        let err = Digest::parse(&format!("md5:{ABC_SHA256}")).unwrap_err();
        assert_eq!(
            err,
            DigestError::UnknownAlgorithm {
                algorithm: "md5".into()
            }
        );
        assert!(err.to_string().contains("sha256 or sha512"), "{err}");
        // Algorithms are lowercase in digests.
        assert!(matches!(
            Digest::parse(&format!("SHA256:{ABC_SHA256}")),
            Err(DigestError::UnknownAlgorithm { .. })
        ));
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(
            Digest::parse(&format!("sha256:{}", &ABC_SHA256[..63])),
            Err(DigestError::WrongLength {
                algorithm: Algorithm::Sha256,
                expected: 64,
                found: 63
            })
        );
        // A sha256-length hex labelled sha512.
        let err = Digest::parse(&format!("sha512:{ABC_SHA256}")).unwrap_err();
        assert_eq!(
            err,
            DigestError::WrongLength {
                algorithm: Algorithm::Sha512,
                expected: 128,
                found: 64
            }
        );
        assert!(err.to_string().contains("128"), "{err}");
        assert!(matches!(
            Digest::parse("sha256:"),
            Err(DigestError::WrongLength { found: 0, .. })
        ));
    }

    #[test]
    fn rejects_uppercase_and_non_hex() {
        let upper = ABC_SHA256.to_uppercase();
        assert_eq!(
            Digest::parse(&format!("sha256:{upper}")),
            Err(DigestError::Uppercase {
                algorithm: Algorithm::Sha256,
                character: 'B',
                position: 0
            })
        );
        let mut bad = ABC_SHA256.to_string();
        bad.replace_range(5..6, "g");
        let err = Digest::parse(&format!("sha256:{bad}")).unwrap_err();
        assert_eq!(
            err,
            DigestError::NonHex {
                algorithm: Algorithm::Sha256,
                character: 'g',
                position: 5
            }
        );
        assert!(err.to_string().contains("position 5"), "{err}");
        // Multi-byte characters are reported, not sliced through.
        assert!(matches!(
            Digest::parse("sha256:é"),
            Err(DigestError::NonHex {
                character: 'é', ..
            })
        ));
    }

    #[test]
    fn verify_detects_mismatch() {
        let d = Digest::sha256(b"abc");
        assert_eq!(d.verify(b"abc"), Ok(()));
        let err = d.verify(b"abd").unwrap_err();
        assert_eq!(
            err,
            DigestError::Mismatch {
                expected: d.clone(),
                actual: Digest::sha256(b"abd")
            }
        );
        let d512 = Digest::compute(Algorithm::Sha512, b"abc");
        assert_eq!(d512.verify(b"abc"), Ok(()));
        assert!(d512.verify(b"").is_err());
    }

    #[test]
    fn short_form_is_algorithm_and_twelve_hex() {
        assert_eq!(Digest::sha256(b"abc").short(), "sha256:ba7816bf8f01");
        assert_eq!(
            Digest::compute(Algorithm::Sha512, b"").short(),
            "sha512:cf83e1357eef"
        );
    }

    #[test]
    fn serde_round_trip_and_rejection() {
        let d = Digest::sha256(b"abc");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"sha256:{ABC_SHA256}\""));
        let back: Digest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        let err = serde_json::from_str::<Digest>("\"sha256:zz\"").unwrap_err();
        assert!(err.to_string().contains("`z`"), "{err}");
    }

    fn any_digest() -> impl Strategy<Value = Digest> {
        prop_oneof![
            "[0-9a-f]{64}".prop_map(|h| Digest::parse(&format!("sha256:{h}")).unwrap()),
            "[0-9a-f]{128}".prop_map(|h| Digest::parse(&format!("sha512:{h}")).unwrap()),
        ]
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = Digest::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_misses(s in "(sha256|sha512|sha1|)[:]?[0-9a-fA-Fg-z]{0,130}") {
            if let Ok(d) = Digest::parse(&s) {
                prop_assert_eq!(d.to_string(), s);
            }
        }

        #[test]
        fn display_parse_round_trip(d in any_digest()) {
            let text = d.to_string();
            prop_assert_eq!(Digest::parse(&text), Ok(d.clone()));
            prop_assert_eq!(d.short().len(), d.algorithm().to_string().len() + 13);
        }

        #[test]
        fn computed_digests_verify(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let d = Digest::sha256(&bytes);
            prop_assert!(d.verify(&bytes).is_ok());
            prop_assert_eq!(Digest::parse(&d.to_string()), Ok(d));
        }
    }
}
