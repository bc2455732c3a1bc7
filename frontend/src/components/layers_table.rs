//! The layers of an image: type, digest and size of each, with the total.
//! Foreign / non-distributable layers say so, with the URLs they come from.

use leptos::prelude::*;
use shared::Descriptor;
use shared::inspect::total_layer_size;
use shared::media_type::{describe, is_non_distributable};

use crate::components::byte_size::ByteSize;

#[component]
pub fn LayersTable(
    layers: Vec<Descriptor>,
    /// `layers` for the image being inspected; index entries use their own id.
    #[prop(default = "layers")]
    testid: &'static str,
) -> impl IntoView {
    let total = total_layer_size(&layers);
    let count = layers.len();
    let rows = layers
        .into_iter()
        .enumerate()
        .map(|(i, layer)| {
            let foreign = is_non_distributable(&layer.media_type).then(|| {
                view! { <span class="badge warn">"non-distributable"</span> }
            });
            let urls = (!layer.urls.is_empty()).then(|| {
                let urls = layer
                    .urls
                    .iter()
                    .map(|u| view! { <li class="mono wrap">{u.clone()}</li> })
                    .collect_view();
                view! { <ul class="urls">{urls}</ul> }
            });
            view! {
                <tr>
                    <td class="num" data-label="#">{i + 1}</td>
                    <td data-label="Type" title=layer.media_type.clone()>{describe(&layer.media_type)} {foreign}</td>
                    <td class="mono digest" data-label="Digest">{layer.digest.to_string()} {urls}</td>
                    <td class="num" data-label="Size">
                        <ByteSize bytes=layer.size />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data layers" data-testid=testid>
                <thead>
                    <tr>
                        <th class="num">"#"</th>
                        <th>"Type"</th>
                        <th>"Digest"</th>
                        <th class="num">"Size"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <td class="spacer"></td>
                        <td colspan="2">
                            {count} {if count == 1 { " layer" } else { " layers" }}
                        </td>
                        <td class="num">
                            <ByteSize bytes=total />
                        </td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
