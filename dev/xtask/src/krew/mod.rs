//! `cargo xtask krew`: the kubectl plugin packed for krew, and its manifest.
//!
//! Builds `kubectl-karmada_insight` in release for this machine, packs it (with the repository's
//! LICENSE, when there is one) into `karmada-insight-v<version>-<os>-<arch>.tar.gz`, and writes
//! `karmada-insight.yaml` beside it, whose download URLs point at the release of this version
//! (`<repository>/releases/download/v<version>/<archive>`). Archives of other platforms, built
//! on machines of their own, join the same manifest with `--archive <os>/<arch>=<path>`, so that
//! a release job publishes one manifest for all of them. Version, description and URLs are the
//! plugin package's Cargo metadata (inherited from the workspace's `[workspace.package]`).

mod manifest;

use manifest::{Archive, BIN, NAME, Plugin, manifest};
pub use manifest::{Platform, parse_archive};

use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGE: &str = "kubectl-karmada-insight";

/// What `cargo xtask krew` was asked for.
pub struct Options {
    /// Where the archives and the manifest go (default `<target>/krew`).
    pub out: Option<PathBuf>,
    /// Archives of other platforms, built elsewhere.
    pub others: Vec<(Platform, PathBuf)>,
    /// A plugin binary built already, packed instead of a fresh release build.
    pub binary: Option<PathBuf>,
}

pub fn run(options: Options) -> Result<()> {
    let root = crate::workspace_root();
    let (plugin, target) = metadata(&root)?;
    let host = Platform::host()?;
    // The archives from elsewhere are checked before anything is written.
    let mut archives = vec![];
    for (i, (platform, path)) in options.others.iter().enumerate() {
        let Platform { os, arch } = *platform;
        ensure!(*platform != host, "{os}/{arch} is packed here");
        // Same platform, same file name: the second would overwrite the first.
        ensure!(
            !options.others[..i].iter().any(|(p, _)| p == platform),
            "two archives for {os}/{arch}"
        );
        archives.push((checked(*platform, path)?, path));
    }
    let out = options.out.unwrap_or_else(|| target.join("krew"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let file = out.join(format!("{NAME}.yaml"));
    // A run that fails below leaves no manifest naming archives that are no longer there.
    let _ = std::fs::remove_file(&file);
    let binary = match options.binary {
        Some(binary) => binary,
        None => {
            crate::suite::cargo(&["build", "--release", "--package", PACKAGE, "--bin", BIN])?;
            target.join("release").join(host.bin())
        }
    };
    let license = Some(root.join("LICENSE")).filter(|l| l.is_file());
    let host_archive = out.join(host.archive_name(&plugin.version));
    pack(&binary, &host.bin(), license.as_deref(), &host_archive)?;
    let mut packed = vec![checked(host, &host_archive)?];
    for (archive, path) in archives {
        let name = out.join(archive.platform.archive_name(&plugin.version));
        if !same_file(path, &name) {
            std::fs::copy(path, &name)
                .with_context(|| format!("copying {} to {}", path.display(), name.display()))?;
        }
        packed.push(archive);
    }
    std::fs::write(&file, manifest(&plugin, &packed)?)?;
    println!("{}: the krew manifest", file.display());
    if license.is_none() {
        println!(
            "note: no LICENSE at the repository root, so none in the archive; krew's index takes no plugin without one"
        );
    }
    println!(
        "install it from here: kubectl krew install --manifest={} --archive={}",
        file.display(),
        host_archive.display()
    );
    Ok(())
}

/// The archive's checksum, once it is known to hold the executable where the manifest will say
/// (an archive from elsewhere may have been packed differently).
fn checked(platform: Platform, archive: &Path) -> Result<Archive> {
    let output = Command::new("tar")
        .arg("--list")
        .arg("--gzip")
        .arg("--file")
        .arg(archive)
        .output()
        .context("running tar")?;
    ensure!(
        output.status.success(),
        "{} is no .tar.gz: {}",
        archive.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let bin = platform.bin();
    ensure!(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .any(|l| l.trim_start_matches("./") == bin),
        "{} holds no {bin} at its top level",
        archive.display()
    );
    let sha256 = sha256(std::fs::File::open(archive)?)?;
    let size = std::fs::metadata(archive)?.len();
    println!(
        "{}: {:.1} MiB, sha256 {sha256}",
        archive.display(),
        size as f64 / f64::from(1 << 20)
    );
    Ok(Archive { platform, sha256 })
}

#[derive(Deserialize)]
struct CargoMetadata {
    packages: Vec<Package>,
    target_directory: PathBuf,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    description: Option<String>,
    homepage: Option<String>,
    repository: Option<String>,
}

/// The plugin's Cargo metadata, and the target directory.
fn metadata(root: &Path) -> Result<(Plugin, PathBuf)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    ensure!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: CargoMetadata = serde_json::from_slice(&output.stdout)?;
    let package = metadata
        .packages
        .into_iter()
        .find(|p| p.name == PACKAGE)
        .with_context(|| format!("no package {PACKAGE} in the workspace"))?;
    let repository = package.repository.with_context(|| {
        format!("{PACKAGE} has no `repository`, where the release downloads are")
    })?;
    let plugin = Plugin {
        version: package.version,
        description: package
            .description
            .with_context(|| format!("{PACKAGE} has no `description`"))?,
        homepage: package.homepage.unwrap_or_else(|| repository.clone()),
        repository,
    };
    Ok((plugin, metadata.target_directory))
}

/// Packs the binary as `bin` (and the license) flat into a `.tar.gz`. Owners, times, modes and
/// order are fixed and gzip records no name or time, so that the same binary always gives the
/// same checksum.
fn pack(binary: &Path, bin: &str, license: Option<&Path>, archive: &Path) -> Result<()> {
    let stage = archive.with_extension("stage");
    let _ = std::fs::remove_dir_all(&stage);
    std::fs::create_dir_all(&stage)?;
    std::fs::copy(binary, stage.join(bin))
        .with_context(|| format!("copying {}", binary.display()))?;
    let mut files = vec![bin];
    if let Some(license) = license {
        std::fs::copy(license, stage.join("LICENSE"))?;
        files.push("LICENSE");
    }
    let status = Command::new("tar")
        .arg("--create")
        .arg("--file")
        .arg(archive)
        .args([
            "--use-compress-program=gzip -9n",
            "--sort=name",
            "--mtime=@0",
        ])
        .args(["--owner=0", "--group=0", "--numeric-owner", "--mode=go-w"])
        .arg("--directory")
        .arg(&stage)
        .args(&files)
        .status()
        .context("running tar");
    std::fs::remove_dir_all(&stage)?;
    let status = status?;
    ensure!(status.success(), "tar failed ({status})");
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The sha256 of everything `input` reads, in lowercase hex as krew wants it.
fn sha256(mut input: impl Read) -> Result<String> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        context.update(&buf[..n]);
    }
    Ok(context
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::sha256;

    #[test]
    fn sha256_is_lowercase_hex() {
        // FIPS 180-2's example "abc".
        assert_eq!(
            sha256(&b"abc"[..]).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
