//! A Pod's `status`: its [`PodPhase`], and the wire struct reduced while it is decoded to what
//! `SlimPod` keeps: the phase, whether it is Ready, why it is not scheduled, restarts and crash
//! loops. No list is built; the only strings kept are a not-scheduled pod's reason and message.

use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

use super::de::{IStr, SharedStr};
use super::wire::{FromBytes, Matched, element, wire_struct};
use crate::text::{QUOTE_LIMIT, bounded};

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
        "conditions" => conditions: PodConditions,
        "containerStatuses" => containers: ContainerStatuses,
        "initContainerStatuses" => init_containers: ContainerStatuses,
    }
}

/// Why a pod is not scheduled: its `PodScheduled` condition is `False` (the scheduler found no
/// node, or scheduling gates hold it back).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NotScheduled {
    /// The condition's reason, e.g. `Unschedulable`, `SchedulingGated` (interned; empty when the
    /// condition has none).
    pub reason: Arc<str>,
    /// The scheduler's message, e.g. `0/5 nodes are available: 5 Insufficient cpu.`, bounded to
    /// [`QUOTE_LIMIT`] bytes: the member writes it.
    pub message: Arc<str>,
}

/// `status.conditions` of a Pod, reduced while it is decoded: whether `Ready` is `True`, and
/// why the pod is not scheduled when `PodScheduled` is `False`. The first entry of a type
/// decides, as in Kubernetes' helpers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PodConditions {
    pub(crate) ready: bool,
    pub(crate) not_scheduled: Option<Arc<NotScheduled>>,
    seen_ready: bool,
    seen_scheduled: bool,
}

impl PodConditions {
    fn record(&mut self, condition: WirePodCondition) {
        match condition.type_.0 {
            PodConditionType::Ready if !self.seen_ready => {
                self.seen_ready = true;
                self.ready = condition.status.0 == Status::True;
            }
            PodConditionType::PodScheduled if !self.seen_scheduled => {
                self.seen_scheduled = true;
                if condition.status.0 == Status::False {
                    let message = condition.message.map(|m| m.0).unwrap_or_else(|| "".into());
                    let message = if message.len() > QUOTE_LIMIT {
                        Arc::from(bounded(&message, QUOTE_LIMIT))
                    } else {
                        message
                    };
                    self.not_scheduled = Some(Arc::new(NotScheduled {
                        reason: IStr::non_empty(condition.reason).unwrap_or_else(|| "".into()),
                        message,
                    }));
                }
            }
            _ => {}
        }
    }
}

impl<'de> Deserialize<'de> for PodConditions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(PodConditionsVisitor)
    }
}

struct PodConditionsVisitor;

impl<'de> Visitor<'de> for PodConditionsVisitor {
    type Value = PodConditions;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of conditions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PodConditions, A::Error> {
        let mut conditions = PodConditions::default();
        while let Some(condition) = element::<WirePodCondition, A>(&mut seq)? {
            conditions.record(condition);
        }
        Ok(conditions)
    }
}

wire_struct! {
    /// One entry of a Pod's `status.conditions`. Reason and message are read for every type
    /// (the keys may come in any order); only a `PodScheduled=False` entry keeps them.
    struct WirePodCondition {
        "type" => type_: Matched<PodConditionType>,
        "status" => status: Matched<Status>,
        "reason" => reason: Option<IStr>,
        "message" => message: Option<SharedStr>,
    }
}

/// The Pod condition types the projection reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum PodConditionType {
    Ready,
    PodScheduled,
    #[default]
    Other,
}

impl FromBytes for PodConditionType {
    fn from_bytes(value: &[u8]) -> Self {
        match value {
            b"Ready" => PodConditionType::Ready,
            b"PodScheduled" => PodConditionType::PodScheduled,
            _ => PodConditionType::Other,
        }
    }
}

/// A condition's `status`: exactly `True`, exactly `False`, or anything else (`Unknown`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Status {
    True,
    False,
    #[default]
    Other,
}

impl FromBytes for Status {
    fn from_bytes(value: &[u8]) -> Self {
        match value {
            b"True" => Status::True,
            b"False" => Status::False,
            _ => Status::Other,
        }
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
        while let Some(status) = element::<WireContainerStatus, A>(&mut seq)? {
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
