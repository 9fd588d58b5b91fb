//! Serde helpers shared by the types in this crate.

use serde::{Deserialize, Deserializer};

/// Decodes `null` as the type's default.
///
/// `#[serde(default)]` only covers an absent field. Go's `encoding/json` writes `null` for a nil
/// slice, map or pointer whose tag lacks `omitempty` (e.g. `PropagationSpec.resourceSelectors`), so
/// such fields use this as well, and so do the top-level `spec`/`status` of every object.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// [`null_as_default`] for an object's `spec`, whose decode errors name the field that failed
/// from the object's root (`spec.priority: Invalid value ...`): serde's own messages quote the
/// value but not where it is.
pub(crate) fn spec<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    part("spec", deserializer)
}

/// [`spec`], for an object's `status`.
pub(crate) fn status<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    part("status", deserializer)
}

fn part<'de, D, T>(name: &str, deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    serde_path_to_error::deserialize::<_, Option<T>>(deserializer)
        .map(Option::unwrap_or_default)
        .map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let separator = if path.starts_with('[') { "" } else { "." };
            // The path of a failure in `spec` itself (not an object) is ".".
            match path.as_str() {
                "." => serde::de::Error::custom(format_args!("{name}: {inner}")),
                _ => serde::de::Error::custom(format_args!("{name}{separator}{path}: {inner}")),
            }
        })
}
