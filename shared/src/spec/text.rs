//! Reading YAML scalars into the spec's string fields.
//!
//! manifest-tool reads its spec with Go's yaml.v3 into `string` fields, so
//! `architecture: 386`, `tags: [1.0]` or `org.example.flag: true` all arrive as
//! text, exactly as written (`1.0`, not `1`). serde's derived impls would ask
//! for a string and get a number, so these fields go through [`Text`], which
//! asks the deserializer for a *string* (serde-saphyr then hands over the
//! scalar's source text) and treats `null`/empty as the empty string, which is
//! how Go sees an empty value too. JSON bodies get the same reading through
//! `json::parse_json` (serde_json asked for a string refuses a number).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A string field that accepts any YAML scalar as its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Text(pub(crate) String);

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string (a plain value such as `386` is read as text)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
        Ok(Text(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(String::new()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(String::new()))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
        d.deserialize_string(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(TextVisitor)
    }
}

/// `deserialize_with` for a `String` field.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(|t| t.0)
}

/// `deserialize_with` for a `Vec<String>` field (`null` is empty).
pub(crate) fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let list: Option<Vec<Text>> = Option::deserialize(d)?;
    Ok(list.unwrap_or_default().into_iter().map(|t| t.0).collect())
}

/// `deserialize_with` for a string map such as annotations (`null` is empty).
pub(crate) fn text_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let map: Option<BTreeMap<Text, Text>> = Option::deserialize(d)?;
    // Inserted one by one: the keys are already sorted and unique, and
    // `collect` would compile a sort into the page for nothing.
    let mut out = BTreeMap::new();
    for (k, v) in map.unwrap_or_default() {
        out.insert(k.0, v.0);
    }
    Ok(out)
}

/// `deserialize_with` for any defaultable value where `null` means default
/// (`platform:` with nothing under it, `manifests:` left empty).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
