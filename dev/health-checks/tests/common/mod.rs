//! Fixture loading shared by the test binaries.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::path::PathBuf;

use serde_json::Value;

/// A fixture by path relative to the workspace root.
pub fn load(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// A fixture of this crate's `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    load(&format!("dev/health-checks/tests/fixtures/{name}"))
}

/// The message of the fixture's condition of type `type_`.
pub fn condition_message(object: &Value, type_: &str) -> String {
    object["status"]["conditions"]
        .as_array()
        .and_then(|conditions| conditions.iter().find(|c| c["type"] == type_))
        .and_then(|c| c["message"].as_str())
        .unwrap_or_else(|| panic!("no {type_} condition with a message"))
        .to_owned()
}
