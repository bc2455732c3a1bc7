//! Where the bytes go (`shared::footprint`): numbers and a bar per row, in
//! CSS (a bar's width is its share), no chart library.

use leptos::prelude::*;
use shared::api::InspectResponse;
use shared::footprint::{Footprint, footprint, permille};

use crate::components::byte_size::ByteSize;

/// A bar `part` of `whole` wide.
fn bar(part: u64, whole: u64) -> impl IntoView {
    let width = format!("width: {:.1}%", permille(part, whole) as f64 / 10.0);
    view! {
        <span class="bar" aria-hidden="true">
            <span class="bar-fill" style=width></span>
        </span>
    }
}

#[component]
pub fn FootprintView(response: std::sync::Arc<InspectResponse>) -> impl IntoView {
    let f: Footprint = footprint(&response);
    if f.layers.is_empty() && f.platforms.iter().all(|p| p.bytes.is_none()) {
        return ().into_any();
    }
    let single = response.index().is_none();
    let biggest = f
        .platforms
        .iter()
        .filter_map(|p| p.bytes)
        .max()
        .unwrap_or(0);
    let platforms = (!single).then(|| {
        let rows = f
            .platforms
            .iter()
            .map(|p| {
                let bytes = p.bytes.map(|b| view! { <ByteSize bytes=b /> });
                view! {
                    <tr>
                        <td class="mono">{p.platform.clone()}</td>
                        <td class="num">{bytes}</td>
                        <td class="num"><ByteSize bytes=p.own_bytes /></td>
                        <td class="bar-cell">{bar(p.bytes.unwrap_or(0), biggest)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <dl class="footprint-totals" data-testid="footprint-totals">
                <dt>"Stored (unique layers)"</dt>
                <dd data-testid="footprint-unique"><ByteSize bytes=f.unique_bytes /></dd>
                <dt>"Shared between platforms"</dt>
                <dd data-testid="footprint-shared"><ByteSize bytes=f.shared_bytes /></dd>
                <dt>"Every platform pulled once"</dt>
                <dd><ByteSize bytes=f.sum_of_platforms /></dd>
            </dl>
            <table class="data">
                <thead>
                    <tr>
                        <th>"Platform"</th>
                        <th>"Layers"</th>
                        <th>"Its own"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody data-testid="footprint-platforms">{rows}</tbody>
            </table>
            <h3>"Largest layers"</h3>
        }
    });
    let unique = f.unique_bytes;
    let layers = f
        .layers
        .iter()
        .map(|l| {
            let short: String = l.digest.to_string().chars().take(19).collect();
            let used_by = (!single).then(|| l.platforms.join(", "));
            view! {
                <tr>
                    <td class="mono" title=l.digest.to_string()>{short}"…"</td>
                    <td class="num"><ByteSize bytes=l.size /></td>
                    <td class="num">{format!("{:.1}%", l.permille as f64 / 10.0)}</td>
                    <td class="bar-cell">{bar(l.size, unique)}</td>
                    <td class="muted">{used_by}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" data-testid="footprint">
            <h2>"Where the bytes go"</h2>
            {platforms}
            <table class="data">
                <tbody data-testid="footprint-layers">{layers}</tbody>
            </table>
        </section>
    }
    .into_any()
}
