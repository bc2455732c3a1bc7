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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    // Variants with actionable messages, e.g. missing ':', unknown algorithm,
    // wrong hex length, non-hex / uppercase characters, and:
    #[error("digest mismatch: expected {expected}, but the content hashes to {actual}")]
    Mismatch { expected: Digest, actual: Digest },
}

impl Digest {
    /// Parse `algorithm:hex`.
    pub fn parse(_s: &str) -> Result<Self, DigestError> {
        todo!()
    }
    /// sha256 over exactly these bytes.
    pub fn sha256(_bytes: &[u8]) -> Self {
        todo!()
    }
    /// Digest of these bytes with the given algorithm.
    pub fn compute(_algorithm: Algorithm, _bytes: &[u8]) -> Self {
        todo!()
    }
    /// Check that `bytes` hash to this digest (using this digest's algorithm).
    pub fn verify(&self, _bytes: &[u8]) -> Result<(), DigestError> {
        todo!()
    }
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    pub fn hex(&self) -> &str {
        &self.hex
    }
    /// `sha256:0123456789ab` style short form for display.
    pub fn short(&self) -> String {
        todo!()
    }
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
