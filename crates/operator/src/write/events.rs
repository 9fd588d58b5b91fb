//! Kubernetes Events when an object's `Ready` condition changes status or reason, so that
//! `kubectl describe` and event-based alerting see transitions (a member becoming unreachable,
//! a workload turning ready) without polling statuses. Only transitions: a steady state emits
//! nothing, and kube's recorder folds repeats into a series.

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use karmada_manager_api::conditions::{status, types};
use karmada_manager_core::text::{EVENT_NOTE_LIMIT, bounded};
use kube::Resource;
use kube::runtime::events::{Event, EventType, Recorder};

/// The Ready condition of `next` when it differs in status or reason from the one in
/// `previous` (or there was none).
pub fn ready_transition<'a>(
    previous: &[Condition],
    next: &'a [Condition],
) -> Option<&'a Condition> {
    let ready = |conditions: &'a [Condition]| conditions.iter().find(|c| c.type_ == types::READY);
    let before = previous.iter().find(|c| c.type_ == types::READY);
    let after = ready(next)?;
    match before {
        Some(b) if b.status == after.status && b.reason == after.reason => None,
        _ => Some(after),
    }
}

/// Publishes the transition of `K` `namespace`/`name`, if any. Failing to publish is logged,
/// never an error: events are a courtesy, the status is the record.
pub async fn announce_ready<K: Resource<DynamicType = ()>>(
    recorder: &Recorder,
    namespace: Option<&str>,
    name: &str,
    previous: &[Condition],
    next: &[Condition],
) {
    let Some(ready) = ready_transition(previous, next) else {
        return;
    };
    let reference = ObjectReference {
        api_version: Some(K::api_version(&()).into_owned()),
        kind: Some(K::kind(&()).into_owned()),
        name: Some(name.to_owned()),
        namespace: namespace.filter(|n| !n.is_empty()).map(str::to_owned),
        ..ObjectReference::default()
    };
    let event = Event {
        type_: if ready.status == status::TRUE {
            EventType::Normal
        } else {
            EventType::Warning
        },
        reason: ready.reason.clone(),
        // The message may quote what a member or Karmada wrote.
        note: Some(bounded(&ready.message, EVENT_NOTE_LIMIT)),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(err) = recorder.publish(&event, &reference).await {
        tracing::warn!(kind = %K::kind(&()), object = name, error = %err, "could not publish an event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn ready(status: &str, reason: &str, message: &str) -> Condition {
        Condition {
            type_: "Ready".into(),
            status: status.into(),
            reason: reason.into(),
            message: message.into(),
            observed_generation: None,
            last_transition_time: Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH),
        }
    }

    #[test]
    fn only_a_new_status_or_reason_is_a_transition() {
        let first = [ready("False", "InitialSync", "listing")];
        assert_eq!(
            ready_transition(&[], &first).map(|c| c.reason.as_str()),
            Some("InitialSync")
        );
        let synced = [ready("True", "Synced", "3 nodes")];
        assert!(ready_transition(&first, &synced).is_some());
        let other_message = [ready("True", "Synced", "4 nodes")];
        assert!(
            ready_transition(&synced, &other_message).is_none(),
            "messages change all the time"
        );
        let truncated = [ready("True", "StatusTruncated", "")];
        assert!(ready_transition(&synced, &truncated).is_some());
        assert!(ready_transition(&synced, &[]).is_none());
    }

    #[test]
    fn notes_fit_what_the_events_api_accepts() {
        let long = "é".repeat(EVENT_NOTE_LIMIT);
        let note = bounded(&long, EVENT_NOTE_LIMIT);
        assert!(note.len() <= EVENT_NOTE_LIMIT, "{} bytes", note.len());
        assert!(note.ends_with(" bytes cut)"), "{note}");
    }
}
