//! The live benchmarks' results as a human reads them, with the targets they must meet beside
//! them.

use super::LiveResult;
use crate::paired::Line;

pub fn print(r: &LiveResult) {
    let m = &r.machine;
    println!(
        "\nLive benchmarks on {} × {} ({:.0} GiB); big member: {} nodes, {} pods",
        m.cpus, m.cpu_model, m.memory_gib, r.sync.pairs.nodes, r.sync.pairs.pods
    );
    let s = &r.sync;
    println!("\n2a. Initial sync of the big member");
    s.pairs.print();
    println!(
        "  operator process start → insight complete:   {:>8.0} ms",
        s.process_start_to_insight_ms
    );
    let f = &r.freshness;
    println!(
        "\n2b. Freshness, pod readiness change → visible on the hub ({} samples)",
        f.cluster_insight.samples
    );
    for (name, d) in [
        ("ClusterInsight", &f.cluster_insight),
        ("WorkloadPlacement", &f.workload_placement),
    ] {
        println!(
            "  {name:<18} p50 {:>6.0} ms  p99 {:>6.0} ms  max {:>6.0} ms  (target p99 ≤ 2000 ms)",
            d.p50_ms, d.p99_ms, d.max_ms
        );
    }
    let q = &r.summary;
    println!("\n2c. \"Summary of this cluster\"");
    println!(
        "  read the ClusterInsight:      p50 {:>8.2} ms ({} reads, interleaved)",
        q.read_insight.p50_ms, q.read_insight.samples
    );
    println!(
        "  LIST nodes + pods, aggregate: p50 {:>8.2} ms ({} runs)",
        q.on_request.p50_ms, q.on_request.samples
    );
    println!(
        "  the insight is faster by {} — {} (target ≥ 100)",
        q.speedup.describe(0),
        q.speedup.verdict(Line::AtLeast(100.0))
    );
    let c = &r.churn;
    println!(
        "\n3. Write amplification: {} pod status updates in {:.1} s = {:.0}/s (asked {:.0}/s; {} failed)",
        c.updates, c.seconds, c.achieved_updates_per_s, c.target_updates_per_s, c.failed_updates
    );
    for k in &c.kinds {
        let shortest = k.shortest_gap_ms.map_or_else(
            || "none changed twice".to_owned(),
            |ms| format!("{ms:.0} ms"),
        );
        println!(
            "  {:<18} {:>5.0} writes ({:>5.1}/s), {:>4.0} skipped unchanged ({:.0}%); busiest object {} changed {:.2}/s; shortest time between two changes of one object {} (bound: the 1 s write interval, give or take the hub's latency)",
            k.kind,
            k.written,
            k.writes_per_s,
            k.skipped,
            k.skipped_share * 100.0,
            k.busiest_object,
            k.busiest_object_changes_per_s,
            shortest
        );
    }
}
