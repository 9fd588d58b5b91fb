//! Order statistics of measured durations.

use serde::Serialize;
use std::time::Duration;

/// The distribution of a set of samples, in milliseconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Distribution {
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Distribution {
    pub fn of(samples: &[Duration]) -> Distribution {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        Distribution {
            samples: ms.len(),
            p50_ms: quantile(&ms, 0.50),
            p99_ms: quantile(&ms, 0.99),
            max_ms: ms.last().copied().unwrap_or_default(),
        }
    }
}

/// The nearest-rank quantile of sorted values (0 when there are none): with fewer than 100
/// samples, p99 is the maximum, never an interpolation below it.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let samples: Vec<Duration> = (1..=200).map(Duration::from_millis).collect();
        let d = Distribution::of(&samples);
        assert_eq!((d.p50_ms, d.p99_ms, d.max_ms), (100.0, 198.0, 200.0));
        let few: Vec<Duration> = [5, 1, 3].map(Duration::from_millis).to_vec();
        let d = Distribution::of(&few);
        assert_eq!(
            (d.p50_ms, d.p99_ms),
            (3.0, 5.0),
            "p99 of 3 samples is the max"
        );
        assert_eq!(Distribution::of(&[]).p99_ms, 0.0);
    }
}
