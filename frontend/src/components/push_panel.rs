//! A push as it happens: every registry write with its state, warnings, and
//! at the end the digest now behind the target and every tag, with a link to
//! inspect it. A failure names the step it stopped at. The round trips of
//! each phase say where the time went.

use leptos::prelude::*;
use shared::api::{StepState, TagMoved};

use crate::components::byte_size::ByteSize;
use crate::components::copy_button::CopyButton;
use crate::components::route_link::RouteLink;
use crate::create_store::CreateStore;
use crate::push_progress::{Outcome, PushProgress};
use crate::query::encode_component;
use crate::route::Route;

#[component]
pub fn PushPanel() -> impl IntoView {
    let store = CreateStore::use_store();
    move || {
        store
            .progress()
            .map(|progress| view! { <Progress progress /> })
    }
}

#[component]
fn Progress(progress: PushProgress) -> impl IntoView {
    let steps = progress
        .steps
        .iter()
        .map(|s| {
            let (state, mark) = match s.state {
                StepState::Started => ("started", "…"),
                StepState::Done => ("done", "✓"),
            };
            let detail = s
                .detail
                .clone()
                .map(|d| view! { <span class="muted">" (" {d} ")"</span> });
            view! {
                <li class=format!("step {state}") data-state=state data-testid="push-step">
                    <span class="step-mark" aria-hidden="true">{mark}</span>
                    <span class="muted">{format!("{}/{} ", s.index, progress.total)}</span>
                    {s.description.clone()}
                    {detail}
                </li>
            }
        })
        .collect_view();
    let warnings = (!progress.warnings.is_empty()).then(|| {
        let items = progress
            .warnings
            .iter()
            .map(|w| view! { <li>{w.clone()}</li> })
            .collect_view();
        view! { <ul class="warnings" data-testid="push-warnings">{items}</ul> }
    });
    let heading = match &progress.outcome {
        Outcome::Running => format!(
            "Pushing… {} of {} done",
            progress.done_count(),
            progress.total
        ),
        Outcome::Done { .. } => "Pushed".to_string(),
        Outcome::Failed { .. } => "Push failed".to_string(),
    };
    let outcome = match &progress.outcome {
        Outcome::Running => None,
        Outcome::Done {
            digest,
            size,
            media_type,
            tags,
        } => {
            let digest = digest.to_string();
            let inspect = tags.first().cloned().map(|target| {
                view! {
                    <RouteLink route=Route::inspect(&target) attr:data-testid="push-inspect">
                        "Inspect " {target}
                    </RouteLink>
                }
            });
            let tag_items = tags
                .iter()
                .map(|t| view! { <li class="mono">{t.clone()}</li> })
                .collect_view();
            Some(
                view! {
                    <dl class="facts" data-testid="push-result">
                        <dt>"Digest"</dt>
                        <dd class="digest-line">
                            <span class="mono digest" data-testid="push-digest">{digest.clone()}</span>
                            <CopyButton text=digest what="digest" />
                        </dd>
                        <dt>"Media type"</dt>
                        <dd class="mono">{media_type.clone()}</dd>
                        <dt>"Size"</dt>
                        <dd><ByteSize bytes=*size /></dd>
                        <dt>"Tags written"</dt>
                        <dd><ul class="plain" data-testid="push-tags">{tag_items}</ul></dd>
                    </dl>
                    <p>{inspect}</p>
                }
                    .into_any(),
            )
        }
        Outcome::Failed {
            code,
            message,
            step,
            moved,
        } => {
            let moved = moved.clone().map(|moved| view! { <TagMovedView moved /> });
            let at = step.map(|n| {
                let what = progress
                    .step_description(n)
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                format!("Stopped at step {n} of {}{what}. ", progress.total)
            });
            Some(
                view! {
                    <div class="error" data-testid="push-error" role="alert">
                        <span class="error-code">{code.clone()}</span>
                        <span class="error-message">{at} {message.clone()}</span>
                    </div>
                    {moved}
                }
                .into_any(),
            )
        }
    };
    view! {
        <section class="panel" aria-labelledby="push-heading" aria-live="polite">
            <h2 id="push-heading">{heading}</h2>
            <ol class="steps plain" data-testid="push-progress">{steps}</ol>
            <p class="muted" data-testid="push-round-trips">{progress.round_trips()}</p>
            {progress.checked.clone().map(|c| view! { <p class="muted" data-testid="push-checked">{c}</p> })}
            {warnings}
            {outcome}
        </section>
    }
}

/// A safe edit refused because someone moved the tag: what it pointed at
/// when the edit started, what it points at now, and the comparison of the
/// two (the compare page, `/compare?a=REPO@OLD&b=REPO@NEW`).
#[component]
fn TagMovedView(moved: TagMoved) -> impl IntoView {
    let repo = moved.repository().to_string();
    let old = format!("{repo}@{}", moved.expected);
    let now = moved.actual.clone().map(|actual| {
        let new = format!("{repo}@{actual}");
        let compare = format!(
            "/compare?a={}&b={}",
            encode_component(&old),
            encode_component(&new)
        );
        view! {
            <li>
                "Now: "
                <RouteLink route=Route::inspect(&new) attr:data-testid="moved-now">
                    <span class="mono">{actual.to_string()}</span>
                </RouteLink>
            </li>
            <li>
                <a href=compare data-testid="moved-compare">"Compare what changed"</a>
            </li>
        }
    });
    view! {
        <div class="panel" data-testid="push-moved">
            <p>
                <span class="mono">{moved.reference.clone()}</span>
                " moved while you were editing; nothing was tagged."
            </p>
            <ul class="plain">
                <li>
                    "Your edit started from: "
                    <RouteLink route=Route::inspect(&old) attr:data-testid="moved-old">
                        <span class="mono">{moved.expected.to_string()}</span>
                    </RouteLink>
                </li>
                {now}
            </ul>
        </div>
    }
}
