//! What a page that looks up one answer shows: nothing asked yet, held (the
//! page was opened from another site, so nothing is asked until a person
//! presses the button: see `opened_from`), the answer on its way, a
//! failure, or the answer. One type for the pages that show one answer
//! (compare, sizes), so each names only what it reads.

use crate::api::ApiFailure;

#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<T> {
    Idle,
    /// Opened from another site: nothing is looked up until a person asks.
    Held,
    Loading,
    Failed(ApiFailure),
    Read(T),
}
