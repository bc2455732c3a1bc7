//! Work that can wait until the page has shown what it has: run when the
//! browser is next idle, which is after the frame with the rest is on the
//! screen (`requestIdleCallback`).
//!
//! A 50-entry inspection is the case it is for: its table is what a person
//! came for, while the raw manifest (~20 KB of text with a hundred links to
//! lay out) and the two follow-up requests (the children's configs, the
//! referrers) each cost milliseconds of the one thread the table is built
//! on. Done first, they doubled the time until the table showed; done in the
//! task right after the table's frame was painted (an animation frame's
//! timeout), they still delayed that frame reaching the screen on two cores
//! (docs/performance.md, "Rendering").

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Run `work` once the browser is idle; where there is no
/// `requestIdleCallback` (Safari), before the next frame is painted. Not
/// generic, so the page's wasm has it once.
pub fn after_paint(work: Box<dyn FnOnce()>) {
    let work: js_sys::Function = Closure::once_into_js(work).unchecked_into();
    let Some(window) = web_sys::window() else {
        return;
    };
    if window.request_idle_callback(&work).is_err() {
        let _ = window.request_animation_frame(&work);
    }
}
