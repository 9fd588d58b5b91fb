//! Flux's side: kstatus's `status.Compute`, the function Flux's health checks call for custom
//! resources, in a small Go program built from the module proxy on first use.
//!
//! Nothing third-party is committed: `go/main.go` is ours, the go.mod is generated here with
//! pinned versions, and the binary lives in the cache shared with `dev/testenv`
//! (`~/.cache/karmada-manager`), keyed by version and recipe so a change rebuilds elsewhere.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::Health;

/// Upstream kstatus. v0.37.2 is the newest release on the module proxy; Flux itself uses the
/// `github.com/fluxcd/cli-utils` fork, whose `pkg/kstatus/status` is the same code.
pub const CLI_UTILS: &str = "v0.37.2";
/// cli-utils v0.37.2 asks for k8s.io v0.30.1; kstatus only needs apimachinery's unstructured
/// helpers and a core/v1 constant, so we lift them to the release the workspace already builds
/// (dev/testenv's Kubernetes v1.35.4), which the Go module cache then shares.
pub const K8S_STAGING: &str = "v0.35.4";

const MAIN_GO: &str = include_str!("../go/main.go");

/// Only the direct requirements are pinned: minimal version selection derives the rest of the
/// graph from them deterministically, and `go build` checks every download against the checksum
/// database while it writes go.sum, so neither needs committing.
fn go_mod() -> String {
    format!(
        "module karmada-manager.local/kstatus-check\n\n\
         go 1.25.0\n\n\
         require (\n\
         \tsigs.k8s.io/cli-utils {CLI_UTILS}\n\
         \tk8s.io/api {K8S_STAGING}\n\
         \tk8s.io/apimachinery {K8S_STAGING}\n\
         )\n"
    )
}

/// What the build depends on, hashed (FNV-1a, stable across Rust releases unlike `DefaultHasher`):
/// editing main.go or a pin moves the cache directory instead of reusing a stale binary.
fn recipe() -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in go_mod().bytes().chain(MAIN_GO.bytes()) {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    format!("{hash:08x}")
}

/// Same resolution as `testenv::cache::root`, without depending on testenv (and kube).
fn cache_root() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("KARMADA_MANAGER_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("karmada-manager"));
    }
    let home = std::env::var_os("HOME")
        .context("neither $KARMADA_MANAGER_CACHE, $XDG_CACHE_HOME nor $HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/karmada-manager"))
}

/// Where the checker binary is (or will be) cached.
pub fn checker_path() -> Result<PathBuf> {
    let key = format!("kstatus-{CLI_UTILS}-r{}", recipe());
    Ok(cache_root()?.join(key).join("kstatus-check"))
}

/// Builds the kstatus checker unless it is cached. Cold, this downloads a few modules and
/// compiles for a minute or so; tests call it implicitly, a suite may call it up front.
pub fn prepare() -> Result<()> {
    checker().map(drop)
}

fn checker() -> Result<PathBuf> {
    let bin = checker_path()?;
    if bin.is_file() {
        return Ok(bin);
    }
    let dir = bin.parent().context("checker path has no parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // Test binaries run their tests on several threads and cargo may run several test binaries:
    // one builds, the others wait (flock conflicts between open files, in one process too).
    let lock_path = dir.join("build.lock");
    let lock =
        File::create(&lock_path).with_context(|| format!("creating {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("locking {}", lock_path.display()))?;
    if !bin.is_file() {
        build(dir, &bin)?;
    }
    Ok(bin)
}

fn build(dir: &Path, bin: &Path) -> Result<()> {
    progress(&format!(
        "building kstatus checker from sigs.k8s.io/cli-utils@{CLI_UTILS} (first run only) ..."
    ));
    let started = Instant::now();
    let src = dir.join("src");
    std::fs::create_dir_all(&src)?;
    std::fs::write(src.join("go.mod"), go_mod())?;
    std::fs::write(src.join("main.go"), MAIN_GO)?;
    // Build beside the final name and rename, so a killed build never leaves a half binary that
    // the `is_file` fast path would trust.
    let partial = bin.with_extension("partial");
    let mut child = Command::new("go")
        .current_dir(&src)
        .args(["build", "-trimpath", "-o"])
        .arg(&partial)
        .arg(".")
        // Resolve the module graph and write go.sum as needed; never switch toolchains or pick
        // up a go.work from the caller's directory; a static binary.
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0")
        // Compiled packages go to a directory of this build's own, removed once the binary is
        // built: the binary is all that is kept.
        .env("GOCACHE", dir.join("go-build"))
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting `go build` (is Go installed and on PATH?)")?;
    let mut tail = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            progress(&format!("[go] {line}"));
            tail.push(line);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        let start = tail.len().saturating_sub(20);
        bail!(
            "go build of the kstatus checker in {} failed ({status}):\n{}",
            src.display(),
            tail[start..].join("\n")
        );
    }
    std::fs::rename(&partial, bin)
        .with_context(|| format!("moving the checker to {}", bin.display()))?;
    let _ = std::fs::remove_dir_all(dir.join("go-build"));
    progress(&format!(
        "kstatus checker built in {:.0?}: {}",
        started.elapsed(),
        bin.display()
    ));
    Ok(())
}

/// Writes to the real stderr: `eprintln!` inside a test is captured and shown only on failure,
/// but a minute-long cold build should say what it is doing.
fn progress(line: &str) {
    let _ = writeln!(std::io::stderr(), "health-checks: {line}");
}

/// kstatus's verdict on `object` (a whole object, as JSON): `Current`, `InProgress`, `Failed`,
/// `Terminating`, ... with kstatus's message. Builds the checker on first use.
pub fn kstatus(object: &serde_json::Value) -> Result<Health> {
    let bin = checker()?;
    let mut child = Command::new(&bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    // The checker reads all of stdin before it writes anything, so this cannot deadlock.
    if let Some(mut stdin) = child.stdin.take() {
        serde_json::to_writer(&mut stdin, object)?;
        stdin.flush()?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "kstatus checker failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "reading the kstatus checker's output {:?}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}
