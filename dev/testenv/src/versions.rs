//! The upstream releases the environment builds and runs. Pinned here and nowhere else: change a
//! version and the next run rebuilds into a fresh cache directory.

/// `k8s.io/kubernetes` release providing `kube-apiserver` and `kubectl`. It matches the API level
/// the operator compiles against (k8s-openapi feature `v1_35` in the workspace Cargo.toml).
pub const KUBERNETES: &str = "v1.35.4";

/// `go.etcd.io/etcd/server/v3` release; the one `k8s.io/kubernetes` v1.35 is tested with.
pub const ETCD: &str = "v3.6.5";

/// `github.com/karmada-io/karmada` release whose CRDs (`charts/karmada/_crds/bases/`) are installed
/// on the hub. v1.17 builds on Kubernetes 0.35 libraries, like the release above.
pub const KARMADA: &str = "v1.17.1";

/// `sigs.k8s.io/kwok` release that plays the kubelets of the real-Karmada environment's members.
/// Built on Kubernetes 0.36 client libraries; it talks to the 1.35 API servers through APIs stable
/// in both.
pub const KWOK: &str = "v0.8.0";

/// `helm.sh/helm/v3` release built for the chart's tests. v3.20 is the newest line built on the
/// Kubernetes 0.35 libraries, like the release above (v3.21 moved to 0.36).
pub const HELM: &str = "v3.20.2";

/// `sigs.k8s.io/krew` release: krew itself (`krew install --manifest --archive`) and its
/// `validate-krew-manifest`, for the kubectl plugin's krew manifest (`cargo xtask krew`).
pub const KREW: &str = "v0.4.3";

/// `github.com/prometheus/prometheus` module version of the `promtool` that checks and unit-tests
/// the chart's alerting rules. Prometheus 3.x publishes its module as `v0.3XX.Y` for release
/// `3.XX.Y`: this is Prometheus 3.16.0.
pub const PROMETHEUS: &str = "v0.316.0";

/// The published version of the `k8s.io/*` staging modules that belong to [`KUBERNETES`]
/// (`v1.35.4` → `v0.35.4`).
pub fn kubernetes_staging() -> String {
    KUBERNETES.replacen("v1.", "v0.", 1)
}

/// The Prometheus release of [`PROMETHEUS`] (`v0.316.0` → `3.16.0`), which promtool reports.
pub fn prometheus_release() -> String {
    let module = PROMETHEUS.trim_start_matches("v0.");
    let (minor, patch) = module.split_once('.').unwrap_or((module, "0"));
    let (major, minor) = minor.split_at(1);
    format!("{major}.{}.{patch}", minor.trim_start_matches('0').max("0"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn prometheus_module_version_names_a_3x_release() {
        assert_eq!(super::prometheus_release(), "3.16.0");
    }

    #[test]
    fn staging_version_follows_the_release() {
        assert_eq!(super::kubernetes_staging(), "v0.35.4");
    }
}
