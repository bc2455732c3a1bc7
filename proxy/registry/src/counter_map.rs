//! Counters by label, for `/metrics`: an atomic add once the label's entry
//! exists (a read lock), a write lock only the first time a label is seen.
//! Callers keep the set of labels bounded.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug)]
pub struct CounterMap<K> {
    counts: RwLock<HashMap<K, AtomicU64>>,
}

impl<K> Default for CounterMap<K> {
    fn default() -> Self {
        CounterMap {
            counts: RwLock::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone + Ord> CounterMap<K> {
    /// Add one under `key`.
    pub fn increment(&self, key: K) {
        let counted = self
            .counts
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .map(|c| c.fetch_add(1, Ordering::Relaxed))
            .is_some();
        if !counted {
            self.counts
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .entry(key)
                .or_default()
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Every label and its count, sorted by label.
    pub fn snapshot(&self) -> Vec<(K, u64)> {
        let mut all: Vec<(K, u64)> = self
            .counts
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, n)| (k.clone(), n.load(Ordering::Relaxed)))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_label_in_order() {
        let m = CounterMap::default();
        m.increment(("b", 2));
        m.increment(("a", 1));
        m.increment(("b", 2));
        assert_eq!(m.snapshot(), vec![(("a", 1), 1), (("b", 2), 2)]);
    }
}
