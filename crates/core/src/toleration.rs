//! Whether a toleration tolerates a taint: `Toleration.ToleratesTaint` of k8s.io/api, shared by
//! the node claim (node taints against a replica's tolerations) and the cluster filter (Cluster
//! taints against a placement's `clusterTolerations`), which Karmada checks by the same rule.

use k8s_openapi::api::core::v1::Toleration;

use crate::projection::TaintEffect;

/// A toleration, parsed once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Tolerates {
    /// Empty: every key.
    key: String,
    operator: Operator,
    value: String,
    /// `None`: every effect.
    effect: Option<TaintEffect>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Operator {
    /// `Equal`, also when empty: the value must be the taint's.
    Equal,
    /// Any value.
    Exists,
    /// Anything else (including `Gt`/`Lt`, which Karmada leaves disabled) tolerates nothing.
    Unknown,
}

impl Tolerates {
    pub(crate) fn new(t: &Toleration) -> Tolerates {
        let operator = match t.operator.as_deref().unwrap_or_default() {
            "" | "Equal" => Operator::Equal,
            "Exists" => Operator::Exists,
            _ => Operator::Unknown,
        };
        Tolerates {
            key: t.key.clone().unwrap_or_default(),
            operator,
            value: t.value.clone().unwrap_or_default(),
            effect: t
                .effect
                .as_deref()
                .filter(|e| !e.is_empty())
                .map(TaintEffect::from),
        }
    }

    /// Whether this toleration tolerates the taint `key=value:effect`.
    pub(crate) fn taint(&self, key: &str, value: &str, effect: TaintEffect) -> bool {
        self.effect.is_none_or(|e| e == effect)
            && (self.key.is_empty() || self.key == key)
            && match self.operator {
                Operator::Equal => self.value == value,
                Operator::Exists => true,
                Operator::Unknown => false,
            }
    }
}

/// Whether any of `tolerations` tolerates the taint `key=value:effect`.
pub(crate) fn tolerated(
    tolerations: &[Tolerates],
    key: &str,
    value: &str,
    effect: TaintEffect,
) -> bool {
    tolerations.iter().any(|t| t.taint(key, value, effect))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toleration(key: &str, operator: &str, value: &str, effect: &str) -> Tolerates {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Tolerates::new(&Toleration {
            key: some(key),
            operator: some(operator),
            value: some(value),
            effect: some(effect),
            ..Toleration::default()
        })
    }

    #[test]
    fn follows_tolerates_taint() {
        let no_schedule = TaintEffect::NoSchedule;
        assert!(toleration("k", "Equal", "v", "NoSchedule").taint("k", "v", no_schedule));
        assert!(toleration("k", "", "v", "").taint("k", "v", TaintEffect::NoExecute));
        assert!(!toleration("k", "Equal", "v", "NoSchedule").taint("k", "w", no_schedule));
        assert!(!toleration("k", "Equal", "v", "NoExecute").taint("k", "v", no_schedule));
        assert!(toleration("k", "Exists", "", "").taint("k", "anything", no_schedule));
        assert!(toleration("", "Exists", "", "").taint("any", "thing", no_schedule));
        assert!(!toleration("k", "Gt", "1", "").taint("k", "2", no_schedule));
        assert!(!toleration("other", "Exists", "", "").taint("k", "", no_schedule));
    }
}
