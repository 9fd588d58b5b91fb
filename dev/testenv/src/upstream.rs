//! Builds the upstream binaries from their Go modules (no release downloads), once per pinned
//! version, into the cache. A cold build prints what it is doing; a warm one costs a few `stat`s.
//!
//! `k8s.io/kubernetes` cannot be `go install`ed: its go.mod replaces the `k8s.io/*` staging modules
//! with local directories. We therefore build from a small generated wrapper module that requires
//! it and pins every staging module to its published version.

use crate::{cache, versions};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

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
    }
    .ensure()?;
    Ok(dir.join("helm"))
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

/// One wrapper-module build of some `main` packages of a module at a pinned version.
struct GoBuild {
    name: &'static str,
    module: &'static str,
    version: &'static str,
    /// `(package path, binary name)`
    packages: &'static [(&'static str, &'static str)],
    /// Pin the `k8s.io/*` modules the dependency replaces with local staging directories.
    pin_staging: bool,
    /// `-ldflags` for `go build`.
    ldflags: String,
}

/// Bumped when the build recipe changes, so that caches built by an older recipe are not reused.
const RECIPE: u32 = 2;

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

impl GoBuild {
    /// Returns the directory holding the binaries, building them if needed.
    fn ensure(&self) -> Result<PathBuf> {
        let key = format!("{}-{}-r{RECIPE}", self.name, self.version);
        let out = cache::root()?.join("bin").join(&key);
        if self.is_complete(&out) {
            return Ok(out);
        }
        let _lock = cache::BuildLock::acquire(&key)?;
        if self.is_complete(&out) {
            return Ok(out); // built by another process while we waited
        }
        let bins: Vec<_> = self.packages.iter().map(|(_, bin)| *bin).collect();
        eprintln!(
            "testenv: building {} from {}@{} (cold cache, once per version; several minutes on 2 cores) ...",
            bins.join(", "),
            self.module,
            self.version
        );
        let started = Instant::now();
        let work = cache::root()?.join("build").join(&key);
        std::fs::create_dir_all(&work)?;
        std::fs::write(work.join("go.mod"), self.wrapper_go_mod()?)?;
        let staging = out.with_file_name(format!("{key}.partial"));
        let _ = std::fs::remove_dir_all(&staging);
        for (package, bin) in self.packages {
            // One build per binary, with an explicit output name: Go would name the etcd
            // binary after its module path (`server`).
            let mut cmd = go_command(&work);
            cmd.arg("build")
                .arg("-ldflags")
                .arg(&self.ldflags)
                .arg("-o")
                .arg(staging.join(bin))
                .arg(package);
            run_with_progress(cmd, bin)?;
        }
        let _ = std::fs::remove_dir_all(&out);
        std::fs::rename(&staging, &out)?;
        std::fs::write(out.join(".complete"), self.version)?;
        eprintln!(
            "testenv: built {} in {:.0?}",
            bins.join(", "),
            started.elapsed()
        );
        Ok(out)
    }

    fn is_complete(&self, out: &Path) -> bool {
        out.join(".complete").is_file()
            && self.packages.iter().all(|(_, bin)| out.join(bin).is_file())
    }

    /// go.mod of the wrapper module: require the module, mirror its `go` directive and, for
    /// Kubernetes, pin each staging module it replaces to the published version of this release.
    fn wrapper_go_mod(&self) -> Result<String> {
        let info = download(self.module, self.version)?;
        let upstream = std::fs::read_to_string(
            info.go_mod
                .as_deref()
                .context("go mod download reported no go.mod")?,
        )?;
        let go_directive = upstream
            .lines()
            .find_map(|l| l.strip_prefix("go ").map(str::trim))
            .context("upstream go.mod has no go directive")?;
        let mut go_mod = format!(
            "// Generated by karmada-manager's testenv; do not edit.\nmodule karmada-manager.local/build-{}\n\ngo {go_directive}\n\nrequire {} {}\n",
            self.name, self.module, self.version
        );
        if self.pin_staging {
            let staging = versions::kubernetes_staging();
            let pins = staging_replacements(&upstream);
            if pins.is_empty() {
                bail!(
                    "{}@{} replaces no staging modules; the wrapper recipe no longer fits",
                    self.module,
                    self.version
                );
            }
            go_mod.push_str("\nreplace (\n");
            for module in pins {
                go_mod.push_str(&format!("\t{module} => {module} {staging}\n"));
            }
            go_mod.push_str(")\n");
        }
        Ok(go_mod)
    }
}

/// Modules that a go.mod replaces with `./staging/...` directories.
fn staging_replacements(go_mod: &str) -> Vec<&str> {
    go_mod
        .lines()
        .filter_map(|line| {
            let (left, right) = line.split_once("=>")?;
            right.trim().starts_with("./staging/").then(|| left.trim())
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Download {
    dir: Option<String>,
    go_mod: Option<String>,
    error: Option<String>,
}

fn download(module: &str, version: &str) -> Result<Download> {
    let dir = cache::root()?;
    let output = go_command(&dir)
        .args(["mod", "download", "-json", &format!("{module}@{version}")])
        .stderr(Stdio::inherit())
        .output()
        .context("running `go mod download` (is Go installed and on PATH?)")?;
    let info: Download = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading `go mod download` output for {module}@{version}"))?;
    if let Some(err) = info.error {
        bail!("go mod download {module}@{version}: {err}");
    }
    Ok(info)
}

/// A `go` invocation that never changes toolchain, ignores workspaces and builds static binaries.
fn go_command(dir: &Path) -> Command {
    let mut cmd = Command::new("go");
    cmd.current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0");
    cmd
}

/// Runs a go command, echoing its progress lines (module downloads) with a prefix.
fn run_with_progress(mut cmd: Command, name: &str) -> Result<()> {
    let mut child = cmd
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting `go` (is Go installed and on PATH?)")?;
    let mut tail = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("testenv: [go build {name}] {line}");
            tail.push(line);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        let start = tail.len().saturating_sub(20);
        bail!(
            "go build of {name} failed ({status}):\n{}",
            tail[start..].join("\n")
        );
    }
    Ok(())
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

    #[test]
    fn staging_replacements_are_read_from_go_mod() {
        let go_mod = "module k8s.io/kubernetes\n\nreplace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tgithub.com/x/y => github.com/x/y v1.0.0\n\tk8s.io/kubectl => ./staging/src/k8s.io/kubectl\n)\n";
        assert_eq!(
            staging_replacements(go_mod),
            vec!["k8s.io/api", "k8s.io/kubectl"]
        );
    }
}
