//! Fixture loading shared by the integration tests.

use std::path::PathBuf;

use serde::de::DeserializeOwned;

/// Path of a file under `tests/fixtures/`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Raw text of a fixture.
pub fn fixture_text(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Decodes a `.yaml` or `.json` fixture into `T`.
pub fn load<T: DeserializeOwned>(name: &str) -> T {
    let text = fixture_text(name);
    if name.ends_with(".json") {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("decode {name}: {e}"))
    } else {
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("decode {name}: {e}"))
    }
}

/// Decodes a fixture as untyped JSON, to compare against what the typed decode kept.
#[allow(dead_code)]
pub fn load_value(name: &str) -> serde_json::Value {
    load(name)
}
