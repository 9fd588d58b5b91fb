//! Turning the children's raw runs into figures, ratios and target verdicts: a table on stdout
//! (`table`) and the same as JSON.

mod table;

pub use table::print;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::machine::{self, Machine};
use crate::paired::{Line, PairedRatio, Verdict};
use crate::results::{Decode, Scale, StatusBuild, Variant, VariantRun};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Serialize)]
pub struct Report {
    pub benchmark: &'static str,
    pub size: &'static str,
    pub scale: Scale,
    pub seed: u64,
    pub decode: Decode,
    pub machine: Machine,
    /// Rounds of all three variants, interleaved; each round pairs ours with each baseline.
    /// Each summary is its variant's median round; every ratio is the median of the per-round
    /// ratios.
    pub rounds: usize,
    pub variants: Vec<Summary>,
    pub status_build: Option<StatusBuild>,
    pub ratios: Ratios,
    /// Ours' retained memory scaled to Karmada's published fleet (per-object bytes × objects).
    pub projected_full_fleet_gib: Projection,
    pub targets: Vec<Target>,
    /// The raw runs the summaries come from (each variant's median round).
    pub runs: Vec<VariantRun>,
}

/// One variant's figures over the members it ingested.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub variant: Variant,
    pub clusters: usize,
    pub events: u64,
    pub mib: f64,
    /// On-CPU time of the ingesting thread.
    pub ingest_cpu_secs: f64,
    /// Wall time of the same spans (higher when other processes took the CPU).
    pub ingest_wall_secs: f64,
    /// Objects per second of on-CPU time of one thread (the ingest is single-threaded).
    pub events_per_sec: f64,
    /// The same in every round (the median round is reported).
    pub rounds_events_per_sec: Vec<f64>,
    pub mib_per_sec: f64,
    pub node_events_per_sec: f64,
    pub pod_events_per_sec: f64,
    pub baseline_rss_mib: f64,
    /// RSS growth while ingesting, with everything still held.
    pub retained_mib: f64,
    pub peak_hwm_mib: f64,
    /// RSS growth over the node lists ÷ nodes; `None` for the floor, which keeps nothing.
    pub bytes_per_node: Option<f64>,
    /// RSS growth over the pod lists ÷ pods.
    pub bytes_per_pod: Option<f64>,
}

/// Every ratio over the rounds' pairs (round i of ours with round i of the baseline).
#[derive(Debug, Serialize)]
pub struct Ratios {
    /// Ours ÷ floor, events/s, over all members.
    pub throughput_ours_over_floor: PairedRatio,
    /// Ours ÷ the reader's floor, events/s, over all members.
    pub throughput_ours_over_reader_floor: PairedRatio,
    /// Ours ÷ naive, events/s, over the members the naive run ingested.
    pub throughput_ours_over_naive: PairedRatio,
    /// Members both were measured on for the ratio above.
    pub naive_clusters: usize,
    pub bytes_per_pod_naive_over_ours: Option<PairedRatio>,
    pub bytes_per_node_naive_over_ours: Option<PairedRatio>,
}

/// Retained memory at 100 × 5,000 × 20,000, from the per-object figures (plus the baseline).
#[derive(Debug, Serialize)]
pub struct Projection {
    pub ours: Option<f64>,
    pub naive: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Target {
    pub name: &'static str,
    pub goal: &'static str,
    pub measured: String,
    pub verdict: Option<Verdict>,
}

/// Sums over the first `clusters` members of a run.
#[derive(Default)]
struct Totals {
    node_events: u64,
    pod_events: u64,
    bytes: u64,
    /// On-CPU seconds.
    node_secs: f64,
    pod_secs: f64,
    wall_secs: f64,
    node_growth_kib: i64,
    pod_growth_kib: i64,
}

impl Totals {
    fn of(run: &VariantRun, clusters: usize) -> Totals {
        let mut t = Totals::default();
        for c in run.clusters.iter().take(clusters) {
            t.node_events += c.nodes.objects;
            t.pod_events += c.pods.objects;
            t.bytes += c.nodes.bytes + c.pods.bytes;
            t.node_secs += c.nodes.ingest_cpu_secs;
            t.pod_secs += c.pods.ingest_cpu_secs;
            t.wall_secs += c.nodes.ingest_secs + c.pods.ingest_secs;
            t.node_growth_kib += c.nodes.rss_after_kib as i64 - c.nodes.rss_before_kib as i64;
            t.pod_growth_kib += c.pods.rss_after_kib as i64 - c.pods.rss_before_kib as i64;
        }
        t
    }

    fn events(&self) -> u64 {
        self.node_events + self.pod_events
    }

    fn secs(&self) -> f64 {
        self.node_secs + self.pod_secs
    }

    fn events_per_sec(&self) -> f64 {
        per_sec(self.events() as f64, self.secs())
    }
}

impl Report {
    pub fn new(
        size: &'static str,
        scale: Scale,
        seed: u64,
        decode: Decode,
        runs: &[VariantRun],
    ) -> Result<Report> {
        let rounds_of = |variant| -> Vec<&VariantRun> {
            runs.iter().filter(|r| r.variant == variant).collect()
        };
        let (floors, reader_floors, ours, naives) = (
            rounds_of(Variant::Floor),
            rounds_of(Variant::ReaderFloor),
            rounds_of(Variant::Ours),
            rounds_of(Variant::Naive),
        );
        let rounds = floors
            .len()
            .min(reader_floors.len())
            .min(ours.len())
            .min(naives.len());
        anyhow::ensure!(rounds > 0, "no complete round of the four variants");
        let variants: Vec<Summary> = [&floors, &reader_floors, &ours, &naives]
            .into_iter()
            .map(|runs| median_round(runs))
            .collect();
        let shared = naives[0].clusters.len();
        let ratios = Ratios {
            throughput_ours_over_floor: paired(&ours, &floors, |o, f| {
                Some((rate(o, o.clusters.len()), rate(f, f.clusters.len())))
            })
            .context("no throughput pairs")?,
            throughput_ours_over_reader_floor: paired(&ours, &reader_floors, |o, f| {
                Some((rate(o, o.clusters.len()), rate(f, f.clusters.len())))
            })
            .context("no throughput pairs")?,
            throughput_ours_over_naive: paired(&ours, &naives, |o, n| {
                Some((rate(o, shared), rate(n, shared)))
            })
            .context("no throughput pairs")?,
            naive_clusters: shared,
            bytes_per_pod_naive_over_ours: paired(&naives, &ours, |n, o| {
                summary(n).bytes_per_pod.zip(summary(o).bytes_per_pod)
            }),
            bytes_per_node_naive_over_ours: paired(&naives, &ours, |n, o| {
                summary(n).bytes_per_node.zip(summary(o).bytes_per_node)
            }),
        };
        let (ours_s, naive_s) = (&variants[2], &variants[3]);
        let projected = Projection {
            ours: project(ours_s),
            naive: project(naive_s),
        };
        let peak_hwm_mib = ours.iter().map(|r| r.peak_hwm_kib).max().unwrap_or(0) as f64 / 1024.0;
        let targets = targets(scale, peak_hwm_mib, &ratios, &projected);
        Ok(Report {
            benchmark: "ingest",
            size,
            scale,
            seed,
            decode,
            machine: machine::describe(),
            rounds,
            variants,
            status_build: median_run(&ours).status_build.clone(),
            ratios,
            projected_full_fleet_gib: projected,
            targets,
            runs: [&floors, &reader_floors, &ours, &naives]
                .map(|runs| median_run(runs).clone())
                .to_vec(),
        })
    }
}

/// Events per second of on-CPU time over a run's first `clusters` members.
fn rate(run: &VariantRun, clusters: usize) -> f64 {
    Totals::of(run, clusters).events_per_sec()
}

/// The run whose rate is the median of a variant's rounds (the lower middle of an even count).
fn median_run<'a>(runs: &[&'a VariantRun]) -> &'a VariantRun {
    let mut sorted = runs.to_vec();
    sorted.sort_by(|a, b| rate(a, a.clusters.len()).total_cmp(&rate(b, b.clusters.len())));
    sorted[(sorted.len() - 1) / 2]
}

/// A variant's median round, with every round's rate.
fn median_round(runs: &[&VariantRun]) -> Summary {
    Summary {
        rounds_events_per_sec: runs.iter().map(|r| rate(r, r.clusters.len())).collect(),
        ..summary(median_run(runs))
    }
}

/// Round i of `a` against round i of `b`, through `figures` (a pair's two sides).
fn paired(
    a: &[&VariantRun],
    b: &[&VariantRun],
    figures: impl Fn(&VariantRun, &VariantRun) -> Option<(f64, f64)>,
) -> Option<PairedRatio> {
    let pairs: Option<Vec<(f64, f64)>> = a.iter().zip(b).map(|(a, b)| figures(a, b)).collect();
    PairedRatio::of(&pairs?)
}

/// `amount / secs`, or 0 for a span too short to have been measured (a tiny custom size).
fn per_sec(amount: f64, secs: f64) -> f64 {
    if secs > 0.0 { amount / secs } else { 0.0 }
}

fn summary(run: &VariantRun) -> Summary {
    let t = Totals::of(run, run.clusters.len());
    let keeps = run.variant.keeps_objects();
    let per = |growth_kib: i64, objects: u64| {
        (keeps && objects > 0).then(|| growth_kib as f64 * 1024.0 / objects as f64)
    };
    Summary {
        variant: run.variant,
        clusters: run.clusters.len(),
        events: t.events(),
        mib: t.bytes as f64 / MIB,
        ingest_cpu_secs: t.secs(),
        ingest_wall_secs: t.wall_secs,
        events_per_sec: t.events_per_sec(),
        rounds_events_per_sec: Vec::new(),
        mib_per_sec: per_sec(t.bytes as f64 / MIB, t.secs()),
        node_events_per_sec: per_sec(t.node_events as f64, t.node_secs),
        pod_events_per_sec: per_sec(t.pod_events as f64, t.pod_secs),
        baseline_rss_mib: run.baseline_rss_kib as f64 / 1024.0,
        retained_mib: (run.final_rss_kib as f64 - run.baseline_rss_kib as f64) / 1024.0,
        peak_hwm_mib: run.peak_hwm_kib as f64 / 1024.0,
        bytes_per_node: per(t.node_growth_kib, t.node_events),
        bytes_per_pod: per(t.pod_growth_kib, t.pod_events),
    }
}

fn project(s: &Summary) -> Option<f64> {
    let full = Scale::FULL;
    let nodes = (full.clusters * full.nodes) as f64;
    let pods = (full.clusters * full.pods) as f64;
    let (per_node, per_pod) = s.bytes_per_node.zip(s.bytes_per_pod)?;
    Some((s.baseline_rss_mib * MIB + per_node * nodes + per_pod * pods) / GIB)
}

fn targets(
    scale: Scale,
    peak_hwm_mib: f64,
    ratios: &Ratios,
    projected: &Projection,
) -> Vec<Target> {
    let single = |met: bool| Verdict {
        met,
        at_the_line: false,
    };
    let fleet = if scale == Scale::FULL {
        let gib = peak_hwm_mib / 1024.0;
        Target {
            name: "full fleet RSS (ours, peak over the rounds, 100 members held at once)",
            goal: "≤ 1 GiB",
            measured: format!("{gib:.2} GiB peak"),
            verdict: Some(single(gib <= 1.0)),
        }
    } else {
        // No verdict from a projection: a member's index has one-time costs (the first
        // nodes grow the shared tables and the allocator's arenas) that weigh on the bytes
        // per object of two members, so scaling those up overstates the fleet.
        let projection = projected
            .ours
            .map_or_else(|| "nothing".into(), |gib| format!("{gib:.2} GiB"));
        Target {
            name: "full fleet RSS (ours)",
            goal: "≤ 1 GiB",
            measured: format!(
                "only with --full; projected from this size {projection}, an overestimate (one-time costs counted per object)"
            ),
            verdict: None,
        }
    };
    let paired_target = |name, goal, ratio: Option<&PairedRatio>, line, digits| Target {
        name,
        goal,
        measured: ratio.map_or_else(|| "n/a".into(), |r| r.describe(digits)),
        verdict: ratio.map(|r| r.verdict(line)),
    };
    vec![
        fleet,
        paired_target(
            "memory per pod, naive ÷ ours",
            "≥ 10",
            ratios.bytes_per_pod_naive_over_ours.as_ref(),
            Line::AtLeast(10.0),
            1,
        ),
        paired_target(
            "throughput, ours ÷ (a) decode floor",
            "≥ 0.6",
            Some(&ratios.throughput_ours_over_floor),
            Line::AtLeast(0.6),
            3,
        ),
        paired_target(
            "throughput, ours ÷ (b) naive",
            "≥ 3",
            Some(&ratios.throughput_ours_over_naive),
            Line::AtLeast(3.0),
            2,
        ),
    ]
}
