//! Where the inspected object lives: registry / repository / tag / digest,
//! each part of the path a person can step back to (the tag re-resolves;
//! the digest pins the object).

use leptos::prelude::*;
use shared::api::InspectResponse;

use crate::components::route_link::RouteLink;
use crate::route::Route;

#[component]
pub fn Breadcrumbs(
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: String,
) -> impl IntoView {
    let base = format!("{registry}/{repository}");
    let tag = tag.map(|tag| {
        let route = Route::inspect(&format!("{base}:{tag}"));
        view! {
            <li>
                <RouteLink route attr:class="mono" attr:data-testid="crumb-tag">
                    {format!(":{tag}")}
                </RouteLink>
            </li>
        }
    });
    let short: String = digest.chars().take(19).collect();
    let digest_route = Route::inspect(&format!("{base}@{digest}"));
    view! {
        <nav class="breadcrumbs" aria-label="Location" data-testid="breadcrumbs">
            <ol>
                <li class="mono" data-testid="crumb-registry">{registry}</li>
                <li>
                    <a
                        href=Route::tags_pointing(&base, &digest).to_url()
                        class="mono"
                        title="The repository's tags (those pointing here marked)"
                        data-testid="crumb-repository"
                    >
                        {repository}
                    </a>
                </li>
                {tag}
                <li>
                    <RouteLink
                        route=digest_route
                        attr:class="mono digest"
                        attr:title=digest.clone()
                        attr:data-testid="crumb-digest"
                    >
                        {format!("@{short}…")}
                    </RouteLink>
                </li>
            </ol>
        </nav>
    }
}

/// The breadcrumbs of an inspection.
pub fn for_response(r: &InspectResponse) -> impl IntoView + use<> {
    view! {
        <Breadcrumbs
            registry=r.registry.clone()
            repository=r.repository.clone()
            tag=r.tag.clone()
            digest=r.digest.to_string()
        />
    }
}
