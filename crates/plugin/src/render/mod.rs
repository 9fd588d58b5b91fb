//! How the commands print: kubectl-style tables, allocation bars, colour only on a terminal,
//! and `-o json|yaml` of the objects behind the table.

mod table;

pub use table::Table;

use crate::cli::Output;
use crate::error::{PluginError, Result};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use karmada_manager_api::PolicyReference;
use std::io::IsTerminal;

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset.
pub fn colours() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `text` in green (`good`) or red, when colouring.
pub fn tint(text: &str, good: bool, colour: bool) -> String {
    if !colour {
        return text.to_owned();
    }
    let code = if good { 32 } else { 31 };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The `Ready` condition among `conditions`.
pub fn ready(conditions: &[Condition]) -> Option<&Condition> {
    conditions.iter().find(|c| c.type_ == "Ready")
}

/// `Ready=True (WorkloadReady)`, green when True, red otherwise; `Ready unknown` without one.
pub fn verdict(conditions: &[Condition], colour: bool) -> String {
    ready(conditions).map_or("Ready unknown".to_owned(), |c| {
        let text = format!("Ready={} ({})", c.status, c.reason);
        tint(&text, c.status == "True", colour)
    })
}

/// `PropagationPolicy shop/web-pp`, `ClusterPropagationPolicy all`, or `no claiming policy`.
pub fn policy_name(policy: Option<&PolicyReference>) -> String {
    policy.map_or("no claiming policy".to_owned(), |p| match &p.namespace {
        Some(ns) => format!("{} {ns}/{}", p.kind, p.name),
        None => format!("{} {}", p.kind, p.name),
    })
}

/// `Running, ready` in green, anything else (`Pending, not ready`) in red, when colouring.
pub fn pod_state(phase: &str, ready: bool, colour: bool) -> String {
    let readiness = if ready { "ready" } else { "not ready" };
    tint(
        &format!("{phase}, {readiness}"),
        ready && phase == "Running",
        colour,
    )
}

/// `[#####-----]  52%`: an allocation bar of `width` cells for a percentage.
pub fn bar(percent: i32, width: usize) -> String {
    let clamped = usize::try_from(percent.clamp(0, 100)).unwrap_or(0);
    let full = (clamped * width + 50) / 100;
    format!(
        "[{}{}] {percent:>3}%",
        "#".repeat(full),
        "-".repeat(width - full)
    )
}

/// An enum value as the API spells it (`PIDPressure`, `ClusterProxy`).
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Prints `value` as JSON or YAML; `false` for the table formats (the caller prints a table).
pub fn structured<T: serde::Serialize>(output: Output, value: &T) -> Result<bool> {
    let text = match output {
        Output::Json => {
            serde_json::to_string_pretty(value).map_err(|e| PluginError::Api(e.to_string()))?
        }
        Output::Yaml => {
            serde_yaml_ng::to_string(value).map_err(|e| PluginError::Api(e.to_string()))?
        }
        Output::Table | Output::Wide => return Ok(false),
    };
    println!("{}", text.trim_end());
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_proportion() {
        assert_eq!(bar(0, 10), "[----------]   0%");
        assert_eq!(bar(52, 10), "[#####-----]  52%");
        assert_eq!(bar(100, 10), "[##########] 100%");
        assert_eq!(bar(130, 4), "[####] 130%");
        assert_eq!(tint("True", true, false), "True");
    }
}
