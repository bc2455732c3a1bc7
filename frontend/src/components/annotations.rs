//! Key/value annotations (or labels) as a compact two-column table; a
//! well-known key explains itself on hover.

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::annotation::describe;

#[component]
pub fn Annotations(
    entries: BTreeMap<String, String>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let testid = (!testid.is_empty()).then_some(testid);
    let rows = entries
        .into_iter()
        .map(|(key, value)| {
            let about = describe(&key);
            view! {
                <tr>
                    <th scope="row" class="mono" title=about>{key}</th>
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
