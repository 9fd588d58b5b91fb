//! A Pod's controller: [`ControllerRef`], the table that shares it between the pods of one
//! controller, and its decoding from `metadata.ownerReferences` on the wire, reduced while it is
//! decoded to the first entry with `controller: true`, interned. The others are read and
//! dropped, and the usual apiVersions and kinds cost no interner lookup.

use std::sync::{Arc, LazyLock};

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

use super::de::SharedStr;
use super::wire::{element, wire_struct};
use crate::interner::{Interner, WellKnown, intern_str};

/// The pod's controller (`ownerReferences[]` entry with `controller: true`), shared by all the
/// pods of one ReplicaSet/Job/StatefulSet/DaemonSet through the interner.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ControllerRef {
    /// e.g. `apps/v1` (interned).
    pub api_version: Arc<str>,
    /// e.g. `ReplicaSet` (interned).
    pub kind: Arc<str>,
    /// The controller's name.
    pub name: Arc<str>,
    /// The controller's uid.
    pub uid: Arc<str>,
}

/// Every pod's controller reference, shared: the pods of one ReplicaSet hold one copy.
pub(crate) static CONTROLLERS: LazyLock<Interner<ControllerRef>> = LazyLock::new(Interner::new);

/// The shared copy of a controller reference (pods of one ReplicaSet share it).
pub(crate) fn intern_controller(controller: ControllerRef) -> Arc<ControllerRef> {
    CONTROLLERS.intern_with(&controller, |c| Arc::new(c.clone()))
}

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
        while let Some(owner) = element::<WireOwnerReference, A>(&mut seq)? {
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
