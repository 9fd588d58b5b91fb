//! Deterministic mutations of realistic Pods and Nodes, for the differential run: Rng for
//! the choices (no RNG crate), the fields the projections read set to values from pools of
//! realistic and odd ones, structural changes anywhere (a node removed, set to `null`,
//! replaced by another JSON type, a list shuffled or an item repeated, an unknown field added),
//! and the text spelled differently (a key or value the decoders match written with a `\u`
//! escape).

use prop_json::Rng;
use serde_json::{Map, Value, json};

/// One step of a path to a field the projection reads.
#[derive(Clone, Copy)]
enum Step {
    Key(&'static str),
    /// An existing item of the list, or a new one at its end.
    Item,
    /// One of these keys.
    OneOf(&'static [&'static str]),
}

use Step::{Item, Key, OneOf};

/// Values for one kind of field: realistic ones and odd ones.
#[derive(Clone, Copy)]
enum Pool {
    Quantity,
    RestartPolicy,
    Phase,
    PodCondition,
    NodeCondition,
    ConditionStatus,
    RestartCount,
    WaitingReason,
    Text,
    Flag,
    LabelValue,
    Version,
}

const RESOURCES: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "hugepages-2Mi",
    "nvidia.com/gpu",
    "example.com/widget",
    "pods",
];

const OWNER_FIELDS: &[&str] = &["apiVersion", "kind", "name", "uid"];

/// The fields of a Pod the projection reads, and what to put there.
const POD_SLOTS: &[(&[Step], Pool)] = &[
    (
        &[
            Key("spec"),
            Key("containers"),
            Item,
            Key("resources"),
            Key("requests"),
            OneOf(RESOURCES),
        ],
        Pool::Quantity,
    ),
    (
        &[
            Key("spec"),
            Key("initContainers"),
            Item,
            Key("resources"),
            Key("requests"),
            OneOf(RESOURCES),
        ],
        Pool::Quantity,
    ),
    (
        &[
            Key("spec"),
            Key("initContainers"),
            Item,
            Key("restartPolicy"),
        ],
        Pool::RestartPolicy,
    ),
    (
        &[Key("spec"), Key("containers"), Item, Key("restartPolicy")],
        Pool::RestartPolicy,
    ),
    (
        &[
            Key("spec"),
            Key("containers"),
            Item,
            Key("resources"),
            Key("limits"),
            OneOf(RESOURCES),
        ],
        Pool::Quantity,
    ),
    (
        &[Key("spec"), Key("overhead"), OneOf(RESOURCES)],
        Pool::Quantity,
    ),
    (
        &[
            Key("spec"),
            Key("resources"),
            Key("requests"),
            OneOf(RESOURCES),
        ],
        Pool::Quantity,
    ),
    (&[Key("spec"), Key("nodeName")], Pool::Text),
    (
        &[
            Key("metadata"),
            OneOf(&["name", "namespace", "uid", "resourceVersion"]),
        ],
        Pool::Text,
    ),
    (
        &[
            Key("metadata"),
            Key("ownerReferences"),
            Item,
            Key("controller"),
        ],
        Pool::Flag,
    ),
    (
        &[
            Key("metadata"),
            Key("ownerReferences"),
            Item,
            OneOf(OWNER_FIELDS),
        ],
        Pool::Text,
    ),
    (&[Key("status"), Key("phase")], Pool::Phase),
    (
        &[Key("status"), Key("conditions"), Item, Key("type")],
        Pool::PodCondition,
    ),
    (
        &[Key("status"), Key("conditions"), Item, Key("status")],
        Pool::ConditionStatus,
    ),
    (
        &[
            Key("status"),
            OneOf(&["containerStatuses", "initContainerStatuses"]),
            Item,
            Key("restartCount"),
        ],
        Pool::RestartCount,
    ),
    (
        &[
            Key("status"),
            OneOf(&["containerStatuses", "initContainerStatuses"]),
            Item,
            OneOf(&["state", "lastState"]),
            Key("waiting"),
            Key("reason"),
        ],
        Pool::WaitingReason,
    ),
];

/// The fields of a Node the projection reads, and what to put there.
const NODE_SLOTS: &[(&[Step], Pool)] = &[
    (
        &[
            Key("metadata"),
            Key("labels"),
            OneOf(&[
                "node-role.kubernetes.io/worker",
                "node-role.kubernetes.io/infra",
                "node-role.kubernetes.io/",
                "kubernetes.io/role",
                "topology.kubernetes.io/zone",
                "failure-domain.beta.kubernetes.io/zone",
                "node.kubernetes.io/instance-type",
                "beta.kubernetes.io/instance-type",
                "kubernetes.io/hostname",
            ]),
        ],
        Pool::LabelValue,
    ),
    (
        &[Key("metadata"), OneOf(&["name", "uid", "resourceVersion"])],
        Pool::Text,
    ),
    (&[Key("spec"), Key("unschedulable")], Pool::Flag),
    (
        &[
            Key("status"),
            OneOf(&["capacity", "allocatable"]),
            OneOf(RESOURCES),
        ],
        Pool::Quantity,
    ),
    (
        &[Key("status"), Key("conditions"), Item, Key("type")],
        Pool::NodeCondition,
    ),
    (
        &[Key("status"), Key("conditions"), Item, Key("status")],
        Pool::ConditionStatus,
    ),
    (
        &[Key("status"), Key("nodeInfo"), Key("kubeletVersion")],
        Pool::Version,
    ),
];

fn strings(rng: &mut Rng, values: &[&str]) -> Value {
    Value::from(*rng.pick(values))
}

impl Pool {
    fn value(self, rng: &mut Rng) -> Value {
        // About one value in twelve is `null` (a field cleared).
        if rng.index(12) == 0 {
            return Value::Null;
        }
        match self {
            Pool::Quantity => match rng.index(10) {
                0 => Value::from(rng.index(5000) as u64),
                1 => rng
                    .pick(&[
                        json!(0.25),
                        json!(u64::MAX),
                        json!(i64::MIN),
                        json!(1e300),
                        json!(-0.0),
                    ])
                    .clone(),
                2 => strings(
                    rng,
                    &[
                        "lots",
                        "",
                        "-100m",
                        "1e40",
                        "0.000000001",
                        "1.",
                        "+3",
                        "1Ei",
                    ],
                ),
                _ => strings(
                    rng,
                    &[
                        "100m", "250m", "1", "2", "0.5", "128Mi", "1Gi", "0", "64Ki", "1500m",
                        "3e2", "1k", "2Ti", "7",
                    ],
                ),
            },
            Pool::RestartPolicy => strings(rng, &["Always", "OnFailure", "Never", "always", ""]),
            Pool::Phase => strings(
                rng,
                &[
                    "Pending",
                    "Running",
                    "Succeeded",
                    "Failed",
                    "Unknown",
                    "",
                    "Evicted",
                ],
            ),
            Pool::PodCondition => strings(
                rng,
                &[
                    "Ready",
                    "ContainersReady",
                    "Initialized",
                    "PodScheduled",
                    "ready",
                    "X",
                ],
            ),
            Pool::NodeCondition => strings(
                rng,
                &[
                    "Ready",
                    "MemoryPressure",
                    "DiskPressure",
                    "PIDPressure",
                    "NetworkUnavailable",
                    "KernelDeadlock",
                    "ready",
                ],
            ),
            Pool::ConditionStatus => strings(rng, &["True", "False", "Unknown", "true", ""]),
            Pool::RestartCount => match rng.index(40) {
                // Beyond int32: the decoder reads an i64 (a counted skip).
                0 => Value::from(3_000_000_000i64),
                1 => Value::from(i32::MAX),
                2 => Value::from(-3),
                _ => Value::from(rng.index(20) as u64),
            },
            Pool::WaitingReason => strings(
                rng,
                &[
                    "CrashLoopBackOff",
                    "ContainerCreating",
                    "ImagePullBackOff",
                    "crashloopbackoff",
                ],
            ),
            Pool::Text => strings(
                rng,
                &[
                    "",
                    "web-1",
                    "shop",
                    "default",
                    "apps/v1",
                    "ReplicaSet",
                    "n-1",
                ],
            ),
            Pool::Flag => Value::Bool(rng.index(2) == 0),
            Pool::LabelValue => strings(rng, &["", "worker", "eu-west-1b", "m5.large", "true"]),
            Pool::Version => strings(rng, &["v1.33.1", "", "v1.35.0-gke.100"]),
        }
    }
}

/// Sets the field at `path` to `value`, creating (or replacing by) objects and lists on the
/// way where they are missing or of another type.
fn set_at(root: &mut Value, path: &[Step], value: Value, rng: &mut Rng) {
    let mut current = root;
    for step in path {
        let key = match step {
            Key(key) => *key,
            OneOf(keys) => *rng.pick(keys),
            Item => {
                if !current.is_array() {
                    *current = Value::Array(Vec::new());
                }
                let Value::Array(items) = current else {
                    return;
                };
                let index = rng.index(items.len() + 1);
                if index == items.len() {
                    items.push(Value::Object(Map::new()));
                }
                current = &mut items[index];
                continue;
            }
        };
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else {
            return;
        };
        current = map.entry(key).or_insert(Value::Null);
    }
    *current = value;
}

/// One step into a value.
enum Segment {
    Key(String),
    Index(usize),
}

/// The path to the `n`th node below `value`, in pre-order.
fn nth_path(value: &Value, n: &mut usize, path: &mut Vec<Segment>) -> bool {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(Segment::Key(key.clone()));
                if *n == 0 {
                    return true;
                }
                *n -= 1;
                if nth_path(child, n, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(Segment::Index(index));
                if *n == 0 {
                    return true;
                }
                *n -= 1;
                if nth_path(child, n, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        _ => false,
    }
}

fn count(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(|v| 1 + count(v)).sum(),
        Value::Array(items) => items.iter().map(|v| 1 + count(v)).sum(),
        _ => 0,
    }
}

fn at_mut<'a>(value: &'a mut Value, path: &[Segment]) -> Option<&'a mut Value> {
    path.iter()
        .try_fold(value, |current, segment| match segment {
            Segment::Key(key) => current.get_mut(key.as_str()),
            Segment::Index(index) => current.get_mut(*index),
        })
}

/// The path of a random node below the root, if any.
fn random_node(value: &Value, rng: &mut Rng) -> Option<Vec<Segment>> {
    let total = count(value);
    if total == 0 {
        return None;
    }
    let mut n = rng.index(total);
    let mut path = Vec::new();
    nth_path(value, &mut n, &mut path).then_some(path)
}

/// A value of another JSON type than `old`.
fn other_type(old: &Value, rng: &mut Rng) -> Value {
    let candidates = [
        Value::Null,
        Value::Bool(true),
        json!(-1),
        json!(1.5),
        json!("True"),
        json!("Always"),
        json!([]),
        json!([{"cpu": "1"}, "x"]),
        json!({}),
        json!({"requests": {"cpu": "1"}}),
    ];
    let kind = |v: &Value| std::mem::discriminant(v);
    loop {
        let candidate = rng.pick(&candidates);
        if kind(candidate) != kind(old) {
            return candidate.clone();
        }
    }
}

/// A structural change at a random node.
fn structural(root: &mut Value, rng: &mut Rng) {
    let Some(path) = random_node(root, rng) else {
        return;
    };
    let choice = rng.index(6);
    if choice == 0 {
        // Remove it.
        let Some((last, parent)) = path.split_last() else {
            return;
        };
        match (at_mut(root, parent), last) {
            (Some(Value::Object(map)), Segment::Key(key)) => {
                map.remove(key);
            }
            (Some(Value::Array(items)), Segment::Index(index)) => {
                items.remove(*index);
            }
            _ => {}
        }
        return;
    }
    let Some(node) = at_mut(root, &path) else {
        return;
    };
    match choice {
        1 => *node = Value::Null,
        2 => *node = other_type(node, rng),
        3 => {
            if let Value::Object(map) = node {
                let key = *rng.pick(&["someNewField", "x-extension", "zz"]);
                let values = [
                    json!(1),
                    json!("s"),
                    json!({"deep": [1, null]}),
                    json!(null),
                ];
                let value = rng.pick(&values).clone();
                map.insert(key.to_owned(), value);
            }
        }
        _ => {
            if let Value::Array(items) = node {
                if items.is_empty() {
                    return;
                }
                match rng.index(3) {
                    0 => items.reverse(),
                    1 => {
                        let i = rng.index(items.len());
                        let item = items[i].clone();
                        items.insert(rng.index(items.len() + 1), item);
                    }
                    _ => {
                        // Fisher–Yates.
                        for i in (1..items.len()).rev() {
                            items.swap(i, rng.index(i + 1));
                        }
                    }
                }
            }
        }
    }
}

/// Which kind of object is mutated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Pod,
    Node,
}

/// Applies one to three mutations: mostly a field the projection reads set from its pool,
/// sometimes a structural change anywhere.
pub fn mutate(value: &mut Value, target: Target, rng: &mut Rng) {
    let slots = match target {
        Target::Pod => POD_SLOTS,
        Target::Node => NODE_SLOTS,
    };
    for _ in 0..1 + rng.index(3) {
        if rng.index(4) == 0 {
            structural(value, rng);
        } else {
            let (path, pool) = rng.pick(slots);
            let new = pool.value(rng);
            set_at(value, path, new, rng);
        }
    }
}

/// Literals the decoders match, keys and values, as they appear in the JSON text.
const LITERALS: &[&str] = &[
    "\"metadata\"",
    "\"spec\"",
    "\"status\"",
    "\"name\"",
    "\"namespace\"",
    "\"uid\"",
    "\"ownerReferences\"",
    "\"controller\"",
    "\"apps/v1\"",
    "\"ReplicaSet\"",
    "\"nodeName\"",
    "\"containers\"",
    "\"initContainers\"",
    "\"restartPolicy\"",
    "\"Always\"",
    "\"resources\"",
    "\"requests\"",
    "\"overhead\"",
    "\"cpu\"",
    "\"memory\"",
    "\"nvidia.com/gpu\"",
    "\"phase\"",
    "\"Running\"",
    "\"conditions\"",
    "\"type\"",
    "\"Ready\"",
    "\"True\"",
    "\"containerStatuses\"",
    "\"initContainerStatuses\"",
    "\"restartCount\"",
    "\"waiting\"",
    "\"CrashLoopBackOff\"",
    "\"labels\"",
    "\"node-role.kubernetes.io/worker\"",
    "\"kubernetes.io/role\"",
    "\"topology.kubernetes.io/zone\"",
    "\"node.kubernetes.io/instance-type\"",
    "\"unschedulable\"",
    "\"allocatable\"",
    "\"capacity\"",
    "\"DiskPressure\"",
    "\"nodeInfo\"",
    "\"kubeletVersion\"",
];

/// `text` with one character of one occurrence of a literal the decoders match written as a
/// `\u` escape: the same JSON spelled differently, which a decoder comparing raw bytes must
/// unescape first. (Whatever string the occurrence is part of, the character stays inside it,
/// so the JSON means the same.)
pub fn escape_one(text: &str, rng: &mut Rng) -> String {
    let present: Vec<&str> = LITERALS
        .iter()
        .copied()
        .filter(|literal| text.contains(literal))
        .collect();
    if present.is_empty() {
        return text.to_owned();
    }
    let literal = *rng.pick(&present);
    let starts: Vec<usize> = text.match_indices(literal).map(|(at, _)| at).collect();
    let start = *rng.pick(&starts);
    // The literals are ASCII: byte positions are character positions.
    let inner = &literal[1..literal.len() - 1];
    let at = rng.index(inner.len());
    let escaped = format!(
        "\"{}\\u{:04x}{}\"",
        &inner[..at],
        inner.as_bytes()[at],
        &inner[at + 1..]
    );
    format!(
        "{}{escaped}{}",
        &text[..start],
        &text[start + literal.len()..]
    )
}
