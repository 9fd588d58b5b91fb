//! The simulated members in a process of their own: `bench sim` prints its [`Endpoints`] as
//! one JSON line on stdout, then answers commands on stdin, one line each, until stdin closes:
//! - `churn <share per minute> <share of changes that replace a pod>` → `ok`
//! - `probe <member index> <0|1>` → `ok <resourceVersion>` (1 = `Failed`, 0 = running again)
//! - `restart <member index> <restarts>` → `ok <resourceVersion>` (the probe pod's restarts)
//! - `changes` → `ok <pod changes churn made>`
//! - `watches <member index>` → `ok <pod watches open on it>`
//!
//! [`SimProcess`] starts one and speaks that protocol.

use super::{ChurnMix, Endpoints, Sim, SimOptions};
use anyhow::{Context, Result, bail};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

/// How long the members may take to start (100 member plans and listeners), and a command to
/// be answered.
const START_TIMEOUT: Duration = Duration::from_secs(120);
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// `bench sim`: serves until stdin closes. Commands are read on this thread; the members are
/// served by the runtime's workers.
pub fn serve(options: &SimOptions) -> Result<()> {
    use std::io::{BufRead, Write};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let sim = runtime.block_on(Sim::start(options))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", serde_json::to_string(&sim.endpoints)?)?;
    stdout.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading a command")?;
        let answer = answer(&sim, &line).unwrap_or_else(|err| format!("error {err:#}"));
        writeln!(stdout, "{answer}")?;
        stdout.flush()?;
    }
    drop(sim);
    Ok(())
}

fn answer(sim: &Sim, line: &str) -> Result<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["churn", share, replaced] => {
            sim.set_churn(ChurnMix {
                share_per_minute: share.parse().context("churn share")?,
                replaced: replaced.parse().context("share replaced")?,
            });
            Ok("ok".into())
        }
        ["probe", member, failed] => {
            let rv = sim.probe(member.parse().context("member index")?, *failed == "1")?;
            Ok(format!("ok {rv}"))
        }
        ["restart", member, restarts] => {
            let member = member.parse().context("member index")?;
            let rv = sim.restart_probe(member, restarts.parse().context("restarts")?)?;
            Ok(format!("ok {rv}"))
        }
        ["changes"] => Ok(format!("ok {}", sim.churn_changes())),
        ["watches", member] => {
            let open = sim.pod_watches(member.parse().context("member index")?)?;
            Ok(format!("ok {open}"))
        }
        _ => bail!("unknown command {line:?}"),
    }
}

/// A `bench sim` child process; killed when dropped.
pub struct SimProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    pub endpoints: Endpoints,
}

impl SimProcess {
    /// Starts this executable's `sim` subcommand with `options`, and waits for its endpoints.
    pub async fn start(options: &SimOptions) -> Result<SimProcess> {
        let exe = std::env::current_exe().context("finding the bench executable")?;
        let mut child = tokio::process::Command::new(exe)
            .arg("sim")
            .args(["--seed", &options.seed.to_string()])
            .args(["--members", &options.members.to_string()])
            .args(["--nodes", &options.nodes.to_string()])
            .args(["--pods", &options.pods.to_string()])
            .args(["--bookmark-seconds", &options.bookmark_seconds.to_string()])
            .args(["--history", &options.history.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting `bench sim`")?;
        let stdin = child.stdin.take().context("no stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let first = tokio::time::timeout(START_TIMEOUT, stdout.next_line())
            .await
            .context("`bench sim` did not start in time")??
            .context("`bench sim` exited before listening")?;
        let endpoints = serde_json::from_str(&first).context("`bench sim` endpoints")?;
        Ok(SimProcess {
            child,
            stdin,
            stdout,
            endpoints,
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub async fn set_churn(&mut self, mix: ChurnMix) -> Result<()> {
        let ChurnMix {
            share_per_minute,
            replaced,
        } = mix;
        self.command(&format!("churn {share_per_minute} {replaced}"))
            .await?;
        Ok(())
    }

    /// Marks member `index`'s probe pod `Failed` or running again; returns once it is visible
    /// to watches.
    pub async fn probe(&mut self, index: usize, failed: bool) -> Result<()> {
        self.command(&format!("probe {index} {}", u8::from(failed)))
            .await?;
        Ok(())
    }

    /// Adds `restarts` to member `index`'s probe pod; returns once it is visible to watches.
    pub async fn restart_probe(&mut self, index: usize, restarts: u32) -> Result<()> {
        self.command(&format!("restart {index} {restarts}")).await?;
        Ok(())
    }

    pub async fn churn_changes(&mut self) -> Result<u64> {
        let answer = self.command("changes").await?;
        answer.parse().context("`bench sim` change count")
    }

    pub async fn pod_watches(&mut self, index: usize) -> Result<usize> {
        let answer = self.command(&format!("watches {index}")).await?;
        answer.parse().context("`bench sim` watch count")
    }

    async fn command(&mut self, line: &str) -> Result<String> {
        let exchange = async {
            self.stdin.write_all(format!("{line}\n").as_bytes()).await?;
            self.stdin.flush().await?;
            let answer = self.stdout.next_line().await?;
            answer.context("`bench sim` exited")
        };
        let answer = tokio::time::timeout(COMMAND_TIMEOUT, exchange)
            .await
            .with_context(|| format!("`bench sim` did not answer {line:?} in time"))??;
        match answer.strip_prefix("ok") {
            Some(rest) => Ok(rest.trim().to_owned()),
            None => bail!("`bench sim` answered {line:?} with {answer:?}"),
        }
    }
}
