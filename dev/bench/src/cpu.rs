//! On-CPU time of the calling thread, from `/proc/thread-self/schedstat` (nanoseconds, Linux),
//! and of another process, from `/proc/<pid>/stat`.
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

/// Seconds another process (all its threads, user and system) has run on a CPU.
pub fn process_secs(pid: u32) -> Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_process(&stat)
}

/// `utime` and `stime`, fields 14 and 15 of `/proc/<pid>/stat`, in clock ticks of 1/100 s
/// (`getconf CLK_TCK` on Linux). The command name (field 2) may hold spaces, so the fields
/// are counted from its closing parenthesis.
fn parse_process(stat: &str) -> Result<f64> {
    let after_name = stat.rsplit_once(')').context("no command name in stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| -> Result<u64> {
        let field = fields.get(i).context("stat too short")?;
        field
            .parse()
            .with_context(|| format!("{field:?} is not a number"))
    };
    // After the name: field 3 is index 0, so utime (14) is 11 and stime (15) is 12.
    Ok((ticks(11)? + ticks(12)?) as f64 / 100.0)
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

    #[test]
    fn reads_a_process_cpu_time() {
        let stat = "4242 (karmada manager) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 75 0 0 20 0";
        assert_eq!(parse_process(stat).unwrap(), 3.25);
        assert!(process_secs(std::process::id()).unwrap() >= 0.0);
    }
}
