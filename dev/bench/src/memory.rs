//! Resident memory of this process, or another, from `/proc/<pid>/status` (Linux only).
//!
//! RSS is what the operator's pod is billed and OOM-killed for, so it is what the targets are
//! about; allocator-level counting would miss fragmentation and the allocator's own overhead.

use anyhow::{Context, Result};

/// `VmRSS` and `VmHWM` (peak RSS), in KiB.
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

/// Reads the current figures.
pub fn now() -> Result<Memory> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    parse(&status)
}

/// The figures of another process, e.g. the dashboard under test.
pub fn of(pid: u32) -> Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse(&status)
}

fn parse(status: &str) -> Result<Memory> {
    let field = |name: &str| -> Result<u64> {
        let line = status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .with_context(|| format!("no {name} in the process status"))?;
        let kib = line.trim().trim_end_matches("kB").trim();
        kib.parse()
            .with_context(|| format!("{name} {kib:?} is not a number"))
    };
    Ok(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_and_peak() {
        let status = "Name:\tbench\nVmPeak:\t  999 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\n";
        let memory = parse(status).unwrap();
        assert_eq!((memory.rss_kib, memory.hwm_kib), (1024, 2048));
        let live = now().unwrap();
        assert!(live.rss_kib > 0 && live.hwm_kib >= live.rss_kib);
    }
}
