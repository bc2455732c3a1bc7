//! One source of the index being built: the image, the platform it is listed
//! under, its annotations (OCI only), and buttons to move or remove it.
//! Platform fields left empty are taken from the image's config when the
//! plan is made; "Fill from source" shows those values now (the create
//! store asks; the row keeps what it said).

use leptos::prelude::*;
use shared::spec::{IndexType, SpecPlatform};

use crate::components::notice::{Tone, notice};
use crate::components::text_field::{FieldKind, TextField};
use crate::create_store::{CreateStore, FillState as Fill};
use crate::latest::Latest;
use crate::spec_text::{annotations_text, parse_annotations, parse_words, words_text};

#[component]
pub fn EntryFormRow(index: usize) -> impl IntoView {
    let store = CreateStore::use_store();
    let is_last = move || store.with(|s| index + 1 >= s.manifests.len());
    // Annotations are refused only by an explicit Docker list.
    let allows_annotations = move || store.with(|s| s.index_type != IndexType::Docker);
    let fill = Latest::new(Fill::Idle);

    let move_by = move |up: bool| {
        store.restructure(|s| {
            let other = if up {
                index.checked_sub(1)
            } else {
                Some(index + 1)
            };
            if let Some(other) = other.filter(|o| *o < s.manifests.len()) {
                s.manifests.swap(index, other);
            }
        });
        fill.set(Fill::Idle);
    };
    let remove = move |_| {
        store.restructure(|s| {
            if index < s.manifests.len() {
                s.manifests.remove(index);
            }
        });
        fill.set(Fill::Idle);
    };
    let fill_from_source = move |_| store.fill_platform(index, fill);

    let annotations =
        move || store.shown(|s| entry_text(s, index, |e| annotations_text(&e.annotations)));

    view! {
        <li class="entry-form" data-testid="entry-form-row">
            <div class="entry-form-head">
                <h3>"Source " {index + 1}</h3>
                <div class="actions">
                    <button
                        type="button"
                        data-testid="entry-up"
                        aria-label=format!("Move source {} up", index + 1)
                        disabled=move || index == 0
                        on:click=move |_| move_by(true)
                    >
                        "↑"
                    </button>
                    <button
                        type="button"
                        data-testid="entry-down"
                        aria-label=format!("Move source {} down", index + 1)
                        disabled=is_last
                        on:click=move |_| move_by(false)
                    >
                        "↓"
                    </button>
                    <button
                        type="button"
                        data-testid="entry-remove"
                        aria-label=format!("Remove source {}", index + 1)
                        on:click=remove
                    >
                        "Remove"
                    </button>
                </div>
            </div>
            <div class="form-grid">
                <TextField
                    label="Image"
                    testid="entry-image"
                    mono=true
                    wide=true
                    placeholder="registry.example.com/app:1.0-arm64"
                    value=Signal::derive(move || store.shown(|s| entry_text(s, index, |e| e.image.clone())))
                    on_input=Callback::new(move |v| store.edit_entry(index, |e| e.image = v))
                >
                    <button
                        type="button"
                        data-testid="entry-fill"
                        title="Inspect the image and fill the platform from its config"
                        aria-busy=move || fill.with(|f| *f == Fill::Busy).to_string()
                        on:click=fill_from_source
                    >
                        "Fill from source"
                    </button>
                </TextField>
                {platform_field(store, index, PlatformKey::Os)}
                {platform_field(store, index, PlatformKey::Architecture)}
                {platform_field(store, index, PlatformKey::Variant)}
                {platform_field(store, index, PlatformKey::OsVersion)}
                <TextField
                    label="OS features"
                    testid="entry-osfeatures"
                    mono=true
                    placeholder="win32k"
                    value=Signal::derive(move || {
                        store.shown(|s| entry_text(s, index, |e| words_text(&e.platform.osfeatures)))
                    })
                    on_input=Callback::new(move |v: String| {
                        store.edit_entry(index, |e| e.platform.osfeatures = parse_words(&v))
                    })
                />
                {move || {
                    allows_annotations()
                        .then(|| {
                            view! {
                                <TextField
                                    label="Annotations"
                                    note="(key=value per line)"
                                    testid="entry-annotations"
                                    kind=FieldKind::Lines(2)
                                    mono=true
                                    wide=true
                                    value=Signal::derive(annotations)
                                    on_input=Callback::new(move |v: String| {
                                        store.edit_entry(index, |e| e.annotations = parse_annotations(&v))
                                    })
                                />
                            }
                        })
                }}
            </div>
            {move || match fill.get() {
                Fill::Idle => None,
                Fill::Busy => Some(notice(Tone::Ok, "entry-fill-status", "Inspecting…".into())),
                Fill::Done(text) => Some(notice(Tone::Ok, "entry-fill-status", text)),
                Fill::Failed(text) => Some(notice(Tone::Error, "entry-fill-error", text)),
            }}
        </li>
    }
}

fn entry_text(
    spec: &shared::spec::PushSpec,
    index: usize,
    get: impl FnOnce(&shared::spec::SpecEntry) -> String,
) -> String {
    spec.manifests.get(index).map(get).unwrap_or_default()
}

/// The single-word fields of a platform, each with its own input.
#[derive(Debug, Clone, Copy)]
enum PlatformKey {
    Os,
    Architecture,
    Variant,
    OsVersion,
}

impl PlatformKey {
    /// Label, data-testid, placeholder.
    fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            PlatformKey::Os => ("OS", "entry-os", "linux"),
            PlatformKey::Architecture => ("Architecture", "entry-arch", "amd64"),
            PlatformKey::Variant => ("Variant", "entry-variant", "v7"),
            PlatformKey::OsVersion => ("OS version", "entry-osversion", "10.0.17763.2565"),
        }
    }
    fn get(self, p: &SpecPlatform) -> &String {
        match self {
            PlatformKey::Os => &p.os,
            PlatformKey::Architecture => &p.architecture,
            PlatformKey::Variant => &p.variant,
            PlatformKey::OsVersion => &p.osversion,
        }
    }
    fn get_mut(self, p: &mut SpecPlatform) -> &mut String {
        match self {
            PlatformKey::Os => &mut p.os,
            PlatformKey::Architecture => &mut p.architecture,
            PlatformKey::Variant => &mut p.variant,
            PlatformKey::OsVersion => &mut p.osversion,
        }
    }
}

fn platform_field(store: CreateStore, index: usize, key: PlatformKey) -> impl IntoView {
    let (label, testid, placeholder) = key.describe();
    view! {
        <TextField
            label
            testid
            placeholder
            mono=true
            value=Signal::derive(move || {
                store.shown(|s| entry_text(s, index, |e| key.get(&e.platform).clone()))
            })
            on_input=Callback::new(move |v| store.edit_entry(index, |e| *key.get_mut(&mut e.platform) = v))
        />
    }
}
