//! A Pod's `metadata.ownerReferences` on the wire, reduced while it is decoded to the pod's
//! controller: the first entry with `controller: true`, interned. The others are read and
//! dropped, and the usual apiVersions and kinds cost no interner lookup.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

use super::de::SharedStr;
use super::pod::ControllerRef;
use super::wire::wire_struct;
use crate::intern::{WellKnown, intern_controller, intern_str};

/// `ownerReferences`, reduced while decoded to the first entry with `controller: true`.
#[derive(Default)]
pub(crate) struct Controller(pub(crate) Option<Arc<ControllerRef>>);

impl<'de> Deserialize<'de> for Controller {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ControllerVisitor)
    }
}

struct ControllerVisitor;

impl<'de> Visitor<'de> for ControllerVisitor {
    type Value = Controller;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of owner references")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Controller, A::Error> {
        let mut controller = None;
        while let Some(owner) = seq.next_element::<WireOwnerReference>()? {
            if controller.is_none() && owner.controller == Some(true) {
                controller = Some(owner.into_controller());
            }
        }
        Ok(Controller(controller))
    }
}

wire_struct! {
    struct WireOwnerReference {
        "apiVersion" => api_version: Option<OwnerStr>,
        "kind" => kind: Option<OwnerStr>,
        "name" => name: Option<SharedStr>,
        "uid" => uid: Option<SharedStr>,
        "controller" => controller: Option<bool>,
    }
}

/// The apiVersions and kinds nearly every pod's controller has.
static OWNER_STRINGS: WellKnown = WellKnown::new(&[
    "apps/v1",
    "batch/v1",
    "v1",
    "ReplicaSet",
    "Job",
    "StatefulSet",
    "DaemonSet",
    "Node",
]);

/// An owner reference's apiVersion or kind, interned; the usual ones without asking the
/// interner (see [`WellKnown`]).
struct OwnerStr(Arc<str>);

impl<'de> Deserialize<'de> for OwnerStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(OwnerStrVisitor)
    }
}

struct OwnerStrVisitor;

impl Visitor<'_> for OwnerStrVisitor {
    type Value = OwnerStr;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<OwnerStr, E> {
        let known = OWNER_STRINGS.get(value.as_bytes());
        Ok(OwnerStr(known.unwrap_or_else(|| intern_str(value))))
    }
}

impl WireOwnerReference {
    fn into_controller(self) -> Arc<ControllerRef> {
        let interned = |s: Option<OwnerStr>| s.map_or_else(|| intern_str(""), |s| s.0);
        let shared = |s: Option<SharedStr>| s.map_or_else(|| Arc::from(""), |s| s.0);
        intern_controller(ControllerRef {
            api_version: interned(self.api_version),
            kind: interned(self.kind),
            name: shared(self.name),
            uid: shared(self.uid),
        })
    }
}
