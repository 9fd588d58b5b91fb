//! Child processes that cannot outlive the environment: killed on drop (which also runs while a
//! panicking test unwinds) and, should our process die without unwinding (SIGKILL, abort), by
//! the kernel through `PR_SET_PDEATHSIG`.

use anyhow::{Context, Result};
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running upstream process whose output goes to a log file.
pub struct Supervised {
    name: String,
    child: Option<Child>,
    log: PathBuf,
    /// Leads a process group of its own, killed as a whole: a program whose children would
    /// outlive it (ChromeDriver's browsers).
    group: bool,
}

impl Supervised {
    /// Starts `program args` with stdout and stderr appended to `log`.
    ///
    /// The parent-death signal is delivered when the *thread* that spawned the child exits, so
    /// call this from a long-lived thread (an async task of the environment's runtime is; a
    /// `spawn_blocking` thread is not).
    pub fn spawn(name: &str, program: &Path, args: &[String], log: PathBuf) -> Result<Self> {
        Self::start(name, program, args, log, false)
    }

    /// [`Supervised::spawn`] in a process group of its own: killing it kills every process it
    /// started.
    pub fn spawn_group(name: &str, program: &Path, args: &[String], log: PathBuf) -> Result<Self> {
        Self::start(name, program, args, log, true)
    }

    fn start(
        name: &str,
        program: &Path,
        args: &[String],
        log: PathBuf,
        group: bool,
    ) -> Result<Self> {
        let out = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .with_context(|| format!("opening {}", log.display()))?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        die_with_parent(&mut cmd);
        if group {
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {name} ({})", program.display()))?;
        Ok(Self {
            name: name.to_string(),
            child: Some(child),
            log,
            group,
        })
    }

    /// The process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The log file of the process.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// `Some(status)` if the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// The last lines of the log, for error messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<_> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Kills the process (SIGKILL) and reaps it. Idempotent.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            if self.group {
                // The whole group; the leader's pid is the group's id.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
            }
            let _ = child.kill();
            let _ = child.wait();
            tracing::debug!(process = %self.name, "stopped");
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.kill();
    }
}

#[allow(unsafe_code)]
fn die_with_parent(cmd: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec and only calls prctl(2), which is
    // async-signal-safe; it touches no memory shared with the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// A free TCP port on 127.0.0.1 (bound, then released for the process that will use it).
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    Ok(listener.local_addr()?.port())
}
