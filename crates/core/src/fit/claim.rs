//! Whether a replica may run on a node at all: Karmada's node claim (the pod template's node
//! selector, required node affinity and tolerations) against the node's labels, taints and
//! cordon, by the rules kube-scheduler and Karmada's accurate estimator apply
//! (`k8s.io/component-helpers/scheduling/corev1`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{NodeSelector, NodeSelectorRequirement};
use karmada_types::NodeClaim;

use crate::projection::{SlimNode, TaintEffect};
use crate::toleration::{Tolerates, tolerated};

/// The taint a cordoned node is treated as having.
const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// A node claim ready to match nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Claim {
    selector: BTreeMap<String, String>,
    /// `None`: no required affinity. `Some(Err)`: one that cannot be parsed, which kube-scheduler
    /// treats as matching no node.
    affinity: Option<Result<Vec<Term>, String>>,
    tolerations: Vec<Tolerates>,
}

/// One `nodeSelectorTerms` entry: all of its requirements must hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Term {
    labels: Vec<Requirement>,
    /// `matchFields` on `metadata.name`: `(In, names)` or `(NotIn, names)`.
    names: Vec<(bool, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    Gt(String, i64),
    Lt(String, i64),
}

impl Claim {
    pub fn new(claim: &NodeClaim) -> Claim {
        Claim {
            selector: claim.node_selector.clone(),
            affinity: claim.hard_node_affinity.as_ref().map(terms),
            tolerations: claim.tolerations.iter().map(Tolerates::new).collect(),
        }
    }

    /// Why the claim matches no node whatever the node, if it cannot be parsed.
    pub fn problem(&self) -> Option<&str> {
        match &self.affinity {
            Some(Err(problem)) => Some(problem),
            _ => None,
        }
    }

    /// The node label keys the claim reads (node selector and required affinity).
    pub fn label_keys(&self) -> BTreeSet<&str> {
        let affinity = match &self.affinity {
            Some(Ok(terms)) => terms.as_slice(),
            _ => &[],
        };
        self.selector
            .keys()
            .map(String::as_str)
            .chain(
                affinity
                    .iter()
                    .flat_map(|t| &t.labels)
                    .map(Requirement::key),
            )
            .collect()
    }

    /// The required affinity picks nodes by name (`matchFields` on `metadata.name`).
    pub fn selects_by_name(&self) -> bool {
        matches!(&self.affinity, Some(Ok(terms)) if terms.iter().any(|t| !t.names.is_empty()))
    }

    /// The node's labels satisfy the node selector and the required affinity.
    pub fn selects(&self, node: &SlimNode) -> bool {
        let selected = self
            .selector
            .iter()
            .all(|(key, value)| node.label(key).is_some_and(|v| **v == **value));
        selected
            && match &self.affinity {
                None => true,
                Some(Err(_)) => false,
                Some(Ok(terms)) => terms.iter().any(|term| term.matches(node)),
            }
    }

    /// Every `NoSchedule` and `NoExecute` taint of the node, and its cordon, is tolerated.
    pub fn tolerates(&self, node: &SlimNode) -> bool {
        let cordon_tolerated =
            !node.unschedulable || self.tolerated(UNSCHEDULABLE_TAINT, "", TaintEffect::NoSchedule);
        cordon_tolerated
            && node
                .taints
                .iter()
                .filter(|t| matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute))
                .all(|t| self.tolerated(&t.key, &t.value, t.effect))
    }

    fn tolerated(&self, key: &str, value: &str, effect: TaintEffect) -> bool {
        tolerated(&self.tolerations, key, value, effect)
    }
}

impl Term {
    fn matches(&self, node: &SlimNode) -> bool {
        self.labels.iter().all(|r| r.matches(node))
            && self
                .names
                .iter()
                .all(|(is_in, names)| names.iter().any(|n| **n == **node.name()) == *is_in)
    }
}

impl Requirement {
    fn key(&self) -> &str {
        match self {
            Requirement::In(key, _)
            | Requirement::NotIn(key, _)
            | Requirement::Exists(key)
            | Requirement::DoesNotExist(key)
            | Requirement::Gt(key, _)
            | Requirement::Lt(key, _) => key,
        }
    }

    fn matches(&self, node: &SlimNode) -> bool {
        let value = |key: &str| node.label(key).map(Arc::clone);
        match self {
            Requirement::In(key, values) => {
                value(key).is_some_and(|v| values.iter().any(|x| **x == *v))
            }
            Requirement::NotIn(key, values) => {
                value(key).is_none_or(|v| values.iter().all(|x| **x != *v))
            }
            Requirement::Exists(key) => value(key).is_some(),
            Requirement::DoesNotExist(key) => value(key).is_none(),
            Requirement::Gt(key, bound) => integer(value(key)).is_some_and(|v| v > *bound),
            Requirement::Lt(key, bound) => integer(value(key)).is_some_and(|v| v < *bound),
        }
    }
}

fn integer(value: Option<Arc<str>>) -> Option<i64> {
    value.and_then(|v| v.parse().ok())
}

/// The terms of a required node affinity. As in kube-scheduler, a term without requirements
/// matches nothing, and one requirement that cannot be parsed makes the whole affinity match
/// nothing.
fn terms(selector: &NodeSelector) -> Result<Vec<Term>, String> {
    selector
        .node_selector_terms
        .iter()
        .filter(|t| {
            t.match_expressions.as_ref().is_some_and(|e| !e.is_empty())
                || t.match_fields.as_ref().is_some_and(|f| !f.is_empty())
        })
        .map(|term| {
            let labels = term
                .match_expressions
                .iter()
                .flatten()
                .map(requirement)
                .collect::<Result<_, _>>()?;
            let names = term
                .match_fields
                .iter()
                .flatten()
                .map(name_requirement)
                .collect::<Result<_, _>>()?;
            Ok(Term { labels, names })
        })
        .collect()
}

fn requirement(r: &NodeSelectorRequirement) -> Result<Requirement, String> {
    let key = r.key.clone();
    let values = r.values.clone().unwrap_or_default();
    let bound = |op: &str| match values.as_slice() {
        [one] => one
            .parse::<i64>()
            .map_err(|_| format!("{op} {key}: {one:?} is not an integer")),
        _ => Err(format!("{op} {key} needs exactly one value")),
    };
    Ok(match r.operator.as_str() {
        "In" | "NotIn" if values.is_empty() => {
            return Err(format!("{} {key} needs at least one value", r.operator));
        }
        "In" => Requirement::In(key, values),
        "NotIn" => Requirement::NotIn(key, values),
        "Exists" | "DoesNotExist" if !values.is_empty() => {
            return Err(format!("{} {key} takes no values", r.operator));
        }
        "Exists" => Requirement::Exists(key),
        "DoesNotExist" => Requirement::DoesNotExist(key),
        "Gt" => Requirement::Gt(key.clone(), bound("Gt")?),
        "Lt" => Requirement::Lt(key.clone(), bound("Lt")?),
        other => return Err(format!("unknown operator {other:?} on {key}")),
    })
}

/// `matchFields`: only `metadata.name` with `In` or `NotIn` and one value, as Kubernetes
/// validates it.
fn name_requirement(r: &NodeSelectorRequirement) -> Result<(bool, Vec<String>), String> {
    let values = r.values.clone().unwrap_or_default();
    if r.key != "metadata.name" {
        return Err(format!(
            "matchFields supports metadata.name only, not {:?}",
            r.key
        ));
    }
    match (r.operator.as_str(), values.len()) {
        ("In", 1) => Ok((true, values)),
        ("NotIn", 1) => Ok((false, values)),
        (op, _) => Err(format!(
            "matchFields metadata.name: {op} with exactly one value is required"
        )),
    }
}
