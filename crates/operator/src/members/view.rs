//! A member as the core's builders take it: its index (locked for reading while a status is
//! built) and its health as data, with failure ages measured now. The ClusterInsight and the
//! placements both read members through here, so they judge a member by the same facts.

use super::registry::Connection;
use karmada_manager_core::{ConnectionProblem, MemberFailure, MemberHealth, MemberView};
use std::time::Instant;

/// Runs `f` with member `connection` as a [`MemberView`] (`metrics`: include NodeMetrics).
pub fn with_view<T>(
    connection: &Connection,
    metrics: bool,
    f: impl FnOnce(MemberView<'_>) -> T,
) -> T {
    match connection {
        Connection::Watched {
            shared,
            endpoint,
            source,
        } => {
            let health = shared.health();
            let now = Instant::now();
            let failure = health.failure.as_ref().map(|f| MemberFailure {
                reason: f.reason,
                message: f.message.clone(),
                age: now.saturating_duration_since(f.since),
                stalled: f.stalled,
            });
            let usage = if metrics { shared.metrics() } else { None };
            let stale = metrics && shared.metrics_stale();
            let index = crate::locks::read(&shared.index);
            f(MemberView::Watched {
                index: &index.cluster,
                health: MemberHealth {
                    failure: failure.as_ref(),
                    listed: shared.listed(),
                    waiting_for_turn: shared.waiting_for_turn(),
                },
                source: *source,
                endpoint,
                metrics: usage.as_deref(),
                metrics_stale: stale,
            })
        }
        Connection::Unwatched(problem) => {
            let problem = ConnectionProblem {
                reason: problem.reason(),
                message: problem.to_string(),
                settings_absent: problem.settings_absent(),
            };
            f(MemberView::Unwatched {
                problem: Some(&problem),
            })
        }
    }
}
