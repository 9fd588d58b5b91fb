//! Debian packages the tests need beside the upstream binaries (libfaketime, Chromium),
//! installed with apt-get when missing: the project's machines are Debian and its tests run as
//! root. One process installs at a time; the others wait and find them installed.

use crate::cache::BuildLock;
use anyhow::{Result, bail};
use std::process::Command;

/// Installs `packages` unless `present()` already holds; `purpose` says what they are for.
pub fn ensure(packages: &[&str], purpose: &str, present: impl Fn() -> bool) -> Result<()> {
    if present() {
        return Ok(());
    }
    let _lock = BuildLock::acquire("apt-get")?;
    if present() {
        return Ok(());
    }
    let list = packages.join(" ");
    println!("testenv: installing Debian's {list} (apt-get install), {purpose}");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    let installed_now = install().is_ok_and(|s| s.success()) || {
        // A fresh machine has no package lists yet.
        let updated = Command::new("apt-get").args(["update", "-qq"]).status();
        updated.is_ok_and(|s| s.success()) && install().is_ok_and(|s| s.success())
    };
    if !installed_now || !present() {
        bail!("could not install {list} ({purpose}); install Debian's {list} packages");
    }
    Ok(())
}
