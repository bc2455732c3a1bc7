//! SLSA provenance at a glance: who built it, how, from which source and
//! commit, with which arguments, and when.

use leptos::prelude::*;
use shared::provenance::ProvenanceSummary;

#[component]
pub fn ProvenanceView(provenance: ProvenanceSummary) -> impl IntoView {
    let fact = |label: &'static str, id: &'static str, value: Option<String>| {
        value.map(|v| {
            view! {
                <dt>{label}</dt>
                <dd class="mono" data-testid=id>{v}</dd>
            }
        })
    };
    let source = provenance.source.as_ref().map(|s| s.repository.clone());
    let commit = provenance.source.as_ref().and_then(|s| s.commit.clone());
    let args = (!provenance.build_args.is_empty()).then(|| {
        let items = provenance
            .build_args
            .iter()
            .map(|(k, v)| view! { <li class="mono">{format!("{k}={v}")}</li> })
            .collect_view();
        view! {
            <dt>"Build arguments"</dt>
            <dd><ul class="plain" data-testid="provenance-args">{items}</ul></dd>
        }
    });
    view! {
        <dl class="facts" data-testid="provenance">
            <dt>"SLSA provenance"</dt>
            <dd>{provenance.slsa_version.clone()}</dd>
            {fact("Builder", "provenance-builder", provenance.builder_id.clone())}
            {fact("Build type", "provenance-build-type", provenance.build_type.clone())}
            {fact("Source", "provenance-source", source)}
            {fact("Commit", "provenance-commit", commit)}
            {args}
            {fact("Started", "provenance-started", provenance.started_on.clone())}
            {fact("Finished", "provenance-finished", provenance.finished_on.clone())}
        </dl>
    }
}
