//! A Pod's controller: [`ControllerRef`], the table that shares it between the pods of one
//! controller, and its decoding from `metadata.ownerReferences` on the wire, reduced while it is
//! decoded to the first entry with `controller: true`, interned. The others are read and
//! dropped, and the usual apiVersions and kinds cost no interner lookup.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use hashbrown::Equivalent;
use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

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

/// The shared copy of a controller reference (pods of one ReplicaSet share it); decoding finds
/// it from the text instead (`ControllerText`).
#[cfg(test)]
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
        "name" => name: OwnerText,
        "uid" => uid: OwnerText,
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
        let key = ControllerText {
            api_version: interned(self.api_version),
            kind: interned(self.kind),
            name: self.name.as_str(),
            uid: self.uid.as_str(),
        };
        CONTROLLERS.intern_equivalent(&key, |key| {
            Arc::new(ControllerRef {
                api_version: Arc::clone(&key.api_version),
                kind: Arc::clone(&key.kind),
                name: Arc::from(key.name),
                uid: Arc::from(key.uid),
            })
        })
    }
}

/// Longest name or uid [`OwnerText`] holds without allocating: a uid has 36 bytes, and
/// controller names are mostly shorter than this.
const INLINE_OWNER_TEXT: usize = 64;

/// An owner reference's name or uid, as decoded: in place when it is short, so that finding
/// a controller its table already holds, as nearly every pod's is, allocates nothing.
enum OwnerText {
    Inline([u8; INLINE_OWNER_TEXT], usize),
    Long(String),
}

impl Default for OwnerText {
    fn default() -> Self {
        OwnerText::Inline([0; INLINE_OWNER_TEXT], 0)
    }
}

impl OwnerText {
    fn as_str(&self) -> &str {
        match self {
            // A whole `str` was copied in: valid UTF-8, so the fallback to "" is never taken.
            OwnerText::Inline(bytes, len) => bytes
                .get(..*len)
                .and_then(|text| std::str::from_utf8(text).ok())
                .unwrap_or_default(),
            OwnerText::Long(text) => text,
        }
    }
}

impl<'de> Deserialize<'de> for OwnerText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(OwnerTextVisitor)
    }
}

struct OwnerTextVisitor;

impl Visitor<'_> for OwnerTextVisitor {
    type Value = OwnerText;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<OwnerText, E> {
        let mut bytes = [0; INLINE_OWNER_TEXT];
        Ok(match bytes.get_mut(..value.len()) {
            Some(inline) => {
                inline.copy_from_slice(value.as_bytes());
                OwnerText::Inline(bytes, value.len())
            }
            None => OwnerText::Long(value.to_owned()),
        })
    }
}

/// A controller reference as decoded, standing for the [`ControllerRef`] of the same strings
/// in [`CONTROLLERS`]: it hashes as the derived `Hash` of `ControllerRef` does (each string in
/// field order) and compares field by field, so a controller already held is found without
/// building one.
struct ControllerText<'a> {
    api_version: Arc<str>,
    kind: Arc<str>,
    name: &'a str,
    uid: &'a str,
}

impl Hash for ControllerText<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (*self.api_version).hash(state);
        (*self.kind).hash(state);
        self.name.hash(state);
        self.uid.hash(state);
    }
}

impl Equivalent<Arc<ControllerRef>> for ControllerText<'_> {
    fn equivalent(&self, held: &Arc<ControllerRef>) -> bool {
        *self.api_version == *held.api_version
            && *self.kind == *held.kind
            && self.name == &*held.name
            && self.uid == &*held.uid
    }
}
