//! The one statistic every verdict of these benchmarks uses: ours and its baseline run in
//! interleaved pairs, and the figure is the median of the per-pair ratios, with their min–max.
//!
//! Why pairs: on a shared machine a neighbour's burst slows whichever variant happens to run.
//! Taking each variant's best round (or a median of one side against one run of the other)
//! lets that noise pick the verdict; a ratio within one pair cancels what both members of the
//! pair shared, and the median of those ratios ignores the odd pair a burst split.

use serde::Serialize;

/// The per-pair ratios of a measurement, summarised.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PairedRatio {
    /// Every pair's ratio, in the order the pairs ran.
    pub ratios: Vec<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl PairedRatio {
    /// `ours / baseline` for each pair, in order. `None` without pairs, or when a baseline is
    /// zero (a span too short to measure).
    pub fn of(pairs: &[(f64, f64)]) -> Option<PairedRatio> {
        if pairs.is_empty() || pairs.iter().any(|&(_, base)| base == 0.0) {
            return None;
        }
        let ratios: Vec<f64> = pairs.iter().map(|&(ours, base)| ours / base).collect();
        let mut sorted = ratios.clone();
        sorted.sort_by(f64::total_cmp);
        Some(PairedRatio {
            median: median_of_sorted(&sorted),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            ratios,
        })
    }

    /// The verdict against a line: the median decides met or missed, and "at the line" is
    /// added when some pairs fall on the other side, so the spread could flip it.
    pub fn verdict(&self, line: Line) -> Verdict {
        let met = line.holds(self.median);
        let straddles = line.holds(self.min) != line.holds(self.max);
        Verdict {
            met,
            at_the_line: straddles,
        }
    }

    /// `0.52 (0.48–0.55, 5 pairs)`, with `digits` after the point.
    pub fn describe(&self, digits: usize) -> String {
        format!(
            "{:.digits$} ({:.digits$}–{:.digits$}, {} pairs)",
            self.median,
            self.min,
            self.max,
            self.ratios.len()
        )
    }
}

/// Per-pair figures as a human reads them: `477 / 443 / 440`.
pub fn per_pair(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.0}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The median of sorted values: the middle one, or the mean of the two middle ones.
pub fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Median, minimum and maximum of some samples (all 0 when there are none).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(samples: &[f64]) -> Spread {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return Spread::default();
        };
        Spread {
            median: median_of_sorted(&sorted),
            min,
            max,
        }
    }
}

/// A target: the ratio must stay at or below, or reach at least, a value.
#[derive(Clone, Copy, Debug)]
pub enum Line {
    AtMost(f64),
    AtLeast(f64),
}

impl Line {
    fn holds(self, value: f64) -> bool {
        match self {
            Line::AtMost(line) => value <= line,
            Line::AtLeast(line) => value >= line,
        }
    }
}

/// Met or missed by the median, and whether the pairs disagree.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct Verdict {
    pub met: bool,
    pub at_the_line: bool,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let word = if self.met { "met" } else { "MISSED" };
        if self.at_the_line {
            write!(f, "{word}, at the line")
        } else {
            f.write_str(word)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_per_pair_ratios_not_a_ratio_of_medians() {
        // Pair 2 ran during a burst that slowed both sides: its ratio is still 0.5.
        let r = PairedRatio::of(&[(5.0, 10.0), (50.0, 100.0), (6.0, 10.0)]).unwrap();
        assert_eq!(r.ratios, vec![0.5, 0.5, 0.6]);
        assert_eq!((r.median, r.min, r.max), (0.5, 0.5, 0.6));
        let even = PairedRatio::of(&[(1.0, 10.0), (2.0, 10.0), (3.0, 10.0), (4.0, 10.0)]).unwrap();
        assert!((even.median - 0.25).abs() < 1e-12);
        assert_eq!(PairedRatio::of(&[]), None);
        assert_eq!(PairedRatio::of(&[(1.0, 0.0)]), None);
    }

    #[test]
    fn a_spread_across_the_line_says_so() {
        let r = PairedRatio::of(&[(0.58, 1.0), (0.61, 1.0), (0.62, 1.0)]).unwrap();
        let v = r.verdict(Line::AtLeast(0.6));
        assert_eq!(
            v,
            Verdict {
                met: true,
                at_the_line: true
            }
        );
        assert_eq!(v.to_string(), "met, at the line");
        let clear = r.verdict(Line::AtMost(1.3));
        assert_eq!(clear.to_string(), "met");
        assert_eq!(r.verdict(Line::AtLeast(0.7)).to_string(), "MISSED");
        assert_eq!(r.describe(2), "0.61 (0.58–0.62, 3 pairs)");
    }
}
