//! The essentials of an image's config blob: what it runs on, how a container
//! of it starts, and how it was built (history, empty layers marked). An
//! artifact without an image config shows just its config descriptor. The
//! inspected image's own config also offers its exact bytes, one click away.

use leptos::prelude::*;
use shared::Descriptor;
use shared::config::{History, ImageConfig};
use shared::media_type::describe;

use crate::components::annotations::Annotations;
use crate::components::byte_size::ByteSize;

#[component]
pub fn ImageConfigView(
    config: Option<ImageConfig>,
    descriptor: Option<Descriptor>,
    /// The config blob as the registry sent it.
    #[prop(default = None)]
    raw: Option<String>,
) -> impl IntoView {
    let descriptor = descriptor.map(|d| {
        view! {
            <p class="small">
                <span title=d.media_type.clone()>{describe(&d.media_type)}</span> " "
                <span class="mono digest" data-testid="config-digest">{d.digest.to_string()}</span>
                " (" <ByteSize bytes=d.size /> ")"
            </p>
        }
    });
    let body = config.map(config_facts);
    let raw = raw.map(|raw| {
        view! {
            <details data-testid="config-raw">
                <summary>"Raw config"</summary>
                <pre class="json">{raw}</pre>
            </details>
        }
    });
    view! {
        <section class="panel" data-testid="image-config">
            <h2>"Image config"</h2>
            {descriptor}
            {body}
            {raw}
        </section>
    }
}

fn config_facts(c: ImageConfig) -> impl IntoView {
    let platform = c.platform().to_string();
    let run = c.config.clone().unwrap_or_default();
    let fact = |label: &'static str, value: Option<String>| {
        value.map(|v| {
            view! {
                <dt>{label}</dt>
                <dd class="mono wrap">{v}</dd>
            }
        })
    };
    let json_list = |v: Option<Vec<String>>| {
        v.map(|items| serde_json::to_string(&items).unwrap_or_else(|_| items.join(" ")))
    };
    let ports = run
        .exposed_ports
        .map(|p| p.into_keys().collect::<Vec<_>>().join(", "))
        .filter(|p| !p.is_empty());
    let env = run.env.filter(|e| !e.is_empty()).map(|env| {
        let items = env
            .into_iter()
            .map(|e| view! { <li class="mono wrap">{e}</li> })
            .collect_view();
        view! {
            <dt>"Env"</dt>
            <dd>
                <ul class="plain">{items}</ul>
            </dd>
        }
    });
    let labels = run.labels.filter(|l| !l.is_empty()).map(|labels| {
        view! {
            <h3>"Labels"</h3>
            <Annotations entries=labels testid="labels" />
        }
    });
    let history = (!c.history.is_empty()).then(|| history_table(c.history.clone()));

    view! {
        <dl class="facts">
            <dt>"Platform"</dt>
            <dd class="mono" data-testid="config-platform">{platform}</dd>
            {fact("Created", c.created.clone())}
            {fact("Author", c.author.clone())}
            {fact("Entrypoint", json_list(run.entrypoint))}
            {fact("Cmd", json_list(run.cmd))}
            {fact("Working dir", run.working_dir.filter(|w| !w.is_empty()))}
            {fact("User", run.user.filter(|u| !u.is_empty()))}
            {fact("Exposed ports", ports)}
            {fact("Stop signal", run.stop_signal)}
            {env}
        </dl>
        {labels}
        {history}
    }
}

fn history_table(history: Vec<History>) -> impl IntoView {
    let rows = history
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let empty = h
                .empty_layer
                .then(|| view! { <span class="badge">"empty layer"</span> });
            let comment = h
                .comment
                .map(|c| view! { <div class="muted small">{c}</div> });
            view! {
                <tr class:empty-layer=h.empty_layer>
                    <td class="num">{i + 1}</td>
                    <td class="nowrap small">{h.created.unwrap_or_default()}</td>
                    <td class="mono wrap small">{h.created_by.unwrap_or_default()} {comment}</td>
                    <td>{empty}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"History"</h3>
        <div class="table-scroll">
            <table class="data history" data-testid="history">
                <thead>
                    <tr>
                        <th class="num">"#"</th>
                        <th>"Created"</th>
                        <th>"Created by"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
