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
