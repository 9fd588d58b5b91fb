//! The Argo CD script on malformed and partial objects (it must never raise: Argo CD shows a
//! script error instead of a health), and the harness's fidelity to Argo CD's Lua VM.

use health_checks::{Health, argocd_health, run_health_script};
use serde_json::{Value, json};

fn health(object: Value) -> (String, String) {
    let Health { status, message } =
        argocd_health(&object).unwrap_or_else(|e| panic!("{object}: {e:#}"));
    (status, message)
}

fn verdict(status: &str, message: &str) -> (String, String) {
    (status.to_owned(), message.to_owned())
}

fn with_conditions(conditions: Value) -> Value {
    json!({
        "apiVersion": "insight.karmada-manager.io/v1alpha1",
        "kind": "WorkloadPlacement",
        "metadata": {"name": "web-deployment", "namespace": "shop", "generation": 1},
        "status": {"observedGeneration": 1, "conditions": conditions},
    })
}

#[test]
fn missing_or_mistyped_status_waits() {
    let waiting = verdict("Progressing", "Waiting for karmada-manager");
    for object in [
        Value::Null,
        json!({}),
        json!({"status": "broken"}),
        json!({"status": {"observedGeneration": 1}}),
        json!({"status": {"conditions": "Ready"}}),
        with_conditions(json!([])),
        with_conditions(json!([1, "Ready", null, {"type": "Applied", "status": "True"}])),
    ] {
        assert_eq!(health(object.clone()), waiting, "{object}");
    }
}

#[test]
fn generations_are_compared_defensively() {
    let ready = json!([{"type": "Ready", "status": "True", "message": "all good"}]);
    let mut object = with_conditions(ready);
    object["status"]
        .as_object_mut()
        .expect("status")
        .remove("observedGeneration");
    assert_eq!(
        health(object.clone()),
        verdict(
            "Progressing",
            "Waiting for karmada-manager to observe generation 1"
        )
    );
    // A generation that is no number cannot be compared: judge by the conditions.
    object["metadata"]["generation"] = json!("one");
    assert_eq!(health(object), verdict("Healthy", "all good"));
}

#[test]
fn missing_messages_fall_back() {
    let cases = [
        (
            json!({"type": "Stalled", "status": "True"}),
            "Degraded",
            "Stalled",
        ),
        (
            json!({"type": "Ready", "status": "False", "reason": "ApplyFailed", "message": ""}),
            "Degraded",
            "Not ready: ApplyFailed",
        ),
        (
            json!({"type": "Ready", "status": "True", "message": 5}),
            "Healthy",
            "Ready",
        ),
        (
            json!({"type": "Ready", "status": "Unknown", "reason": {"nested": true}}),
            "Progressing",
            "Not ready yet",
        ),
        (
            json!({"type": "Ready", "status": null, "message": "what"}),
            "Progressing",
            "what",
        ),
        (
            json!({"type": "Reconciling", "status": "True", "message": null}),
            "Progressing",
            "Reconciling",
        ),
    ];
    for (condition, status, message) in cases {
        assert_eq!(
            health(with_conditions(json!([condition.clone()]))),
            verdict(status, message),
            "{condition}"
        );
    }
}

#[test]
fn a_transient_ready_reason_is_progressing() {
    let condition = json!({"type": "Ready", "status": "False", "reason": "SchedulingPending",
                           "message": "The binding waits for karmada-scheduler to place it."});
    assert_eq!(
        health(with_conditions(json!([condition]))),
        verdict(
            "Progressing",
            "The binding waits for karmada-scheduler to place it."
        )
    );
}

/// Argo CD's VM opens no string library: a script that uses one must fail here too.
#[test]
fn harness_has_argocds_libraries_only() {
    let obj = json!({});
    let script = r#"return {status = string.format("%s", "Healthy")}"#;
    assert!(run_health_script(script, &obj).is_err());
    let script = r#"local t = {} table.insert(t, "Healthy") return {status = t[1]}"#;
    assert_eq!(
        run_health_script(script, &obj)
            .expect("table is open")
            .status,
        "Healthy"
    );
}

#[test]
fn harness_checks_the_returned_value_like_argocd() {
    let obj = json!({});
    assert!(run_health_script("return 'Healthy'", &obj).is_err());
    assert_eq!(
        run_health_script("return {status = 'Fine', message = 'x'}", &obj).expect("a table"),
        Health {
            status: "Unknown".to_owned(),
            message: "Lua returned an invalid health status".to_owned(),
        }
    );
}
