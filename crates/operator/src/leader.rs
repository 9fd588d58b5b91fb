//! Leader election with a `coordination.k8s.io/v1` Lease, the protocol client-go's
//! `leaderelection` uses: the holder renews `renewTime` every retry period; a candidate takes
//! the Lease over once `renewTime + leaseDurationSeconds` has passed; every write carries the
//! `resourceVersion` it read, so two candidates can never both win. A leader that cannot renew
//! within the renew deadline stops being leader (the process exits and is restarted: a
//! replica that might have lost the Lease must not write). On shutdown the leader releases the
//! Lease so a standby takes over at once.
//!
//! Written here because the crates implementing it still target an older kube.

use crate::error::{Error, Result};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, PostParams};
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
}

impl LeaderElector {
    pub fn new(hub: kube::Client, settings: LeaseSettings) -> Self {
        Self {
            api: Api::namespaced(hub, &settings.namespace),
            settings,
        }
    }

    /// Tries until the Lease is ours.
    pub async fn acquire(&self) {
        let mut announced = false;
        loop {
            match self.try_acquire_or_renew().await {
                Ok(Attempt::Leading) => {
                    tracing::info!(lease = %self.settings.name, identity = %self.settings.identity, "became leader");
                    return;
                }
                Ok(Attempt::Following) if !announced => {
                    tracing::info!(lease = %self.settings.name, "another replica leads; standing by with warm caches");
                    announced = true;
                }
                Ok(Attempt::Following) => {}
                Err(err) => {
                    tracing::warn!(lease = %self.settings.name, error = %err, "leader election failed; retrying")
                }
            }
            tokio::time::sleep(self.settings.retry_period).await;
        }
    }

    /// Renews the Lease every retry period; returns when leadership is lost (not renewed
    /// within the renew deadline, or taken by another replica).
    pub async fn keep(&self) {
        let mut last_renewed = Instant::now();
        loop {
            tokio::time::sleep(self.settings.retry_period).await;
            match self.try_acquire_or_renew().await {
                Ok(Attempt::Leading) => last_renewed = Instant::now(),
                Ok(Attempt::Following) => {
                    tracing::error!(lease = %self.settings.name, "another replica took the lease");
                    return;
                }
                Err(err) => {
                    tracing::warn!(lease = %self.settings.name, error = %err, "renewing the lease failed");
                    if last_renewed.elapsed() >= self.settings.renew_deadline {
                        tracing::error!(lease = %self.settings.name, "lease not renewed within the renew deadline");
                        return;
                    }
                }
            }
        }
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

    async fn try_acquire_or_renew(&self) -> Result<Attempt> {
        let now = Timestamp::now();
        let Some(mut lease) = self.api.get_opt(&self.settings.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.settings.name.clone()),
                    namespace: Some(self.settings.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(self.spec(now, None, 0)),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(Attempt::Leading),
                // Another candidate created it first.
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(Attempt::Following),
                Err(err) => Err(Error::Kube(err)),
            };
        };
        let current = lease.spec.clone().unwrap_or_default();
        let ours = current.holder_identity.as_deref() == Some(self.settings.identity.as_str());
        if !ours && !expired(&current, now) {
            return Ok(Attempt::Following);
        }
        // Saturating: a hand-edited Lease at i32::MAX must not overflow.
        let transitions = current
            .lease_transitions
            .unwrap_or(0)
            .saturating_add(i32::from(!ours));
        let acquired = if ours { current.acquire_time } else { None };
        lease.spec = Some(self.spec(now, acquired, transitions));
        // `replace` sends the resourceVersion read above: a concurrent change makes it fail
        // with 409, and this attempt lost.
        match self
            .api
            .replace(&self.settings.name, &PostParams::default(), &lease)
            .await
        {
            Ok(_) => Ok(Attempt::Leading),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(Attempt::Following),
            Err(err) => Err(Error::Kube(err)),
        }
    }

    fn spec(&self, now: Timestamp, acquired: Option<MicroTime>, transitions: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(self.settings.identity.clone()),
            lease_duration_seconds: Some(
                i32::try_from(self.settings.lease_duration.as_secs()).unwrap_or(i32::MAX),
            ),
            acquire_time: acquired.or(Some(MicroTime(now))),
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(transitions),
            ..LeaseSpec::default()
        }
    }
}

/// A Lease nobody holds, never renewed, or not renewed for longer than its duration.
fn expired(spec: &LeaseSpec, now: Timestamp) -> bool {
    if spec.holder_identity.as_deref().is_none_or(str::is_empty) {
        return true;
    }
    let (Some(renewed), Some(seconds)) = (&spec.renew_time, spec.lease_duration_seconds) else {
        return true;
    };
    let until = renewed
        .0
        .checked_add(SignedDuration::from_secs(i64::from(seconds)))
        .unwrap_or(renewed.0);
    now >= until
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(holder: Option<&str>, renewed_at: i64, seconds: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: holder.map(str::to_owned),
            renew_time: Some(MicroTime(Timestamp::from_second(renewed_at).unwrap())),
            lease_duration_seconds: Some(seconds),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn a_lease_expires_after_its_duration_or_without_holder() {
        let at = |s| Timestamp::from_second(s).unwrap();
        assert!(!expired(&lease(Some("a"), 100, 15), at(114)));
        assert!(expired(&lease(Some("a"), 100, 15), at(115)));
        assert!(expired(&lease(None, 100, 15), at(101)), "released");
        assert!(expired(&lease(Some(""), 100, 15), at(101)));
        assert!(expired(&LeaseSpec::default(), at(0)), "never renewed");
    }
}
