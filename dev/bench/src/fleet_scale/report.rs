//! The fleet benchmark's results as a human reads them, with the targets beside them.

use super::FleetResult;

/// Whole operator, full fleet: peak RSS at most this (MiB).
const RSS_TARGET_MIB: f64 = 1.5 * 1024.0;
const FRESHNESS_P99_TARGET_MS: f64 = 2_000.0;

pub fn print(r: &FleetResult) {
    let (m, s) = (&r.machine, &r.size);
    println!(
        "\nFleet benchmark on {} × {} ({:.0} GiB; load {} at start, {} at end)",
        m.cpus, m.cpu_model, m.memory_gib, r.load_average_at_start, m.load_average
    );
    println!(
        "simulated members: {} × {} nodes × {} pods ({} nodes, {} pods)",
        s.members,
        s.nodes_per_member,
        s.pods_per_member,
        s.members * s.nodes_per_member,
        s.members * s.pods_per_member
    );
    let o = &r.one_member_sync;
    println!(
        "\n1. Initial sync of {} ({} nodes, {} pods)",
        o.member, o.pairs.nodes, o.pairs.pods
    );
    o.pairs.print();
    let f = &r.fleet_sync;
    println!(
        "\n2. Initial sync of the fleet: {:.1} s wall, {:.1} CPU s (the simulated members: {:.1}); RSS {:.0} MiB, peak {:.0} MiB",
        f.wall_seconds,
        f.cpu_seconds,
        f.sim_cpu_seconds,
        f.at_synced.rss_mib,
        f.at_synced.peak_rss_mib
    );
    if let Some(pairs) = &r.first_lists {
        println!("\n2b. Turns for the first list, per pair of fleet syncs");
        pairs.print();
    }
    let steady_rss = match (&r.steady, &r.steady_error) {
        (Some(st), _) => {
            print_steady(st);
            st.steady_rss_mib
        }
        (None, error) => {
            println!(
                "\n3. Steady churn failed: {}",
                error.as_deref().unwrap_or("?")
            );
            0.0
        }
    };
    let peak = f.at_synced.peak_rss_mib.max(steady_rss);
    println!(
        "\nWhole operator RSS: peak {:.0} MiB — {} (target ≤ 1.5 GiB at full size)",
        peak,
        met(peak <= RSS_TARGET_MIB)
    );
}

fn print_steady(st: &super::steady::SteadyResult) {
    let d = &st.freshness;
    println!(
        "\n3. Steady churn, {:.1}% of pods per minute ({:.0}% replacements; {:.0} pod changes/min) for {:.0} s",
        st.churn_share_per_minute * 100.0,
        st.churn_replaced_share * 100.0,
        st.pod_changes_per_minute,
        st.seconds
    );
    println!(
        "  freshness ({} probes over {} members): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms — {} (target p99 ≤ 2 s)",
        d.samples,
        st.probed_members,
        d.p50_ms,
        d.p99_ms,
        d.max_ms,
        met(d.p99_ms <= FRESHNESS_P99_TARGET_MS)
    );
    if let Some(d) = &st.drift_freshness {
        println!(
            "  drifting figures ({} probes: restarts → pods.restarts): p50 {:.1} s, max {:.1} s",
            d.samples,
            d.p50_ms / 1000.0,
            d.max_ms / 1000.0
        );
    }
    let w = &st.writes;
    println!(
        "  hub writes: {:.0}/min ({:.0} ClusterInsight; {:.0} skipped unchanged/min; {:.0} drifts deferred/min); readers saw {:.0} insight changes/min, busiest insight {:.2}/s",
        w.total_per_minute,
        w.cluster_insight_per_minute,
        w.skipped_per_minute,
        w.deferred_per_minute,
        w.insight_changes_seen_per_minute,
        w.busiest_insight_changes_per_s
    );
    println!(
        "  steady RSS {:.0} MiB; CPU {:.1} s per minute",
        st.steady_rss_mib, st.cpu_seconds_per_minute
    );
    for note in st.missed_probes.iter().chain(&st.missed_drift_probes) {
        println!("  missed: {note}");
    }
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}
