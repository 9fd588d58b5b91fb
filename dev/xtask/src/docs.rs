//! Documentation generated from the code, committed, and checked like the CRDs:
//! `docs/crd-reference.md` and `docs/troubleshooting.md`.

use anyhow::{Result, bail};

pub fn run(check: bool) -> Result<()> {
    let root = crate::workspace_root();
    let files = [
        (crate::reference::FILE, crate::reference::generate()?),
        (
            crate::troubleshooting::FILE,
            crate::troubleshooting::generate()?,
        ),
    ];
    let mut stale = Vec::new();
    for (file, text) in &files {
        let path = root.join(file);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(*file);
            }
        } else {
            std::fs::write(&path, text)?;
        }
    }
    if !stale.is_empty() {
        bail!(
            "generated docs are stale: {}. Run `cargo xtask crds` and commit the result.",
            stale.join(", ")
        );
    }
    println!(
        "{} {}",
        files.map(|(f, _)| f).join(" and "),
        if check { "are up to date" } else { "written" }
    );
    Ok(())
}
