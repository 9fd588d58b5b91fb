//! A member's headroom (`ClusterInsight.status.headroom`) and the accurate estimate read back
//! from it: what a what-if (`kubectl karmada-insight fit -f`) needs, without the member.
//!
//! Each node contributes ⌊free / request⌋ replicas, so nodes with the same free figures, the
//! same published labels and the same taints contribute alike: one shape with a count holds
//! them all, and reading the shapes back gives exactly what [`FitShape::in_member`] gives,
//! for any shape whose node claim reads only published labels (tested). When a member's nodes
//! make more shapes than the limit, the free figures are rounded down to fewer significant
//! digits until they fit: the estimate then never exceeds the exact one.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use karmada_manager_api::{Headroom, NodeShape};

use super::{FitShape, counts};
use crate::index::ClusterIndex;
use crate::interner::intern_str;
use crate::projection::{NodeLabelSet, ResourceList, SlimNode, Taint, TaintEffect};
use crate::quantity::{Amount, Format};
use crate::text::{VALUE_LIMIT, bounded};

/// The node labels a shape carries: those workloads commonly select nodes by. Labels unique to
/// a node (its hostname) would make every node a shape of its own.
pub const HEADROOM_LABEL_KEYS: &[&str] = &[
    "kubernetes.io/arch",
    "kubernetes.io/os",
    "node.kubernetes.io/instance-type",
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
];

/// Most shapes published for one member: a few KiB whatever its size.
pub const HEADROOM_SHAPE_LIMIT: usize = 32;

/// Significant digits kept, coarser each time the shapes exceed the limit.
const PRECISIONS: [u32; 4] = [4, 3, 2, 1];

/// The taint a cordoned node is published with (the node lifecycle controller adds the same).
const CORDON: &str = "node.kubernetes.io/unschedulable:NoSchedule";

/// What a node offers for scheduling, in the estimators' units: millicores for cpu, whole
/// units for the rest.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Offer {
    free: Vec<(Arc<str>, i128)>,
    labels: Vec<(Arc<str>, Arc<str>)>,
    taints: Vec<String>,
}

/// What nodes of one kind share: the resources they offer (in order), their published labels
/// and their taints. A member has few of these, so grouping compares numbers, not strings.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Kind {
    names: Vec<Arc<str>>,
    labels: Vec<(Arc<str>, Arc<str>)>,
    taints: Vec<String>,
}

/// One node's offer, split: its kind (an index into the kinds) and its free figures, in the
/// order of the kind's names.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Free {
    kind: usize,
    free: Vec<i128>,
}

/// The member's headroom from its index: nodes that are Ready and have a free pod slot,
/// grouped into at most `limit` shapes.
pub fn headroom(index: &ClusterIndex, limit: usize) -> Headroom {
    let (kinds, offers) = offers(index);
    let nodes = i64::try_from(offers.len()).unwrap_or(i64::MAX);
    let mut grains = BTreeMap::new();
    let mut groups = group(&kinds, &offers, &grains);
    for digits in PRECISIONS {
        if groups.len() <= limit {
            break;
        }
        grains = coarse_grains(&kinds, &offers, digits);
        groups = group(&kinds, &offers, &grains);
    }
    let mut groups: Vec<(Offer, i64)> = groups
        .into_iter()
        .map(|(free, count)| (joined(&kinds[free.kind], free.free), count))
        .collect();
    groups.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| b.free.cmp(&a.free)).then(a.cmp(b)));
    let omitted: i64 = groups.iter().skip(limit).map(|(_, count)| *count).sum();
    groups.truncate(limit);
    Headroom {
        nodes,
        label_keys: HEADROOM_LABEL_KEYS
            .iter()
            .map(|k| (*k).to_owned())
            .collect(),
        grain: grains
            .iter()
            .map(|(name, grain)| (name.to_string(), quantity(name, *grain)))
            .collect(),
        shapes: groups
            .into_iter()
            .map(|(o, count)| shape(o, count))
            .collect(),
        omitted,
    }
}

/// Every offering node's kind and free figures; the kinds, each once.
fn offers(index: &ClusterIndex) -> (Vec<Kind>, Vec<Free>) {
    let keys: Vec<Arc<str>> = HEADROOM_LABEL_KEYS.iter().map(|k| intern_str(k)).collect();
    let mut ids: HashMap<Kind, usize> = HashMap::new();
    let mut kinds: Vec<Kind> = Vec::new();
    // Nodes of a pool often follow one another: comparing with the last kind (interned
    // strings compare by pointer first) spares most hash lookups.
    let mut last: Option<usize> = None;
    let offers = index
        .nodes()
        .filter_map(|node| offer(index, node, &keys))
        .map(|(kind, free)| {
            let id = match last {
                Some(id) if kinds[id] == kind => id,
                _ => *ids.entry(kind).or_insert_with_key(|kind| {
                    kinds.push(kind.clone());
                    kinds.len() - 1
                }),
            };
            last = Some(id);
            Free { kind: id, free }
        })
        .collect();
    (kinds, offers)
}

/// The node's kind and free figures, or `None` when it takes no pod whatever the workload.
/// `keys` are the published label keys, interned, in order.
fn offer(index: &ClusterIndex, node: &SlimNode, keys: &[Arc<str>]) -> Option<(Kind, Vec<i128>)> {
    let mut allocated = index
        .node_stats(node.name())
        .into_iter()
        .flat_map(|s| s.allocated.iter())
        .peekable();
    let (mut names, mut free) = (Vec::new(), Vec::new());
    // Both lists are sorted by name: one walk pairs each allocatable entry with its use.
    for entry in node.allocatable.iter() {
        let name = &entry.name;
        while allocated
            .next_if(|(used, _)| used.as_ref() < name.as_ref())
            .is_some()
        {}
        let used = allocated
            .next_if(|(used, _)| *used == name)
            .map_or(Amount::ZERO, |(_, amount)| amount);
        if name.as_ref() != "pods" && !counts(name) {
            continue;
        }
        let left = if name.as_ref() == "cpu" {
            entry.amount.milli().saturating_sub(used.milli())
        } else {
            entry.amount.units_ceil().saturating_sub(used.units_ceil())
        };
        names.push(Arc::clone(name));
        free.push(left.max(0));
    }
    let pods = names.iter().position(|name| name.as_ref() == "pods");
    if !node.ready || pods.is_none_or(|i| free[i] == 0) {
        return None;
    }
    let mut taints: Vec<String> = node
        .taints
        .iter()
        .filter(|t| matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute))
        .map(spell)
        .collect();
    if node.unschedulable {
        taints.push(CORDON.to_owned());
    }
    taints.sort();
    taints.dedup();
    let kind = Kind {
        names,
        labels: published_labels(node, keys),
        taints,
    };
    Some((kind, free))
}

/// The node's labels under `keys` (sorted, as the node's own labels are), in one walk.
fn published_labels(node: &SlimNode, keys: &[Arc<str>]) -> Vec<(Arc<str>, Arc<str>)> {
    let mut labels = node.labels.iter().peekable();
    let mut published = Vec::new();
    for key in keys {
        while labels.next_if(|(k, _)| k.as_ref() < key.as_ref()).is_some() {}
        if let Some((_, value)) = labels.next_if(|(k, _)| k == key) {
            published.push((Arc::clone(key), Arc::clone(value)));
        }
    }
    published
}

/// A kind and free figures back as one offer.
fn joined(kind: &Kind, free: Vec<i128>) -> Offer {
    Offer {
        free: kind.names.iter().cloned().zip(free).collect(),
        labels: kind.labels.clone(),
        taints: kind.taints.clone(),
    }
}

/// Offers with their free figures rounded down to `grains`, counted (in no useful order).
/// Sorting numbers and counting runs: no string is hashed or compared here.
fn group(kinds: &[Kind], offers: &[Free], grains: &BTreeMap<Arc<str>, i128>) -> Vec<(Free, i64)> {
    let per_kind: Vec<Vec<Option<i128>>> = kinds
        .iter()
        .map(|k| k.names.iter().map(|n| grains.get(n).copied()).collect())
        .collect();
    let mut rounded: Vec<Free> = offers
        .iter()
        .map(|offer| {
            let mut free = offer.free.clone();
            for (value, grain) in free.iter_mut().zip(&per_kind[offer.kind]) {
                if let Some(grain) = grain {
                    *value -= *value % grain;
                }
            }
            Free {
                kind: offer.kind,
                free,
            }
        })
        .collect();
    rounded.sort_unstable();
    let mut groups: Vec<(Free, i64)> = Vec::new();
    for free in rounded {
        match groups.last_mut() {
            Some((last, count)) if *last == free => *count += 1,
            _ => groups.push((free, 1)),
        }
    }
    groups
}

/// Per resource, the power of ten that keeps `digits` significant digits of its largest free
/// figure (only resources where that rounds anything).
fn coarse_grains(kinds: &[Kind], offers: &[Free], digits: u32) -> BTreeMap<Arc<str>, i128> {
    let mut per_kind: Vec<Vec<i128>> = kinds.iter().map(|k| vec![0; k.names.len()]).collect();
    for offer in offers {
        for (top, free) in per_kind[offer.kind].iter_mut().zip(&offer.free) {
            *top = (*top).max(*free);
        }
    }
    let mut largest: BTreeMap<Arc<str>, i128> = BTreeMap::new();
    for (kind, tops) in kinds.iter().zip(per_kind) {
        for (name, free) in kind.names.iter().zip(tops) {
            let top = largest.entry(Arc::clone(name)).or_default();
            *top = (*top).max(free);
        }
    }
    largest
        .into_iter()
        .filter_map(|(name, top)| {
            let width = top.checked_ilog10().map_or(1, |l| l + 1);
            (width > digits).then(|| (name, 10i128.pow(width - digits)))
        })
        .collect()
}

fn shape(offer: Offer, count: i64) -> NodeShape {
    NodeShape {
        count,
        free: offer
            .free
            .iter()
            .map(|(name, free)| (name.to_string(), quantity(name, *free)))
            .collect(),
        labels: offer
            .labels
            .iter()
            .map(|(k, v)| (k.to_string(), bounded(v, VALUE_LIMIT)))
            .collect(),
        taints: offer.taints,
    }
}

/// A figure in the estimators' units as a Quantity.
fn quantity(name: &str, amount: i128) -> k8s_openapi::apimachinery::pkg::api::resource::Quantity {
    let amount = if name == "cpu" {
        Amount::from_milli(amount)
    } else {
        Amount::from_milli(amount.saturating_mul(1000))
    };
    amount.to_quantity(Format::for_resource(name))
}

/// `key=value:Effect`, or `key:Effect` without a value, as kubectl writes taints; bounded.
fn spell(taint: &Taint) -> String {
    let effect = taint.effect.as_str();
    let text = if taint.value.is_empty() {
        format!("{}:{effect}", taint.key)
    } else {
        format!("{}={}:{effect}", taint.key, taint.value)
    };
    bounded(&text, VALUE_LIMIT)
}

/// How many replicas of a shape the published headroom holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadroomFit {
    /// What Karmada's accurate estimator would count now.
    Exact(u64),
    /// A lower bound: the figures are rounded down, or some nodes are not published.
    AtLeast(u64),
    /// The shapes cannot tell: the workload selects nodes by what they do not publish.
    Unknown(String),
}

impl FitShape {
    /// The replicas of this shape that `headroom` holds, node shape by node shape.
    pub fn in_headroom(&self, headroom: &Headroom) -> HeadroomFit {
        if let Some(problem) = self.problem() {
            return HeadroomFit::Unknown(problem.to_owned());
        }
        if self.claim.selects_by_name() {
            return HeadroomFit::Unknown("it selects nodes by name".to_owned());
        }
        let unpublished: Vec<&str> = self
            .claim
            .label_keys()
            .into_iter()
            .filter(|key| !headroom.label_keys.iter().any(|k| k == key))
            .collect();
        if !unpublished.is_empty() {
            return HeadroomFit::Unknown(format!(
                "it selects nodes by label {}, which the headroom does not publish",
                unpublished.join(", ")
            ));
        }
        let fit = headroom
            .shapes
            .iter()
            .map(|s| self.on_shape(s))
            .fold(0u64, u64::saturating_add);
        if headroom.grain.is_empty() && headroom.omitted == 0 {
            HeadroomFit::Exact(fit)
        } else {
            HeadroomFit::AtLeast(fit)
        }
    }

    /// Replicas on the nodes of one shape: a stand-in node with the shape's free figures as
    /// its allocatable, so the estimate is the one [`FitShape::on_node`] makes.
    fn on_shape(&self, shape: &NodeShape) -> u64 {
        let mut node = SlimNode::new("");
        node.ready = true;
        node.labels = NodeLabelSet::from_pairs(
            shape
                .labels
                .iter()
                .map(|(k, v)| (intern_str(k), intern_str(v))),
        );
        node.taints = shape.taints.iter().filter_map(|t| parse_taint(t)).collect();
        // An unreadable figure is read as nothing free: the estimate stays a lower bound.
        node.allocatable = ResourceList::from_pairs(shape.free.iter().map(|(name, q)| {
            let amount = Amount::from_quantity(q).unwrap_or(Amount::ZERO);
            (name.as_str(), amount)
        }));
        let count = u64::try_from(shape.count).unwrap_or(0);
        self.on_node(&node, None).saturating_mul(count)
    }
}

/// Reads `key=value:Effect` or `key:Effect` back.
fn parse_taint(text: &str) -> Option<Taint> {
    let (rest, effect) = text.rsplit_once(':')?;
    let (key, value) = rest.split_once('=').unwrap_or((rest, ""));
    Some(Taint {
        key: intern_str(key),
        value: intern_str(value),
        effect: TaintEffect::from(effect),
    })
}
