//! Work that can wait until the page has shown what it has: run in the task
//! just after the next frame is painted (an animation frame runs just before
//! a paint, so a task it queues runs just after one).
//!
//! A 50-entry inspection is the case it is for: its table is what a person
//! came for, while the raw manifest (~20 KB of text with a hundred links to
//! lay out) and the two follow-up requests (the children's configs, the
//! referrers) each cost milliseconds of the one thread the table is built
//! on. Done first, they doubled the time until the table showed
//! (docs/performance.md, "Rendering"). A tab in the background paints no
//! frames, so there this waits until the tab is shown.

use std::time::Duration;

use leptos::prelude::{request_animation_frame, set_timeout};

/// Run `work` once the next frame has been painted. Not generic, so the
/// page's wasm has it once.
pub fn after_paint(work: Box<dyn FnOnce()>) {
    request_animation_frame(move || set_timeout(work, Duration::ZERO));
}
