//! What a measuring child process reports to the parent (as one JSON document on stdout), and
//! the scale both agree on.

use serde::{Deserialize, Serialize};

/// Fleet size: `clusters` members of `nodes` nodes and `pods` pods each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::Args)]
pub struct Scale {
    /// Member clusters.
    #[arg(long)]
    pub clusters: usize,
    /// Nodes per member.
    #[arg(long)]
    pub nodes: usize,
    /// Pods per member.
    #[arg(long)]
    pub pods: usize,
}

impl Scale {
    /// CI-friendly: two members of the published per-member size, so the status build still
    /// sees a 5,000-node member.
    pub const SMALL: Scale = Scale {
        clusters: 2,
        nodes: 5_000,
        pods: 20_000,
    };

    /// Karmada's published scale: 100 members × 5,000 nodes × 20,000 pods.
    pub const FULL: Scale = Scale {
        clusters: 100,
        nodes: 5_000,
        pods: 20_000,
    };
}

/// The ingest paths measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// `serde_json` into `IgnoredAny`: the decode floor.
    Floor,
    /// The operator's JSON reader into `IgnoredAny`: the floor of the reader ours uses.
    ReaderFloor,
    /// The operator: slim projections into `MemberIndex`.
    Ours,
    /// Full k8s-openapi objects in kube-runtime reflector stores.
    Naive,
}

impl Variant {
    /// Whether it keeps the objects it reads (the floors keep nothing).
    pub fn keeps_objects(self) -> bool {
        matches!(self, Variant::Ours | Variant::Naive)
    }

    pub fn label(self) -> &'static str {
        match self {
            Variant::Floor => "(a) decode floor (IgnoredAny)",
            Variant::ReaderFloor => "(a') reader floor (IgnoredAny, the operator's reader)",
            Variant::Ours => "ours (SlimNode/SlimPod → MemberIndex)",
            Variant::Naive => "(b) naive (Node/Pod → reflector Store)",
        }
    }
}

/// How a watch line is turned into an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Decode {
    /// `serde_json::from_slice` on the line's bytes.
    Slice,
    /// Exactly what kube-client's `request_events` does: tokio-util's `LinesCodec` checks the
    /// line is UTF-8 and copies it into a `String`, then `serde_json::from_str` (which then
    /// skips the per-string UTF-8 checks `from_slice` makes).
    Lines,
}

/// One variant's run, in one process.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VariantRun {
    pub variant: Variant,
    pub decode: Decode,
    pub clusters: Vec<ClusterRun>,
    /// RSS before ingesting anything (binary, allocator, the reused generator buffer).
    pub baseline_rss_kib: u64,
    /// RSS with every ingested member still held.
    pub final_rss_kib: u64,
    /// Peak RSS (VmHWM) of the process over the whole run.
    pub peak_hwm_kib: u64,
    /// Objects the stores hold at the end (checked against what was generated).
    pub held_nodes: u64,
    pub held_pods: u64,
    /// Only for `ours`.
    pub status_build: Option<StatusBuild>,
}

/// One member's two initial lists.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClusterRun {
    /// Hash of every byte generated for the member: proves all variants ingested the same.
    pub checksum: u64,
    pub nodes: PhaseRun,
    pub pods: PhaseRun,
}

/// One initial list (all nodes, or all pods, of one member).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct PhaseRun {
    /// Objects (the closing bookmark not counted).
    pub objects: u64,
    /// Bytes of the stream, bookmark included.
    pub bytes: u64,
    /// Wall time spent in the ingest path (decode + apply), generation excluded.
    pub ingest_secs: f64,
    /// The same span's on-CPU time of the ingesting thread: what throughput is computed from.
    pub ingest_cpu_secs: f64,
    /// Time spent generating the bytes (not part of any figure; for the curious).
    pub generate_secs: f64,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
}

/// Building one `ClusterInsight` status from a member's index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StatusBuild {
    pub nodes: u64,
    pub pods: u64,
    pub runs: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    /// Serialized size of the built status.
    pub status_bytes: usize,
    /// Nodes listed in `nodeDetails.items`.
    pub node_details: usize,
    /// The size guard shortened the status.
    pub truncated: bool,
}
