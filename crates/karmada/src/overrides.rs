//! The applied-overrides annotations on a `Work`.
//!
//! When override policies change a manifest, Karmada records which ones on the Work it creates:
//! `policy.karmada.io/applied-overrides` (OverridePolicies, named without namespace — they live
//! in the workload's namespace) and `policy.karmada.io/applied-cluster-overrides`
//! (ClusterOverridePolicies). Each holds a JSON list of `{"policyName": …, "overriders": {…}}`,
//! sorted by name. The operator reports the names per cluster; the overriders are kept as raw
//! JSON for display because their schema grows every release.
//!
//! Annotations are free text anyone can edit, so parsing returns an error, never panics.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::well_known::{APPLIED_CLUSTER_OVERRIDES_ANNOTATION, APPLIED_OVERRIDES_ANNOTATION};

/// One override policy applied to a Work's manifest.
///
/// Decodes only from a JSON object (serde's derive would also take a list of the fields in
/// order, so `[["web-eu"]]` would pass for an annotation listing `web-eu`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedOverride {
    /// Name of the OverridePolicy or ClusterOverridePolicy. Required: an entry without it
    /// cannot be attributed to any policy, so it is reported as malformed.
    pub policy_name: String,
    /// The overriders that were applied, as Karmada wrote them (`null` when absent).
    pub overriders: serde_json::Value,
}

impl<'de> Deserialize<'de> for AppliedOverride {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The derived decoding, reached only through [`ObjectOnly`].
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            policy_name: String,
            #[serde(default)]
            overriders: serde_json::Value,
        }

        struct ObjectOnly;

        impl<'de> Visitor<'de> for ObjectOnly {
            type Value = AppliedOverride;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with a policyName")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AppliedOverride, A::Error> {
                let wire = Wire::deserialize(MapAccessDeserializer::new(map))?;
                Ok(AppliedOverride {
                    policy_name: wire.policy_name,
                    overriders: wire.overriders,
                })
            }
        }

        deserializer.deserialize_map(ObjectOnly)
    }
}

/// Both applied-overrides annotations of one Work, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkOverrides {
    /// From `policy.karmada.io/applied-overrides` (OverridePolicies).
    pub overrides: Vec<AppliedOverride>,
    /// From `policy.karmada.io/applied-cluster-overrides` (ClusterOverridePolicies).
    pub cluster_overrides: Vec<AppliedOverride>,
}

impl WorkOverrides {
    /// Parses both annotations from a Work's annotations; a missing annotation is an empty
    /// list. The first malformed annotation is reported.
    pub fn from_annotations(
        annotations: &BTreeMap<String, String>,
    ) -> Result<Self, AppliedOverridesError> {
        let parse = |key: &'static str| match annotations.get(key) {
            Some(raw) => parse_applied_overrides(raw).map_err(|e| e.in_annotation(key)),
            None => Ok(Vec::new()),
        };
        Ok(WorkOverrides {
            overrides: parse(APPLIED_OVERRIDES_ANNOTATION)?,
            cluster_overrides: parse(APPLIED_CLUSTER_OVERRIDES_ANNOTATION)?,
        })
    }
}

/// Parses the value of an applied-overrides annotation.
///
/// An empty (or all-whitespace) value and `null` mean "no overrides". Anything else must be a
/// JSON list of objects that each carry a string `policyName`; unknown keys are ignored. A
/// value that is not JSON at all is reported as a syntax error (see
/// [`AppliedOverridesError::is_syntax`]) even when it starts like JSON of the wrong shape.
pub fn parse_applied_overrides(raw: &str) -> Result<Vec<AppliedOverride>, AppliedOverridesError> {
    if raw.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str::<Option<Vec<AppliedOverride>>>(raw)
        .map(Option::unwrap_or_default)
        .map_err(|shape| {
            // serde_json stops at the first problem it meets, so `0f` is reported as "integer,
            // expected a sequence" before the stray `f` is seen. Only when the whole value is
            // JSON is the shape the problem; otherwise report where the syntax breaks.
            let source = match serde_json::from_str::<serde::de::IgnoredAny>(raw) {
                Err(syntax) if shape.is_data() => syntax,
                _ => shape,
            };
            AppliedOverridesError {
                annotation: None,
                source,
            }
        })
}

/// A malformed applied-overrides annotation.
///
/// Displays which annotation (when known), what was wrong and where, e.g. ``annotation
/// policy.karmada.io/applied-overrides: missing field `policyName` at line 1 column 31``.
#[derive(Debug)]
pub struct AppliedOverridesError {
    annotation: Option<&'static str>,
    source: serde_json::Error,
}

impl AppliedOverridesError {
    /// The annotation key, when the error came from [`WorkOverrides::from_annotations`].
    pub fn annotation(&self) -> Option<&'static str> {
        self.annotation
    }

    /// 1-based line of the error in the annotation value.
    pub fn line(&self) -> usize {
        self.source.line()
    }

    /// 1-based column of the error in the annotation value.
    pub fn column(&self) -> usize {
        self.source.column()
    }

    /// Whether the value is not JSON at all (syntax, or cut short) as opposed to JSON of the
    /// wrong shape.
    pub fn is_syntax(&self) -> bool {
        matches!(
            self.source.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        )
    }

    fn in_annotation(mut self, key: &'static str) -> Self {
        self.annotation = Some(key);
        self
    }
}

impl fmt::Display for AppliedOverridesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.annotation {
            Some(key) => write!(f, "annotation {key}: {}", self.source),
            None => write!(f, "applied-overrides annotation: {}", self.source),
        }
    }
}

/// The JSON error is already part of the message, so it is not repeated as a `source()`.
impl std::error::Error for AppliedOverridesError {}
