//! What each placement was last built with: a hash of the fits of the clusters its status
//! shows, and when. The placement controller's periodic looks compare against it
//! (`controllers/placement/refresh.rs`).

use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug, Default)]
pub struct FitMarks {
    marks: HashMap<String, (u64, Instant)>,
}

impl FitMarks {
    /// The fits hash and build time of the placement logged as `key`.
    pub fn get(&self, key: &str) -> Option<(u64, Instant)> {
        self.marks.get(key).copied()
    }

    pub fn record(&mut self, key: &str, fits: u64, built: Instant) {
        self.marks.insert(key.to_owned(), (fits, built));
    }

    pub fn forget(&mut self, key: &str) {
        self.marks.remove(key);
    }
}
