//! How a member's watches retry after an error.
//!
//! kube-runtime's default (0.8 s doubling to 30 s, plus up to as much again in jitter) suits
//! the hub, but a member that restarts or flaps would then stay stale for up to a minute after
//! it is back: the fault tests measured 69 s. A failed attempt against a member costs one
//! connection, so retrying sooner is cheap, and a hanging member still costs at most one
//! attempt per watch every 8–16 s.

use kube::runtime::utils::ResetTimerBackoff;
use kube::runtime::watcher::ExponentialBackoff;
use std::time::Duration;

const FIRST: Duration = Duration::from_millis(500);
const LONGEST: Duration = Duration::from_secs(8);
/// After this long without an error the next one starts from [`FIRST`] again.
const RESET_AFTER: Duration = Duration::from_secs(60);

pub fn member_watch_backoff() -> ResetTimerBackoff<ExponentialBackoff> {
    let exponential = backon::ExponentialBuilder::default()
        .with_min_delay(FIRST)
        .with_max_delay(LONGEST)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times();
    ResetTimerBackoff::new(exponential.into(), RESET_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_forever_and_never_wait_longer_than_twice_the_cap() {
        let delays: Vec<Duration> = member_watch_backoff().take(50).collect();
        assert_eq!(delays.len(), 50, "never gives up");
        assert!(delays[0] >= FIRST && delays[0] < 2 * FIRST, "{delays:?}");
        assert!(delays.iter().all(|d| *d < 2 * LONGEST), "{delays:?}");
        assert!(delays[49] >= LONGEST, "reaches the cap: {delays:?}");
    }
}
