//! The shard benchmark's figures as a human reads them: one table per phase (medians over the
//! pairs; per-replica figures as their min–max over replicas and pairs), the ratios against
//! one replica, and what the replicas' metrics and logs said about the shard group.

use super::ShardResult;
use super::compare::{self, FIGURES, Figure};
use super::group::Run;

pub fn print(r: &ShardResult) {
    let (m, s) = (&r.machine, &r.size);
    println!(
        "\nShard benchmark on {} × {} ({:.0} GiB; load {} at start, {} at end)",
        m.cpus, m.cpu_model, m.memory_gib, r.load_average_at_start, m.load_average
    );
    println!(
        "simulated members: {} × {} nodes × {} pods; Leases {}; churn {:.1}% of pods per minute ({:.0}% replacements); {} pair(s)",
        s.members,
        s.nodes_per_member,
        s.pods_per_member,
        r.lease_timings.join(" / "),
        r.churn_share_per_minute * 100.0,
        r.churn_replaced_share * 100.0,
        r.pairs
    );
    let counts = replica_counts(&r.runs);
    print_sync(&r.runs, &counts);
    print_steady(&r.runs, &counts);
    print_ratios(r);
    print_checks(&r.runs);
    for failed in &r.failed_groups {
        println!(
            "  pair {}, {} replica(s) FAILED: {}",
            failed.pair, failed.replicas, failed.error
        );
    }
}

/// One group's figures in a line, as it finishes.
pub fn one_line(run: &Run) -> String {
    let each = |values: Vec<f64>| {
        let v: Vec<String> = values.iter().map(|v| format!("{v:.0}")).collect();
        v.join("/")
    };
    let steady = match &run.steady {
        Some(st) => format!(
            "{:.0} status writes/min (+{:.0} Lease), steady RSS {} MiB, {:.1} CPU s/min",
            st.writes.total_per_minute,
            st.writes.lease_changes_seen_per_minute.unwrap_or(0.0),
            each(st.per_replica.iter().map(|p| p.steady_rss_mib).collect()),
            st.cpu_seconds_per_minute
        ),
        None => format!(
            "steady failed: {}",
            run.steady_error.as_deref().unwrap_or("?")
        ),
    };
    format!(
        "pair {}, {} replica(s): sync {:.1} s, {:.1} CPU s; peak RSS {} MiB; members {}; {steady}; unwatched {}, watched twice {}",
        run.pair,
        run.replicas,
        run.sync.wall_seconds,
        compare::sync_cpu_all(run).unwrap_or(0.0),
        each(run.at_end.iter().map(|e| e.peak_rss_mib).collect()),
        each(run.at_end.iter().map(|e| e.owned_members).collect()),
        run.unwatched.len(),
        run.watched_twice.len()
    )
}

fn print_sync(runs: &[Run], counts: &[usize]) {
    println!("\nInitial sync of the fleet (median over pairs; per replica: min–max)");
    println!(
        "| replicas | wall s | CPU s, all | CPU s per replica | peak RSS MiB per replica | peak RSS MiB, all | members per replica |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &n in counts {
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} |",
            median(runs, n, compare::sync_wall, 1),
            median(runs, n, compare::sync_cpu_all, 1),
            range(runs, n, 1, |r| r
                .sync
                .replicas
                .iter()
                .map(|u| u.cpu_seconds)
                .collect()),
            range(runs, n, 0, |r| r
                .at_end
                .iter()
                .map(|e| e.peak_rss_mib)
                .collect()),
            median(runs, n, compare::peak_rss_all, 0),
            range(runs, n, 0, |r| r
                .at_end
                .iter()
                .map(|e| e.owned_members)
                .collect()),
        );
    }
}

fn print_steady(runs: &[Run], counts: &[usize]) {
    println!("\nSteady churn (median over pairs; per replica: min–max)");
    println!(
        "| replicas | status writes/min | Lease writes/min | CPU s/min, all | CPU s/min per replica | steady RSS MiB per replica | freshness p50 / p99 ms |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let steady = |r: &Run| {
        r.steady
            .as_ref()
            .map_or(Vec::new(), |s| s.per_replica.clone())
    };
    for &n in counts {
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} / {} |",
            median(runs, n, compare::status_writes, 0),
            median(runs, n, compare::lease_writes, 0),
            median(runs, n, compare::steady_cpu_all, 1),
            range(runs, n, 1, |r| steady(r)
                .iter()
                .map(|p| p.cpu_seconds_per_minute)
                .collect()),
            range(runs, n, 0, |r| steady(r)
                .iter()
                .map(|p| p.steady_rss_mib)
                .collect()),
            median(runs, n, |r| Some(r.steady.as_ref()?.freshness.p50_ms), 0),
            median(runs, n, |r| Some(r.steady.as_ref()?.freshness.p99_ms), 0),
        );
    }
}

fn print_ratios(r: &ShardResult) {
    println!("\nN replicas ÷ 1 replica, per pair: median (min–max, pairs)");
    let header: Vec<String> = r
        .against_one
        .iter()
        .map(|a| format!("{} ÷ 1", a.replicas))
        .collect();
    println!("| | {} |", header.join(" | "));
    println!("|---|{}", "---:|".repeat(header.len()));
    for (i, (_, label, _)) in FIGURES.iter().enumerate() {
        let cells: Vec<String> = r
            .against_one
            .iter()
            .map(|a| a.ratios[i].1.as_ref().map_or("–".into(), |p| p.describe(2)))
            .collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
}

fn print_checks(runs: &[Run]) {
    let unwatched: usize = runs.iter().map(|r| r.unwatched.len()).sum();
    let twice: usize = runs.iter().map(|r| r.watched_twice.len()).sum();
    println!(
        "\nAt the end of each group: {unwatched} member(s) watched by no replica, {twice} by more than one (all groups together)"
    );
    let ends = || runs.iter().flat_map(|r| r.at_end.iter());
    let changes = ends().map(|e| e.log.membership_changes).max().unwrap_or(0);
    let last = ends()
        .filter_map(|e| e.log.last_membership_change_s)
        .reduce(f64::max);
    let (warnings, errors): (usize, usize) = (
        ends().map(|e| e.log.warnings).sum(),
        ends().map(|e| e.log.errors).sum(),
    );
    println!(
        "membership changes per replica: at most {changes}, the last {} s after its group's start; {warnings} warning(s), {errors} error(s) logged",
        last.map_or("–".into(), |s| format!("{s:.1}"))
    );
    // A replica that starts before it sees the others owns (and lists) more than its share
    // until it does: its peak RSS then follows the larger share.
    let above: Vec<(u64, f64)> = runs
        .iter()
        .filter(|r| r.replicas > 1)
        .flat_map(|r| r.at_end.iter())
        .filter_map(|e| Some((e.log.most_members?, e.owned_members)))
        .filter(|&(most, owned)| most as f64 > owned)
        .collect();
    let most = above.iter().map(|&(most, _)| most).max();
    println!(
        "replicas of groups of 2 or more that owned more than their final share at first: {}{}",
        above.len(),
        most.map_or(String::new(), |m| format!(" (up to {m} members)"))
    );
    let mut problems: Vec<&String> = ends().flat_map(|e| e.log.problems.iter()).collect();
    problems.sort();
    problems.dedup();
    for problem in problems.iter().take(10) {
        println!("  logged: {problem}");
    }
    for run in runs.iter().filter(|r| r.steady_error.is_some()) {
        let error = run.steady_error.as_deref().unwrap_or_default();
        println!(
            "  pair {}, {} replica(s): steady phase failed: {error}",
            run.pair, run.replicas
        );
    }
}

/// The replica counts measured, in their first order.
fn replica_counts(runs: &[Run]) -> Vec<usize> {
    let mut counts: Vec<usize> = runs.iter().map(|r| r.replicas).collect();
    counts.sort_unstable();
    counts.dedup();
    counts
}

fn median(runs: &[Run], n: usize, figure: Figure, digits: usize) -> String {
    compare::median(runs, n, figure).map_or("–".into(), |v| format!("{v:.digits$}"))
}

/// Min–max of a per-replica figure over every replica of every group of `n` replicas.
fn range(runs: &[Run], n: usize, digits: usize, values: impl Fn(&Run) -> Vec<f64>) -> String {
    let all: Vec<f64> = runs
        .iter()
        .filter(|r| r.replicas == n)
        .flat_map(values)
        .collect();
    match (
        all.iter().copied().reduce(f64::min),
        all.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) => format!("{lo:.digits$}–{hi:.digits$}"),
        _ => "–".into(),
    }
}
