//! The kubectl plugin installed with krew, offline and without a cluster, by the real krew and
//! kubectl built from their Go modules: `cargo xtask krew` writes the manifest and the archives,
//! krew's `validate-krew-manifest` accepts the manifest and refuses broken copies of it,
//! `kubectl krew install --manifest --archive` installs the plugin into a temporary `KREW_ROOT`
//! (and refuses an archive whose checksum the manifest does not name), and kubectl's plugin
//! discovery finds it on `PATH` and runs it as `kubectl karmada-insight`.

mod support;

use anyhow::{Context, Result, ensure};
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use testenv::upstream::KrewBinaries;

const MANIFEST: &str = "karmada-insight.yaml";
const BIN: &str = "kubectl-karmada_insight";

#[test]
fn the_krew_manifest_validates_and_the_plugin_installs_and_runs_through_kubectl() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("krew-test-").tempdir()?;
    let tools = Tools::new(dir.path())?;
    let release = generate(dir.path())?;

    validate(&tools, &release.manifest)?;
    broken_manifests_are_refused(&tools, &release, dir.path())?;
    a_wrong_sha256_is_refused(&tools, &release, dir.path())?;
    let root = install(&tools, &release, dir.path())?;
    run_through_kubectl(&tools.kubectl, &root, dir.path())
}

/// The real krew and kubectl, and a directory where kubectl finds krew as its plugin
/// (`kubectl krew`), as krew installs itself.
struct Tools {
    krew: KrewBinaries,
    kubectl: PathBuf,
    /// Holds `kubectl-krew`, a link to krew.
    plugins: PathBuf,
}

impl Tools {
    fn new(dir: &Path) -> Result<Self> {
        let krew = testenv::upstream::ensure_krew()?;
        let kubectl = testenv::upstream::ensure_binaries()?.kubectl;
        let plugins = dir.join("tools");
        std::fs::create_dir_all(&plugins)?;
        std::os::unix::fs::symlink(&krew.krew, plugins.join("kubectl-krew"))?;
        Ok(Self {
            krew,
            kubectl,
            plugins,
        })
    }

    /// `kubectl krew`, with its root, its home and `PATH` in the test's directory. Never online:
    /// a manifest needs no index, and a krew without a release tag never looks for upgrades.
    fn krew(&self, root: &Path, home: &Path) -> Result<Command> {
        let kubectl_dir = self.kubectl.parent().context("kubectl has no directory")?;
        let path = std::env::join_paths([&root.join("bin"), &self.plugins, kubectl_dir])?;
        let mut cmd = Command::new(&self.kubectl);
        cmd.arg("krew")
            .env("KREW_ROOT", root)
            .env("KREW_NO_UPGRADE_CHECK", "1")
            .env("HOME", home)
            .env("KUBECONFIG", home.join("no-kubeconfig"))
            .env("PATH", path);
        Ok(cmd)
    }
}

/// What `cargo xtask krew` wrote.
struct Release {
    manifest: PathBuf,
    /// The parsed manifest.
    doc: Value,
    /// The index in `spec.platforms` of this machine's platform, and of the other one.
    host: usize,
    other: usize,
    /// This machine's archive.
    archive: PathBuf,
}

/// This machine as krew spells it (only Linux runs the suite).
fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}/{arch}", std::env::consts::OS)
}

/// Runs the generator as documented, with the test build of the plugin (the suite builds it
/// anyway; a release build would add minutes) and a stand-in archive "built elsewhere" for a
/// second platform, so that the manifest has two.
fn generate(dir: &Path) -> Result<Release> {
    let plugin = support::plugin_binary()?;
    let other = dir.join("elsewhere").join("darwin-arm64.tar.gz");
    stand_in_archive(&other)?;
    let out = dir.join("release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut generator = Command::new(cargo);
    generator
        .args(["xtask", "krew", "--out"])
        .arg(&out)
        .arg("--binary")
        .arg(&plugin)
        .arg("--archive")
        .arg(format!("darwin/arm64={}", other.display()))
        .current_dir(workspace());
    let started = Instant::now();
    let said = ok(&mut generator)?;
    eprintln!("cargo xtask krew ({:.1?}):\n{said}", started.elapsed());
    read_release(&out)
}

/// The manifest in `out`: one platform for this machine, one for the other archive, and each
/// `uri` naming a file beside it.
fn read_release(out: &Path) -> Result<Release> {
    let manifest = out.join(MANIFEST);
    let doc: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(&manifest)?)?;
    let platforms = doc["spec"]["platforms"]
        .as_sequence()
        .context("spec.platforms")?;
    let names: Vec<_> = platforms
        .iter()
        .map(|p| {
            let labels = &p["selector"]["matchLabels"];
            format!("{}/{}", str(&labels["os"]), str(&labels["arch"]))
        })
        .collect();
    let host = names.iter().position(|n| *n == host_platform());
    let other = names.iter().position(|n| n == "darwin/arm64");
    let (Some(host), Some(other), 2) = (host, other, names.len()) else {
        anyhow::bail!(
            "platforms {names:?}, expected {} and darwin/arm64",
            host_platform()
        );
    };
    // The URLs name the files written beside the manifest, which a release publishes.
    for platform in platforms {
        let uri = str(&platform["uri"]);
        let file = uri.rsplit('/').next().unwrap_or_default();
        ensure!(out.join(file).is_file(), "{uri}: no {file} in the output");
        let release = format!("/releases/download/{}/", str(&doc["spec"]["version"]));
        ensure!(uri.contains(&release), "{uri} is not in {release}");
    }
    let name = str(&platforms[host]["uri"])
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let archive = out.join(name);
    eprintln!(
        "{name}: {:.1} MiB (a debug build)",
        std::fs::metadata(&archive)?.len() as f64 / f64::from(1 << 20)
    );
    Ok(Release {
        manifest,
        doc,
        host,
        other,
        archive,
    })
}

/// An archive as another platform's build would pack it: the executable at the top.
fn stand_in_archive(path: &Path) -> Result<()> {
    let stage = path.with_extension("stage");
    std::fs::create_dir_all(&stage)?;
    std::fs::write(stage.join(BIN), "#!/bin/sh\necho stand-in\n")?;
    ok(Command::new("tar")
        .arg("--create")
        .arg("--gzip")
        .arg("--file")
        .arg(path)
        .arg("--directory")
        .arg(&stage)
        .arg(BIN))?;
    Ok(())
}

/// krew's validator on the manifest. Its install step is skipped: it would download the
/// manifest's URLs, a release that is not published (and out of reach offline), and it wants a
/// LICENSE the repository does not have; `install` below installs from the archive instead.
fn validate(tools: &Tools, manifest: &Path) -> Result<()> {
    let (ok, out) = validator(tools, manifest)?;
    ensure!(
        ok,
        "validate-krew-manifest refused {}:\n{out}",
        manifest.display()
    );
    for step in [
        "structural validation OK",
        "all spec.platform[] items are used",
        "no overlapping spec.platform[].selector",
    ] {
        ensure!(out.contains(step), "validate-krew-manifest said:\n{out}");
    }
    eprintln!("validate-krew-manifest:\n{out}");
    Ok(())
}

/// Copies of the manifest with one thing wrong each: the validator must refuse every one, with
/// its reason, or its acceptance above would prove nothing.
fn broken_manifests_are_refused(tools: &Tools, release: &Release, dir: &Path) -> Result<()> {
    let (host, other) = (release.host, release.other);
    let host_labels = release.doc["spec"]["platforms"][host]["selector"].clone();
    let version = str(&release.doc["spec"]["version"])
        .trim_start_matches('v')
        .to_owned();
    type Break = Box<dyn Fn(&mut Value)>;
    let cases: [(&str, Break, &str); 4] = [
        (
            "another name",
            Box::new(|doc| doc["metadata"]["name"] = "karmada-insights".into()),
            "plugin should be named \"karmada-insight\"",
        ),
        (
            "a version without its v",
            Box::new(move |doc| doc["spec"]["version"] = version.clone().into()),
            "failed to parse plugin version",
        ),
        (
            "a sha256 that is no sha256",
            Box::new(move |doc| doc["spec"]["platforms"][host]["sha256"] = "0xdeadbeef".into()),
            "`sha256` value 0xdeadbeef is not valid",
        ),
        (
            "two platforms selecting this machine's",
            Box::new(move |doc| doc["spec"]["platforms"][other]["selector"] = host_labels.clone()),
            "overlapping selectors",
        ),
    ];
    for (i, (what, break_it, reason)) in cases.into_iter().enumerate() {
        let mut doc = release.doc.clone();
        break_it(&mut doc);
        let copy = dir.join(format!("broken-{i}")).join(MANIFEST);
        std::fs::create_dir_all(copy.parent().context("no parent")?)?;
        std::fs::write(&copy, serde_yaml_ng::to_string(&doc)?)?;
        let (ok, out) = validator(tools, &copy)?;
        ensure!(!ok, "validate-krew-manifest accepted {what}:\n{out}");
        ensure!(
            out.contains(reason),
            "{what}: refused, but not for {reason:?}:\n{out}"
        );
        eprintln!("validate-krew-manifest refuses {what}: {reason}");
    }
    Ok(())
}

fn validator(tools: &Tools, manifest: &Path) -> Result<(bool, String)> {
    let output = Command::new(&tools.krew.validate_manifest)
        .arg("-manifest")
        .arg(manifest)
        .arg("-skip-install")
        .output()?;
    Ok((
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    ))
}

/// krew checks the archive against the manifest's sha256, which the validator cannot (it does
/// not download): a copy of the manifest with another checksum installs nothing.
fn a_wrong_sha256_is_refused(tools: &Tools, release: &Release, dir: &Path) -> Result<()> {
    let mut wrong = release.doc.clone();
    wrong["spec"]["platforms"][release.host]["sha256"] = "0".repeat(64).into();
    let copy = dir.join("wrong-sha256").join(MANIFEST);
    std::fs::create_dir_all(copy.parent().context("no parent")?)?;
    std::fs::write(&copy, serde_yaml_ng::to_string(&wrong)?)?;
    let output = tools
        .krew(&dir.join("krew-refused"), dir)?
        .arg("install")
        .arg(format!("--manifest={}", copy.display()))
        .arg(format!("--archive={}", release.archive.display()))
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        !output.status.success() && stderr.contains("checksum does not match"),
        "krew installed an archive whose sha256 the manifest does not name:\n{stderr}"
    );
    eprintln!("krew install refuses a wrong sha256: checksum does not match");
    Ok(())
}

/// `kubectl krew install --manifest --archive` into a fresh `KREW_ROOT`, as the docs say.
/// Returns the `KREW_ROOT`.
fn install(tools: &Tools, release: &Release, dir: &Path) -> Result<PathBuf> {
    let root = dir.join("krew-root");
    let started = Instant::now();
    let out = ok(tools
        .krew(&root, dir)?
        .arg("install")
        .arg(format!("--manifest={}", release.manifest.display()))
        .arg(format!("--archive={}", release.archive.display())))?;
    eprintln!("kubectl krew install ({:.1?}):\n{out}", started.elapsed());
    ensure!(
        out.contains("Installed plugin: karmada-insight"),
        "krew install said:\n{out}"
    );

    let version = str(&release.doc["spec"]["version"]);
    let store = root.join("store").join("karmada-insight").join(version);
    let mut files: Vec<_> = std::fs::read_dir(&store)
        .with_context(|| format!("reading {}", store.display()))?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_>>()?;
    files.sort();
    let mut expected = vec![BIN.to_owned()];
    if workspace().join("LICENSE").is_file() {
        expected.insert(0, "LICENSE".into());
    }
    ensure!(
        files == expected,
        "installed files {files:?}, expected {expected:?}"
    );
    // What `krew upgrade` and `krew uninstall` go by (`krew list` wants an index, too).
    let receipt = root.join("receipts").join(MANIFEST);
    let receipt: Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(&receipt)
            .with_context(|| format!("reading {}", receipt.display()))?,
    )?;
    ensure!(
        str(&receipt["metadata"]["name"]) == "karmada-insight"
            && str(&receipt["spec"]["version"]) == version,
        "krew's receipt: {receipt:?}"
    );
    Ok(root)
}

/// kubectl finds the plugin where krew linked it, by nothing but `PATH`.
fn run_through_kubectl(kubectl: &Path, root: &Path, home: &Path) -> Result<()> {
    let kubectl_dir = kubectl.parent().context("kubectl has no directory")?;
    let path = std::env::join_paths([root.join("bin").as_path(), kubectl_dir])?;
    let run = |args: &[&str]| {
        ok(Command::new(kubectl)
            .args(args)
            .env("PATH", &path)
            .env("HOME", home)
            .env("KUBECONFIG", home.join("no-kubeconfig"))
            .env("NO_COLOR", "1"))
    };
    let list = run(&["plugin", "list"])?;
    let linked = root.join("bin").join(BIN);
    ensure!(
        list.contains(&linked.display().to_string()),
        "kubectl plugin list does not list {}:\n{list}",
        linked.display()
    );
    eprintln!("kubectl plugin list:\n{list}");
    let help = run(&["karmada-insight", "--help"])?;
    ensure!(
        help.contains("Usage: kubectl karmada-insight") && help.contains("status"),
        "kubectl karmada-insight --help:\n{help}"
    );
    let first = help.lines().next().unwrap_or_default();
    eprintln!("kubectl karmada-insight --help: {first} ...");
    Ok(())
}

/// Runs a command that must succeed; returns its stdout and stderr.
fn ok(cmd: &mut Command) -> Result<String> {
    let output = cmd
        .output()
        .with_context(|| format!("running {:?}", cmd.get_program()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    ensure!(
        output.status.success(),
        "{cmd:?} failed ({}):\n{text}",
        output.status
    );
    Ok(text)
}

fn str(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
