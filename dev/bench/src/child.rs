//! One measured run of one ingest path, in its own process so that its peak RSS is its own:
//! generate each member's streams chunk by chunk into one reused buffer, time only the ingest,
//! keep every member's store alive to the end, and read RSS between the phases.

use std::hash::{DefaultHasher, Hasher};
use std::time::Instant;

use anyhow::{Result, ensure};

use crate::generate::{ClusterPlan, Kind, Stream};
use crate::paths::{Floor, Naive, Ours, Sink};
use crate::results::{ClusterRun, Decode, PhaseRun, Scale, StatusBuild, Variant, VariantRun};
use crate::status_build;
use crate::{cpu, memory};

/// Bytes generated before the ingest path gets them: big enough that timing per chunk is
/// noise-free, small enough to be a constant few MiB of the baseline.
const CHUNK_BYTES: usize = 4 << 20;
/// Headroom for the object that crosses the limit (a pod or node is well under 64 KiB).
const BUFFER_BYTES: usize = CHUNK_BYTES + (1 << 20);

/// Runs `variant` over `scale` (all of its clusters) and reports.
pub fn run(
    variant: Variant,
    decode: Decode,
    scale: Scale,
    seed: u64,
    builds: usize,
) -> Result<VariantRun> {
    let run = Run {
        variant,
        decode,
        scale,
        seed,
    };
    match variant {
        Variant::Floor => ingest(run, || Floor::new(decode), |_| Ok(Held::default())),
        Variant::ReaderFloor => ingest(run, || Floor::with_reader(decode), |_| Ok(Held::default())),
        Variant::Naive => ingest(
            run,
            || Naive::new(decode),
            |members| {
                let mut held = Held::default();
                for (nodes, pods) in members.iter().map(Naive::counts) {
                    held.nodes += nodes as u64;
                    held.pods += pods as u64;
                }
                Ok(held)
            },
        ),
        Variant::Ours => ingest(
            run,
            || Ours::new(decode),
            |members| {
                let mut held = Held::default();
                for member in members {
                    member.with_index(|index| {
                        held.nodes += index.cluster.node_count() as u64;
                        held.pods += index.cluster.pod_count() as u64;
                    });
                }
                if let Some(first) = members.first() {
                    held.status_build =
                        Some(first.with_index(|index| status_build::measure(index, builds))?);
                }
                Ok(held)
            },
        ),
    }
}

/// What the members hold once everything is ingested.
#[derive(Default)]
struct Held {
    nodes: u64,
    pods: u64,
    status_build: Option<StatusBuild>,
}

/// What one child measures.
#[derive(Clone, Copy)]
struct Run {
    variant: Variant,
    decode: Decode,
    scale: Scale,
    seed: u64,
}

fn ingest<S: Sink>(
    run: Run,
    new_member: impl Fn() -> S,
    finish: impl FnOnce(&[S]) -> Result<Held>,
) -> Result<VariantRun> {
    let Run {
        variant,
        decode,
        scale,
        seed,
    } = run;
    let mut buffer = Vec::with_capacity(BUFFER_BYTES);
    // Write the buffer's pages now, so that they are part of the baseline (not zeros: zeroed
    // memory may come from calloc's untouched pages).
    buffer.resize(BUFFER_BYTES, 0xAAu8);
    buffer.clear();
    let mut ends = Vec::with_capacity(CHUNK_BYTES / 1024);
    let baseline = memory::now()?;
    let mut members = Vec::with_capacity(scale.clusters);
    let mut clusters = Vec::with_capacity(scale.clusters);
    for c in 0..scale.clusters {
        let plan = ClusterPlan::new(seed, c, scale.nodes, scale.pods);
        let mut member = new_member();
        let mut hasher = DefaultHasher::new();
        let mut phase =
            |kind, member: &mut S| list(&plan, kind, member, &mut buffer, &mut ends, &mut hasher);
        let nodes = phase(Kind::Node, &mut member)?;
        let pods = phase(Kind::Pod, &mut member)?;
        ensure!(
            nodes.objects == scale.nodes as u64 && pods.objects == scale.pods as u64,
            "cluster {c}: generated {} nodes and {} pods, expected {} and {}",
            nodes.objects,
            pods.objects,
            scale.nodes,
            scale.pods
        );
        members.push(member);
        clusters.push(ClusterRun {
            checksum: hasher.finish(),
            nodes,
            pods,
        });
    }
    let end = memory::now()?;
    let held = finish(&members)?;
    if variant.keeps_objects() {
        let (nodes, pods) = (scale.clusters * scale.nodes, scale.clusters * scale.pods);
        ensure!(
            held.nodes == nodes as u64 && held.pods == pods as u64,
            "{variant:?} holds {} nodes and {} pods, expected {nodes} and {pods}",
            held.nodes,
            held.pods
        );
    }
    // After the status build: its allocations are part of the operator's peak too.
    let peak = memory::now()?;
    drop(members);
    Ok(VariantRun {
        variant,
        decode,
        clusters,
        baseline_rss_kib: baseline.rss_kib,
        final_rss_kib: end.rss_kib,
        peak_hwm_kib: peak.hwm_kib,
        held_nodes: held.nodes,
        held_pods: held.pods,
        status_build: held.status_build,
    })
}

/// One member's initial list of `kind`: `Init`, then chunks of lines (the last one ending with
/// the bookmark that yields `InitDone`).
fn list<S: Sink>(
    plan: &ClusterPlan,
    kind: Kind,
    member: &mut S,
    buffer: &mut Vec<u8>,
    ends: &mut Vec<usize>,
    hasher: &mut DefaultHasher,
) -> Result<PhaseRun> {
    let mut run = PhaseRun {
        rss_before_kib: memory::now()?.rss_kib,
        ..PhaseRun::default()
    };
    let mut stream = Stream::new(plan, kind);
    let (started, cpu_started) = (Instant::now(), cpu::thread_ns()?);
    member.init(kind);
    let (mut ingest, mut ingest_cpu) = (started.elapsed(), cpu::thread_ns()? - cpu_started);
    loop {
        buffer.clear();
        ends.clear();
        let generating = Instant::now();
        let more = stream.fill(buffer, ends, CHUNK_BYTES);
        run.generate_secs += generating.elapsed().as_secs_f64();
        hasher.write(buffer);
        run.bytes += buffer.len() as u64;
        let (started, cpu_started) = (Instant::now(), cpu::thread_ns()?);
        let mut start = 0;
        for &end in ends.iter() {
            member.line(kind, &buffer[start..end])?;
            start = end;
        }
        ingest += started.elapsed();
        ingest_cpu += cpu::thread_ns()? - cpu_started;
        if !more {
            break;
        }
    }
    let (started, cpu_started) = (Instant::now(), cpu::thread_ns()?);
    member.list_done();
    ingest += started.elapsed();
    ingest_cpu += cpu::thread_ns()? - cpu_started;
    run.ingest_secs = ingest.as_secs_f64();
    run.ingest_cpu_secs = ingest_cpu as f64 / 1e9;
    run.objects = stream.objects() as u64;
    run.rss_after_kib = memory::now()?.rss_kib;
    Ok(run)
}
