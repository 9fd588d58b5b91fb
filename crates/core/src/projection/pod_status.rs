//! A Pod's `status`: its [`PodPhase`], and the wire struct reduced while it is decoded to what
//! `SlimPod` keeps: the phase, whether it is Ready, restarts and crash loops. No list or string
//! is built.

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

use super::de::Conditions;
use super::wire::{FromBytes, Matched, wire_struct};

/// `status.phase`, with every value Kubernetes does not define mapped to [`PodPhase::Unknown`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PodPhase {
    /// Accepted, not all containers started (unscheduled, pulling images, …). Also what an
    /// absent phase means: the API server sets `Pending` on create, so only a pod that has not
    /// been through it (a hand-written fixture) lacks one.
    #[default]
    Pending,
    /// Bound, all containers created, at least one running.
    Running,
    /// All containers terminated successfully; holds no resources.
    Succeeded,
    /// All containers terminated, at least one failed; holds no resources.
    Failed,
    /// `Unknown`, or a phase this operator does not know.
    Unknown,
}

impl PodPhase {
    /// `true` for Succeeded and Failed: the scheduler no longer counts the pod's requests.
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }

    /// The phase as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
        }
    }
}

impl From<&str> for PodPhase {
    fn from(value: &str) -> Self {
        <PodPhase as FromBytes>::from_bytes(value.as_bytes())
    }
}

/// The phase a (possibly absent, i.e. empty) `status.phase` names; decoding compares the raw
/// bytes (see [`super::wire::Matched`]).
impl FromBytes for PodPhase {
    fn from_bytes(value: &[u8]) -> Self {
        match value {
            b"Pending" | b"" => PodPhase::Pending,
            b"Running" => PodPhase::Running,
            b"Succeeded" => PodPhase::Succeeded,
            b"Failed" => PodPhase::Failed,
            _ => PodPhase::Unknown,
        }
    }
}

wire_struct! {
    pub(crate) struct WireStatus {
        "phase" => phase: Matched<PodPhase>,
        "conditions" => conditions: Conditions,
        "containerStatuses" => containers: ContainerStatuses,
        "initContainerStatuses" => init_containers: ContainerStatuses,
    }
}

/// A list of container statuses, summed up as it is decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ContainerStatuses {
    /// Σ `restartCount`, negative counts ignored, saturating.
    pub(crate) restarts: i64,
    /// Some container is waiting with reason `CrashLoopBackOff`.
    pub(crate) crash_looping: bool,
}

impl<'de> Deserialize<'de> for ContainerStatuses {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(StatusesVisitor)
    }
}

struct StatusesVisitor;

impl<'de> Visitor<'de> for StatusesVisitor {
    type Value = ContainerStatuses;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of container statuses")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ContainerStatuses, A::Error> {
        let mut sum = ContainerStatuses::default();
        while let Some(status) = seq.next_element::<WireContainerStatus>()? {
            sum.restarts = sum.restarts.saturating_add(status.restart_count.max(0));
            sum.crash_looping |= status.state.waiting.reason.0.0;
        }
        Ok(sum)
    }
}

wire_struct! {
    struct WireContainerStatus {
        "restartCount" => restart_count: i64,
        "state" => state: WireContainerState,
    }
}

wire_struct! {
    struct WireContainerState {
        "waiting" => waiting: WireWaiting,
    }
}

wire_struct! {
    struct WireWaiting {
        "reason" => reason: Matched<IsCrashLoop>,
    }
}

/// `true` for the reason `CrashLoopBackOff`.
#[derive(Clone, Copy, Default)]
struct IsCrashLoop(bool);

impl FromBytes for IsCrashLoop {
    fn from_bytes(value: &[u8]) -> Self {
        IsCrashLoop(value == b"CrashLoopBackOff")
    }
}
