//! The page's one way to hold state that a request to the proxy fills in
//! later. Stores keep each such piece (the inspection, its referrers, the
//! preview, a YAML import...) in a [`Latest`]; components read it and ask
//! the store for a new one, they never call the proxy themselves.
//!
//! Requests overlap (the URL moves on before an inspection answers, Preview
//! is pressed twice) and their answers arrive in any order. Every request
//! takes a ticket, and its answer is kept only while that ticket is the
//! newest: a slow answer to an earlier question never replaces a newer one,
//! and the side effects of keeping it (filling the form) do not happen.
//!
//! Why not Leptos's `LocalResource` or `Action::new_local`: in the Leptos
//! 0.8 this page builds with (reactive_graph 0.2.16), a resource runs its
//! fetches one after another (a new reference would not even be asked for
//! until a slow earlier answer arrived), and an action keeps every answer in
//! the order they arrive (its "is latest" check compares against a counter
//! that `dispatch` never moves). This is a signal and a counter, and costs
//! the page's wasm next to nothing.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// A value, and the ticket of the newest request allowed to replace it.
#[derive(Debug)]
pub struct Latest<T: 'static> {
    value: RwSignal<T>,
    newest: StoredValue<u64>,
}

impl<T> Clone for Latest<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Latest<T> {}

/// Which request an answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ticket(u64);

impl<T: Send + Sync + 'static> Latest<T> {
    pub fn new(value: T) -> Self {
        Latest {
            value: RwSignal::new(value),
            newest: StoredValue::new(0),
        }
    }

    /// The value, tracked.
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.value.get()
    }

    /// Read the value by reference, tracked.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.value.with(f)
    }

    /// Replace the value now; answers to earlier requests are dropped.
    pub fn set(&self, value: T) {
        self.start(value);
    }

    /// Change the value in place, keeping the newest ticket: a later part
    /// of the answer already kept (an inspection's configs).
    pub fn update_now(&self, f: impl FnOnce(&mut T)) {
        self.value.update(f);
    }

    /// Show `pending` now; when `answer` arrives, and only if no later
    /// [`run`](Self::run) or [`set`](Self::set) happened meanwhile, `keep`
    /// turns it into the new value (and may act on it, e.g. fill the form).
    pub fn run<A: 'static>(
        &self,
        pending: T,
        answer: impl Future<Output = A> + 'static,
        keep: impl FnOnce(A) -> T + 'static,
    ) {
        let ticket = self.start(pending);
        let this = *self;
        spawn_local(async move {
            let answer = answer.await;
            this.finish(ticket, move || keep(answer));
        });
    }

    fn start(&self, value: T) -> Ticket {
        let ticket = next_ticket(self.newest);
        self.value.set(value);
        ticket
    }

    /// Keep what `keep` makes if `ticket` is still the newest; whether it was.
    fn finish(&self, ticket: Ticket, keep: impl FnOnce() -> T) -> bool {
        if !is_newest(self.newest, ticket) {
            return false;
        }
        self.value.set(keep());
        true
    }
}

// The ticket rules, outside the generic type so the page's wasm has them once.
fn next_ticket(newest: StoredValue<u64>) -> Ticket {
    newest.update_value(|n| *n += 1);
    Ticket(newest.get_value())
}

fn is_newest(newest: StoredValue<u64>, ticket: Ticket) -> bool {
    // `None`: the owner (a row, a page) is gone, nothing to keep.
    newest.try_get_value().map(Ticket) == Some(ticket)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;

    #[test]
    fn a_slow_answer_to_an_earlier_request_never_replaces_a_newer_one() {
        let owner = Owner::new();
        owner.set();
        let state = Latest::new("idle");
        let kept = Rc::new(Cell::new(0));
        let first = state.start("loading a");
        let second = state.start("loading b");
        assert_eq!(state.value.get_untracked(), "loading b");
        assert!(state.finish(second, || {
            kept.set(kept.get() + 1);
            "b"
        }));
        // The earlier answer arrives last: dropped, and `keep` does not run.
        assert!(!state.finish(first, || {
            kept.set(kept.get() + 1);
            "a"
        }));
        assert_eq!(state.value.get_untracked(), "b");
        assert_eq!(kept.get(), 1);
    }

    #[test]
    fn setting_drops_the_answers_still_on_their_way() {
        let owner = Owner::new();
        owner.set();
        let state = Latest::new("idle");
        let pending = state.start("loading");
        state.set("idle");
        assert!(!state.finish(pending, || "answer"));
        assert_eq!(state.value.get_untracked(), "idle");
    }

    #[test]
    fn nothing_is_kept_once_its_owner_is_gone() {
        let owner = Owner::new();
        owner.set();
        let row = Owner::new();
        let state = row.with(|| Latest::new("idle"));
        let pending = state.start("loading");
        drop(row);
        assert!(!state.finish(pending, || "answer"));
    }
}
