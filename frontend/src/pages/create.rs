//! Building and pushing an index (a Docker manifest list or an OCI index).
//! Three ways in, one spec: the form, manifest-tool YAML, or a platform list
//! with a name template; then a byte-exact preview, then the push.

use leptos::prelude::*;

use crate::components::entries_form::EntriesForm;
use crate::components::preview_panel::PreviewPanel;
use crate::components::push_panel::PushPanel;
use crate::components::target_form::TargetForm;
use crate::components::template_panel::TemplatePanel;
use crate::components::yaml_panel::YamlPanel;

#[component]
pub fn CreatePage() -> impl IntoView {
    view! {
        <div class="page-stack" data-testid="create-page">
            <section class="panel intro">
                <h1>"Create a manifest list"</h1>
                <p class="muted">
                    "List existing images under their platforms and push them as one multi-platform "
                    "index. Fill the form, or start from a platform list or a manifest-tool YAML spec below."
                </p>
            </section>
            <TargetForm />
            <EntriesForm />
            <div class="two-columns">
                <TemplatePanel />
                <YamlPanel />
            </div>
            <PreviewPanel />
            <PushPanel />
        </div>
    }
}
