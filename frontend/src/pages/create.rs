//! Building and pushing an index (a Docker manifest list or an OCI index).
//! Three ways in, one spec: the form, manifest-tool YAML, or a platform list
//! with a name template; then a byte-exact preview, then the push.

use leptos::prelude::*;

use crate::app::PageModule;
use crate::create_store::CreateStore;
use crate::route::Page;
use crate::spec_handover;

/// The create page's module (`src/bin/create.rs`). The spec starts as the
/// one "Edit as new index" handed over, if any.
pub const MODULE: PageModule = PageModule {
    page: Page::Create,
    install: |_router, credentials| {
        let store = CreateStore::install(credentials);
        match spec_handover::from_location() {
            Some(Ok(spec)) => store.replace(spec),
            Some(Err(message)) => store.import_failed(message),
            None => {}
        }
    },
    view: || view! { <CreatePage /> }.into_any(),
};

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
