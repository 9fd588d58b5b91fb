//! The ingest report as a reader sees it on stdout: the run's setting, one row per variant, the
//! status build, the ratios and the targets' verdicts (the JSON holds the same figures).

use super::Report;
use crate::results::{Decode, StatusBuild};

/// The human-readable report.
pub fn print(r: &Report) {
    print_setting(r);
    print_variants(r);
    if let Some(build) = &r.status_build {
        print_status_build(build);
    }
    print_ratios(r);
    println!("\ntargets (reported, not asserted):");
    for t in &r.targets {
        let verdict = t.verdict.map_or_else(|| "n/a".into(), |v| v.to_string());
        println!(
            "- {}: goal {}, measured {} — {verdict}",
            t.name, t.goal, t.measured
        );
    }
}

/// What was measured, on which machine, and how each line was decoded.
fn print_setting(r: &Report) {
    let s = r.scale;
    println!(
        "\n## Ingest core (synthetic) — {} size: {} clusters × {} nodes × {} pods, seed {}",
        r.size,
        s.clusters,
        thousands(s.nodes as u64),
        thousands(s.pods as u64),
        r.seed
    );
    println!(
        "machine: {} CPUs ({}), {:.1} GiB RAM, load average {} at the end; every ingest single-threaded, rates per second of its on-CPU time",
        r.machine.cpus, r.machine.cpu_model, r.machine.memory_gib, r.machine.load_average
    );
    let rounds = r.variants.iter().map(|v| {
        let rates: Vec<String> = v
            .rounds_events_per_sec
            .iter()
            .map(|e| thousands(*e as u64))
            .collect();
        format!("{:?} {}", v.variant, rates.join("/"))
    });
    println!(
        "rounds: {} interleaved (each variant's median round shown; all: {})",
        r.rounds,
        rounds.collect::<Vec<_>>().join(", ")
    );
    println!(
        "decode: {}\n",
        match r.decode {
            Decode::Slice => {
                "from the line's bytes: serde_json::from_slice, and for ours and (a') the operator's reader (json::from_slice)"
            }
            Decode::Lines => "as kube-client: UTF-8 check + copy of the line, serde_json::from_str",
        }
    );
}

/// One row per variant (its median round), and what the naive one would need for the fleet.
fn print_variants(r: &Report) {
    println!(
        "| variant | clusters | events | input MiB | CPU s | wall s | events/s | MiB/s | nodes/s | pods/s | peak RSS MiB | retained MiB | B/node | B/pod |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for v in &r.variants {
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.0} | {} | {} | {:.0} | {:.0} | {} | {} |",
            v.variant.label(),
            v.clusters,
            thousands(v.events),
            v.mib,
            v.ingest_cpu_secs,
            v.ingest_wall_secs,
            thousands(v.events_per_sec as u64),
            v.mib_per_sec,
            thousands(v.node_events_per_sec as u64),
            thousands(v.pod_events_per_sec as u64),
            v.peak_hwm_mib,
            v.retained_mib,
            bytes(v.bytes_per_node),
            bytes(v.bytes_per_pod),
        );
    }
    if r.ratios.naive_clusters < r.scale.clusters {
        println!(
            "\n(b) was measured on {} of the {} members: full objects for the whole fleet would need about {} GiB.",
            r.ratios.naive_clusters,
            r.scale.clusters,
            r.projected_full_fleet_gib
                .naive
                .map_or_else(|| "?".into(), |g| format!("{g:.0}"))
        );
    }
}

fn print_status_build(b: &StatusBuild) {
    println!(
        "\nClusterInsight status build ({} nodes, {} pods, default options): median {:.2} ms (min {:.2}, max {:.2}, {} runs); {} KiB serialized, {} node details{}",
        thousands(b.nodes),
        thousands(b.pods),
        b.median_ms,
        b.min_ms,
        b.max_ms,
        b.runs,
        b.status_bytes / 1024,
        b.node_details,
        if b.truncated {
            ", truncated by the size guard"
        } else {
            ""
        }
    );
}

fn print_ratios(r: &Report) {
    let ratios = &r.ratios;
    println!("\nratios: median of the per-round ratios (min–max)");
    println!(
        "- throughput ours / floor: {}",
        ratios.throughput_ours_over_floor.describe(3)
    );
    println!(
        "- throughput ours / reader floor: {}",
        ratios.throughput_ours_over_reader_floor.describe(3)
    );
    println!(
        "- throughput ours / naive: {} (over the {} member(s) both ingested)",
        ratios.throughput_ours_over_naive.describe(2),
        ratios.naive_clusters
    );
    if let Some(x) = &ratios.bytes_per_pod_naive_over_ours {
        println!("- bytes per pod naive / ours: {}", x.describe(1));
    }
    if let Some(x) = &ratios.bytes_per_node_naive_over_ours {
        println!("- bytes per node naive / ours: {}", x.describe(1));
    }
    if let Some(g) = r.projected_full_fleet_gib.ours {
        println!("- ours projected to 100 × 5,000 × 20,000: {g:.2} GiB");
    }
}

fn bytes(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |b| thousands(b.round().max(0.0) as u64))
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(20_000_000), "20,000,000");
    }
}
