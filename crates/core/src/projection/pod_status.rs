//! A Pod's `status` on the wire, reduced while it is decoded to what [`super::SlimPod`] keeps:
//! the phase, whether it is Ready, restarts and crash loops. No list or string is built.

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

use super::de::Conditions;
use super::pod::PodPhase;
use super::wire::{FromBytes, Matched, wire_struct};

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
