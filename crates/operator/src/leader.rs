//! Leader election with a `coordination.k8s.io/v1` Lease, the protocol client-go's
//! `leaderelection` uses:
//!
//! - The holder renews the Lease every retry period. Each renew is bounded by the time left
//!   until the renew deadline (counted from the start of the last successful renew); a leader
//!   that cannot renew by then stops leading — the process exits and is restarted — while a
//!   standby still has to wait out the rest of the lease duration. The renew deadline is
//!   shorter than the lease duration, so the old leader has stopped before anyone may take over.
//! - A candidate judges expiry by its own clock: the Lease expires `leaseDurationSeconds` after
//!   the candidate last saw its record change, whatever `renewTime` says. Clocks of different
//!   machines may disagree by more than the lease duration; the time a record stays unchanged,
//!   measured by one clock, cannot.
//! - Every write carries the `resourceVersion` it read, so two candidates can never both win.
//! - On shutdown the leader releases the Lease so a standby takes over at once.
//!
//! Written here because the Lease crates of the kube-rs ecosystem judge expiry from the
//! holder's `renewTime` against the local clock and send their requests without a deadline.

use crate::error::{Error, Result};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use prometheus_client::metrics::gauge::Gauge;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct LeaseSettings {
    pub namespace: String,
    pub name: String,
    /// This replica's identity in `holderIdentity` (the pod name, unique per replica).
    pub identity: String,
    pub lease_duration: Duration,
    pub renew_deadline: Duration,
    pub retry_period: Duration,
}

impl LeaseSettings {
    /// The rules that make a single writer possible: the leader gives up (renew deadline)
    /// before a standby may take over (lease duration), and retries within its deadline.
    pub fn validate(&self) -> Result<()> {
        let problem = if self.lease_duration <= self.renew_deadline {
            "the lease duration must be longer than the renew deadline, or a standby may take over while the leader still writes"
        } else if self.renew_deadline <= self.retry_period {
            "the renew deadline must be longer than the retry period, or the leader gives up after a single failed renew"
        } else if self.retry_period.is_zero() {
            "the retry period must be positive"
        } else if self.lease_duration.as_secs() < 1 {
            "the lease duration must be at least 1s (Leases count whole seconds)"
        } else {
            return Ok(());
        };
        Err(Error::LeaderElectionSettings(format!(
            "{problem} (--leader-election-lease-duration {:?}, --leader-election-renew-deadline {:?}, --leader-election-retry-period {:?})",
            self.lease_duration, self.renew_deadline, self.retry_period
        )))
    }
}

/// What one attempt decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// We hold the Lease (acquired or renewed).
    Leading,
    /// Someone else holds a Lease that has not expired.
    Following,
}

pub struct LeaderElector {
    api: Api<Lease>,
    settings: LeaseSettings,
    /// The Lease's record as this replica last saw it, and when (by this replica's clock).
    observed: Mutex<Option<Observed>>,
    /// Set to the Lease's `leaseTransitions` whenever it is read or written (`/metrics`).
    transitions: Gauge,
}

/// A Lease record and the local instant it was first seen with this content.
#[derive(Clone, Debug)]
struct Observed {
    record: LeaseSpec,
    at: Instant,
}

impl LeaderElector {
    pub fn new(hub: kube::Client, settings: LeaseSettings) -> Self {
        Self {
            api: Api::namespaced(hub, &settings.namespace),
            settings,
            observed: Mutex::default(),
            transitions: Gauge::default(),
        }
    }

    /// Reports the Lease's `leaseTransitions` to `gauge` (leadership flapping is alerted on).
    pub fn with_transitions_gauge(mut self, gauge: Gauge) -> Self {
        self.transitions = gauge;
        self
    }

    /// Tries until the Lease is ours; returns when the winning attempt started, from which
    /// the renew deadline counts.
    pub async fn acquire(&self) -> Instant {
        let mut announced = false;
        loop {
            let started = Instant::now();
            // A hub that does not answer must not hold up the next attempt forever.
            let attempt = tokio::time::timeout(self.settings.renew_deadline, self.attempt());
            match attempt.await {
                Ok(Ok(Attempt::Leading)) => {
                    tracing::info!(lease = %self.settings.name, identity = %self.settings.identity, "became leader");
                    return started;
                }
                Ok(Ok(Attempt::Following)) if !announced => {
                    tracing::info!(lease = %self.settings.name, "another replica leads; standing by with warm caches");
                    announced = true;
                }
                Ok(Ok(Attempt::Following)) => {}
                Ok(Err(err)) => {
                    tracing::warn!(lease = %self.settings.name, error = %err, "leader election failed; retrying")
                }
                Err(_) => {
                    tracing::warn!(lease = %self.settings.name, "leader election got no answer in time; retrying")
                }
            }
            tokio::time::sleep(self.settings.retry_period).await;
        }
    }

    /// Renews the Lease every retry period, from `renewed` (when the acquiring attempt
    /// started); returns when leadership is lost: not renewed within the renew deadline —
    /// every attempt is cut off when the deadline passes — or taken by another replica.
    pub async fn keep(&self, renewed: Instant) {
        let renew = || async {
            let attempt = self.attempt().await?;
            if attempt == Attempt::Following {
                tracing::error!(lease = %self.settings.name, "another replica took the lease");
            }
            Ok(attempt == Attempt::Leading)
        };
        keep_renewing(&self.settings, &self.settings.name, renewed, renew).await;
        tracing::error!(lease = %self.settings.name, "stepping down");
    }

    /// Gives the Lease up (on shutdown), so that a standby need not wait for it to expire.
    pub async fn release(&self) -> Result<()> {
        let Some(mut lease) = self.api.get_opt(&self.settings.name).await? else {
            return Ok(());
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        if spec.holder_identity.as_deref() != Some(self.settings.identity.as_str()) {
            return Ok(());
        }
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(MicroTime(Timestamp::now()));
        self.api
            .replace(&self.settings.name, &PostParams::default(), &lease)
            .await?;
        tracing::info!(lease = %self.settings.name, "released the lease");
        Ok(())
    }

    /// One acquire-or-renew: reads the Lease and writes it back as ours when it is ours
    /// already, free, or expired by this replica's clock.
    async fn attempt(&self) -> Result<Attempt> {
        let now = Instant::now();
        let Some(mut lease) = self.api.get_opt(&self.settings.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.settings.name.clone()),
                    namespace: Some(self.settings.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(self.spec(None, 0)),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(created) => Ok(self.won(created, now)),
                // Another candidate created it first.
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(Attempt::Following),
                Err(err) => Err(Error::Kube(err)),
            };
        };
        let current = lease.spec.clone().unwrap_or_default();
        self.transitions
            .set(i64::from(current.lease_transitions.unwrap_or(0)));
        let ours = current.holder_identity.as_deref() == Some(self.settings.identity.as_str());
        let expired = {
            let mut observed = crate::locks::lock(&self.observed);
            expired(&mut observed, &current, now, self.settings.lease_duration)
        };
        if !ours && !expired {
            return Ok(Attempt::Following);
        }
        // Saturating: a hand-edited Lease at i32::MAX must not overflow.
        let transitions = current
            .lease_transitions
            .unwrap_or(0)
            .saturating_add(i32::from(!ours));
        let acquired = if ours { current.acquire_time } else { None };
        lease.spec = Some(self.spec(acquired, transitions));
        // `replace` sends the resourceVersion read above: a concurrent change makes it fail
        // with 409, and this attempt lost.
        match self
            .api
            .replace(&self.settings.name, &PostParams::default(), &lease)
            .await
        {
            Ok(written) => Ok(self.won(written, now)),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(Attempt::Following),
            Err(err) => Err(Error::Kube(err)),
        }
    }

    /// Our write went through: the record we wrote is the one last seen.
    fn won(&self, lease: Lease, at: Instant) -> Attempt {
        let record = lease.spec.unwrap_or_default();
        self.transitions
            .set(i64::from(record.lease_transitions.unwrap_or(0)));
        *crate::locks::lock(&self.observed) = Some(Observed { record, at });
        Attempt::Leading
    }

    fn spec(&self, acquired: Option<MicroTime>, transitions: i32) -> LeaseSpec {
        let now = MicroTime(Timestamp::now());
        LeaseSpec {
            holder_identity: Some(self.settings.identity.clone()),
            lease_duration_seconds: Some(
                i32::try_from(self.settings.lease_duration.as_secs()).unwrap_or(i32::MAX),
            ),
            acquire_time: acquired.or(Some(now.clone())),
            renew_time: Some(now),
            lease_transitions: Some(transitions),
            ..LeaseSpec::default()
        }
    }
}

/// Renews a Lease with `renew` every retry period from `renewed` (when the last successful
/// renew started), each attempt cut off when the renew deadline counted from there passes;
/// returns when `renew` says the Lease is no longer ours (`Ok(false)`) or the deadline passed
/// without a successful renew. Lease `name` names it in the logs.
pub async fn keep_renewing<F, R>(
    settings: &LeaseSettings,
    name: &str,
    mut renewed: Instant,
    renew: F,
) where
    F: Fn() -> R,
    R: Future<Output = Result<bool>>,
{
    loop {
        tokio::time::sleep(settings.retry_period).await;
        let deadline = renewed + settings.renew_deadline;
        let started = Instant::now();
        match tokio::time::timeout_at(deadline.into(), renew()).await {
            Ok(Ok(true)) => renewed = started,
            Ok(Ok(false)) => return,
            Ok(Err(err)) => {
                tracing::warn!(lease = %name, error = %err, "renewing the lease failed");
            }
            Err(_) => {
                tracing::warn!(lease = %name, "renewing the lease got no answer before the renew deadline");
            }
        }
        if Instant::now() >= deadline {
            tracing::error!(lease = %name, deadline = ?settings.renew_deadline, "lease not renewed within the renew deadline");
            return;
        }
    }
}

/// Whether the Lease `record`, read at `now`, has expired by this replica's clock: nobody holds
/// it, or it has not changed for its `leaseDurationSeconds` (`default` when it names none) since
/// this replica first saw it as it is. Records what was seen in `observed`.
fn expired(
    observed: &mut Option<Observed>,
    record: &LeaseSpec,
    now: Instant,
    default: Duration,
) -> bool {
    if record.holder_identity.as_deref().is_none_or(str::is_empty) {
        return true;
    }
    let seen_since = match observed {
        Some(seen) if seen.record == *record => seen.at,
        _ => {
            *observed = Some(Observed {
                record: record.clone(),
                at: now,
            });
            now
        }
    };
    let duration = record
        .lease_duration_seconds
        .and_then(|s| u64::try_from(s).ok())
        .map_or(default, Duration::from_secs);
    now.saturating_duration_since(seen_since) >= duration
}

#[cfg(test)]
mod tests {
    use super::*;

    const DURATION: Duration = Duration::from_secs(15);

    fn lease(holder: Option<&str>, renewed_at: i64) -> LeaseSpec {
        LeaseSpec {
            holder_identity: holder.map(str::to_owned),
            renew_time: Some(MicroTime(Timestamp::from_second(renewed_at).unwrap())),
            lease_duration_seconds: Some(15),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn a_lease_expires_a_duration_after_its_record_last_changed_by_the_local_clock() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut observed = None;
        // The holder's renewTime is an hour behind (a skewed clock): judging by it would
        // take over at once. Judged locally, the Lease was just seen.
        let skewed = lease(Some("a"), 0);
        assert!(!expired(&mut observed, &skewed, at(0), DURATION));
        assert!(!expired(&mut observed, &skewed, at(14), DURATION));
        // Renewed (the record changed): the duration counts again from now.
        let renewed = lease(Some("a"), 2);
        assert!(!expired(&mut observed, &renewed, at(14), DURATION));
        assert!(!expired(&mut observed, &renewed, at(28), DURATION));
        assert!(expired(&mut observed, &renewed, at(29), DURATION));
        // A holder far ahead (renewTime in the future) still expires once it stops renewing.
        let mut observed = None;
        let ahead = lease(Some("b"), 4_000_000_000);
        assert!(!expired(&mut observed, &ahead, at(0), DURATION));
        assert!(expired(&mut observed, &ahead, at(15), DURATION));
    }

    #[test]
    fn a_released_or_unheld_lease_is_free_at_once() {
        let now = Instant::now();
        assert!(expired(&mut None, &lease(None, 100), now, DURATION));
        assert!(expired(&mut None, &lease(Some(""), 100), now, DURATION));
        let never_renewed = LeaseSpec {
            holder_identity: Some("a".into()),
            ..LeaseSpec::default()
        };
        assert!(
            !expired(&mut None, &never_renewed, now, DURATION),
            "held: it waits a duration like any other"
        );
    }

    fn settings(duration: u64, deadline: u64, retry: u64) -> LeaseSettings {
        LeaseSettings {
            namespace: "karmada-system".into(),
            name: "karmada-manager".into(),
            identity: "a".into(),
            lease_duration: Duration::from_secs(duration),
            renew_deadline: Duration::from_secs(deadline),
            retry_period: Duration::from_secs(retry),
        }
    }

    #[test]
    fn durations_that_allow_two_writers_are_refused_at_start() {
        assert!(settings(15, 10, 2).validate().is_ok());
        let err = settings(10, 10, 2).validate().unwrap_err().to_string();
        assert!(err.contains("longer than the renew deadline"), "{err}");
        let err = settings(15, 2, 2).validate().unwrap_err().to_string();
        assert!(err.contains("longer than the retry period"), "{err}");
        assert!(settings(15, 10, 0).validate().is_err());
    }
}
