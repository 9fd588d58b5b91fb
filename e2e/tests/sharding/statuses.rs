//! Every status the operator writes (each ClusterInsight, WorkloadPlacement and
//! ClusterWorkloadPlacement, and the FleetInsight) as one comparable snapshot, with what
//! depends on the clock rather than on the world taken out: `lastChangeTime`, the conditions'
//! `lastTransitionTime` and the metrics' `observedAt`. Read as raw JSON, so that a field the
//! API types do not know would show too.

use anyhow::{Result, bail};
use karmada_manager_api::{
    ClusterInsight, ClusterWorkloadPlacement, FleetInsight, WorkloadPlacement,
};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, DynamicObject};
use kube::discovery::ApiResource;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Status by `Kind/[namespace/]name`.
pub type Snapshot = BTreeMap<String, Value>;

const CLOCK_FIELDS: [&str; 3] = ["lastChangeTime", "lastTransitionTime", "observedAt"];
/// Differences shown in a failure message; the rest are counted.
const SHOWN: usize = 40;
const POLL: Duration = Duration::from_millis(250);

fn kinds() -> [ApiResource; 4] {
    [
        ApiResource::erase::<ClusterInsight>(&()),
        ApiResource::erase::<WorkloadPlacement>(&()),
        ApiResource::erase::<ClusterWorkloadPlacement>(&()),
        ApiResource::erase::<FleetInsight>(&()),
    ]
}

pub async fn snapshot(hub: &kube::Client) -> Result<Snapshot> {
    let mut all = Snapshot::new();
    for kind in kinds() {
        let api: Api<DynamicObject> = Api::all_with(hub.clone(), &kind);
        for object in api.list(&Default::default()).await? {
            let key = match object.namespace() {
                Some(ns) => format!("{}/{ns}/{}", kind.kind, object.name_any()),
                None => format!("{}/{}", kind.kind, object.name_any()),
            };
            let mut status = object.data.get("status").cloned().unwrap_or(Value::Null);
            strip_clock(&mut status);
            all.insert(key, status);
        }
    }
    Ok(all)
}

fn strip_clock(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for field in CLOCK_FIELDS {
                map.remove(field);
            }
            map.values_mut().for_each(strip_clock);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_clock),
        _ => {}
    }
}

/// Deletes every object a status is written on, so that the next operator writes them all.
pub async fn delete_all(hub: &kube::Client) -> Result<()> {
    for kind in kinds() {
        let api: Api<DynamicObject> = Api::all_with(hub.clone(), &kind);
        for object in api.list(&Default::default()).await? {
            let scoped: Api<DynamicObject> = match object.namespace() {
                Some(ns) => Api::namespaced_with(hub.clone(), &ns, &kind),
                None => api.clone(),
            };
            scoped
                .delete(&object.name_any(), &DeleteParams::default())
                .await?;
        }
    }
    Ok(())
}

/// Every difference of `actual` from `expected`, one line each: `object: path: expected …,
/// got …`.
pub fn differences(expected: &Snapshot, actual: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    let keys: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    for key in keys {
        match (expected.get(key), actual.get(key)) {
            (Some(_), None) => out.push(format!("{key}: missing")),
            (None, Some(_)) => out.push(format!("{key}: not written by the single replica")),
            (Some(e), Some(a)) => diff_values(key, String::new(), e, a, &mut out),
            (None, None) => {}
        }
    }
    out
}

fn diff_values(key: &str, path: String, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let fields: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            for field in fields {
                let (e, a) = (
                    e.get(field).unwrap_or(&Value::Null),
                    a.get(field).unwrap_or(&Value::Null),
                );
                diff_values(key, format!("{path}.{field}"), e, a, out);
            }
        }
        (Value::Array(e), Value::Array(a)) => match (keyed(e), keyed(a)) {
            (Some(e), Some(a)) => {
                let ids: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
                for id in ids {
                    let (e, a) = (
                        e.get(id).copied().unwrap_or(&Value::Null),
                        a.get(id).copied().unwrap_or(&Value::Null),
                    );
                    diff_values(key, format!("{path}[{id}]"), e, a, out);
                }
            }
            _ if e.len() == a.len() => {
                for (i, (e, a)) in e.iter().zip(a).enumerate() {
                    diff_values(key, format!("{path}[{i}]"), e, a, out);
                }
            }
            _ => out.push(format!(
                "{key}: {path}: expected {}, got {}",
                short(expected),
                short(actual)
            )),
        },
        _ if expected != actual => {
            out.push(format!(
                "{key}: {path}: expected {}, got {}",
                short(expected),
                short(actual)
            ));
        }
        _ => {}
    }
}

/// List items by their `name` (clusters, nodes, pods) or `type` (conditions), when they all
/// have one: entries are then compared by identity, not position.
fn keyed(items: &[Value]) -> Option<BTreeMap<String, &Value>> {
    ["name", "type"].into_iter().find_map(|field| {
        items
            .iter()
            .map(|item| Some((format!("{field}={}", item.get(field)?.as_str()?), item)))
            .collect()
    })
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// The differences as a failure message: the first ones, and how many there are.
pub fn describe(differences: &[String]) -> String {
    let mut text: Vec<&str> = differences.iter().take(SHOWN).map(String::as_str).collect();
    let more = format!("… and {} more", differences.len().saturating_sub(SHOWN));
    if differences.len() > SHOWN {
        text.push(&more);
    }
    format!(
        "{} difference(s):\n  {}",
        differences.len(),
        text.join("\n  ")
    )
}

/// How statuses converged: after how long, and the last difference seen before (what came
/// last), if there was one.
pub struct Converged {
    pub after: Duration,
    pub last: Option<String>,
}

/// Polls until the statuses equal `expected`. Fails once `bound` has passed since `since`,
/// with the differences still seen.
pub async fn converge(
    hub: &kube::Client,
    expected: &Snapshot,
    since: Instant,
    bound: Duration,
) -> Result<Converged> {
    let mut last = None;
    loop {
        let left = differences(expected, &snapshot(hub).await?);
        if left.is_empty() {
            let after = since.elapsed();
            return Ok(Converged { after, last });
        }
        if since.elapsed() > bound {
            bail!(
                "the statuses are not the single replica's {:.1?} after the change (bound {bound:.1?}); {}",
                since.elapsed(),
                describe(&left)
            );
        }
        last = left.into_iter().next();
        tokio::time::sleep(POLL).await;
    }
}

/// Polls until `until`, and fails at the first poll where the statuses are not `expected`:
/// once converged within the bound, nothing may go stale or flap.
pub async fn hold(hub: &kube::Client, expected: &Snapshot, until: Instant) -> Result<()> {
    while Instant::now() < until {
        let left = differences(expected, &snapshot(hub).await?);
        if !left.is_empty() {
            bail!(
                "a status left the single replica's content after converging; {}",
                describe(&left)
            );
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(())
}

/// The single replica's statuses once they count what the world holds (`reflects`) and have
/// not changed for a second: its writes for that world are done.
pub async fn settle(
    hub: &kube::Client,
    reflects: impl Fn(&Snapshot) -> Result<(), String>,
    timeout: Duration,
) -> Result<Snapshot> {
    let deadline = Instant::now() + timeout;
    let mut last: Option<(Snapshot, Instant)> = None;
    loop {
        let now = snapshot(hub).await?;
        let verdict = reflects(&now);
        match (&verdict, &last) {
            (Ok(()), Some((seen, since)))
                if *seen == now && since.elapsed() >= Duration::from_secs(1) =>
            {
                return Ok(now);
            }
            (Ok(()), Some((seen, _))) if *seen == now => {}
            _ => last = Some((now, Instant::now())),
        }
        if Instant::now() > deadline {
            bail!("the single replica's statuses did not settle within {timeout:?}: {verdict:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}
