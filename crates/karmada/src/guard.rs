//! Turning a `DeserializeGuard` failure into an error that names the object.
//!
//! Watches and lists of Karmada objects are decoded as `DeserializeGuard<K>` so that one object
//! of an unexpected shape becomes an `Err` item instead of failing the whole list or ending the
//! watch. kube's `InvalidObject` holds the serde message and the object's metadata
//! separately; [`unguard`] joins them so that the log line says which object is broken.

use std::fmt;

use kube::core::{DeserializeGuard, Resource, error_boundary::InvalidObject};

/// An object of kind `kind` that could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Kind of the object, e.g. `ResourceBinding`.
    pub kind: String,
    /// Its namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// Its name (absent only if even the metadata was unreadable).
    pub name: Option<String>,
    /// What serde rejected.
    pub message: String,
}

impl DecodeError {
    /// Builds the error for an `InvalidObject` of kind `K`.
    pub fn new<K: Resource<DynamicType = ()>>(invalid: &InvalidObject) -> Self {
        DecodeError {
            kind: K::kind(&()).into_owned(),
            namespace: invalid.metadata.namespace.clone(),
            name: invalid.metadata.name.clone(),
            message: invalid.error.clone(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name.as_deref().unwrap_or("<unnamed>");
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{name}: {}", self.kind, self.message),
            None => write!(f, "{} {name}: {}", self.kind, self.message),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The decoded object, or an error naming the object that could not be decoded.
pub fn unguard<K: Resource<DynamicType = ()>>(
    guard: DeserializeGuard<K>,
) -> Result<K, DecodeError> {
    guard.0.map_err(|invalid| DecodeError::new::<K>(&invalid))
}
