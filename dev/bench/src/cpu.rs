//! On-CPU time of the calling thread, from `/proc/thread-self/schedstat` (nanoseconds, Linux).
//!
//! Throughput is reported per core from this rather than from wall time: the machine is
//! shared, and time spent preempted by other processes is not time the ingest path cost.

use anyhow::{Context, Result};

/// Nanoseconds this thread has run on a CPU.
pub fn thread_ns() -> Result<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")
        .context("reading /proc/thread-self/schedstat")?;
    parse(&stat)
}

fn parse(stat: &str) -> Result<u64> {
    let first = stat.split_whitespace().next().context("empty schedstat")?;
    first
        .parse()
        .with_context(|| format!("schedstat {first:?} is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_this_threads_cpu_time() {
        assert_eq!(parse("190025 3568228 2\n").unwrap(), 190_025);
        let before = thread_ns().unwrap();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(thread_ns().unwrap() > before, "{x}");
    }
}
