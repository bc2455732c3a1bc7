//! A request whose answer streams events into a progress state shown while
//! it runs (a push, a registry check): each event folded in as it arrives,
//! then the end (or the failure of the request itself) folded in last.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiFailure;

/// A state the events of one streamed answer are folded into.
pub trait Streamed: Send + Sync + 'static {
    type Event;
    fn apply(&mut self, event: Self::Event);
    /// The stream ended (without its last event, that is said).
    fn finish(&mut self);
    /// The request failed (refused before streaming, or the connection broke).
    fn fail(&mut self, failure: &ApiFailure);
}

/// Run `request`, which hands each event to the callback it is given,
/// folding everything into `progress`.
pub fn follow<P, F>(
    progress: RwSignal<Option<P>>,
    request: impl FnOnce(Box<dyn FnMut(P::Event)>) -> F + 'static,
) where
    P: Streamed,
    F: Future<Output = Result<(), ApiFailure>> + 'static,
{
    spawn_local(async move {
        let on_event = Box::new(move |event| {
            progress.update(|p| {
                if let Some(p) = p {
                    p.apply(event)
                }
            })
        });
        let outcome = request(on_event).await;
        progress.update(|p| {
            if let Some(p) = p {
                match outcome {
                    Ok(()) => p.finish(),
                    Err(failure) => p.fail(&failure),
                }
            }
        });
    });
}
