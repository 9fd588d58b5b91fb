//! What the chart grants on the hub against what the operator's identity used there, read from
//! the hub's audit log: every verb granted on every resource was used at least once, or
//! [`UNUSED_BY_DESIGN`] lists it with the words of the chart comment that says why it is
//! granted; and nothing used is missing from the grants.

use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use testenv::audit::Entry;

/// `(apiGroup, resource[/subresource], verb)`, `""` for the core group.
pub type Access = (String, String, String);

/// Grants a scenario in the test environment cannot use: `(apiGroup, resource, verb, reason)`,
/// the reason quoting the chart's comment on the rule word for word (the check fails if the
/// rendered RBAC does not say it). Empty: the audit scenario uses every grant.
const UNUSED_BY_DESIGN: &[(&str, &str, &str, &str)] = &[];

/// The comparison's figures, for the log.
pub struct Figures {
    /// Resource requests by the identity.
    pub requests: usize,
    /// Distinct `(apiGroup, resource, verb)` they used.
    pub used: usize,
    /// Distinct `(apiGroup, resource, verb)` the chart grants.
    pub granted: usize,
    /// `(apiGroup, resource, verb) ×count`, sorted.
    pub table: String,
}

/// Compares the ClusterRoles and Roles of `rendered` (the chart's hub RBAC, as `helm template`
/// printed it) with `requests` (the identity's requests on the hub, one entry each).
pub fn check(rendered: &str, requests: &[&Entry]) -> Result<Figures> {
    let granted = granted(rendered)?;
    let used = used(requests);
    // "Used" means authorized: the hub records its decision on every resource request.
    let undecided: Vec<String> = requests
        .iter()
        .filter(|e| e.object_ref.is_some() && e.authorized().is_none())
        .map(|e| format!("{} {}", e.verb, e.request_uri))
        .collect();
    ensure!(
        undecided.is_empty(),
        "no authorization decision in the audit log for: {}",
        undecided.join(", ")
    );
    // A grant limited to resourceNames matches a request for another name here, so denials
    // are checked on their own.
    let denied: Vec<String> = requests
        .iter()
        .filter(|e| e.authorized() == Some(false))
        .map(|e| format!("{} {}", e.verb, e.request_uri))
        .collect();
    ensure!(
        denied.is_empty(),
        "the hub denied the chart's identity: {}",
        denied.join(", ")
    );
    let missing: Vec<String> = used
        .keys()
        .filter(|a| !granted.contains(*a))
        .map(show)
        .collect();
    ensure!(
        missing.is_empty(),
        "used on the hub but not granted by the chart: {}",
        missing.join(", ")
    );
    let mut justified = BTreeSet::new();
    for (group, resource, verb, reason) in UNUSED_BY_DESIGN {
        let access = (group.to_string(), resource.to_string(), verb.to_string());
        ensure!(
            granted.contains(&access),
            "{} is listed as unused by design but not granted",
            show(&access)
        );
        ensure!(
            rendered.contains(reason),
            "the rendered hub RBAC has no comment saying {reason:?} (why {} is granted)",
            show(&access)
        );
        if used.contains_key(&access) {
            eprintln!(
                "faults: {} is listed as unused by design, but this run used it",
                show(&access)
            );
        }
        justified.insert(access);
    }
    let unused: Vec<String> = granted
        .iter()
        .filter(|a| !used.contains_key(*a) && !justified.contains(*a))
        .map(show)
        .collect();
    ensure!(
        unused.is_empty(),
        "granted by the chart but never used in the scenario, and no comment in the chart says why: {}",
        unused.join(", ")
    );
    let table = used
        .iter()
        .map(|(a, n)| format!("{} ×{n}", show(a)))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Figures {
        requests: requests.iter().filter(|e| e.object_ref.is_some()).count(),
        used: used.len(),
        granted: granted.len(),
        table,
    })
}

/// Every `(apiGroup, resource, verb)` a ClusterRole or Role of `rendered` grants, whether or not
/// limited to `resourceNames` (the hub enforces the names: a request outside them is denied).
pub fn granted(rendered: &str) -> Result<BTreeSet<Access>> {
    let mut granted = BTreeSet::new();
    for document in serde_yaml_ng::Deserializer::from_str(rendered) {
        let object = Value::deserialize(document).context("rendered YAML does not parse")?;
        if !matches!(object["kind"].as_str(), Some("ClusterRole" | "Role")) {
            continue;
        }
        for rule in object["rules"].as_array().into_iter().flatten() {
            for group in strings(&rule["apiGroups"]) {
                for resource in strings(&rule["resources"]) {
                    for verb in strings(&rule["verbs"]) {
                        granted.insert((group.into(), resource.into(), verb.into()));
                    }
                }
            }
        }
    }
    ensure!(!granted.is_empty(), "the rendered hub RBAC grants nothing");
    Ok(granted)
}

/// What `requests` used, and how often: each resource request's `(apiGroup, resource, verb)`,
/// whatever the answer (a `404` from `clusters/proxy` was still authorized). A server-side apply
/// answered `201 Created` used `create` too: the hub authorizes the create of an apply that
/// creates the object, with no request of its own in the log.
pub fn used(requests: &[&Entry]) -> BTreeMap<Access, usize> {
    let mut used = BTreeMap::new();
    for entry in requests {
        let Some(o) = &entry.object_ref else {
            continue;
        };
        let target = if o.subresource.is_empty() {
            o.resource.clone()
        } else {
            format!("{}/{}", o.resource, o.subresource)
        };
        let access = (o.api_group.clone(), target, entry.verb.clone());
        if entry.verb == "patch" && entry.code() == Some(201) {
            let mut create = access.clone();
            create.2 = "create".into();
            *used.entry(create).or_default() += 1;
        }
        *used.entry(access).or_default() += 1;
    }
    used
}

/// `verb group/resource`, e.g. `patch insight.karmada-manager.io/clusterinsights/status`.
fn show((group, resource, verb): &Access) -> String {
    if group.is_empty() {
        format!("{verb} {resource}")
    } else {
        format!("{verb} {group}/{resource}")
    }
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}
