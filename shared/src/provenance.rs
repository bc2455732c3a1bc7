//! Who built an image, from what: SLSA provenance v0.2 and v1 as BuildKit
//! (buildx) and other builders write it, reduced to what a person asks
//! first: the builder, the build type, the source repository and commit,
//! the build arguments, and when it ran.
//!
//! Only those fields are read; every one is optional, because builders
//! fill different ones. The source is taken from the config source when
//! the predicate names one, else from the first git material /
//! resolved dependency, else from BuildKit's `vcs` metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sbom::cell;

/// Build arguments kept (sorted by name).
pub const MAX_BUILD_ARGS: usize = 200;

/// A provenance predicate at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceSummary {
    /// `v0.2` or `v1`.
    pub slsa_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRevision>,
    /// `build-arg:NAME` parameters, by name (the prefix dropped), and the
    /// frontend's other string parameters (`target`, `platform` ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub build_args: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_on: Option<String>,
}

/// A source repository at one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRevision {
    pub repository: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// A URI plus digests: v0.2's materials and configSource, v1's
/// resolvedDependencies.
#[derive(Deserialize, Default)]
struct Material {
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

impl Material {
    fn revision(&self) -> Option<SourceRevision> {
        let uri = self.uri.as_deref()?;
        let commit = self
            .digest
            .get("sha1")
            .or_else(|| self.digest.get("gitCommit"))
            .cloned();
        Some(SourceRevision {
            repository: cell(uri),
            commit: commit.map(|c| cell(&c)),
        })
    }
    fn is_git(&self) -> bool {
        self.uri.as_deref().is_some_and(|u| {
            u.starts_with("git+")
                || u.starts_with("git@")
                || u.contains(".git")
                || u.starts_with("https://github.com/")
        }) || self.digest.contains_key("sha1")
            || self.digest.contains_key("gitCommit")
    }
}

fn first_git(materials: &[Material]) -> Option<SourceRevision> {
    materials
        .iter()
        .find(|m| m.is_git())
        .and_then(Material::revision)
}

/// BuildKit's own metadata (`https://mobyproject.org/buildkit@v1#metadata`):
/// `vcs.source` / `vcs.revision` when the build context was a git checkout.
fn buildkit_vcs(metadata: &BTreeMap<String, Value>) -> Option<SourceRevision> {
    let vcs = metadata
        .get("https://mobyproject.org/buildkit@v1#metadata")?
        .get("vcs")?;
    let source = vcs.get("source")?.as_str()?;
    Some(SourceRevision {
        repository: cell(source),
        commit: vcs.get("revision").and_then(Value::as_str).map(cell),
    })
}

/// `args` of BuildKit's frontend request: `build-arg:X` become `X`; other
/// string options (`target`, `filename`, `platform` ...) keep their names.
fn build_args(args: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = args else {
        return BTreeMap::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let value = v.as_str()?;
            let name = k.strip_prefix("build-arg:").unwrap_or(k);
            Some((cell(name), cell(value)))
        })
        .take(MAX_BUILD_ARGS)
        .collect()
}

// ---- v0.2 -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct V02 {
    #[serde(default)]
    builder: Option<Builder>,
    #[serde(default)]
    build_type: Option<String>,
    #[serde(default)]
    invocation: Option<V02Invocation>,
    #[serde(default)]
    metadata: Option<V02Metadata>,
    #[serde(default)]
    materials: Vec<Material>,
}

#[derive(Deserialize)]
struct Builder {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V02Invocation {
    #[serde(default)]
    config_source: Option<Material>,
    #[serde(default)]
    parameters: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V02Metadata {
    #[serde(default)]
    build_started_on: Option<String>,
    #[serde(default)]
    build_finished_on: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

impl V02 {
    pub(crate) fn summarize(self) -> ProvenanceSummary {
        let (config_source, parameters) = match self.invocation {
            Some(i) => (i.config_source, i.parameters),
            None => (None, None),
        };
        let metadata = self.metadata;
        let source = config_source
            .as_ref()
            .filter(|c| c.uri.is_some())
            .and_then(Material::revision)
            .or_else(|| first_git(&self.materials))
            .or_else(|| metadata.as_ref().and_then(|m| buildkit_vcs(&m.rest)));
        ProvenanceSummary {
            slsa_version: "v0.2".into(),
            builder_id: self.builder.and_then(|b| b.id).map(|s| cell(&s)),
            build_type: self.build_type.map(|s| cell(&s)),
            source,
            build_args: build_args(parameters.as_ref().and_then(|p| p.get("args"))),
            started_on: metadata
                .as_ref()
                .and_then(|m| m.build_started_on.as_deref().map(cell)),
            finished_on: metadata
                .as_ref()
                .and_then(|m| m.build_finished_on.as_deref().map(cell)),
        }
    }
}

// ---- v1 ---------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct V1 {
    #[serde(default)]
    build_definition: Option<V1Definition>,
    #[serde(default)]
    run_details: Option<V1RunDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1Definition {
    #[serde(default)]
    build_type: Option<String>,
    #[serde(default)]
    external_parameters: Option<Value>,
    #[serde(default)]
    resolved_dependencies: Vec<Material>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1RunDetails {
    #[serde(default)]
    builder: Option<Builder>,
    #[serde(default)]
    metadata: Option<V1Metadata>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1Metadata {
    #[serde(default)]
    started_on: Option<String>,
    #[serde(default)]
    finished_on: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

impl V1 {
    pub(crate) fn summarize(self) -> ProvenanceSummary {
        let (build_type, external, dependencies) = match self.build_definition {
            Some(d) => (d.build_type, d.external_parameters, d.resolved_dependencies),
            None => (None, None, Vec::new()),
        };
        let (builder, metadata) = match self.run_details {
            Some(r) => (r.builder, r.metadata),
            None => (None, None),
        };
        let config_source = external
            .as_ref()
            .and_then(|e| e.get("configSource"))
            .and_then(|c| serde_json::from_value::<Material>(c.clone()).ok())
            .filter(|c| c.uri.is_some());
        let source = config_source
            .as_ref()
            .and_then(Material::revision)
            .or_else(|| first_git(&dependencies))
            .or_else(|| metadata.as_ref().and_then(|m| buildkit_vcs(&m.rest)));
        let args = external.as_ref().and_then(|e| {
            e.get("request")
                .and_then(|r| r.get("args"))
                .or(e.get("args"))
        });
        ProvenanceSummary {
            slsa_version: "v1".into(),
            builder_id: builder.and_then(|b| b.id).map(|s| cell(&s)),
            build_type: build_type.map(|s| cell(&s)),
            source,
            build_args: build_args(args),
            started_on: metadata
                .as_ref()
                .and_then(|m| m.started_on.as_deref().map(cell)),
            finished_on: metadata
                .as_ref()
                .and_then(|m| m.finished_on.as_deref().map(cell)),
        }
    }
}
