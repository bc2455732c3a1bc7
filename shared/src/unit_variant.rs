//! Reading an enum whose JSON form is one of a few names (`"index"`,
//! `"docker-config"`). serde's derived reader for such an enum builds a
//! variant visitor for strings, bytes and numbers per enum; every page reads
//! several, and this one reader, generic only over the JSON reader, costs
//! each page's wasm less (docs/performance.md has the bytes).

use serde::Deserialize;

/// The position of the name read in `names`; a name not among them is an
/// `unknown variant` error, as serde's derived reader says it.
pub fn read<'de, D: serde::Deserializer<'de>>(
    d: D,
    names: &'static [&'static str],
) -> Result<usize, D::Error> {
    let name = String::deserialize(d)?;
    names
        .iter()
        .position(|n| *n == name)
        .ok_or_else(|| serde::de::Error::unknown_variant(&name, names))
}

#[cfg(test)]
mod tests {
    use crate::api::AuthSource;
    use crate::media_type::Kind;

    #[test]
    fn names_read_as_written() {
        for kind in [Kind::Index, Kind::Image, Kind::Schema1, Kind::Unknown] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), kind);
        }
        for source in [
            AuthSource::Anonymous,
            AuthSource::Typed,
            AuthSource::DockerConfig,
            AuthSource::CredentialHelper,
        ] {
            let json = serde_json::to_string(&source).unwrap();
            assert_eq!(serde_json::from_str::<AuthSource>(&json).unwrap(), source);
        }
        assert_eq!(
            serde_json::from_str::<AuthSource>("\"docker-config\"").unwrap(),
            AuthSource::DockerConfig
        );
        let e = serde_json::from_str::<Kind>("\"blob\"").unwrap_err();
        assert!(e.to_string().contains("unknown variant `blob`"), "{e}");
        assert!(serde_json::from_str::<Kind>("3").is_err());
    }
}
