//! The series the chart's rules and dashboard read are the ones the operator serves. The demo
//! fleet of `cargo xtask dev` (two members, propagated workloads, a not-ready replica) plus one
//! replica of `shop/web` that member1's scheduler did not place, with the real operator (leader
//! election on, the chart's hub identity) scraped on `/metrics`:
//!
//! - every metric name the rules and the dashboard read is served, every label they match or
//!   group on is on its series, and every fixed label value they match on occurs;
//! - member2's API server is stopped: its series say so (watch down, figures ageing,
//!   ClusterInsight `Ready=False` `MemberUnreachable`) while member1's stay healthy;
//! - the scrape taken then, fed to `promtool test rules` as Prometheus would have stored it,
//!   fires `KarmadaManagerMemberUnavailable` for member2 and `KarmadaManagerReplicasUnschedulable`
//!   for `shop/web` on member1, and nothing that would repeat them.

mod support;

#[path = "alerts/exposition.rs"]
mod exposition;
#[path = "alerts/promql.rs"]
mod promql;

use anyhow::{Context, Result, ensure};
use exposition::{Sample, find};
use k8s_openapi::api::apps::v1::ReplicaSet;
use kube::api::Api;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use support::chart_identity::RELEASE_NAMESPACE;
use support::{eventually, http_get};
use testenv::{EnvOptions, Environment};

/// Bounds a wait; generous on purpose (a shared 2-core machine): it bounds a hang.
const WAIT: Duration = Duration::from_secs(120);
const JOB: &str = "karmada-manager";
/// The demo's ReplicaSet of `shop/web` on member1 (`testenv::demo_workloads`).
const WEB_REPLICA_SET: &str = "web-6b8f7c9d5";
/// Labels that name objects: their values are the fleet's, not fixed by the rules.
const OBJECT_LABELS: [&str; 4] = ["cluster", "placement", "reason", "kind"];

#[tokio::test(flavor = "multi_thread")]
async fn rules_and_dashboard_read_served_series_and_a_stopped_member_says_so() -> Result<()> {
    let mut env = Environment::start(EnvOptions {
        crds: karmada_manager_api::crds(),
        ..testenv::demo::options()
    })
    .await?;
    testenv::demo::seed(&env).await?;
    add_unplaced_web_replica(&env).await?;
    let elect = [
        "--leader-elect",
        "--leader-election-namespace",
        RELEASE_NAMESPACE,
    ];
    let operator = support::start_operator(&env, &elect).await?;
    let address = operator.admin_address()?;
    let before = eventually(
        "every series served",
        WAIT,
        || scrape(&address),
        |s| settled(s),
    )
    .await?;
    eprintln!("alert metrics: {} samples served", before.len());

    env.member_mut("member2").stop();
    let after = eventually(
        "member2's series say it is down",
        WAIT,
        || scrape(&address),
        |s| member2_down(s),
    )
    .await?;
    let served: Vec<Sample> = before.into_iter().chain(after.iter().cloned()).collect();
    let checked = every_reference_is_served(&served)?;
    eprintln!("alert metrics: {checked} queries of the rules and the dashboard read served series");
    alerts_fire_on(&after)?;
    Ok(())
}

/// One replica of `shop/web` in member1 that no node took: `PodScheduled=False`.
async fn add_unplaced_web_replica(env: &Environment) -> Result<()> {
    let member1 = env.member("member1").client().await?;
    let replica_set = Api::<ReplicaSet>::namespaced(member1.clone(), "shop")
        .get(WEB_REPLICA_SET)
        .await?;
    let uid = replica_set.metadata.uid.context("no uid")?;
    let pod = testenv::pods::pod("shop", &format!("{WEB_REPLICA_SET}-unplaced"))
        .requests(&[("cpu", "250m"), ("memory", "512Mi")])
        .owned_by("ReplicaSet", WEB_REPLICA_SET, &uid);
    testenv::bulk::create_pods(&member1, &[pod]).await
}

async fn scrape(address: &str) -> Result<Vec<Sample>> {
    let (status, body) = http_get(address, "/metrics").await?;
    ensure!(status == 200, "/metrics answered {status}");
    exposition::parse(&body)
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    find(samples, name, labels).first().map(|s| s.value)
}

fn ready(samples: &[Sample], cluster: &str, status: &str) -> bool {
    let labels = [
        ("cluster", cluster),
        ("condition", "Ready"),
        ("status", status),
    ];
    value(samples, "karmada_manager_cluster_condition", &labels) == Some(1.0)
}

/// The operator leads, both members are Ready, and the placements' series are there.
fn settled(samples: &[Sample]) -> bool {
    let member1 = [("cluster", "member1")];
    value(samples, "karmada_manager_leader", &[]) == Some(1.0)
        && ready(samples, "member1", "True")
        && ready(samples, "member2", "True")
        && value(
            samples,
            "karmada_manager_placement_unschedulable_replicas",
            &member1,
        ) == Some(1.0)
        && !find(samples, "karmada_manager_placement_not_ready_seconds", &[]).is_empty()
        && !find(
            samples,
            "karmada_manager_cluster_fit_min_replicas",
            &member1,
        )
        .is_empty()
}

fn member2_down(samples: &[Sample]) -> bool {
    let member2 = [("cluster", "member2")];
    let unreachable = [
        ("cluster", "member2"),
        ("condition", "Ready"),
        ("status", "False"),
        ("reason", "MemberUnreachable"),
    ];
    value(samples, "karmada_manager_member_watch_up", &member2) == Some(0.0)
        && value(samples, "karmada_manager_member_data_age_seconds", &member2)
            .is_some_and(|age| age > 0.0)
        && value(samples, "karmada_manager_cluster_condition", &unreachable) == Some(1.0)
        && value(
            samples,
            "karmada_manager_member_watch_up",
            &[("cluster", "member1")],
        ) == Some(1.0)
        && ready(samples, "member1", "True")
}

/// Every query of the rules and the dashboard reads only served names, labels and fixed label
/// values; returns how many queries were checked.
fn every_reference_is_served(served: &[Sample]) -> Result<usize> {
    let labels = exposition::label_names(served);
    let recorded = promql::recording_rules()?;
    let mut queries: Vec<String> = promql::rules()?
        .iter()
        .filter_map(|r| r["expr"].as_str().map(str::to_owned))
        .collect();
    promql::dashboard_queries(&promql::dashboard()?, &mut queries);
    for query in &queries {
        let expanded = promql::expand_recorded(query, &recorded)?;
        // A scrape adds `job` and `instance`; histograms have `le`.
        let mut here: BTreeSet<&str> = BTreeSet::from(["job", "instance", "le"]);
        for reference in promql::references(&expanded) {
            let name = &reference.name;
            let served_labels = labels
                .get(name)
                .with_context(|| format!("{name} (in `{query}`) is not served"))?;
            here.extend(served_labels.iter().map(String::as_str));
            for matcher in &reference.matchers {
                let label = &matcher.label;
                ensure!(
                    served_labels.contains(label),
                    "{name} is served without label {label} (in `{query}`)"
                );
                let fixed = matcher.op == "=" && !OBJECT_LABELS.contains(&label.as_str());
                if fixed && !matcher.value.contains('$') {
                    let pair = [(label.as_str(), matcher.value.as_str())];
                    ensure!(
                        !find(served, name, &pair).is_empty(),
                        "no {name} is served with {label}=\"{}\"",
                        matcher.value
                    );
                }
            }
        }
        for label in promql::grouping_labels(&expanded) {
            ensure!(
                here.contains(label.as_str()),
                "`{query}` groups by {label}, which no series it reads carries"
            );
        }
    }
    Ok(queries.len())
}

/// The rules, run by promtool over the scrape taken with member2 down, held for 20 minutes.
fn alerts_fire_on(scrape: &[Sample]) -> Result<()> {
    let unplaced = find(
        scrape,
        "karmada_manager_placement_unschedulable_replicas",
        &[("cluster", "member1")],
    );
    let unplaced = unplaced
        .first()
        .context("no unschedulable replicas served")?;
    let mut web = unplaced.labels.clone();
    web.insert("job".into(), JOB.into());
    let member2 = json!({"job": JOB, "cluster": "member2", "reason": "MemberUnreachable"});
    let cases = json!([
        expect("KarmadaManagerMemberUnavailable", "6m", &[member2], "1")?,
        expect(
            "KarmadaManagerReplicasUnschedulable",
            "11m",
            &[json!(web)],
            "1"
        )?,
        // Said once: the other member alerts stay quiet for a member reported unavailable.
        expect("KarmadaManagerMemberWatchDown", "11m", &[], "")?,
        expect("KarmadaManagerMemberDataStale", "11m", &[], "")?,
        expect("KarmadaManagerNoLeader", "6m", &[], "")?,
        // Served without sharding, the group's counter stays at 0.
        expect("KarmadaManagerShardGroupChurning", "20m", &[], "")?,
    ]);
    let test = json!({
        "rule_files": [promql::rules_file()],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": exposition::input_series(scrape, JOB, 20),
            "alert_rule_test": cases,
        }],
    });
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("served_test.yaml");
    std::fs::write(&file, serde_yaml_ng::to_string(&test)?)?;
    let promtool = testenv::upstream::ensure_promtool()?;
    let output = std::process::Command::new(promtool)
        .args(["test", "rules"])
        .arg(&file)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    ensure!(output.status.success(), "promtool test rules:\n{text}");
    eprintln!(
        "alert metrics: on the served series, {}",
        text.trim().replace('\n', " ")
    );
    Ok(())
}

/// An `alert_rule_test` case: `alert` at `at` fires for exactly `labels` (each object's labels,
/// without severity), with its annotations rendered for them and `value`.
fn expect(alert: &str, at: &str, labels: &[Value], value: &str) -> Result<Value> {
    let rule = promql::rules()?
        .into_iter()
        .find(|r| r["alert"].as_str() == Some(alert))
        .with_context(|| format!("no alert {alert}"))?;
    let rule: Value = serde_json::to_value(rule)?;
    let mut alerts = Vec::new();
    for object in labels {
        let mut exp_labels = object.clone();
        exp_labels["severity"] = rule["labels"]["severity"].clone();
        let mut annotations = rule["annotations"].clone();
        for text in annotations
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            let mut rendered = text
                .as_str()
                .unwrap_or_default()
                .replace("{{ $value }}", value);
            for (key, label) in object.as_object().into_iter().flatten() {
                let label = label.as_str().unwrap_or_default();
                rendered = rendered.replace(&format!("{{{{ $labels.{key} }}}}"), label);
            }
            *text = json!(rendered);
        }
        alerts.push(json!({"exp_labels": exp_labels, "exp_annotations": annotations}));
    }
    Ok(json!({"eval_time": at, "alertname": alert, "exp_alerts": alerts}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_the_rules_read_but_nobody_serves_is_refused() {
        let leader = exposition::parse("karmada_manager_leader 1\n").expect("parses");
        let refused = every_reference_is_served(&leader).expect_err("refused");
        assert!(refused.to_string().contains("is not served"), "{refused}");
    }
}
