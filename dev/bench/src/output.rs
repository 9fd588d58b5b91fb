//! Where results go: `target/bench/<name>.json`, pretty-printed, with the directory created.

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Writes `value` to `path` and returns the path as the user can open it.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<PathBuf> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()))
}
