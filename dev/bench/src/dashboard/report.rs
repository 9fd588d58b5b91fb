//! The dashboard benchmark's results as a human reads them.

use super::DashboardResult;
use crate::paired::Spread;

const KIB: f64 = 1024.0;

pub fn print(r: &DashboardResult) {
    let m = &r.machine;
    println!(
        "\nDashboard on {} × {} ({:.0} GiB, load {}); {} clusters, {} placements",
        m.cpus, m.cpu_model, m.memory_gib, m.load_average, r.size.clusters, r.size.placements
    );
    println!(
        "  member-0000: {} nodes, {} listed by its ClusterInsight, {} omitted; measured placement over {} clusters",
        r.size.nodes, r.big_member_listed, r.big_member_omitted, r.size.spread
    );
    println!(
        "\n  {:<9} {:>9} {:>9}   {:<22} {:<24} its frame on screen",
        "page", "view KiB", "page KiB", "view served in", "first drawing"
    );
    for p in &r.pages {
        let d = &p.first_draw;
        let ends: Vec<f64> = p.frame_end_ms.iter().flatten().copied().collect();
        let short = p.frame_end_ms.len() - ends.len();
        let e = Spread::of(&ends);
        let frame = match (ends.is_empty(), short) {
            (true, _) => "every frame < 50 ms".to_owned(),
            (false, 0) => spread(&e),
            (false, _) => format!("{}; {short} frames < 50 ms", spread(&e)),
        };
        println!(
            "  {:<9} {:>9.1} {:>9.1}   {:<22} {:<24} {frame}",
            p.page.name,
            p.weight.view as f64 / KIB,
            p.weight.total as f64 / KIB,
            spread(&p.view_ms),
            spread(d),
        );
    }
    println!(
        "  (median (min–max) of {} requests and loads each; drawing and frame: ms since navigation start)",
        r.size.rounds
    );
    if let Some(p) = r.pages.first() {
        let w = &p.weight;
        println!(
            "  (page = / {:.1} + app.js {:.1} + app.css {:.1} KiB + the view, uncompressed)",
            w.html as f64 / KIB,
            w.script as f64 / KIB,
            w.style as f64 / KIB
        );
    }
    println!(
        "\n  objects written ({:.1} MiB of statuses in {:.1} s) → the dashboard lists all {} clusters: {:.0} ms",
        r.written.status_bytes as f64 / (KIB * KIB),
        r.written.seconds,
        r.size.clusters,
        r.written_to_listed_ms
    );
    println!(
        "  dashboard RSS: {:.0} MiB peak (VmHWM), {:.0} MiB at the end",
        r.peak_rss_kib as f64 / KIB,
        r.rss_kib as f64 / KIB
    );
}

/// `median ms (min–max)`.
fn spread(s: &Spread) -> String {
    if s.median < 10.0 {
        format!("{:.1} ms ({:.1}–{:.1})", s.median, s.min, s.max)
    } else {
        format!("{:.0} ms ({:.0}–{:.0})", s.median, s.min, s.max)
    }
}
