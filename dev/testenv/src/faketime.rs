//! Debian's libfaketime: runs one process with its wall clock skewed (through `LD_PRELOAD`),
//! the way a machine whose clock is off would run it. Installed with apt-get when missing
//! ([`crate::debian`]).

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

const LIBRARIES: [&str; 2] = [
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
];

/// The library's path, installing Debian's `libfaketime` package first when it is missing.
pub fn library() -> Result<PathBuf> {
    crate::debian::ensure(
        &["libfaketime"],
        "to run a process with a skewed clock",
        || installed().is_some(),
    )?;
    installed().context("libfaketime is installed but not where Debian puts it")
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
