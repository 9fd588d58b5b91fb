//! The upstream binaries, built from their Go modules at the versions pinned in
//! [`versions`] (see [`go_build`] for how), once per version, into the cache.

mod go_build;

use crate::versions;
use anyhow::{Context, Result};
use go_build::{GoBuild, download};
use std::path::PathBuf;

/// Paths of the binaries the environment runs.
#[derive(Clone, Debug)]
pub struct Binaries {
    pub etcd: PathBuf,
    pub kube_apiserver: PathBuf,
    pub kubectl: PathBuf,
}

/// Returns the binaries, building whatever is missing. Blocking; call it from a blocking context.
pub fn ensure_binaries() -> Result<Binaries> {
    let etcd = GoBuild {
        name: "etcd",
        module: "go.etcd.io/etcd/server/v3",
        version: versions::ETCD,
        packages: &[("go.etcd.io/etcd/server/v3", "etcd")],
        pin_staging: false,
        ldflags: String::new(),
        main_source: None,
        tags: "",
    }
    .ensure()?;
    let kube = GoBuild {
        name: "kubernetes",
        module: "k8s.io/kubernetes",
        version: versions::KUBERNETES,
        packages: &[
            ("k8s.io/kubernetes/cmd/kube-apiserver", "kube-apiserver"),
            ("k8s.io/kubernetes/cmd/kubectl", "kubectl"),
        ],
        pin_staging: true,
        ldflags: kubernetes_version_ldflags(),
        main_source: None,
        tags: "",
    }
    .ensure()?;
    Ok(Binaries {
        etcd: etcd.join("etcd"),
        kube_apiserver: kube.join("kube-apiserver"),
        kubectl: kube.join("kubectl"),
    })
}

/// The `helm` binary (for the chart's lint, template and dry-run tests), building it if missing.
/// Blocking; call it from a blocking context.
pub fn ensure_helm() -> Result<PathBuf> {
    let dir = GoBuild {
        name: "helm",
        module: "helm.sh/helm/v3",
        version: versions::HELM,
        packages: &[("helm.sh/helm/v3/cmd/helm", "helm")],
        pin_staging: false,
        ldflags: helm_version_ldflags(),
        main_source: None,
        tags: "",
    }
    .ensure()?;
    Ok(dir.join("helm"))
}

/// krew, the kubectl plugin manager, and its manifest validator.
#[derive(Clone, Debug)]
pub struct KrewBinaries {
    pub krew: PathBuf,
    pub validate_manifest: PathBuf,
}

/// Builds (or finds) krew and validate-krew-manifest, for the test of the plugin's krew manifest.
/// Blocking; call it from a blocking context.
pub fn ensure_krew() -> Result<KrewBinaries> {
    let dir = GoBuild {
        name: "krew",
        module: "sigs.k8s.io/krew",
        version: versions::KREW,
        packages: &[
            ("sigs.k8s.io/krew/cmd/krew", "krew"),
            (
                "sigs.k8s.io/krew/cmd/validate-krew-manifest",
                "validate-krew-manifest",
            ),
        ],
        pin_staging: false,
        // Not stamped with its tag on purpose: a stamped krew checks GitHub for a newer release
        // now and then; a "development build" never does, whatever the environment says.
        ldflags: String::new(),
        main_source: None,
        tags: "",
    }
    .ensure()?;
    Ok(KrewBinaries {
        krew: dir.join("krew"),
        validate_manifest: dir.join("validate-krew-manifest"),
    })
}

/// `promtool`, for `promtool check rules` and `promtool test rules` on the chart's alerting rules,
/// building it if missing. Blocking; call it from a blocking context.
pub fn ensure_promtool() -> Result<PathBuf> {
    let dir = GoBuild {
        name: "promtool",
        module: "github.com/prometheus/prometheus",
        version: versions::PROMETHEUS,
        packages: &[("github.com/prometheus/prometheus/cmd/promtool", "promtool")],
        pin_staging: false,
        ldflags: format!(
            "-X github.com/prometheus/common/version.Version={}",
            versions::prometheus_release()
        ),
        main_source: None,
        // Rules need no service discovery: Prometheus's own build tag leaves every discovery
        // plugin (and the cloud SDKs they pull in) out of the binary.
        tags: "remove_all_sd",
    }
    .ensure()?;
    Ok(dir.join("promtool"))
}

/// Karmada's build tag (its `hack/build.sh`): the estimator's gRPC messages implement
/// `proto.Message` only with it, so the estimator and its clients cannot talk without it.
const KARMADA_TAGS: &str = "kubernetes_protomessage_one_more_release";

/// Karmada's own control plane, for the environment that runs the real Karmada
/// ([`crate::EnvOptions::karmada`]).
#[derive(Clone, Debug)]
pub struct KarmadaBinaries {
    pub controller_manager: PathBuf,
    pub scheduler: PathBuf,
    pub webhook: PathBuf,
    pub aggregated_apiserver: PathBuf,
    /// karmada-scheduler-estimator, one per member where fit figures are compared with it.
    pub scheduler_estimator: PathBuf,
}

/// Builds (or finds) karmada-controller-manager, karmada-scheduler, karmada-webhook,
/// karmada-aggregated-apiserver and karmada-scheduler-estimator.
/// Blocking; call it from a blocking context.
pub fn ensure_karmada() -> Result<KarmadaBinaries> {
    let dir = GoBuild {
        name: "karmada",
        module: "github.com/karmada-io/karmada",
        version: versions::KARMADA,
        packages: &[
            (
                "github.com/karmada-io/karmada/cmd/controller-manager",
                "karmada-controller-manager",
            ),
            (
                "github.com/karmada-io/karmada/cmd/scheduler",
                "karmada-scheduler",
            ),
            ("github.com/karmada-io/karmada/cmd/webhook", "karmada-webhook"),
            (
                "github.com/karmada-io/karmada/cmd/aggregated-apiserver",
                "karmada-aggregated-apiserver",
            ),
            (
                "github.com/karmada-io/karmada/cmd/scheduler-estimator",
                "karmada-scheduler-estimator",
            ),
        ],
        pin_staging: false,
        ldflags: format!(
            "-X github.com/karmada-io/karmada/pkg/version.gitVersion={} -X github.com/karmada-io/karmada/pkg/version.gitTreeState=clean",
            versions::KARMADA
        ),
        main_source: None,
        tags: KARMADA_TAGS,
    }
    .ensure()?;
    Ok(KarmadaBinaries {
        controller_manager: dir.join("karmada-controller-manager"),
        scheduler: dir.join("karmada-scheduler"),
        webhook: dir.join("karmada-webhook"),
        aggregated_apiserver: dir.join("karmada-aggregated-apiserver"),
        scheduler_estimator: dir.join("karmada-scheduler-estimator"),
    })
}

/// The estimator checker (`dev/testenv/go/estimator-check`): asks a karmada-scheduler-estimator
/// for MaxAvailableReplicas the way karmada-scheduler does. Built against the pinned Karmada
/// module. Blocking; call it from a blocking context.
pub fn ensure_estimator_check() -> Result<PathBuf> {
    let dir = GoBuild {
        name: "estimator-check",
        module: "github.com/karmada-io/karmada",
        version: versions::KARMADA,
        packages: &[(".", "estimator-check")],
        pin_staging: false,
        ldflags: String::new(),
        main_source: Some(include_str!("../../go/estimator-check/main.go")),
        tags: KARMADA_TAGS,
    }
    .ensure()?;
    Ok(dir.join("estimator-check"))
}

/// What makes a member API server a cluster that runs pods: its controllers, its scheduler,
/// and kwok playing the kubelets.
#[derive(Clone, Debug)]
pub struct MemberBinaries {
    pub kube_controller_manager: PathBuf,
    pub kube_scheduler: PathBuf,
    pub kwok: PathBuf,
}

/// Builds (or finds) kube-controller-manager, kube-scheduler and kwok. Blocking; call it from a
/// blocking context.
pub fn ensure_member_binaries() -> Result<MemberBinaries> {
    // A build of its own rather than two more packages in `ensure_binaries`: the API server
    // build every other test needs stays cached as it is.
    let kube = GoBuild {
        name: "kubernetes-controllers",
        module: "k8s.io/kubernetes",
        version: versions::KUBERNETES,
        packages: &[
            (
                "k8s.io/kubernetes/cmd/kube-controller-manager",
                "kube-controller-manager",
            ),
            ("k8s.io/kubernetes/cmd/kube-scheduler", "kube-scheduler"),
        ],
        pin_staging: true,
        ldflags: kubernetes_version_ldflags(),
        main_source: None,
        tags: "",
    }
    .ensure()?;
    let kwok = GoBuild {
        name: "kwok",
        module: "sigs.k8s.io/kwok",
        version: versions::KWOK,
        packages: &[("sigs.k8s.io/kwok/cmd/kwok", "kwok")],
        pin_staging: false,
        // kwok's version is a constant in its source, not a link-time variable.
        ldflags: String::new(),
        main_source: None,
        tags: "",
    }
    .ensure()?;
    Ok(MemberBinaries {
        kube_controller_manager: kube.join("kube-controller-manager"),
        kube_scheduler: kube.join("kube-scheduler"),
        kwok: kwok.join("kwok"),
    })
}

/// The unpacked source of a Go module at a version, from the Go module cache (downloaded through
/// the module proxy on first use).
pub fn module_dir(module: &str, version: &str) -> Result<PathBuf> {
    Ok(PathBuf::from(
        download(module, version)?
            .dir
            .context("go mod download reported no directory")?,
    ))
}

/// Kubernetes' release scripts stamp the version into the binaries; without it `/version` says
/// `v0.0.0-master`, which is what members would report to the operator.
fn kubernetes_version_ldflags() -> String {
    let version = versions::KUBERNETES;
    let minor = version.split('.').nth(1).unwrap_or_default();
    ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]
        .iter()
        .map(|pkg| format!("-X {pkg}.gitVersion={version} -X {pkg}.gitMajor=1 -X {pkg}.gitMinor={minor} -X {pkg}.gitTreeState=clean"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Helm's Makefile stamps its version, and the Kubernetes version that `helm template` and
/// `helm lint` assume without a cluster (`.Capabilities.KubeVersion`; v1.20 when unset). We say
/// the release the environment runs.
fn helm_version_ldflags() -> String {
    let minor = versions::KUBERNETES.split('.').nth(1).unwrap_or_default();
    let mut flags = vec![format!(
        "-X helm.sh/helm/v3/internal/version.version={}",
        versions::HELM
    )];
    for pkg in ["pkg/lint/rules", "pkg/chartutil"] {
        flags.push(format!("-X helm.sh/helm/v3/{pkg}.k8sVersionMajor=1 -X helm.sh/helm/v3/{pkg}.k8sVersionMinor={minor}"));
    }
    flags.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_is_stamped_with_its_version_and_the_kubernetes_release() {
        let flags = helm_version_ldflags();
        assert!(flags.contains(&format!("internal/version.version={}", versions::HELM)));
        assert!(flags.contains("pkg/chartutil.k8sVersionMinor=35"));
        assert!(flags.contains("pkg/lint/rules.k8sVersionMinor=35"));
    }
}
