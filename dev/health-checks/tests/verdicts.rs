//! Both checkers against the statuses karmada-manager writes. The expected verdicts are the
//! contract: Argo CD and Flux must tell the same story as FleetInsight's workload counts (ready,
//! progressing, failed), except where kstatus cannot (noted per case).

mod common;

use common::{condition_message, fixture, load};
use health_checks::{Health, argocd_health, kstatus};

/// Where the expected message comes from.
enum Message {
    /// The message of the object's condition of this type.
    Of(&'static str),
    Literal(&'static str),
}

struct Case {
    fixture: &'static str,
    argocd: (&'static str, Message),
    kstatus: (&'static str, Message),
}

fn expected(object: &serde_json::Value, (status, message): &(&'static str, Message)) -> Health {
    Health {
        status: (*status).to_owned(),
        message: match message {
            Message::Of(type_) => condition_message(object, type_),
            Message::Literal(text) => (*text).to_owned(),
        },
    }
}

fn cases() -> Vec<Case> {
    use Message::{Literal, Of};
    vec![
        // The API crate's fixture: a rollout, Ready=False ReplicasNotReady and Reconciling.
        Case {
            fixture: "crates/api/tests/fixtures/workload_placement.yaml",
            argocd: ("Progressing", Of("Reconciling")),
            kstatus: ("InProgress", Of("Reconciling")),
        },
        // Ready=True with an empty message (no metadata.generation either).
        Case {
            fixture: "crates/api/tests/fixtures/cluster_workload_placement.yaml",
            argocd: ("Healthy", Literal("Ready")),
            kstatus: ("Current", Literal("Resource is Ready")),
        },
        Case {
            fixture: "ready.yaml",
            argocd: ("Healthy", Of("Ready")),
            // kstatus drops the Ready message.
            kstatus: ("Current", Literal("Resource is Ready")),
        },
        // Degraded (karmada-manager cannot watch a member) is no verdict on the workload.
        Case {
            fixture: "member-not-observed.yaml",
            argocd: ("Healthy", Of("Ready")),
            kstatus: ("Current", Literal("Resource is Ready")),
        },
        // Ready=True while Reconciling: kstatus reads Reconciling first, and so does the script.
        Case {
            fixture: "ready-not-updated.yaml",
            argocd: ("Progressing", Of("Reconciling")),
            kstatus: ("InProgress", Of("Reconciling")),
        },
        Case {
            fixture: "initial-sync.yaml",
            argocd: ("Progressing", Of("Reconciling")),
            kstatus: ("InProgress", Of("Reconciling")),
        },
        Case {
            fixture: "scheduling-failed.yaml",
            argocd: ("Degraded", Of("Stalled")),
            kstatus: ("Failed", Of("Stalled")),
        },
        // Stalled wins over Ready=True.
        Case {
            fixture: "policy-not-found.yaml",
            argocd: ("Degraded", Of("Stalled")),
            kstatus: ("Failed", Of("Stalled")),
        },
        // kstatus has no notion of failing Ready reasons: without Stalled, Ready=False is
        // InProgress, and Flux reports it only when its health-check timeout expires.
        Case {
            fixture: "apply-failed.yaml",
            argocd: ("Degraded", Of("Ready")),
            kstatus: ("InProgress", Of("Ready")),
        },
        Case {
            fixture: "clusters-unhealthy.yaml",
            argocd: ("Degraded", Of("Ready")),
            kstatus: ("InProgress", Of("Ready")),
        },
        // kstatus calls an object without conditions Current; the script waits for the first
        // status. The operator writes it right after creating the object.
        Case {
            fixture: "no-status.yaml",
            argocd: ("Progressing", Literal("Waiting for karmada-manager")),
            kstatus: ("Current", Literal("Resource is current")),
        },
        Case {
            fixture: "generation-behind.yaml",
            argocd: (
                "Progressing",
                Literal("Waiting for karmada-manager to observe generation 2"),
            ),
            kstatus: (
                "InProgress",
                Literal("WorkloadPlacement generation is 2, but latest observed generation is 1"),
            ),
        },
    ]
}

fn object(case: &Case) -> serde_json::Value {
    if case.fixture.contains('/') {
        load(case.fixture)
    } else {
        fixture(case.fixture)
    }
}

/// Checks every case and reports all mismatches at once.
fn check(checker: &str, verdict: impl Fn(&Case, &serde_json::Value) -> (Health, Health)) {
    let mut wrong = Vec::new();
    for case in cases() {
        let object = object(&case);
        let (got, want) = verdict(&case, &object);
        if got != want {
            wrong.push(format!(
                "{}:\n  got  {got:?}\n  want {want:?}",
                case.fixture
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{checker} disagrees on {} fixture(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn argocd_script_verdicts() {
    check("Argo CD's script", |case, object| {
        let got = argocd_health(object).unwrap_or_else(|e| panic!("{}: {e:#}", case.fixture));
        (got, expected(object, &case.argocd))
    });
}

#[test]
fn kstatus_verdicts() {
    check("kstatus", |case, object| {
        let got = kstatus(object).unwrap_or_else(|e| panic!("{}: {e:#}", case.fixture));
        (got, expected(object, &case.kstatus))
    });
}

/// The two checkers map onto each other wherever kstatus can express the verdict.
#[test]
fn verdicts_correspond() {
    for case in cases() {
        let (argocd, _) = &case.argocd;
        let (kstatus, _) = &case.kstatus;
        let corresponding = match *argocd {
            "Healthy" => "Current",
            "Progressing" => "InProgress",
            _ => "Failed",
        };
        let known_gap = matches!(
            case.fixture,
            "apply-failed.yaml" | "clusters-unhealthy.yaml" | "no-status.yaml"
        );
        assert_eq!(
            *kstatus == corresponding,
            !known_gap,
            "{}: Argo CD {argocd} vs kstatus {kstatus}",
            case.fixture
        );
    }
}

#[test]
fn prepare_caches_the_checker() {
    health_checks::prepare().expect("prepare");
    let path = health_checks::checker_path().expect("checker path");
    assert!(path.is_file(), "{} is missing", path.display());
    let dir = path
        .parent()
        .and_then(|d| d.file_name())
        .expect("cache dir");
    assert!(
        dir.to_string_lossy().starts_with("kstatus-v0.37.2-r"),
        "{dir:?}"
    );
}
