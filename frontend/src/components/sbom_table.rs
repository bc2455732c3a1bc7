//! An SBOM's packages as a table, filtered as a person types (any cell,
//! `shared::sbom::PackageRow::matches`), with the count of all of them and
//! a note when the proxy kept only the first rows.

use leptos::prelude::*;
use shared::sbom::SbomSummary;

/// Rows drawn at once; the filter narrows the rest down.
const SHOWN: usize = 500;

#[component]
pub fn SbomTable(sbom: SbomSummary) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let truncated = sbom.truncated().then(|| {
        view! {
            <p class="hint" data-testid="sbom-truncated">
                {format!("The first {} of {} packages are listed.", sbom.packages.len(), sbom.package_count)}
            </p>
        }
    });
    let heading = format!(
        "{} · {} packages{}",
        sbom.format,
        sbom.package_count,
        sbom.name
            .as_ref()
            .map(|n| format!(" · {n}"))
            .unwrap_or_default()
    );
    let packages = StoredValue::new(sbom.packages);
    let rows = move || {
        let needle = filter.get();
        packages.with_value(|all| {
            let matching: Vec<_> = all.iter().filter(|p| p.matches(&needle)).collect();
            let count = matching.len();
            let body = matching
                .into_iter()
                .take(SHOWN)
                .map(|p| {
                    view! {
                        <tr data-testid="sbom-row">
                            <td>{p.name.clone()}</td>
                            <td class="mono">{p.version.clone().unwrap_or_default()}</td>
                            <td>{p.license.clone().unwrap_or_default()}</td>
                            <td class="mono">{p.purl.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect_view();
            let more = (count > SHOWN).then(|| {
                view! { <p class="muted">{format!("{count} match; the first {SHOWN} are shown: narrow the filter.")}</p> }
            });
            view! {
                <p class="muted" data-testid="sbom-matching">{format!("{count} shown")}</p>
                <table class="table">
                    <thead>
                        <tr><th>"Name"</th><th>"Version"</th><th>"License"</th><th>"purl"</th></tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
                {more}
            }
        })
    };
    view! {
        <div data-testid="sbom">
            <p data-testid="sbom-heading">{heading}</p>
            {truncated}
            <label class="field">
                <span>"Filter"</span>
                <input
                    type="search"
                    data-testid="sbom-filter"
                    placeholder="name, version, license or purl"
                    prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))
                />
            </label>
            {rows}
        </div>
    }
}
