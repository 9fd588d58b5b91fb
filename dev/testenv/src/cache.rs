//! Where the environment keeps what is expensive to make: built binaries and their Go build
//! directories. Outside the repository, shared by every checkout on the machine, and safe to use
//! from several test processes at once (an exclusive file lock guards each build).

use anyhow::{Context, Result};
use std::fs::File;
use std::path::PathBuf;

/// Overrides the cache location (default `$XDG_CACHE_HOME/karmada-manager`, else
/// `~/.cache/karmada-manager`).
pub const CACHE_ENV: &str = "KARMADA_MANAGER_CACHE";

/// The cache root, created if missing.
pub fn root() -> Result<PathBuf> {
    let root = match std::env::var_os(CACHE_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("XDG_CACHE_HOME") {
            Some(dir) => PathBuf::from(dir).join("karmada-manager"),
            None => {
                let home = std::env::var_os("HOME")
                    .context("neither $KARMADA_MANAGER_CACHE, $XDG_CACHE_HOME nor $HOME is set")?;
                PathBuf::from(home).join(".cache").join("karmada-manager")
            }
        },
    };
    std::fs::create_dir_all(&root)
        .with_context(|| format!("creating cache directory {}", root.display()))?;
    Ok(root)
}

/// Holds an exclusive lock on `<root>/locks/<name>.lock` until dropped, so that only one process
/// builds a given artifact while the others wait and then reuse it.
pub struct BuildLock {
    _file: File,
}

impl BuildLock {
    pub fn acquire(name: &str) -> Result<Self> {
        let dir = root()?.join("locks");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.lock"));
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        if file.try_lock().is_err() {
            eprintln!("testenv: waiting for another process building {name} ...");
            file.lock()
                .with_context(|| format!("locking {}", path.display()))?;
        }
        Ok(Self { _file: file })
    }
}
