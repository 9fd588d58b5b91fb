//! This replica's own Lease in the shard group: created on joining, renewed every retry
//! period, deleted on leaving. Others judge it alive while it keeps changing
//! ([`karmada_manager_core::shard::Peers`]). A replica that cannot renew within the renew
//! deadline stops (the process exits), before the lease duration after which the others
//! take its members over: a member never has two writers for longer than a watch event's
//! delay.

use crate::error::{Error, Result};
use crate::leader::{LeaseSettings, keep_renewing};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;

/// The label that gathers the Leases of one shard group; its value is the group's name
/// (`--leader-election-lease-name`).
pub const GROUP_LABEL: &str = "insight.karmada-manager.io/shard-group";

pub struct ShardLease {
    api: Api<Lease>,
    /// The Lease's name: the group's, then this replica's identity.
    name: String,
    settings: LeaseSettings,
}

impl ShardLease {
    pub fn new(hub: kube::Client, settings: LeaseSettings) -> Self {
        ShardLease {
            api: Api::namespaced(hub, &settings.namespace),
            name: lease_name(&settings.name, &settings.identity),
            settings,
        }
    }

    /// The label selector of the group's Leases.
    pub fn selector(&self) -> String {
        format!("{GROUP_LABEL}={}", self.settings.name)
    }

    /// Creates this replica's Lease, trying every retry period until the hub takes it;
    /// returns when the successful attempt started (the renew deadline counts from there).
    pub async fn join(&self) -> Instant {
        loop {
            let started = Instant::now();
            let attempt = tokio::time::timeout(self.settings.renew_deadline, self.renew());
            match attempt.await {
                Ok(Ok(())) => {
                    tracing::info!(lease = %self.name, identity = %self.settings.identity, "joined the shard group");
                    return started;
                }
                Ok(Err(err)) => {
                    tracing::warn!(lease = %self.name, error = %err, "joining the shard group failed; retrying")
                }
                Err(_) => {
                    tracing::warn!(lease = %self.name, "joining the shard group got no answer in time; retrying")
                }
            }
            tokio::time::sleep(self.settings.retry_period).await;
        }
    }

    /// Renews the Lease every retry period from `renewed`; returns once a renew deadline has
    /// passed without a successful renew.
    pub async fn keep(&self, renewed: Instant) {
        let renew = || async { self.renew().await.map(|()| true) };
        keep_renewing(&self.settings, &self.name, renewed, renew).await;
        tracing::error!(lease = %self.name, "stopping: the others may take this replica's share");
    }

    /// Deletes the Lease (on shutdown), so that the others take this replica's share at once.
    /// Bounded by the renew deadline: a hub that does not answer must not hold up the exit
    /// (the Lease then expires by itself).
    pub async fn leave(&self) -> Result<()> {
        let params = DeleteParams::default();
        let deleting = self.api.delete(&self.name, &params);
        let Ok(deleted) = tokio::time::timeout(self.settings.renew_deadline, deleting).await else {
            tracing::warn!(lease = %self.name, "deleting the shard lease got no answer in time; it expires by itself");
            return Ok(());
        };
        match deleted {
            Ok(_) => {
                tracing::info!(lease = %self.name, "left the shard group");
                Ok(())
            }
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(err) => Err(Error::Kube(err)),
        }
    }

    /// Moves `renewTime` on (the record changes, so the others see this replica alive), or
    /// creates the Lease when it does not exist (first join, or deleted by hand).
    async fn renew(&self) -> Result<()> {
        let now = MicroTime(Timestamp::now());
        let patch = json!({"spec": {
            "holderIdentity": self.settings.identity,
            "leaseDurationSeconds": self.duration_seconds(),
            "renewTime": now,
        }});
        let params = PatchParams::default();
        match self
            .api
            .patch(&self.name, &params, &Patch::Merge(&patch))
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => self.create(now).await,
            Err(err) => Err(Error::Kube(err)),
        }
    }

    async fn create(&self, now: MicroTime) -> Result<()> {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: Some(self.settings.namespace.clone()),
                labels: Some(BTreeMap::from([(
                    GROUP_LABEL.to_owned(),
                    self.settings.name.clone(),
                )])),
                ..ObjectMeta::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(self.settings.identity.clone()),
                lease_duration_seconds: Some(self.duration_seconds()),
                acquire_time: Some(now.clone()),
                renew_time: Some(now),
                ..LeaseSpec::default()
            }),
        };
        self.api.create(&PostParams::default(), &lease).await?;
        Ok(())
    }

    fn duration_seconds(&self) -> i32 {
        i32::try_from(self.settings.lease_duration.as_secs()).unwrap_or(i32::MAX)
    }
}

/// `<group>-<identity>` as a Lease name: lower case, characters other than letters, digits
/// and `-` replaced by `-` (an identity is `<pod>_<pid>`), at most 253 characters.
fn lease_name(group: &str, identity: &str) -> String {
    let spelled: String = format!("{group}-{identity}")
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed = spelled.trim_matches('-');
    trimmed
        .chars()
        .take(253)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_name_is_a_valid_object_name_from_the_identity() {
        assert_eq!(
            lease_name("karmada-manager", "karmada-manager-7d9f_1"),
            "karmada-manager-karmada-manager-7d9f-1"
        );
        assert_eq!(lease_name("km", "Host.Example_42"), "km-host-example-42");
        assert!(lease_name("km", &"x".repeat(400)).len() <= 253);
    }
}
