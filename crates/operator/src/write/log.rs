//! The per-object write debounce: whatever the churn, one object's status is
//! written at most once per interval. A change inside the window is not lost: the reconcile is
//! requeued for the end of the window and then writes the state of that moment.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct WriteLog {
    interval: Duration,
    last: Mutex<HashMap<String, Instant>>,
}

impl WriteLog {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: Mutex::default(),
        }
    }

    /// How long `key` must still wait before its next write; `None` when it may write now.
    pub fn wait(&self, key: &str) -> Option<Duration> {
        let last = self.lock();
        let elapsed = last.get(key)?.elapsed();
        (elapsed < self.interval).then(|| self.interval - elapsed)
    }

    /// `key` was written just now.
    pub fn record(&self, key: &str) {
        self.lock().insert(key.to_owned(), Instant::now());
    }

    /// `key` is gone; its entry would only take memory.
    pub fn forget(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        crate::locks::lock(&self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_opens_a_window_per_key() {
        let log = WriteLog::new(Duration::from_secs(60));
        assert_eq!(log.wait("shop/web"), None, "never written");
        log.record("shop/web");
        let wait = log.wait("shop/web").expect("inside the window");
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        assert_eq!(log.wait("shop/cart"), None, "other keys are independent");
        log.forget("shop/web");
        assert_eq!(log.wait("shop/web"), None);
        let none = WriteLog::new(Duration::ZERO);
        none.record("a");
        assert_eq!(none.wait("a"), None, "a zero interval never waits");
    }
}
