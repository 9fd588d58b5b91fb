//! Turns for a member's first list of its nodes and pods. At start every member lists at once,
//! and a 20,000-pod member's pages are several megabytes each: with a hundred members those
//! bodies are all held and decoded together, and the allocator keeps the peak long after the
//! sync. Letting a few members list at a time bounds that peak without slowing the fleet's sync
//! on a CPU-bound machine.
//!
//! A turn never holds up the fleet for a member's sake: it ends when the member is listed, when
//! its watches fail (the task then backs off and retries without a turn), or after
//! [`TURN_LIMIT`], whichever comes first. Relists after the first list take no turn: the last
//! figures stand in meanwhile, and they are rare.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest a member keeps its turn. A healthy member lists far faster even at 20,000 pods;
/// one whose answer trickles in lets the next member start.
pub const TURN_LIMIT: Duration = Duration::from_secs(60);

/// The turns shared by every member task; cloned into each.
#[derive(Clone, Debug)]
pub struct FirstLists {
    /// `None`: no limit.
    turns: Option<Arc<Semaphore>>,
}

impl FirstLists {
    /// At most `concurrency` members listing at once; 0 means no limit.
    pub fn new(concurrency: usize) -> Self {
        Self {
            turns: (concurrency > 0).then(|| Arc::new(Semaphore::new(concurrency))),
        }
    }

    /// Whether a member may have to wait for a turn.
    pub fn limited(&self) -> bool {
        self.turns.is_some()
    }

    /// Waits for a turn (at once when there is no limit).
    pub async fn take(&self) -> Turn {
        let permit = match &self.turns {
            // The semaphore is never closed, so acquiring only fails if it were.
            Some(turns) => turns.clone().acquire_owned().await.ok(),
            None => None,
        };
        Turn {
            ends: Instant::now() + TURN_LIMIT,
            permit,
        }
    }
}

/// One member's turn; released when dropped or [`end`](Turn::end)ed.
#[derive(Debug)]
pub struct Turn {
    ends: Instant,
    permit: Option<OwnedSemaphorePermit>,
}

impl Turn {
    /// A turn that holds nothing: for a member that lists again after its first list.
    pub fn none() -> Self {
        Self {
            ends: Instant::now(),
            permit: None,
        }
    }

    /// Whether this turn still keeps another member waiting.
    pub fn held(&self) -> bool {
        self.permit.is_some()
    }

    pub fn end(&mut self) {
        self.permit = None;
    }

    /// Resolves when the turn's time is up (never while nothing is held).
    pub async fn expired(&self) {
        if self.held() {
            tokio::time::sleep_until(self.ends).await;
        } else {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a turn is given within `within`.
    async fn given(turns: &FirstLists, within: Duration) -> Option<Turn> {
        tokio::time::timeout(within, turns.take()).await.ok()
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_is_given_back_when_ended_dropped_or_timed_out() {
        let turns = FirstLists::new(1);
        let mut first = turns.take().await;
        assert!(first.held());
        assert!(given(&turns, Duration::from_secs(1)).await.is_none());
        first.end();
        let second = given(&turns, Duration::from_secs(1)).await.expect("ended");
        drop(second);
        let mut third = given(&turns, Duration::from_secs(1))
            .await
            .expect("dropped");

        // A member that never finishes listing keeps its turn only until the limit.
        tokio::time::timeout(TURN_LIMIT + Duration::from_secs(1), third.expired())
            .await
            .expect("the limit ends the turn");
        third.end();
        assert!(given(&turns, Duration::from_secs(1)).await.is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_limit_nobody_waits_and_nothing_expires() {
        let turns = FirstLists::new(0);
        assert!(!turns.limited());
        let held: Vec<Turn> = futures::future::join_all((0..100).map(|_| turns.take())).await;
        assert!(held.iter().all(|t| !t.held()));
        let expiry = tokio::time::timeout(TURN_LIMIT * 2, held[0].expired()).await;
        assert!(expiry.is_err(), "a turn that holds nothing never expires");
    }
}
