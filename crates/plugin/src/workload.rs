//! `<kind>/<name>` on the command line, and the placement that describes that workload.

use crate::error::{PluginError, Result};
use crate::placement::Placement;

/// A workload as the user names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadRef {
    /// Lowercase, as typed: `deployment`, `deploy`, `deployments`.
    kind: String,
    pub name: String,
}

/// kubectl's short names of the kinds Karmada usually propagates.
const SHORT_NAMES: &[(&str, &str)] = &[
    ("deploy", "deployment"),
    ("sts", "statefulset"),
    ("ds", "daemonset"),
    ("rs", "replicaset"),
    ("cj", "cronjob"),
    ("svc", "service"),
    ("cm", "configmap"),
    ("ns", "namespace"),
    ("sa", "serviceaccount"),
    ("ing", "ingress"),
    ("pvc", "persistentvolumeclaim"),
    ("hpa", "horizontalpodautoscaler"),
];

impl WorkloadRef {
    pub fn parse(text: &str) -> Result<WorkloadRef> {
        let (kind, name) = text
            .split_once('/')
            .filter(|(kind, name)| !kind.is_empty() && !name.is_empty() && !name.contains('/'))
            .ok_or_else(|| {
                PluginError::Usage(format!(
                    "{text:?} is not <kind>/<name>, e.g. deployment/web"
                ))
            })?;
        Ok(WorkloadRef {
            kind: kind.to_lowercase(),
            name: name.to_owned(),
        })
    }

    /// Whether `kind` (as a placement's `status.workload.kind` spells it) is the one named:
    /// the kind itself, its plural, a kubectl short name, or `kind.group`.
    pub fn names_kind(&self, kind: &str) -> bool {
        let kind = kind.to_lowercase();
        let typed = self.kind.split('.').next().unwrap_or_default();
        let expanded = SHORT_NAMES
            .iter()
            .find(|(short, _)| *short == typed)
            .map_or(typed, |(_, long)| *long);
        expanded == kind
            || expanded.strip_suffix('s') == Some(kind.as_str())
            || expanded.strip_suffix("es") == Some(kind.as_str())
    }

    /// The one placement describing this workload among `placements`.
    pub fn find<'a>(&self, placements: &'a [Placement], scope: &str) -> Result<&'a Placement> {
        let matching: Vec<&Placement> = placements
            .iter()
            .filter(|p| {
                let workload = &p.status.workload;
                workload.name == self.name && self.names_kind(&workload.kind)
            })
            .collect();
        match matching.as_slice() {
            [one] => Ok(one),
            [] => Err(PluginError::NotFound(format!(
                "no placement describes {}/{} in {scope}: it is not propagated by Karmada, or karmada-manager has not written its placement yet (kubectl get workloadplacements{})",
                self.kind,
                self.name,
                if scope == "every namespace" {
                    " -A"
                } else {
                    ""
                }
            ))),
            several => {
                let names: Vec<String> = several
                    .iter()
                    .map(|p| match &p.namespace {
                        Some(ns) => format!("{ns}/{}", p.name),
                        None => p.name.clone(),
                    })
                    .collect();
                Err(PluginError::Usage(format!(
                    "{}/{} names several workloads ({}); give the namespace with -n",
                    self.kind,
                    self.name,
                    names.join(", ")
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_the_ways_kubectl_accepts() {
        let deploy = WorkloadRef::parse("deploy/web").unwrap();
        assert!(deploy.names_kind("Deployment"));
        assert!(!deploy.names_kind("StatefulSet"));
        for typed in ["Deployment/web", "deployments/web", "deployment.apps/web"] {
            assert!(
                WorkloadRef::parse(typed).unwrap().names_kind("Deployment"),
                "{typed}"
            );
        }
        assert!(
            WorkloadRef::parse("ingresses/x")
                .unwrap()
                .names_kind("Ingress")
        );
        assert!(WorkloadRef::parse("web").is_err());
        assert!(WorkloadRef::parse("deployment/").is_err());
        assert!(WorkloadRef::parse("a/b/c").is_err());
    }
}
