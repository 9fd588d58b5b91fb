//! The operator process's resources, from `/proc`: RSS sampled every half second (steady RSS
//! is the median over a window), its peak (`VmHWM`, which the kernel keeps exactly), and CPU
//! seconds (user + system, all threads).

use crate::{cpu, memory};
use anyhow::Result;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::AbortHandle;
use tokio::time::Instant;

const EVERY: Duration = Duration::from_millis(500);

/// RSS samples of one process, taken by a task of its own until dropped.
pub struct Sampler {
    pid: u32,
    samples: Arc<Mutex<Vec<(Instant, u64)>>>,
    task: AbortHandle,
}

/// One moment's figures.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Usage {
    pub cpu_seconds: f64,
    pub rss_mib: f64,
    pub peak_rss_mib: f64,
}

impl Sampler {
    pub fn start(pid: u32) -> Sampler {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let shared = samples.clone();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            loop {
                ticks.tick().await;
                // The process has exited: nothing more to sample.
                let Ok(now) = memory::of(pid) else { return };
                lock(&shared).push((Instant::now(), now.rss_kib));
            }
        });
        Sampler {
            pid,
            samples,
            task: task.abort_handle(),
        }
    }

    pub fn now(&self) -> Result<Usage> {
        let memory = memory::of(self.pid)?;
        Ok(Usage {
            cpu_seconds: cpu::process_secs(self.pid)?,
            rss_mib: mib(memory.rss_kib),
            peak_rss_mib: mib(memory.hwm_kib),
        })
    }

    /// The median RSS sampled since `since`, in MiB (0 without samples).
    pub fn median_rss_since(&self, since: Instant) -> f64 {
        let mut kib: Vec<f64> = lock(&self.samples)
            .iter()
            .filter(|(at, _)| *at >= since)
            .map(|&(_, rss)| rss as f64)
            .collect();
        kib.sort_by(f64::total_cmp);
        mib_f(crate::paired::median_of_sorted(&kib))
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn mib(kib: u64) -> f64 {
    mib_f(kib as f64)
}

fn mib_f(kib: f64) -> f64 {
    kib / 1024.0
}
