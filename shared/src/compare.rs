//! Two references compared: which platforms each has, and for every
//! platform both have, whether it is the same image, which layers they
//! share, and how their configs differ. Pure: it reads two inspections
//! (with their configs); `GET /api/v1/compare` and the compare page show it.
//!
//! Platforms are matched by their normalized identity (`linux/arm64/v8` is
//! `linux/arm64`); an index and a single image compare the image with the
//! index's image of the same platform; two single images are compared with
//! each other whatever their platforms (their platforms still say so).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::InspectResponse;
use crate::config::ImageConfig;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::media_type::Kind;
use crate::platform_images::{PlatformImage, platform_images};

/// `GET {COMPARE_PATH}?a=REF&b=REF`
pub const COMPARE_PATH: &str = "/api/v1/compare";

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: Side,
    pub b: Side,
    pub platforms: Platforms,
    /// For each platform compared, by its name (`a`'s spelling).
    pub layers: BTreeMap<String, PlatformLayers>,
    /// Every config difference of every platform compared.
    pub config: Vec<ConfigDifference>,
}

/// What one side is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    pub reference: String,
    pub digest: Digest,
    pub media_type: String,
    pub kind: Kind,
}

/// Platforms as `os/arch[/variant][:os.version]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Platforms {
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
    pub both: Vec<String>,
}

/// A layer and its compressed size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    pub digest: Digest,
    pub size: u64,
}

/// One platform of both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformLayers {
    /// The same image manifest (same digest) on both sides.
    pub identical: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_a: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_b: Option<Digest>,
    pub shared: Vec<Layer>,
    pub only_a: Vec<Layer>,
    pub only_b: Vec<Layer>,
    pub shared_bytes: u64,
    pub only_a_bytes: u64,
    pub only_b_bytes: u64,
    /// Why the layers (or configs) could not be compared, when they could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One difference between the configs of one platform: a field (`env`,
/// `labels` with the variable or label as `key`; `entrypoint`, `cmd`,
/// `user`, `workingDir`, `exposedPorts`, `historyLength`) and its values
/// (`null`: not set on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigDifference {
    pub platform: String,
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub a: Option<String>,
    pub b: Option<String>,
}

impl Side {
    fn of(r: &InspectResponse) -> Side {
        Side {
            reference: r.reference.clone(),
            digest: r.digest.clone(),
            media_type: r.media_type.clone(),
            kind: r.kind(),
        }
    }
}

/// Compare `a` with `b` (inspections with their configs).
pub fn compare(a: &InspectResponse, b: &InspectResponse) -> Comparison {
    let images_a = platform_images(a);
    let images_b = platform_images(b);
    let mut platforms = Platforms::default();
    let mut pairs: Vec<(String, &PlatformImage, &PlatformImage)> = Vec::new();
    let singles = a.kind() != Kind::Index && b.kind() != Kind::Index;
    for ia in &images_a {
        match images_b.iter().find(|ib| ib.identity == ia.identity) {
            Some(ib) => {
                platforms.both.push(ia.platform.clone());
                pairs.push((ia.platform.clone(), ia, ib));
            }
            None => platforms.only_a.push(ia.platform.clone()),
        }
    }
    for ib in &images_b {
        if !images_a.iter().any(|ia| ia.identity == ib.identity) {
            platforms.only_b.push(ib.platform.clone());
        }
    }
    if singles
        && pairs.is_empty()
        && let (Some(ia), Some(ib)) = (images_a.first(), images_b.first())
    {
        pairs.push((format!("{} vs {}", ia.platform, ib.platform), ia, ib));
    }
    let mut layers = BTreeMap::new();
    let mut config = Vec::new();
    for (name, ia, ib) in pairs {
        let mut compared = compare_layers(ia, ib);
        if !compared.identical {
            match (ia.config, ib.config) {
                (Some(ca), Some(cb)) => config.extend(compare_configs(&name, ca, cb)),
                _ => {
                    let missing = "the image config of one side was not read";
                    compared.note.get_or_insert_with(|| missing.to_string());
                }
            }
        }
        layers.insert(name, compared);
    }
    Comparison {
        a: Side::of(a),
        b: Side::of(b),
        platforms,
        layers,
        config,
    }
}

fn compare_layers(a: &PlatformImage, b: &PlatformImage) -> PlatformLayers {
    let mut out = PlatformLayers {
        identical: a.digest == b.digest,
        digest_a: Some(a.digest.clone()),
        digest_b: Some(b.digest.clone()),
        ..PlatformLayers::default()
    };
    let (Some(la), Some(lb)) = (a.layers, b.layers) else {
        out.note = Some("the layers of one side were not read".to_string());
        return out;
    };
    let has = |list: &[Descriptor], d: &Digest| list.iter().any(|l| &l.digest == d);
    let mut seen: Vec<&Digest> = Vec::new();
    for l in la {
        if seen.contains(&&l.digest) {
            continue;
        }
        seen.push(&l.digest);
        let layer = Layer {
            digest: l.digest.clone(),
            size: l.size,
        };
        if has(lb, &l.digest) {
            out.shared_bytes += l.size;
            out.shared.push(layer);
        } else {
            out.only_a_bytes += l.size;
            out.only_a.push(layer);
        }
    }
    for l in lb {
        if has(la, &l.digest) || out.only_b.iter().any(|o| o.digest == l.digest) {
            continue;
        }
        out.only_b_bytes += l.size;
        out.only_b.push(Layer {
            digest: l.digest.clone(),
            size: l.size,
        });
    }
    out
}

/// The config fields a person compares, each as text (`None`: not set).
fn compare_configs(platform: &str, a: &ImageConfig, b: &ImageConfig) -> Vec<ConfigDifference> {
    let mut out = Vec::new();
    let mut differ = |field: &str, key: Option<&str>, va: Option<String>, vb: Option<String>| {
        if va != vb {
            out.push(ConfigDifference {
                platform: platform.to_string(),
                field: field.to_string(),
                key: key.map(str::to_string),
                a: va,
                b: vb,
            });
        }
    };
    let (ra, rb) = (
        a.config.clone().unwrap_or_default(),
        b.config.clone().unwrap_or_default(),
    );
    let env = |list: &Option<Vec<String>>| -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = Vec::new();
        for item in list.iter().flatten() {
            let (k, v) = item.split_once('=').unwrap_or((item, ""));
            if !vars.iter().any(|(seen, _)| seen == k) {
                vars.push((k.to_string(), v.to_string()));
            }
        }
        vars
    };
    let (ea, eb) = (env(&ra.env), env(&rb.env));
    let lookup = |vars: &[(String, String)], k: &str| {
        vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    for (k, _) in ea
        .iter()
        .chain(eb.iter().filter(|(k, _)| lookup(&ea, k).is_none()))
    {
        differ("env", Some(k), lookup(&ea, k), lookup(&eb, k));
    }
    let list = |v: &Option<Vec<String>>| v.as_ref().map(|v| json_list(v));
    differ(
        "entrypoint",
        None,
        list(&ra.entrypoint),
        list(&rb.entrypoint),
    );
    differ("cmd", None, list(&ra.cmd), list(&rb.cmd));
    let (la, lb) = (ra.labels.unwrap_or_default(), rb.labels.unwrap_or_default());
    for k in la.keys().chain(lb.keys().filter(|k| !la.contains_key(*k))) {
        differ("labels", Some(k), la.get(k).cloned(), lb.get(k).cloned());
    }
    let text = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    differ("user", None, text(&ra.user), text(&rb.user));
    differ(
        "workingDir",
        None,
        text(&ra.working_dir),
        text(&rb.working_dir),
    );
    let ports = |p: &Option<BTreeMap<String, serde_json::Value>>| {
        p.as_ref()
            .filter(|p| !p.is_empty())
            .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "))
    };
    differ(
        "exposedPorts",
        None,
        ports(&ra.exposed_ports),
        ports(&rb.exposed_ports),
    );
    differ(
        "historyLength",
        None,
        Some(a.history.len().to_string()),
        Some(b.history.len().to_string()),
    );
    out
}

/// `["sh","-c","x"]`, as the config writes it.
fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests;
