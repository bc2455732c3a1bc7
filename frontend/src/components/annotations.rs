//! Key/value annotations (or labels) as a compact two-column table.

use std::collections::BTreeMap;

use leptos::prelude::*;

#[component]
pub fn Annotations(
    entries: BTreeMap<String, String>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let testid = (!testid.is_empty()).then_some(testid);
    let rows = entries
        .into_iter()
        .map(|(key, value)| {
            view! {
                <tr>
                    <th scope="row" class="mono">{key}</th>
                    <td class="mono wrap">{value}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="kv" data-testid=testid>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
