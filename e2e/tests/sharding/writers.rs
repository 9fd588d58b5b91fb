//! Who wrote what, from the hub's audit log: each write is attributed to a replica by its
//! User-Agent, and to a member when it carries that member's figures (its ClusterInsight's
//! status, or a placement's entry for it, written with field manager
//! `karmada-manager-member-<member>`). Within a settled period every member's figures must
//! come from one replica, the one whose `/metrics` say it watches the member; and each
//! placement summary and the FleetInsight from one replica at most.

use crate::replicas::Owners;
use crate::world::MEMBERS;
use anyhow::{Context, Result, ensure};
use k8s_openapi::jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use testenv::audit::Entry;

/// A time when the membership did not change and every handoff had completed: from the
/// change plus the bound until the next change.
pub struct Settled {
    pub label: String,
    pub from: Timestamp,
    pub to: Timestamp,
    pub owners: Owners,
}

/// What the audit log shows for one settled period.
pub struct Tally {
    /// Writes of member figures in the period.
    pub writes: usize,
    /// Placements whose member entries were written by more than one replica in the period.
    pub combined: usize,
    /// Writes of placement summaries and of the FleetInsight in the period.
    pub summaries: usize,
}

/// The replicas that wrote each object in a period, by what they wrote.
#[derive(Default)]
struct Writers {
    /// Member → replicas that wrote its figures.
    members: BTreeMap<String, BTreeSet<String>>,
    /// Placement → replicas that wrote its member entries.
    entries: BTreeMap<String, BTreeSet<String>>,
    /// Placement summary or FleetInsight → replicas that wrote it.
    summaries: BTreeMap<String, BTreeSet<String>>,
    writes: usize,
    summary_writes: usize,
}

/// Checks every period; fails listing each member written by another replica than its
/// watcher, by more than one, or not at all, and each summary written by several.
pub fn check(entries: &[Entry], replicas: &[String], periods: &[Settled]) -> Result<Vec<Tally>> {
    let mut tallies = Vec::new();
    let mut problems = Vec::new();
    for period in periods {
        let writers = writers(entries, replicas, period)?;
        problems.extend(misattributed(period, &writers));
        tallies.push(Tally {
            writes: writers.writes,
            combined: writers.entries.values().filter(|r| r.len() > 1).count(),
            summaries: writers.summary_writes,
        });
    }
    ensure!(
        problems.is_empty(),
        "written by the wrong replica, or by several:\n  {}",
        problems.join("\n  ")
    );
    Ok(tallies)
}

fn writers(entries: &[Entry], replicas: &[String], period: &Settled) -> Result<Writers> {
    let mut writers = Writers::default();
    for entry in entries.iter().filter(|e| e.is_write()) {
        let Some(replica) = replica_of(entry, replicas) else {
            continue;
        };
        let at: Timestamp = entry
            .request_received_timestamp
            .parse()
            .with_context(|| format!("audit timestamp {:?}", entry.request_received_timestamp))?;
        if at < period.from || at >= period.to {
            continue;
        }
        if let Some(member) = member_of(entry) {
            writers.writes += 1;
            writers
                .members
                .entry(member)
                .or_default()
                .insert(replica.clone());
            if let Some(placement) = placement_of(entry) {
                writers
                    .entries
                    .entry(placement)
                    .or_default()
                    .insert(replica);
            }
        } else if let Some(summary) = summary_of(entry) {
            writers.summary_writes += 1;
            writers
                .summaries
                .entry(summary)
                .or_default()
                .insert(replica);
        }
    }
    Ok(writers)
}

fn misattributed(period: &Settled, writers: &Writers) -> Vec<String> {
    let mut problems = Vec::new();
    let window = format!("{}, from {} to {}", period.label, period.from, period.to);
    for member in MEMBERS {
        let owner = period.owners.get(member).map_or("nobody", String::as_str);
        let by: Vec<&str> = writers
            .members
            .get(member)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if by != [owner] {
            problems.push(format!(
                "{window}: {member}'s figures written by [{}]; its watcher is {owner}",
                by.join(", ")
            ));
        }
    }
    for (object, by) in writers.summaries.iter().filter(|(_, by)| by.len() > 1) {
        let by: Vec<&str> = by.iter().map(String::as_str).collect();
        problems.push(format!("{window}: {object} written by [{}]", by.join(", ")));
    }
    problems
}

/// The member whose figures the write carries, if any.
fn member_of(entry: &Entry) -> Option<String> {
    let object = entry.object_ref.as_ref()?;
    if object.resource == "clusterinsights" && object.subresource == "status" {
        return Some(object.name.clone());
    }
    field_manager(entry)?
        .strip_prefix("karmada-manager-member-")
        .map(str::to_owned)
}

/// The placement a member's entry was written to.
fn placement_of(entry: &Entry) -> Option<String> {
    let object = entry.object_ref.as_ref()?;
    object
        .resource
        .ends_with("workloadplacements")
        .then(|| format!("{}/{}/{}", object.resource, object.namespace, object.name))
}

/// The placement or FleetInsight whose status the write applied as the summary's manager.
fn summary_of(entry: &Entry) -> Option<String> {
    let object = entry.object_ref.as_ref()?;
    let summary = object.subresource == "status"
        && (object.resource.ends_with("workloadplacements") || object.resource == "fleetinsights")
        && field_manager(entry) == Some("karmada-manager");
    summary.then(|| format!("{}/{}/{}", object.resource, object.namespace, object.name))
}

fn field_manager(entry: &Entry) -> Option<&str> {
    let query = entry.request_uri.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("fieldManager="))
}

/// The replica named in the User-Agent: `karmada-manager/<version> (<pod>_<pid>)`.
fn replica_of(entry: &Entry, replicas: &[String]) -> Option<String> {
    replicas
        .iter()
        .find(|r| entry.user_agent.contains(&format!("({r}_")))
        .cloned()
}
