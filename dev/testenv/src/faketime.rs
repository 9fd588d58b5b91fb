//! Debian's libfaketime: runs one process with its wall clock skewed (through `LD_PRELOAD`),
//! the way a machine whose clock is off would run it. Installed with apt-get when missing,
//! since the project's machines are Debian and its tests run as root.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const LIBRARIES: [&str; 2] = [
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
];

/// The library's path, installing Debian's `libfaketime` package first when it is missing.
pub fn library() -> Result<PathBuf> {
    if let Some(found) = installed() {
        return Ok(found);
    }
    println!("testenv: installing Debian's libfaketime (apt-get install libfaketime)");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "libfaketime"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    let installed_now = install().is_ok_and(|s| s.success()) || {
        // A fresh machine has no package lists yet.
        let updated = Command::new("apt-get").args(["update", "-qq"]).status();
        updated.is_ok_and(|s| s.success()) && install().is_ok_and(|s| s.success())
    };
    match installed() {
        Some(found) if installed_now => Ok(found),
        _ => bail!(
            "libfaketime is needed to run a process with a skewed clock; install Debian's libfaketime package"
        ),
    }
}

fn installed() -> Option<PathBuf> {
    LIBRARIES
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .map(Path::to_path_buf)
}

/// The environment variables that run a process with its wall clock `minutes` minutes behind
/// (negative) or ahead. Only the wall clock: monotonic time, which timers use, is left alone.
pub fn skewed_clock(minutes: i64) -> Result<Vec<(String, String)>> {
    let library = library()?;
    let library = library
        .to_str()
        .context("libfaketime's path is not UTF-8")?
        .to_owned();
    Ok(vec![
        ("LD_PRELOAD".into(), library),
        ("FAKETIME".into(), format!("{minutes:+}m")),
        ("FAKETIME_DONT_FAKE_MONOTONIC".into(), "1".into()),
    ])
}
