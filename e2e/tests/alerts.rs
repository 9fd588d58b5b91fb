//! The chart's alerting and recording rules (`charts/karmada-manager/templates/_rules.tpl`), with
//! the real `promtool` and `helm` built from their Go modules: `promtool check rules` accepts them
//! with the default values and with others; `promtool test rules` runs the unit tests of
//! `alerts/rules_test.yaml`, which test every alert firing and not firing; every alert has a
//! severity, a summary, a description naming its object and a runbook in
//! `docs/troubleshooting.md`; the chart renders the PrometheusRule only when asked, and then the
//! same rules as the committed plain file. That every series the rules read is served is
//! `alert_metrics.rs`'s part, against a running operator.

// The chart tests' helm wrapper; this binary uses a part of it.
#[allow(dead_code)]
#[path = "chart/helm.rs"]
mod helm;
#[path = "alerts/promql.rs"]
mod promql;

use anyhow::{Context, Result, ensure};
use serde_yaml_ng::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const RELEASE: &str = "karmada-manager";
const NAMESPACE: &str = "karmada-system";
const RUNBOOKS: &str =
    "https://github.com/karmada-manager/karmada-manager/blob/main/docs/troubleshooting.md";

fn promtool(args: &[&str], dir: &Path) -> Result<String> {
    let promtool = testenv::upstream::ensure_promtool()?;
    let output = Command::new(&promtool)
        .args(args)
        .current_dir(dir)
        .output()
        .with_context(|| format!("running {}", promtool.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    ensure!(
        output.status.success(),
        "promtool {} failed:\n{text}",
        args.join(" ")
    );
    Ok(text)
}

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/alerts")
}

/// The alerting rules of the committed rules file.
fn alerting_rules() -> Result<Vec<Value>> {
    Ok(promql::rules()?
        .into_iter()
        .filter(|r| r.get("alert").is_some())
        .collect())
}

fn alert_names() -> Result<BTreeSet<String>> {
    alerting_rules()?
        .iter()
        .map(|r| Ok(r["alert"].as_str().context("alert name")?.to_owned()))
        .collect()
}

/// The PrometheusRule objects `helm template` renders with `values` (YAML).
fn rendered_rules(helm: &helm::Helm, values: &str) -> Result<Vec<serde_json::Value>> {
    let objects = helm.template(&[values], &[])?;
    Ok(objects
        .into_iter()
        .filter(|o| o["kind"] == "PrometheusRule")
        .collect())
}

#[test]
fn promtool_accepts_the_rules_with_default_and_other_values() -> Result<()> {
    let checked = promtool(
        &[
            "check",
            "rules",
            &promql::rules_file().display().to_string(),
        ],
        &tests_dir(),
    )?;
    ensure!(checked.contains("SUCCESS"), "{checked}");
    eprintln!("alerts: {}", checked.trim());
    // Other values: no per-reason bounds, alert labels, one alert off, other thresholds.
    let helm = helm::Helm::new()?;
    let values = r#"
prometheusRule:
  enabled: true
  additionalAlertLabels: {team: platform}
  alerts:
    placementNotReady: {enabled: true, minutes: 5, minutesByReason: {ReplicasNotReady: null}, severity: info}
    memberAllocationHigh: {enabled: true, for: 1h, percent: 75.5, severity: warning}
    leadershipFlapping: {enabled: false, window: 1h, transitions: 3, severity: warning}
    shardGroupChurning: {enabled: true, window: 30m, rebalances: 10, for: 30m, severity: info}
"#;
    let rule = rendered_rules(&helm, values)?;
    ensure!(rule.len() == 1, "one PrometheusRule expected: {rule:?}");
    let file = helm.dir.path().join("other.rules.yaml");
    std::fs::write(&file, serde_yaml_ng::to_string(&rule[0]["spec"])?)?;
    let checked = promtool(
        &["check", "rules", &file.display().to_string()],
        &tests_dir(),
    )?;
    ensure!(checked.contains("SUCCESS"), "{checked}");
    let text = std::fs::read_to_string(&file)?;
    ensure!(text.contains("team: platform") && text.contains("> 75.5"));
    ensure!(text.contains("not_ready_seconds:max > 300") && !text.contains("reason!~"));
    ensure!(!text.contains("KarmadaManagerLeadershipFlapping"));
    ensure!(text.contains("rebalances_total[30m])) > 10"));
    Ok(())
}

#[test]
fn every_alert_is_unit_tested_firing_and_not_firing() -> Result<()> {
    let tested = promtool(&["test", "rules", "rules_test.yaml"], &tests_dir())?;
    ensure!(tested.contains("SUCCESS"), "{tested}");
    let tests: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(
        tests_dir().join("rules_test.yaml"),
    )?)?;
    let (mut firing, mut quiet) = (BTreeSet::new(), BTreeSet::new());
    for test in tests["tests"].as_sequence().context("no tests")? {
        for case in test["alert_rule_test"].as_sequence().into_iter().flatten() {
            let name = case["alertname"].as_str().context("alertname")?.to_owned();
            match case["exp_alerts"]
                .as_sequence()
                .is_some_and(|a| !a.is_empty())
            {
                true => firing.insert(name),
                false => quiet.insert(name),
            };
        }
    }
    let alerts = alert_names()?;
    for alert in &alerts {
        ensure!(firing.contains(alert), "no unit test where {alert} fires");
        ensure!(
            quiet.contains(alert),
            "no unit test where {alert} stays quiet"
        );
    }
    eprintln!(
        "alerts: promtool test rules passed, {} alerts each tested firing and not firing",
        alerts.len()
    );
    Ok(())
}

#[test]
fn every_alert_has_a_severity_a_summary_a_description_and_a_runbook() -> Result<()> {
    let guide = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/troubleshooting.md"),
    )?;
    for rule in alerting_rules()? {
        let name = rule["alert"].as_str().context("alert name")?;
        let severity = rule["labels"]["severity"].as_str().unwrap_or_default();
        ensure!(
            ["critical", "warning", "info"].contains(&severity),
            "{name}: severity {severity:?}"
        );
        let annotation = |key: &str| rule["annotations"][key].as_str().unwrap_or_default();
        ensure!(!annotation("summary").is_empty(), "{name}: no summary");
        // The object the alert is about is named; no-leader is about the whole operator, and
        // fires with no series at all, when no label could name anything.
        if name != "KarmadaManagerNoLeader" {
            ensure!(
                annotation("description").contains("{{ $labels."),
                "{name}: the description names no object"
            );
        }
        let runbook = format!("{RUNBOOKS}#{}", name.to_lowercase());
        ensure!(annotation("runbook_url") == runbook, "{name}: runbook_url");
        ensure!(
            guide.contains(&format!("\n### {name}\n")),
            "docs/troubleshooting.md has no section {name}"
        );
    }
    Ok(())
}

#[test]
fn the_chart_renders_the_rules_only_when_enabled_and_as_the_plain_file() -> Result<()> {
    let helm = helm::Helm::new()?;
    ensure!(rendered_rules(&helm, "{}")?.is_empty(), "off by default");
    let values =
        "prometheusRule: {enabled: true, namespace: monitoring, labels: {release: prometheus}}";
    let chart = helm::chart().display().to_string();
    let file = helm.values_file(values)?.display().to_string();
    helm.run(&["lint", "--strict", &chart, "--values", &file])?;
    let rule = rendered_rules(&helm, values)?;
    ensure!(rule.len() == 1, "{rule:?}");
    assert_eq!(rule[0]["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(rule[0]["metadata"]["namespace"], "monitoring");
    assert_eq!(rule[0]["metadata"]["labels"]["release"], "prometheus");
    let plain: serde_json::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(promql::rules_file())?)?;
    assert_eq!(
        rule[0]["spec"], plain,
        "the committed rules file is the chart's rules with the default values (`cargo xtask crds`)"
    );
    // Like the ServiceMonitor, nothing for a release on the hub (the operator half off).
    let off = rendered_rules(
        &helm,
        "{operator: {enabled: false}, prometheusRule: {enabled: true}}",
    )?;
    ensure!(off.is_empty(), "rendered with the operator off: {off:?}");
    Ok(())
}

#[test]
fn the_schema_refuses_malformed_alert_values() -> Result<()> {
    let helm = helm::Helm::new()?;
    let chart = helm::chart().display().to_string();
    for bad in [
        "prometheusRule: {alerts: {memberUnavailable: {enabled: true, for: 5 minutes, severity: critical}}}",
        "prometheusRule: {alerts: {memberAllocationHigh: {enabled: true, for: 5m, percent: 120, severity: warning}}}",
        "prometheusRule: {alerts: {placementNotReady: {enabled: true, minutes: 15, minutesByReason: {ReplicasNotReady: 30m}, severity: warning}}}",
        "prometheusRule: {runbookBaseURL: docs/troubleshooting.md}",
        "prometheusRule: {alerts: {noSuchAlert: {enabled: true}}}",
        "prometheusRule: {alerts: {shardGroupChurning: {enabled: true, window: 15m, rebalances: many, for: 15m, severity: warning}}}",
    ] {
        let file = helm.values_file(bad)?.display().to_string();
        let (ok, _, stderr) = helm.output(&["template", RELEASE, &chart, "--values", &file])?;
        ensure!(!ok, "accepted: {bad}");
        ensure!(stderr.contains("schema"), "{bad}: {stderr}");
    }
    Ok(())
}
