//! The fleet's budget for writes that only drift (`--drift-writes-kib-per-second`): a token
//! bucket of status bytes, refilled at the set rate and holding at most one second of it.
//!
//! A write that fits takes its bytes now. One that does not still takes them, leaving the bucket
//! in debt, and is given the time the debt will be paid: its turn. Whoever asks next queues
//! behind it, so the drifting objects are written in the order they asked, each as soon as the
//! rate allows, and the hub never gets more than the rate from them whatever the fleet's size.
//! An object asked again before its turn is told the time left; at its turn it writes whatever
//! its status is by then. Significant changes never wait here and take nothing from it.
//!
//! The rate is the fleet's. With `--sharding` each replica takes the share of it that its
//! members are of the fleet ([`DriftBudget::set_share`]), so that the hub gets the rate from
//! the whole group, not from each replica, and a member's drift waits as long whichever
//! replica owns it.

use crate::locks::lock;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct DriftBudget {
    /// The fleet's bytes per second; `None`: no budget, drifts are written like any change.
    rate: Option<f64>,
    state: Mutex<State>,
}

struct State {
    /// Bytes that may be written now; negative while in debt.
    tokens: f64,
    refilled_at: Instant,
    /// Objects that were given a turn, with the bytes they took.
    turns: HashMap<String, Turn>,
    /// This replica's share of the fleet's rate, in (0, 1].
    share: f64,
}

struct Turn {
    at: Instant,
    bytes: f64,
}

/// How long a drift waits for its turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    pub left: Duration,
    /// The turn was given by this call (not an earlier one).
    pub new_turn: bool,
}

impl DriftBudget {
    /// A budget of `kib_per_second` KiB a second; 0 for none.
    pub fn new(kib_per_second: u32) -> Self {
        let rate = (kib_per_second > 0).then(|| f64::from(kib_per_second) * 1024.0);
        Self {
            rate,
            state: Mutex::new(State {
                tokens: rate.unwrap_or_default(),
                refilled_at: Instant::now(),
                turns: HashMap::new(),
                share: 1.0,
            }),
        }
    }

    /// This replica owns `owned` of the fleet's `total` members: it takes that share of the
    /// rate. A replica that owns none keeps the share of one, so that no rate is ever zero.
    pub fn set_share(&self, owned: usize, total: usize) {
        let share = if total == 0 {
            1.0
        } else {
            (owned.max(1) as f64 / total as f64).min(1.0)
        };
        lock(&self.state).share = share;
    }

    /// Whether `key` may write a drift of `bytes` now (`None`) or how long it waits for its
    /// turn.
    pub fn wait(&self, key: &str, bytes: usize) -> Option<Wait> {
        self.wait_at(key, bytes, Instant::now())
    }

    fn wait_at(&self, key: &str, bytes: usize, now: Instant) -> Option<Wait> {
        let fleet_rate = self.rate?;
        let mut state = lock(&self.state);
        let rate = fleet_rate * state.share;
        if let Some(turn) = state.turns.get(key) {
            if turn.at > now {
                return Some(Wait {
                    left: turn.at - now,
                    new_turn: false,
                });
            }
            state.turns.remove(key);
            return None;
        }
        let elapsed = now.saturating_duration_since(state.refilled_at);
        state.tokens = (state.tokens + rate * elapsed.as_secs_f64()).min(rate);
        state.refilled_at = now;
        let bytes = bytes as f64;
        state.tokens -= bytes;
        if state.tokens >= 0.0 {
            return None;
        }
        let at = now + Duration::from_secs_f64(-state.tokens / rate);
        state.turns.insert(key.to_owned(), Turn { at, bytes });
        Some(Wait {
            left: at - now,
            new_turn: true,
        })
    }

    /// `key` holds a turn that has not come yet.
    pub fn waiting(&self, key: &str) -> bool {
        self.waiting_at(key, Instant::now())
    }

    fn waiting_at(&self, key: &str, now: Instant) -> bool {
        let state = lock(&self.state);
        state.turns.get(key).is_some_and(|turn| turn.at > now)
    }

    /// `key`'s status was written (a significant change carried its drift along, or its turn
    /// came) or it is gone: a turn it still waited for is given back.
    pub fn settled(&self, key: &str) {
        self.settled_at(key, Instant::now());
    }

    fn settled_at(&self, key: &str, now: Instant) {
        let mut state = lock(&self.state);
        if let Some(turn) = state.turns.remove(key)
            && turn.at > now
        {
            state.tokens += turn.bytes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: usize = 1024;

    #[test]
    fn drifts_within_the_rate_are_written_at_once() {
        let budget = DriftBudget::new(100);
        let start = Instant::now();
        assert_eq!(budget.wait_at("m1", 60 * KIB, start), None);
        assert_eq!(budget.wait_at("m2", 40 * KIB, start), None);
        let later = start + Duration::from_secs(1);
        assert_eq!(budget.wait_at("m3", 100 * KIB, later), None, "refilled");
    }

    #[test]
    fn beyond_the_rate_objects_take_turns_in_the_order_they_asked() {
        let budget = DriftBudget::new(100);
        let start = Instant::now();
        assert_eq!(budget.wait_at("m1", 100 * KIB, start), None);
        let wait = |left, new_turn| Some(Wait { left, new_turn });
        assert_eq!(
            budget.wait_at("m2", 100 * KIB, start),
            wait(Duration::from_secs(1), true)
        );
        assert_eq!(
            budget.wait_at("m3", 50 * KIB, start),
            wait(Duration::from_millis(1500), true),
            "behind m2"
        );
        let asked_again = start + Duration::from_millis(400);
        assert_eq!(
            budget.wait_at("m2", 100 * KIB, asked_again),
            wait(Duration::from_millis(600), false),
            "the same turn, not a new one"
        );
        assert!(budget.waiting_at("m2", asked_again));
        assert!(!budget.waiting_at("m1", asked_again), "m1 wrote at once");
        let turn = start + Duration::from_secs(1);
        assert!(!budget.waiting_at("m2", turn), "its turn came");
        assert_eq!(budget.wait_at("m2", 100 * KIB, turn), None, "its turn");
    }

    #[test]
    fn a_turn_given_back_early_returns_its_bytes() {
        let budget = DriftBudget::new(100);
        let start = Instant::now();
        assert_eq!(budget.wait_at("m1", 100 * KIB, start), None);
        assert!(budget.wait_at("m2", 100 * KIB, start).is_some());
        budget.settled_at("m2", start);
        assert_eq!(
            budget.wait_at("m3", 100 * KIB, start + Duration::from_secs(1)),
            None,
            "m2's bytes were returned"
        );
    }

    #[test]
    fn a_replica_owning_a_quarter_of_the_members_takes_a_quarter_of_the_rate() {
        let budget = DriftBudget::new(400);
        budget.set_share(25, 100);
        let start = Instant::now();
        // Holds one second of its own rate, 100 KiB, not of the fleet's.
        let later = start + Duration::from_secs(10);
        assert_eq!(budget.wait_at("m1", 100 * KIB, later), None);
        assert_eq!(
            budget.wait_at("m2", 100 * KIB, later),
            Some(Wait {
                left: Duration::from_secs(1),
                new_turn: true
            }),
            "100 KiB at 100 KiB a second"
        );
        budget.set_share(0, 100);
        let much_later = later + Duration::from_secs(60);
        assert_eq!(
            budget.wait_at("m3", 4 * KIB, much_later),
            None,
            "never a zero rate"
        );
        budget.set_share(0, 0);
        let next_second = much_later + Duration::from_secs(1);
        assert_eq!(
            budget.wait_at("m4", 396 * KIB, next_second),
            None,
            "no fleet: the whole rate"
        );
    }

    #[test]
    fn without_a_budget_nothing_waits() {
        let budget = DriftBudget::new(0);
        let start = Instant::now();
        for key in ["m1", "m2", "m3"] {
            assert_eq!(budget.wait_at(key, 10_000 * KIB, start), None);
        }
    }
}
