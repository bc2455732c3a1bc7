//! How much registry content one API operation (an inspection, a plan) may
//! hold: a hostile registry can make an index name thousands of distinct
//! children, each up to the manifest and config caps, and every one of them
//! is fetched, parsed and kept until the answer is sent. Per-object caps
//! (`body`) do not bound their sum; this does.
//!
//! Content is counted once per digest of the bytes actually received (never
//! under the digest or tag a registry named for them: bytes that fail
//! verification under a digest, or one root per tag name, must not make
//! other content free), whether it came from the network or the cache, and
//! a child listed a thousand times costs what it weighs once. The body of the
//! next fetch is read under the budget that is left, so the bytes read never
//! pass it by more than what concurrent fetches had in flight. Once used up,
//! the budget stays used up: the operation fails as a whole (the registry's
//! fault: 502), with a message naming the limit.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::error::RegistryError;

/// The bytes one operation may fetch, shared by every handle it uses.
#[derive(Debug)]
pub struct FetchBudget {
    limit: u64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    used: u64,
    counted: HashSet<String>,
    /// The first fetch that did not fit.
    exceeded: Option<RegistryError>,
}

impl FetchBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Arc<FetchBudget> {
        Arc::new(FetchBudget {
            limit,
            state: Mutex::new(State::default()),
        })
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The most that may be read now (`cap` at most): what is left; `Err`
    /// once the budget is used up. Not keyed by what the registry claims the
    /// next body is: a body that failed verification under a digest must
    /// not make that digest's real content free later (see `charge`).
    pub fn allowance(&self, cap: u64) -> Result<u64, RegistryError> {
        let state = self.state();
        if let Some(e) = &state.exceeded {
            return Err(e.clone());
        }
        Ok(cap.min(self.limit.saturating_sub(state.used)))
    }

    /// Count `len` bytes for `key` (once per key); `Err` when they do not fit.
    pub fn charge(&self, key: &str, len: u64, what: &str) -> Result<(), RegistryError> {
        let mut state = self.state();
        if let Some(e) = &state.exceeded {
            return Err(e.clone());
        }
        if state.counted.contains(key) {
            return Ok(());
        }
        match state.used.checked_add(len).filter(|&n| n <= self.limit) {
            Some(used) => {
                state.used = used;
                state.counted.insert(key.to_string());
                Ok(())
            }
            None => Err(self.exceed(&mut state, what)),
        }
    }

    /// Mark the budget used up by `what` (a body that did not fit in
    /// what was left), and answer the error.
    pub fn exhausted_by(&self, what: &str) -> RegistryError {
        let mut state = self.state();
        self.exceed(&mut state, what)
    }

    fn exceed(&self, state: &mut State, what: &str) -> RegistryError {
        state
            .exceeded
            .get_or_insert_with(|| RegistryError::BudgetExceeded {
                what: what.to_string(),
                limit: self.limit,
            })
            .clone()
    }

    /// The error, when the budget was used up.
    pub fn exceeded(&self) -> Option<RegistryError> {
        self.state().exceeded.clone()
    }

    /// Bytes counted so far.
    pub fn used(&self) -> u64 {
        self.state().used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_once_per_key_and_hard() {
        let budget = FetchBudget::new(100);
        assert_eq!(budget.allowance(1000).unwrap(), 100);
        budget.charge("a", 60, "a").unwrap();
        // The same content again is free, however often it is listed.
        for _ in 0..1000 {
            budget.charge("a", 60, "a").unwrap();
        }
        assert_eq!(budget.used(), 60);
        // What is left is all the next body may be, whatever it claims to be.
        assert_eq!(budget.allowance(1000).unwrap(), 40);
        let e = budget.charge("b", 41, "manifest b").unwrap_err();
        assert!(
            matches!(e, RegistryError::BudgetExceeded { limit: 100, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("100-byte"), "{e}");
        assert!(e.to_string().contains("manifest b"), "{e}");
        // Used up: even what was counted before fails now.
        assert!(budget.allowance(10).is_err());
        assert!(budget.charge("c", 1, "c").is_err());
        assert_eq!(budget.exceeded().unwrap().to_string(), e.to_string());
        // Sizes near u64::MAX do not overflow.
        let budget = FetchBudget::new(u64::MAX - 1);
        budget.charge("x", u64::MAX - 1, "x").unwrap();
        assert!(budget.charge("y", u64::MAX, "y").is_err());
    }
}
