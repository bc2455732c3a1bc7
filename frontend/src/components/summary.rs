//! The inspection at a glance: what the reference resolved to, what kind of
//! object it is, its digest, and which platforms it serves.

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::InspectResponse;
use shared::inspect::platform_list;
use shared::media_type::{Kind, describe};

use crate::components::annotations::Annotations;
use crate::components::byte_size::ByteSize;
use crate::components::copy_button::CopyButton;
use crate::components::credentials_used::CredentialsUsed;
use crate::components::edit_as_new::EditAsNew;
use crate::components::route_link::RouteLink;
use crate::route::Route;

#[component]
pub fn Summary(response: Arc<InspectResponse>) -> impl IntoView {
    let r = &response;
    let digest = r.digest.to_string();
    let index = r.kind() == Kind::Index;
    let multi = if index { "yes" } else { "no" };
    let platforms = platform_list(r);
    let platform_items = if platforms.is_empty() {
        view! { <span class="muted">"none declared"</span> }.into_any()
    } else {
        platforms
            .into_iter()
            .map(|p| view! { <li class="chip mono" data-testid="platform">{p}</li> })
            .collect_view()
            .into_any()
    };
    let tag = r.tag.clone().map(|tag| {
        view! {
            <dt>"Tag"</dt>
            <dd class="mono">{tag}</dd>
        }
    });
    let artifact_type = r.artifact_type.clone().map(|t| {
        view! {
            <dt>"Artifact type"</dt>
            <dd class="mono">{t}</dd>
        }
    });
    let subject = r.subject.as_ref().map(|s| {
        let route = Route::inspect_in_repository(r, &s.digest);
        let digest = s.digest.to_string();
        view! {
            <dt>"Subject"</dt>
            <dd>
                <RouteLink route attr:class="mono digest">{digest}</RouteLink>
            </dd>
        }
    });
    let annotations = (!r.annotations.is_empty()).then(|| {
        view! {
            <h3>"Annotations"</h3>
            <Annotations entries=r.annotations.clone() testid="annotations" />
        }
    });

    let rate_limit = r.rate_limit.as_ref().map(|l| {
        view! {
            <dt>"Pull quota"</dt>
            <dd data-testid="rate-limit">
                {l.remaining} {l.limit.map(|n| format!(" of {n}"))} " pulls left"
            </dd>
        }
    });
    // The same look with the command-line tools, for scripts and issues.
    let commands = ["manifest-tool inspect ", "skopeo inspect --raw docker://"]
        .into_iter()
        .map(|tool| {
            let command = tool.to_string() + &r.reference;
            view! {
                <li>
                    <code>{command.clone()}</code>
                    <CopyButton text=command what="command" />
                </li>
            }
        })
        .collect_view();

    let edit = index.then(|| view! { <EditAsNew response=response.clone() /> });

    view! {
        <section class="panel summary" data-testid="summary">
            <h2 class="reference-heading">
                <span class="mono" data-testid="reference">{r.reference.clone()}</span>
                <CopyButton text=r.reference.clone() what="reference" />
                {edit}
            </h2>
            <dl class="facts">
                <dt>"Registry"</dt>
                <dd class="mono">{r.registry.clone()}</dd>
                <dt>"Repository"</dt>
                <dd class="mono">{r.repository.clone()}</dd>
                {tag}
                <dt>"Media type"</dt>
                <dd>
                    <span class="mono" data-testid="media-type">{r.media_type.clone()}</span>
                    <span class="badge">{describe(&r.media_type)}</span>
                </dd>
                <dt>"Digest"</dt>
                <dd class="digest-line">
                    <span class="mono digest" data-testid="digest">{digest.clone()}</span>
                    <CopyButton text=digest what="digest" />
                </dd>
                <dt>"Size"</dt>
                <dd>
                    <ByteSize bytes=r.size />
                </dd>
                <dt>"Manifest list"</dt>
                <dd>
                    <span class="flag" data-testid="multi-platform">{multi}</span>
                </dd>
                <dt>"Platforms"</dt>
                <dd>
                    <ul class="chips" data-testid="platforms">{platform_items}</ul>
                </dd>
                {artifact_type}
                {subject}
                <CredentialsUsed auth=r.auth.clone().into_iter().collect() />
                {rate_limit}
                <dt>"Commands"</dt>
                <dd>
                    <ul class="plain" data-testid="commands">{commands}</ul>
                </dd>
            </dl>
            {annotations}
        </section>
    }
}
