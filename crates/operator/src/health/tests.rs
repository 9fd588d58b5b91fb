use super::*;

const LIMIT: Duration = Duration::from_secs(30);

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn health(hub: Arc<HubWatches>) -> Health {
    Health {
        hub,
        progress: Progress::new(),
        hub_unready_after: LIMIT,
        wedged_after: Duration::from_secs(300),
    }
}

fn hub() -> Arc<HubWatches> {
    Arc::default()
}

#[test]
fn a_failing_watch_makes_readyz_unready_only_after_the_limit() {
    let hub = hub();
    let t0 = Instant::now();
    hub.failed("Cluster", t0);
    // The watch retries and fails again: still failing since the first error.
    hub.failed("Cluster", t0 + secs(10.0));
    hub.failed("Cluster", t0 + secs(25.0));
    let health = health(hub.clone());
    assert_eq!(health.unready(t0 + secs(29.9)), None);
    assert_eq!(
        health.unready(t0 + LIMIT),
        None,
        "longer than, not as long as"
    );
    assert_eq!(
        health.unready(t0 + secs(31.3)).as_deref(),
        Some("hub watches failing for longer than 30s: Cluster for 31.3s\n")
    );
}

#[test]
fn an_event_or_an_answer_ends_a_failure_and_the_next_one_counts_afresh() {
    let hub = hub();
    let t0 = Instant::now();
    hub.failed("Secret", t0);
    hub.failed("Work", t0 + secs(1.0));
    hub.answered("Secret");
    assert!(!hub.is_failing("Secret"));
    assert!(hub.is_failing("Work"), "each kind on its own");
    hub.failed("Secret", t0 + secs(40.0));
    let failing = hub.failing_longer_than(LIMIT, t0 + secs(45.0));
    assert_eq!(failing, vec![("Work".to_owned(), secs(44.0))]);
    assert_eq!(
        hub.failing_longer_than(LIMIT, t0 + secs(71.0)),
        vec![
            ("Secret".to_owned(), secs(31.0)),
            ("Work".to_owned(), secs(70.0))
        ],
        "the Secret watch counts from its new failure"
    );
}

#[test]
fn an_answer_asked_before_the_last_error_does_not_end_the_failure() {
    let hub = hub();
    let t0 = Instant::now();
    hub.failed("Cluster", t0);
    hub.failed("Cluster", t0 + secs(5.0));
    assert!(!hub.answered_since("Cluster", t0 + secs(4.0)));
    assert!(hub.is_failing("Cluster"));
    assert!(hub.answered_since("Cluster", t0 + secs(5.0)));
    assert!(!hub.is_failing("Cluster"));
    assert!(
        !hub.answered_since("Cluster", t0 + secs(6.0)),
        "nothing left to end"
    );
}

#[test]
fn a_healthy_idle_watch_is_never_failing() {
    let hub = hub();
    let t0 = Instant::now();
    hub.answered("Cluster");
    let health = health(hub.clone());
    assert_eq!(health.unready(t0 + secs(3600.0)), None);
}

#[test]
fn several_kinds_are_named_in_order_with_their_durations() {
    let hub = hub();
    let t0 = Instant::now();
    hub.failed("Secret", t0 + secs(2.0));
    hub.failed("Cluster", t0);
    hub.failed("Work", t0 + secs(20.0));
    let health = health(hub.clone());
    assert_eq!(
        health.unready(t0 + secs(40.0)).as_deref(),
        Some("hub watches failing for longer than 30s: Cluster for 40.0s, Secret for 38.0s\n")
    );
}

#[test]
fn queued_work_without_a_reconcile_start_is_wedged_after_the_limit() {
    let progress = Progress::new();
    let t0 = Instant::now();
    let limit = Duration::from_secs(300);
    assert!(
        progress
            .waiting_longer_than(limit, t0 + secs(3600.0))
            .is_empty()
    );
    progress.queued_at(Queue::Cluster, t0);
    // A later trigger does not hide the older one.
    progress.queued_at(Queue::Cluster, t0 + secs(200.0));
    assert!(
        progress
            .waiting_longer_than(limit, t0 + secs(300.0))
            .is_empty()
    );
    let wedged = progress.waiting_longer_than(limit, t0 + secs(301.0));
    assert_eq!(wedged.len(), 1);
    assert_eq!(wedged[0].0, Queue::Cluster);
    assert!((wedged[0].1.as_secs_f64() - 301.0).abs() < 1e-6);
}

#[test]
fn a_reconcile_start_is_progress_for_every_trigger_before_it() {
    let progress = Progress::new();
    let t0 = Instant::now();
    let limit = Duration::from_secs(300);
    progress.queued_at(Queue::WorkloadPlacement, t0);
    progress.queued_at(Queue::WorkloadPlacement, t0 + secs(1.0));
    progress.started(Queue::WorkloadPlacement);
    assert_eq!(progress.waiting_since(Queue::WorkloadPlacement), None);
    assert!(
        progress
            .waiting_longer_than(limit, t0 + secs(3600.0))
            .is_empty()
    );
    // The next trigger counts from when it was sent.
    progress.queued_at(Queue::WorkloadPlacement, t0 + secs(1000.0));
    let wedged = progress.waiting_longer_than(limit, t0 + secs(1301.0));
    assert_eq!(wedged.len(), 1);
    assert!((wedged[0].1.as_secs_f64() - 301.0).abs() < 1e-6);
}

#[test]
fn each_controller_is_judged_on_its_own() {
    let progress = Progress::new();
    let t0 = Instant::now();
    progress.queued_at(Queue::Cluster, t0);
    progress.queued_at(Queue::ClusterWorkloadPlacement, t0);
    progress.started(Queue::Cluster);
    progress.started(Queue::WorkloadPlacement);
    let health = Health {
        progress,
        ..health(hub())
    };
    assert_eq!(
        health.wedged(t0 + secs(360.0)).as_deref(),
        Some(
            "controllers wedged (work queued, no reconcile started for longer than 5m): \
             clusterworkloadplacement for 360.0s\n"
        )
    );
    assert_eq!(health.wedged(t0 + secs(299.0)), None);
}

#[test]
fn the_queues_follow_the_binding_kinds() {
    assert_eq!(
        Queue::placement(BindingKind::ResourceBinding).name(),
        "workloadplacement"
    );
    assert_eq!(
        Queue::placement(BindingKind::ClusterResourceBinding).name(),
        "clusterworkloadplacement"
    );
}
