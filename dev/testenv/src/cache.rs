//! Where the environment keeps what is expensive to make: built binaries and their Go build
//! directories. Outside the repository, shared by every checkout on the machine, and safe to use
//! from several test processes at once (an exclusive file lock guards each build).

use anyhow::{Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

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
        let file = lock_file(name)?;
        if file.try_lock().is_err() {
            eprintln!("testenv: waiting for another process building {name} ...");
            file.lock()
                .with_context(|| format!("locking the {name} build"))?;
        }
        Ok(Self { _file: file })
    }
}

/// Go's build cache for the upstream builds: the cache's own directory rather than the user's,
/// because only the binaries are worth keeping. Kubernetes and Karmada leave several GB of
/// compiled packages there, shared by the builds of one cold run (they all compile client-go
/// and apimachinery); [`GoBuildCache::remove_unused`] removes them once the binaries are built.
pub struct GoBuildCache {
    _file: File,
}

impl GoBuildCache {
    pub fn dir() -> Result<PathBuf> {
        Ok(root()?.join("go-build"))
    }

    /// Held by a build while it uses the directory (a shared lock: builds of different
    /// binaries may run at once), so that it is never removed under one.
    pub fn share() -> Result<Self> {
        let file = lock_file("go-build")?;
        file.lock_shared().context("locking Go's build cache")?;
        Ok(Self { _file: file })
    }

    /// Removes the directory unless a build is using it; returns the bytes it held (0 when
    /// there was nothing to remove or a build is using it).
    pub fn remove_unused() -> Result<u64> {
        let dir = Self::dir()?;
        if !dir.exists() {
            return Ok(0);
        }
        let file = lock_file("go-build")?;
        if file.try_lock().is_err() {
            return Ok(0);
        }
        let bytes = size_of_tree(&dir);
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        Ok(bytes)
    }
}

/// `<root>/locks/<name>.lock`, created if missing, for a file lock.
fn lock_file(name: &str) -> Result<File> {
    let dir = root()?.join("locks");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.lock"));
    File::create(&path).with_context(|| format!("creating {}", path.display()))
}

/// Bytes of the files under `dir` (what could be read of them).
fn size_of_tree(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => size_of_tree(&entry.path()),
            Ok(_) => entry.metadata().map(|m| m.len()).unwrap_or_default(),
            Err(_) => 0,
        })
        .sum()
}
