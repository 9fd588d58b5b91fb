//! From windows to figures: each window's rates, then per (size, kind) the median over rounds.
//!
//! Why medians over interleaved rounds: the machine is shared, and a neighbour's burst slows
//! whichever window runs then. Every round visits every (size, kind) once, so a burst lands in
//! one round of a few of them, and the median of the rounds ignores it; the min–max shows how
//! far it moved them.

use super::writer::Kind;
use crate::live::stats::quantile;
use crate::paired::Spread;
use serde::Serialize;

/// What [`super::window::measure`] read, before any division.
#[derive(Debug, Default)]
pub struct Raw {
    pub seconds: f64,
    pub hub_cpu_secs: f64,
    pub bench_cpu_secs: f64,
    /// One per accepted write.
    pub latencies_ms: Vec<f64>,
    pub errors: usize,
    pub first_error: Option<String>,
}

/// One window, as recorded in the JSON result.
#[derive(Debug, Serialize)]
pub struct Sample {
    pub round: usize,
    pub details: usize,
    pub kind: Kind,
    pub writes: usize,
    pub errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    pub seconds: f64,
    pub writes_per_sec: f64,
    pub hub_cpu_ms_per_write: f64,
    /// The hub kube-apiserver's CPU over the window, in cores.
    pub hub_cores: f64,
    /// This process's CPU per write (building and sending the bodies): the client's share of
    /// the machine the hub ran on.
    pub bench_cpu_ms_per_write: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Sample {
    pub fn of(round: usize, details: usize, kind: Kind, mut raw: Raw) -> Sample {
        raw.latencies_ms.sort_by(f64::total_cmp);
        let writes = raw.latencies_ms.len();
        let per_write = |secs: f64| secs * 1e3 / writes as f64;
        Sample {
            round,
            details,
            kind,
            writes,
            errors: raw.errors,
            first_error: raw.first_error,
            seconds: raw.seconds,
            writes_per_sec: writes as f64 / raw.seconds,
            hub_cpu_ms_per_write: per_write(raw.hub_cpu_secs),
            hub_cores: raw.hub_cpu_secs / raw.seconds,
            bench_cpu_ms_per_write: per_write(raw.bench_cpu_secs),
            p50_ms: quantile(&raw.latencies_ms, 0.50),
            p99_ms: quantile(&raw.latencies_ms, 0.99),
        }
    }
}

/// One status size: its node details and what they weigh.
#[derive(Clone, Debug, Serialize)]
pub struct Size {
    pub details: usize,
    /// The whole status serialized (JSON), as the `apply` kind sends it.
    pub status_bytes: usize,
    /// The whole object as the hub serves it after the operator's apply (`managedFields`
    /// included), last round.
    pub object_bytes: usize,
}

/// One (size, kind): the medians over its rounds.
#[derive(Debug, Serialize)]
pub struct Row {
    pub details: usize,
    pub status_bytes: usize,
    pub kind: Kind,
    pub rounds: usize,
    pub hub_cpu_ms_per_write: Spread,
    /// The median CPU per write ÷ the status's KB (1,000 bytes): the object's size, not the
    /// patch's, is what the hub pays for (decode, merge, validate, encode, store the whole).
    pub hub_cpu_ms_per_kb: f64,
    pub writes_per_sec: f64,
    pub hub_cores: f64,
    pub bench_cpu_ms_per_write: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Writes the hub refused or did not answer, over every round.
    pub errors: usize,
}

/// The rows, sizes in the order given and kinds in `kinds`' order.
pub fn rows(sizes: &[Size], kinds: &[Kind], samples: &[Sample]) -> Vec<Row> {
    let mut rows = Vec::new();
    for size in sizes {
        for &kind in kinds {
            let of: Vec<&Sample> = samples
                .iter()
                .filter(|s| s.details == size.details && s.kind == kind)
                .collect();
            let median = |figure: fn(&Sample) -> f64| {
                Spread::of(&of.iter().map(|s| figure(s)).collect::<Vec<_>>())
            };
            let cpu = median(|s| s.hub_cpu_ms_per_write);
            rows.push(Row {
                details: size.details,
                status_bytes: size.status_bytes,
                kind,
                rounds: of.len(),
                hub_cpu_ms_per_kb: cpu.median / (size.status_bytes as f64 / 1e3),
                hub_cpu_ms_per_write: cpu,
                writes_per_sec: median(|s| s.writes_per_sec).median,
                hub_cores: median(|s| s.hub_cores).median,
                bench_cpu_ms_per_write: median(|s| s.bench_cpu_ms_per_write).median,
                p50_ms: median(|s| s.p50_ms).median,
                p99_ms: median(|s| s.p99_ms).median,
                errors: of.iter().map(|s| s.errors).sum(),
            });
        }
    }
    rows
}

/// A kind's CPU per write as a line in the status size: what a write costs whatever its size,
/// and what each KB adds.
#[derive(Debug, Serialize)]
pub struct Line {
    pub kind: Kind,
    pub fixed_ms: f64,
    pub ms_per_kb: f64,
}

/// The least-squares line through each kind's median CPU per write against its status KB
/// (`None` for a kind measured at fewer than two sizes).
pub fn lines(kinds: &[Kind], rows: &[Row]) -> Vec<Line> {
    kinds
        .iter()
        .filter_map(|&kind| {
            let points: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| (r.status_bytes as f64 / 1e3, r.hub_cpu_ms_per_write.median))
                .collect();
            let (ms_per_kb, fixed_ms) = least_squares(&points)?;
            Some(Line {
                kind,
                fixed_ms,
                ms_per_kb,
            })
        })
        .collect()
}

/// Slope and intercept of the least-squares line through `points`; `None` unless at least
/// two distinct x.
fn least_squares(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if points.len() < 2 || sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some((slope, mean_y - slope * mean_x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(round: usize, kind: Kind, cpu_ms: f64) -> Sample {
        let raw = Raw {
            seconds: 10.0,
            hub_cpu_secs: cpu_ms * 100.0 / 1e3,
            bench_cpu_secs: 0.5,
            latencies_ms: (1..=100).map(f64::from).rev().collect(),
            ..Raw::default()
        };
        Sample::of(round, 200, kind, raw)
    }

    #[test]
    fn a_window_is_divided_by_its_accepted_writes() {
        let s = sample(0, Kind::Apply, 90.0);
        assert_eq!((s.writes, s.writes_per_sec), (100, 10.0));
        assert!((s.hub_cpu_ms_per_write - 90.0).abs() < 1e-9);
        assert!((s.hub_cores - 0.9).abs() < 1e-9);
        assert_eq!((s.p50_ms, s.p99_ms), (50.0, 99.0));
        assert_eq!(quantile(&[3.0], 0.99), 3.0);
    }

    #[test]
    fn rows_take_the_median_of_the_rounds_and_divide_by_the_kb() {
        let sizes = [Size {
            details: 200,
            status_bytes: 80_000,
            object_bytes: 81_000,
        }];
        let samples = [
            sample(0, Kind::Apply, 100.0),
            sample(1, Kind::Apply, 80.0),
            sample(2, Kind::Apply, 300.0),
            sample(0, Kind::MergePart, 70.0),
        ];
        let rows = rows(&sizes, &[Kind::Apply, Kind::MergePart], &samples);
        let apply = &rows[0];
        assert_eq!(apply.rounds, 3);
        let spread = Spread {
            median: 100.0,
            min: 80.0,
            max: 300.0,
        };
        assert_eq!(apply.hub_cpu_ms_per_write, spread);
        assert!((apply.hub_cpu_ms_per_kb - 1.25).abs() < 1e-9);
        assert_eq!((rows[1].kind, rows[1].rounds), (Kind::MergePart, 1));
    }

    #[test]
    fn the_line_through_the_sizes() {
        let (slope, intercept) = least_squares(&[(0.3, 3.0), (20.0, 25.0), (80.0, 91.0)]).unwrap();
        assert!((slope - 1.1).abs() < 0.01, "{slope}");
        assert!((intercept - 2.7).abs() < 0.5, "{intercept}");
        assert_eq!(least_squares(&[(1.0, 2.0)]), None);
        assert_eq!(least_squares(&[(1.0, 2.0), (1.0, 3.0)]), None);
    }
}
