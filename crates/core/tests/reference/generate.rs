//! Proptest strategies for well-typed Pods and Nodes as JSON: every field the projections read
//! absent, `null`, empty or set, among realistic neighbours they do not read and unknown fields.
//! Well-typed means k8s-openapi accepts every one; the values are not all valid (unparsable and
//! negative quantities, unknown phases and condition types, negative restart counts).

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

const TIME: &str = "2025-11-03T10:02:40Z";

/// A field that may be absent, `null` or set.
fn maybe(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None::<Value>),
        1 => Just(Some(Value::Null)),
        8 => value.prop_map(Some),
    ]
}

fn text(values: &'static [&'static str]) -> impl Strategy<Value = Value> {
    select(values).prop_map(Value::from)
}

/// An object of the present fields, then the unknown ones.
fn object(fields: Vec<(&str, Option<Value>)>, unknown: Vec<(&'static str, Value)>) -> Value {
    let mut map = Map::new();
    for (key, value) in fields {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    }
    for (key, value) in unknown {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

/// Fields no version of these objects has: skipped by both sides.
fn unknown() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        "[a-z]{0,6}".prop_map(Value::from),
        Just(json!({"deep": [1, {"requests": {"cpu": "1"}}, null]})),
        Just(json!([[], {}])),
    ];
    vec(
        (
            select(&["someNewField", "x-extension", "zzFuture"][..]),
            value,
        ),
        0..2,
    )
}

/// A quantity: mostly valid, some not (dropped by both sides), some as JSON numbers (which
/// the API server accepts on input).
pub fn quantity() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => text(&[
            "100m", "250m", "1", "2", "0.5", "1500m", "128Mi", "1Gi", "512Mi", "64Ki", "1e3",
            "2k", "0", "10G", "1.5Gi", "100Mi", "3Ti", "25u",
        ]),
        3 => (0u32..100_000, select(&["", "m", "Ki", "Mi", "Gi", "k", "M", "G", "u", "n"][..]))
            .prop_map(|(n, suffix)| Value::from(format!("{n}{suffix}"))),
        1 => text(&[
            "lots", "", "-1", "-100m", "1e40", "0.000000001", "1.", ".5", "+3", "1Ei", "1 Gi",
            "9223372036854775807", "0x10",
        ]),
        1 => prop_oneof![
            any::<i32>().prop_map(Value::from),
            any::<u32>().prop_map(Value::from),
            (0.0f64..1e6).prop_map(Value::from),
            select(vec![
                json!(1.5),
                json!(u64::MAX),
                json!(i64::MIN),
                json!(1e300),
                json!(1e-300),
                json!(-0.0),
            ]),
        ],
    ]
    .boxed()
}

const RESOURCE_NAMES: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "hugepages-2Mi",
    "hugepages-1Gi",
    "nvidia.com/gpu",
    "example.com/widget",
    "pods",
];

/// A resource list (requests, overhead, capacity, …).
pub fn resource_list() -> BoxedStrategy<Value> {
    btree_map(select(RESOURCE_NAMES), quantity(), 0..5)
        .prop_map(|entries| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            )
        })
        .boxed()
}

/// A list of up to a few items, sometimes many.
fn some_of(item: BoxedStrategy<Value>, few: usize) -> BoxedStrategy<Value> {
    prop_oneof![
        8 => vec(item.clone(), 0..few),
        1 => vec(item, 8..20),
    ]
    .prop_map(Value::Array)
    .boxed()
}

fn requirements() -> BoxedStrategy<Value> {
    (
        maybe(resource_list()),
        maybe(resource_list()),
        maybe(Just(json!([{"name": "gpu"}]))),
    )
        .prop_map(|(requests, limits, claims)| {
            object(
                vec![
                    ("requests", requests),
                    ("limits", limits),
                    ("claims", claims),
                ],
                vec![],
            )
        })
        .boxed()
}

fn container(policies: &'static [&'static str]) -> BoxedStrategy<Value> {
    (
        maybe(text(&["app", "sidecar", "init", ""])),
        maybe(text(&["registry.example.com/web:1.42.0"])),
        maybe(requirements()),
        maybe(text(policies)),
        maybe(Just(json!([{"name": "LOG_LEVEL", "value": "info"}]))),
        unknown(),
    )
        .prop_map(|(name, image, resources, policy, env, unknown)| {
            object(
                vec![
                    ("name", name),
                    ("image", image),
                    ("resources", resources),
                    ("restartPolicy", policy),
                    ("env", env),
                ],
                unknown,
            )
        })
        .boxed()
}

fn owner() -> BoxedStrategy<Value> {
    (
        maybe(text(&["apps/v1", "batch/v1", "v1", "example.com/v1", ""])),
        maybe(text(&[
            "ReplicaSet",
            "Job",
            "StatefulSet",
            "Node",
            "Tracker",
        ])),
        maybe(text(&["web-7d9f8b6c5d", "nightly-28930", "db", ""])),
        maybe(text(&["c3d4e5f6-a7b8", "11111111-2222", ""])),
        maybe(any::<bool>().prop_map(Value::Bool)),
        maybe(any::<bool>().prop_map(Value::Bool)),
    )
        .prop_map(|(api_version, kind, name, uid, controller, block)| {
            object(
                vec![
                    ("apiVersion", api_version),
                    ("kind", kind),
                    ("name", name),
                    ("uid", uid),
                    ("controller", controller),
                    ("blockOwnerDeletion", block),
                ],
                vec![],
            )
        })
        .boxed()
}

fn string_map(
    keys: &'static [&'static str],
    values: &'static [&'static str],
) -> BoxedStrategy<Value> {
    btree_map(select(keys), select(values), 0..8)
        .prop_map(|entries| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), Value::from(v)))
                    .collect(),
            )
        })
        .boxed()
}

fn condition(types: &'static [&'static str]) -> BoxedStrategy<Value> {
    (
        maybe(text(types)),
        maybe(text(&["True", "False", "Unknown", "true", ""])),
        maybe(text(&[
            "KubeletReady",
            "ContainersNotReady",
            "Unschedulable",
            "",
        ])),
        maybe(Just(Value::from(TIME))),
        maybe(prop_oneof![
            text(&[
                "a message",
                "0/5 nodes are available: 5 Insufficient cpu.",
                "quote \" é",
                ""
            ]),
            (1000usize..1100).prop_map(|n| Value::from("x".repeat(n) + "é…")),
        ]),
    )
        .prop_map(|(type_, status, reason, time, message)| {
            object(
                vec![
                    ("type", type_),
                    ("status", status),
                    ("reason", reason),
                    ("lastTransitionTime", time.clone()),
                    ("lastHeartbeatTime", time),
                    ("message", message),
                ],
                vec![],
            )
        })
        .boxed()
}

fn container_state() -> BoxedStrategy<Value> {
    prop_oneof![
        maybe(text(&["CrashLoopBackOff", "ContainerCreating", "ImagePullBackOff", "crashloopbackoff", ""]))
            .prop_map(|reason| json!({"waiting": object(vec![("reason", reason), ("message", Some(Value::from("back-off")))], vec![])})),
        Just(json!({"running": {"startedAt": TIME}})),
        (0i32..3).prop_map(|code| json!({"terminated": {"exitCode": code, "reason": "Completed", "finishedAt": TIME}})),
        Just(json!({})),
    ]
    .boxed()
}

fn container_status() -> BoxedStrategy<Value> {
    (
        maybe(text(&["app", "sidecar", "init"])),
        maybe(prop_oneof![8 => 0i32..5, 1 => any::<i32>()].prop_map(Value::from)),
        maybe(container_state()),
        maybe(container_state()),
        maybe(any::<bool>().prop_map(Value::Bool)),
        maybe(text(&["sha256:aa"])),
    )
        .prop_map(|(name, restarts, state, last_state, ready, image_id)| {
            object(
                vec![
                    ("name", name),
                    ("restartCount", restarts),
                    ("state", state),
                    ("lastState", last_state),
                    ("ready", ready),
                    ("imageID", image_id),
                ],
                vec![],
            )
        })
        .boxed()
}

const POD_CONDITIONS: &[&str] = &[
    "Ready",
    "ContainersReady",
    "Initialized",
    "PodScheduled",
    "PodReadyToStartContainers",
    "DisruptionTarget",
    "ready",
    "Ready ",
];

fn pod_metadata() -> BoxedStrategy<Value> {
    (
        maybe(text(&["web-7d9f8b6c5d-x2k4q", "p", ""])),
        maybe(text(&["default", "shop", "kube-system", ""])),
        maybe(text(&["0b6c4a52-9d51", ""])),
        maybe(text(&["918273645", "1", ""])),
        maybe(string_map(
            &["app", "pod-template-hash", "topology.kubernetes.io/zone"],
            &["web", "", "7d9f8b6c5d"],
        )),
        maybe(string_map(&["prometheus.io/scrape"], &["true"])),
        maybe(some_of(owner(), 4)),
        maybe(Just(Value::from(TIME))),
        maybe(Just(
            json!([{"manager": "kubelet", "operation": "Update", "fieldsV1": {"f:status": {}}}]),
        )),
        unknown(),
    )
        .prop_map(
            |(
                name,
                namespace,
                uid,
                version,
                labels,
                annotations,
                owners,
                created,
                managed,
                unknown,
            )| {
                object(
                    vec![
                        ("name", name),
                        ("namespace", namespace),
                        ("uid", uid),
                        ("resourceVersion", version),
                        ("labels", labels),
                        ("annotations", annotations),
                        ("ownerReferences", owners),
                        ("creationTimestamp", created),
                        ("managedFields", managed),
                    ],
                    unknown,
                )
            },
        )
        .boxed()
}

fn pod_spec() -> BoxedStrategy<Value> {
    (
        maybe(text(&["node-1", "ip-10-20-1-17.eu-west-1.compute.internal", ""])),
        maybe(some_of(container(&["Always", "Never"]), 5)),
        maybe(some_of(
            container(&["Always", "OnFailure", "Never", "always", ""]),
            5,
        )),
        maybe(resource_list()),
        maybe(requirements()),
        maybe(text(&["Always", "OnFailure"])),
        maybe(Just(json!([{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]))),
        unknown(),
    )
        .prop_map(
            |(node, containers, inits, overhead, resources, policy, tolerations, unknown)| {
                object(
                    vec![
                        ("nodeName", node),
                        ("containers", containers),
                        ("initContainers", inits),
                        ("overhead", overhead),
                        ("resources", resources),
                        ("restartPolicy", policy),
                        ("tolerations", tolerations),
                    ],
                    unknown,
                )
            },
        )
        .boxed()
}

fn pod_status() -> BoxedStrategy<Value> {
    (
        maybe(text(&[
            "Pending",
            "Running",
            "Succeeded",
            "Failed",
            "Unknown",
            "",
            "Evicted",
            "running",
        ])),
        maybe(some_of(condition(POD_CONDITIONS), 7)),
        maybe(some_of(container_status(), 5)),
        maybe(some_of(container_status(), 4)),
        maybe(text(&["Burstable", "BestEffort"])),
        maybe(Just(Value::from(TIME))),
        unknown(),
    )
        .prop_map(|(phase, conditions, apps, inits, qos, start, unknown)| {
            object(
                vec![
                    ("phase", phase),
                    ("conditions", conditions),
                    ("containerStatuses", apps),
                    ("initContainerStatuses", inits),
                    ("qosClass", qos),
                    ("startTime", start),
                ],
                unknown,
            )
        })
        .boxed()
}

/// A Pod, well-typed.
pub fn pod() -> BoxedStrategy<Value> {
    (
        prop_oneof![Just(None::<Value>), Just(Some(Value::from("v1")))],
        prop_oneof![Just(None::<Value>), Just(Some(Value::from("Pod")))],
        maybe(pod_metadata()),
        maybe(pod_spec()),
        maybe(pod_status()),
        unknown(),
    )
        .prop_map(|(api_version, kind, metadata, spec, status, unknown)| {
            object(
                vec![
                    ("apiVersion", api_version),
                    ("kind", kind),
                    ("metadata", metadata),
                    ("spec", spec),
                    ("status", status),
                ],
                unknown,
            )
        })
        .boxed()
}

const NODE_LABELS: &[&str] = &[
    "node-role.kubernetes.io/worker",
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/gpu",
    "node-role.kubernetes.io/",
    "kubernetes.io/role",
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
    "node.kubernetes.io/instance-type",
    "beta.kubernetes.io/instance-type",
    "kubernetes.io/hostname",
    "topology.kubernetes.io/region",
];

const NODE_CONDITIONS: &[&str] = &[
    "Ready",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
    "KernelDeadlock",
    "ready",
];

fn node_metadata() -> BoxedStrategy<Value> {
    (
        maybe(text(&[
            "ip-10-20-1-17.eu-west-1.compute.internal",
            "n1",
            "",
        ])),
        maybe(text(&["6a7b8c9d-0e1f", ""])),
        maybe(text(&["918270001", ""])),
        maybe(string_map(
            NODE_LABELS,
            &["", "worker", "infra", "eu-west-1a", "m5.large", "true"],
        )),
        maybe(string_map(&["node.alpha.kubernetes.io/ttl"], &["0"])),
        maybe(Just(Value::from(TIME))),
        unknown(),
    )
        .prop_map(
            |(name, uid, version, labels, annotations, created, unknown)| {
                object(
                    vec![
                        ("name", name),
                        ("uid", uid),
                        ("resourceVersion", version),
                        ("labels", labels),
                        ("annotations", annotations),
                        ("creationTimestamp", created),
                    ],
                    unknown,
                )
            },
        )
        .boxed()
}

fn node_spec() -> BoxedStrategy<Value> {
    let taint = (
        text(&["nvidia.com/gpu", "node.kubernetes.io/unschedulable"]),
        maybe(text(&["present"])),
        text(&["NoSchedule", "NoExecute", "PreferNoSchedule"]),
        maybe(Just(Value::from(TIME))),
    )
        .prop_map(|(key, value, effect, added)| {
            object(
                vec![
                    ("key", Some(key)),
                    ("value", value),
                    ("effect", Some(effect)),
                    ("timeAdded", added),
                ],
                vec![],
            )
        })
        .boxed();
    (
        maybe(any::<bool>().prop_map(Value::Bool)),
        maybe(some_of(taint, 3)),
        maybe(text(&["10.244.3.0/24"])),
        maybe(text(&["aws:///eu-west-1a/i-0abc"])),
        unknown(),
    )
        .prop_map(|(unschedulable, taints, cidr, provider, unknown)| {
            object(
                vec![
                    ("unschedulable", unschedulable),
                    ("taints", taints),
                    ("podCIDR", cidr),
                    ("providerID", provider),
                ],
                unknown,
            )
        })
        .boxed()
}

fn node_status() -> BoxedStrategy<Value> {
    let info = (
        maybe(text(&["v1.33.1-eks-1234567", "v1.35.0", ""])),
        maybe(text(&["Ubuntu 24.04"])),
        maybe(text(&["amd64"])),
        unknown(),
    )
        .prop_map(|(kubelet, os, arch, unknown)| {
            object(
                vec![
                    ("kubeletVersion", kubelet),
                    ("osImage", os),
                    ("architecture", arch),
                ],
                unknown,
            )
        });
    (
        maybe(resource_list()),
        maybe(resource_list()),
        maybe(some_of(condition(NODE_CONDITIONS), 8)),
        maybe(info),
        maybe(Just(
            json!([{"type": "InternalIP", "address": "10.20.1.17"}]),
        )),
        unknown(),
    )
        .prop_map(
            |(capacity, allocatable, conditions, info, addresses, unknown)| {
                object(
                    vec![
                        ("capacity", capacity),
                        ("allocatable", allocatable),
                        ("conditions", conditions),
                        ("nodeInfo", info),
                        ("addresses", addresses),
                    ],
                    unknown,
                )
            },
        )
        .boxed()
}

/// A Node, well-typed.
pub fn node() -> BoxedStrategy<Value> {
    (
        prop_oneof![Just(None::<Value>), Just(Some(Value::from("v1")))],
        prop_oneof![Just(None::<Value>), Just(Some(Value::from("Node")))],
        maybe(node_metadata()),
        maybe(node_spec()),
        maybe(node_status()),
        unknown(),
    )
        .prop_map(|(api_version, kind, metadata, spec, status, unknown)| {
            object(
                vec![
                    ("apiVersion", api_version),
                    ("kind", kind),
                    ("metadata", metadata),
                    ("spec", spec),
                    ("status", status),
                ],
                unknown,
            )
        })
        .boxed()
}
