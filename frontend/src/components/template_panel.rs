//! manifest-tool's `push from-args`: a platform list and an image name
//! template (`foo/bar-OSARCHVARIANT:v1`) expanded into one source per
//! platform. The expansion fills the form, where every row stays editable.

use leptos::prelude::*;
use shared::spec::expand_template;

use crate::components::notice::{Tone, notice};
use crate::components::text_field::TextField;
use crate::create_store::CreateStore;

#[component]
pub fn TemplatePanel() -> impl IntoView {
    let store = CreateStore::use_store();
    let platforms = RwSignal::new(String::new());
    let template = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<usize, String>>);

    let expand = move |_| {
        let current = store.current();
        let result = expand_template(
            &platforms.get_untracked(),
            &template.get_untracked(),
            &current.image,
            &current.tags,
        );
        outcome.set(Some(match result {
            Ok(expanded) => {
                let count = expanded.manifests.len();
                store.restructure(|s| {
                    s.image = expanded.image;
                    s.tags = expanded.tags;
                    s.manifests = expanded.manifests;
                });
                Ok(count)
            }
            Err(e) => Err(e.to_string()),
        }));
    };

    view! {
        <section class="panel" aria-labelledby="template-heading">
            <h2 id="template-heading">"From a platform list"</h2>
            <p class="small muted">
                "Like " <code>"manifest-tool push from-args"</code> ": " <code>"OS"</code> ", "
                <code>"ARCH"</code> " and " <code>"VARIANT"</code>
                " in the template are replaced per platform. Uses the target and tags above; replaces the sources."
            </p>
            <div class="form-grid">
                <TextField
                    label="Platforms"
                    testid="tpl-platforms"
                    mono=true
                    wide=true
                    placeholder="linux/amd64,linux/arm/v7"
                    value=platforms
                    on_input=Callback::new(move |v| platforms.set(v))
                />
                <TextField
                    label="Template"
                    testid="tpl-template"
                    mono=true
                    wide=true
                    placeholder="registry.example.com/app:v1-OSARCHVARIANT"
                    value=template
                    on_input=Callback::new(move |v| template.set(v))
                />
            </div>
            <div class="actions">
                <button type="button" data-testid="tpl-expand" on:click=expand>
                    "Fill the sources"
                </button>
            </div>
            {move || {
                outcome
                    .get()
                    .map(|o| match o {
                        Ok(count) => notice(Tone::Ok, "tpl-status", format!("{count} sources filled in.")),
                        Err(message) => notice(Tone::Error, "tpl-error", message),
                    })
            }}
        </section>
    }
}
