//! The write benchmark's figures as a human reads them.

use super::WritesResult;
use super::summary::Row;

pub fn print(r: &WritesResult) {
    let m = &r.machine;
    println!(
        "\n## One ClusterInsight status write on the hub: {} objects, {} writers, {} rounds of {} s",
        r.objects, r.concurrency, r.rounds, r.seconds
    );
    println!(
        "{} × {} ({:.0} GiB); load average {} at start, {} at end",
        m.cpus, m.cpu_model, m.memory_gib, r.load_average_at_start, m.load_average
    );
    println!(
        "\nmedian over rounds; hub = the hub kube-apiserver's CPU; KB = 1,000 bytes of status"
    );
    println!(
        "{:>7} {:>9} {:>9} {:<10} {:>25} {:>7} {:>8} {:>9} {:>7} {:>7}",
        "details",
        "status",
        "object",
        "kind",
        "hub ms/write (min–max)",
        "ms/KB",
        "writes/s",
        "hub cores",
        "p50 ms",
        "p99 ms"
    );
    for row in &r.rows {
        let object = r
            .sizes
            .iter()
            .find(|s| s.details == row.details)
            .map_or(0, |s| s.object_bytes);
        print_row(row, object);
    }
    println!();
    for line in &r.lines {
        println!(
            "{:<10} hub ms/write ≈ {:.1} + {:.2} × status KB (least squares over the sizes' medians)",
            line.kind.name(),
            line.fixed_ms,
            line.ms_per_kb
        );
    }
    if let Some(error) = r.samples.iter().find_map(|s| s.first_error.as_deref()) {
        println!("first error: {error}");
    }
}

fn print_row(row: &Row, object_bytes: usize) {
    let c = &row.hub_cpu_ms_per_write;
    println!(
        "{:>7} {:>9} {:>9} {:<10} {:>25} {:>7.2} {:>8.1} {:>9.2} {:>7.0} {:>7.0}{}",
        row.details,
        kb(row.status_bytes),
        kb(object_bytes),
        row.kind.name(),
        format!("{:.1} ({:.1}–{:.1})", c.median, c.min, c.max),
        row.hub_cpu_ms_per_kb,
        row.writes_per_sec,
        row.hub_cores,
        row.p50_ms,
        row.p99_ms,
        if row.errors > 0 {
            format!("  {} errors", row.errors)
        } else {
            String::new()
        }
    );
}

/// `82.1 KB`.
fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1e3)
}
