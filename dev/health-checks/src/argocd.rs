//! Argo CD's side: the health script in an embedded Lua 5.1, set up like Argo CD's
//! `util/lua` VM (gopher-lua, itself a Lua 5.1).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use mlua::serde::{LuaSerdeExt, SerializeOptions};
use mlua::{Lua, LuaOptions, StdLib, Value};

use crate::Health;

/// The health codes Argo CD accepts from a script; anything else becomes `Unknown`.
const VALID_STATUSES: &[&str] = &[
    "Healthy",
    "Progressing",
    "Degraded",
    "Suspended",
    "Missing",
    "Unknown",
];

/// `examples/argocd/health-workloadplacement.lua`.
pub fn argocd_script_path() -> PathBuf {
    crate::examples_dir().join("argocd/health-workloadplacement.lua")
}

/// Argo CD's health of `object` (a whole WorkloadPlacement or ClusterWorkloadPlacement, as JSON),
/// computed by the shipped script.
pub fn argocd_health(object: &serde_json::Value) -> Result<Health> {
    let path = argocd_script_path();
    let script =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    run_health_script(&script, object).with_context(|| format!("running {}", path.display()))
}

/// Runs any health script on `object` as Argo CD would (e.g. the copy embedded in argocd-cm).
pub fn run_health_script(script: &str, object: &serde_json::Value) -> Result<Health> {
    // Argo CD opens only base, package, table and a reduced os (nothing our script may need):
    // a script that calls string.* or math.* must fail here as it fails there.
    let lua = Lua::new_with(StdLib::PACKAGE | StdLib::TABLE, LuaOptions::default())?;
    // Argo CD hands the object over as plain tables, with JSON null as nil.
    let options = SerializeOptions::new()
        .serialize_none_to_null(false)
        .serialize_unit_to_null(false)
        .set_array_metatable(false);
    lua.globals()
        .set("obj", lua.to_value_with(object, options)?)?;
    let returned: Value = lua.load(script).set_name("health.lua").eval()?;
    let Value::Table(_) = returned else {
        bail!(
            "expect table output from Lua script, not {}",
            returned.type_name()
        );
    };
    // Argo CD reads the table back through JSON into {status, message}; so do we.
    let json: serde_json::Value = lua.from_value(returned)?;
    let health: Health =
        serde_json::from_value(json).context("the returned table is not {status, message}")?;
    if !VALID_STATUSES.contains(&health.status.as_str()) {
        return Ok(Health {
            status: "Unknown".to_owned(),
            message: "Lua returned an invalid health status".to_owned(),
        });
    }
    Ok(health)
}
