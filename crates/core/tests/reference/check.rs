//! One JSON text through the decoder and through the reference, and the verdict. The decoder
//! reads the text with the operator's JSON reader, which must also decode it as `serde_json`
//! does (`read_alike`).
//!
//! When k8s-openapi accepts the object, the decoder must accept it and agree with the reference
//! on every field. When k8s-openapi rejects it, the text is cut down to the fields the
//! projection reads ([`Shape`]); the verdict depends on why it was rejected:
//!
//! - the cut-down object is accepted: the error was in a field the projection never reads
//!   (an `image: 5`, a bad timestamp, a wrong `apiVersion`), which the decoder skips without
//!   looking; it must then accept the object and agree with the reference on the cut-down one;
//! - the decoder rejects it too: agreed;
//! - the decoder accepts it by one of its documented tolerances: a quantity that is `null`, a
//!   boolean, a list or a map is dropped like an unparsable one (Go reads `null` as zero and
//!   rejects the others; the API server stores `null` as `"0"`, so a watch never carries one),
//!   and a `null` label value is an empty one (as Go decodes it). The same object with those
//!   values normalised so must be accepted by k8s-openapi, and the decoder must agree with the
//!   reference on it;
//! - two tolerances have no normalised equivalent and are skipped, each counted under its
//!   reason: an object in the positional (array) form serde's derive accepts, and a
//!   `restartCount` beyond `int32`, which the decoder reads as `i64`. The API server sends
//!   neither (it writes objects as JSON objects and validates `restartCount` as an `int32`);
//! - anything else is a disagreement.

use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_core::{SlimNode, SlimPod, json};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{reference_node, reference_pod, slim_node_view, slim_pod_view};

/// How a case ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Both decoded it; every field agreed.
    Compared,
    /// k8s-openapi rejected a field the projection does not read; the decoder agreed with the
    /// reference on the fields it reads.
    UnreadFieldRejected,
    /// Both rejected it.
    BothRejected,
    /// Accepted by a documented tolerance; agreed with the reference on the normalised object.
    Normalised,
    /// Skipped: an object in positional (array) form where the projection reads an object.
    SkippedPositional,
    /// Skipped: a `restartCount` beyond `int32`.
    SkippedRestartCount,
}

/// Which parts of an object the projection reads.
pub enum Shape {
    /// Kept whole.
    Leaf,
    /// Only the named fields, each cut down to its shape.
    Object(&'static [(&'static str, Shape)]),
    /// Every item cut down to the shape.
    List(&'static Shape),
    /// A map of quantities (`requests`, `capacity`, …).
    Quantities,
    /// A Node's labels: every one is kept.
    NodeLabels,
}

const REQUIREMENTS: Shape = Shape::Object(&[("requests", Shape::Quantities)]);
const CONTAINER: Shape =
    Shape::Object(&[("resources", REQUIREMENTS), ("restartPolicy", Shape::Leaf)]);
const CONDITION: Shape = Shape::Object(&[("type", Shape::Leaf), ("status", Shape::Leaf)]);
/// A Pod's conditions: a `PodScheduled=False` entry's reason and message are kept too.
const POD_CONDITION: Shape = Shape::Object(&[
    ("type", Shape::Leaf),
    ("status", Shape::Leaf),
    ("reason", Shape::Leaf),
    ("message", Shape::Leaf),
]);
const TAINT: Shape = Shape::Object(&[
    ("key", Shape::Leaf),
    ("value", Shape::Leaf),
    ("effect", Shape::Leaf),
]);
const CONTAINER_STATUS: Shape = Shape::Object(&[
    ("restartCount", Shape::Leaf),
    (
        "state",
        Shape::Object(&[("waiting", Shape::Object(&[("reason", Shape::Leaf)]))]),
    ),
]);
const OWNER: Shape = Shape::Object(&[
    ("apiVersion", Shape::Leaf),
    ("kind", Shape::Leaf),
    ("name", Shape::Leaf),
    ("uid", Shape::Leaf),
    ("controller", Shape::Leaf),
]);

/// What a `SlimPod` is made of.
pub const POD: Shape = Shape::Object(&[
    (
        "metadata",
        Shape::Object(&[
            ("name", Shape::Leaf),
            ("namespace", Shape::Leaf),
            ("uid", Shape::Leaf),
            ("resourceVersion", Shape::Leaf),
            ("ownerReferences", Shape::List(&OWNER)),
        ]),
    ),
    (
        "spec",
        Shape::Object(&[
            ("nodeName", Shape::Leaf),
            ("containers", Shape::List(&CONTAINER)),
            ("initContainers", Shape::List(&CONTAINER)),
            ("overhead", Shape::Quantities),
            ("resources", REQUIREMENTS),
        ]),
    ),
    (
        "status",
        Shape::Object(&[
            ("phase", Shape::Leaf),
            ("conditions", Shape::List(&POD_CONDITION)),
            ("containerStatuses", Shape::List(&CONTAINER_STATUS)),
            ("initContainerStatuses", Shape::List(&CONTAINER_STATUS)),
        ]),
    ),
]);

/// What a `SlimNode` is made of.
pub const NODE: Shape = Shape::Object(&[
    (
        "metadata",
        Shape::Object(&[
            ("name", Shape::Leaf),
            ("uid", Shape::Leaf),
            ("resourceVersion", Shape::Leaf),
            ("labels", Shape::NodeLabels),
        ]),
    ),
    (
        "spec",
        Shape::Object(&[
            ("unschedulable", Shape::Leaf),
            ("taints", Shape::List(&TAINT)),
        ]),
    ),
    (
        "status",
        Shape::Object(&[
            ("capacity", Shape::Quantities),
            ("allocatable", Shape::Quantities),
            ("conditions", Shape::List(&CONDITION)),
            (
                "nodeInfo",
                Shape::Object(&[("kubeletVersion", Shape::Leaf)]),
            ),
        ]),
    ),
]);

/// What cutting an object down met on the way.
#[derive(Default)]
struct Met {
    /// An array where the shape reads an object.
    positional: bool,
}

/// `value` cut down to `shape`. A value of another type than the shape expects is kept whole,
/// so that a type error stays one. With `tolerate`, the values the decoder tolerates are
/// normalised as it reads them: a quantity that is `null`, a boolean, a list or a map is left
/// out, and a `null` label value becomes `""`.
fn cut(value: &Value, shape: &Shape, tolerate: bool, met: &mut Met) -> Value {
    match (shape, value) {
        (Shape::Object(fields), Value::Object(map)) => Value::Object(
            fields
                .iter()
                .filter_map(|(key, shape)| {
                    let field = map.get(*key)?;
                    Some(((*key).to_owned(), cut(field, shape, tolerate, met)))
                })
                .collect(),
        ),
        (Shape::Object(_), Value::Array(_)) => {
            met.positional = true;
            value.clone()
        }
        (Shape::List(item), Value::Array(items)) => {
            Value::Array(items.iter().map(|v| cut(v, item, tolerate, met)).collect())
        }
        (Shape::Quantities, Value::Object(map)) if tolerate => Value::Object(
            map.iter()
                .filter(|(_, v)| matches!(v, Value::String(_) | Value::Number(_)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        (Shape::NodeLabels, Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(key, label)| {
                    let label = match label {
                        Value::Null if tolerate => Value::from(""),
                        other => other.clone(),
                    };
                    (key.clone(), label)
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// A `restartCount` that is an integer outside `i32`, anywhere in a (cut-down) Pod.
fn restart_count_beyond_i32(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, v)| {
            let beyond =
                key == "restartCount" && v.as_i64().is_some_and(|n| i32::try_from(n).is_err());
            beyond || restart_count_beyond_i32(v)
        }),
        Value::Array(items) => items.iter().any(restart_count_beyond_i32),
        _ => false,
    }
}

/// The two sides of one kind of object.
trait Kind {
    type Slim: DeserializeOwned + PartialEq + std::fmt::Debug;
    type Openapi: DeserializeOwned;
    type View: PartialEq + std::fmt::Debug;
    const SHAPE: &'static Shape;
    fn slim(slim: &Self::Slim) -> Self::View;
    fn reference(object: &Self::Openapi) -> Self::View;
}

struct PodKind;

impl Kind for PodKind {
    type Slim = SlimPod;
    type Openapi = Pod;
    type View = super::PodView;
    const SHAPE: &'static Shape = &POD;
    fn slim(slim: &SlimPod) -> super::PodView {
        slim_pod_view(slim)
    }
    fn reference(object: &Pod) -> super::PodView {
        reference_pod(object)
    }
}

struct NodeKind;

impl Kind for NodeKind {
    type Slim = SlimNode;
    type Openapi = Node;
    type View = super::NodeView;
    const SHAPE: &'static Shape = &NODE;
    fn slim(slim: &SlimNode) -> super::NodeView {
        slim_node_view(slim)
    }
    fn reference(object: &Node) -> super::NodeView {
        reference_node(object)
    }
}

/// The decoder must have accepted `text` and agree with the reference on `object`.
fn agree<K: Kind>(
    text: &str,
    decoded: &Result<K::Slim, serde_json::Error>,
    object: &K::Openapi,
    how: &str,
) -> Result<(), String> {
    let expected = K::reference(object);
    match decoded {
        Ok(slim) => {
            let actual = K::slim(slim);
            if actual == expected {
                Ok(())
            } else {
                Err(format!(
                    "decoder and reference disagree ({how})\n  input: {text}\n  \
                     decoder:   {actual:?}\n  reference: {expected:?}"
                ))
            }
        }
        Err(error) => Err(format!(
            "the decoder rejects ({error}) what k8s-openapi accepts ({how})\n  input: {text}"
        )),
    }
}

/// The operator's reader ([`json::from_slice`]) and `serde_json` must decode `text` alike: the
/// same value, or both an error. The operator's is the decoder checked against the reference.
fn read_alike<K: Kind>(text: &str) -> Result<Result<K::Slim, serde_json::Error>, String> {
    let ours = json::from_slice::<K::Slim>(text.as_bytes());
    let theirs = serde_json::from_str::<K::Slim>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) if a == b => Ok(ours),
        (Err(_), Err(_)) => Ok(ours),
        _ => Err(format!(
            "the reader and serde_json disagree\n  input: {text}\n  reader:     {ours:?}\n  \
             serde_json: {theirs:?}"
        )),
    }
}

fn check<K: Kind>(text: &str) -> Result<Outcome, String> {
    let decoded = read_alike::<K>(text)?;
    if let Ok(object) = serde_json::from_str::<K::Openapi>(text) {
        agree::<K>(text, &decoded, &object, "as sent")?;
        return Ok(Outcome::Compared);
    }
    // k8s-openapi rejects it. Cut it down from the same text, so that a float reads back as
    // the same `f64` on both sides.
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return match decoded {
            Err(_) => Ok(Outcome::BothRejected),
            Ok(_) => Err(format!("the decoder accepts text that is not JSON: {text}")),
        };
    };
    let mut met = Met::default();
    let read = cut(&value, K::SHAPE, false, &mut met);
    if let Ok(object) = serde_json::from_value::<K::Openapi>(read) {
        agree::<K>(text, &decoded, &object, "fields it reads")?;
        return Ok(Outcome::UnreadFieldRejected);
    }
    if decoded.is_err() {
        return Ok(Outcome::BothRejected);
    }
    let normalised = cut(&value, K::SHAPE, true, &mut Met::default());
    if let Ok(object) = serde_json::from_value::<K::Openapi>(normalised) {
        agree::<K>(text, &decoded, &object, "normalised")?;
        return Ok(Outcome::Normalised);
    }
    if met.positional {
        return Ok(Outcome::SkippedPositional);
    }
    if restart_count_beyond_i32(&value) {
        return Ok(Outcome::SkippedRestartCount);
    }
    Err(format!(
        "the decoder accepts what k8s-openapi rejects in the fields it reads\n  input: {text}"
    ))
}

/// Checks a Pod's JSON text (see the module documentation).
pub fn check_pod(text: &str) -> Result<Outcome, String> {
    check::<PodKind>(text)
}

/// Checks a Node's JSON text.
pub fn check_node(text: &str) -> Result<Outcome, String> {
    check::<NodeKind>(text)
}
