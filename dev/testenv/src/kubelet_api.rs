//! The kubelet API of a real-Karmada member's nodes, played by kwok: container logs, so that
//! `kubectl logs` (and anything else that reads `pods/log`) works there.
//!
//! kube-apiserver reaches a node's kubelet at the node's InternalIP and
//! `status.daemonEndpoints.kubeletEndpoint.Port`. kwok serves the kubelet API on a port of its
//! own (one per member, several members share the machine), and a stage of ours makes every
//! node it manages report `127.0.0.1` and that port, as a kubelet reports where it listens.
//! kwok's stock node stages do the same only when a node first becomes Ready or on a heartbeat
//! many minutes apart, and the environment creates its nodes Ready.
//!
//! Every container of every pod in the member logs what one file holds (a kwok `ClusterLogs`
//! rule): the test writes it with [`append`], in the CRI log format a kubelet reads, and a
//! followed stream (`follow=true`) sees each line as it is appended.

use crate::process::free_port;
use anyhow::{Context, Result};
use k8s_openapi::jiff::Timestamp;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a member's kwok serves the kubelet API, and the log file its containers read.
#[derive(Clone, Debug)]
pub struct KubeletApi {
    /// The port on 127.0.0.1 (HTTPS with kwok's own self-signed certificate, which the API
    /// server does not verify: it is given no `--kubelet-certificate-authority`).
    pub port: u16,
    /// The log of every container in the member ([`append`] writes it). Empty at first.
    pub log: PathBuf,
    /// kwok's configuration file with the stage and the logs rule.
    config: PathBuf,
}

impl KubeletApi {
    /// Picks a free port and writes the log file (empty) and kwok's configuration into `dir`.
    pub fn prepare(dir: &Path) -> Result<Self> {
        let log = dir.join("pods.log");
        if !log.exists() {
            std::fs::write(&log, "").with_context(|| format!("creating {}", log.display()))?;
        }
        let mut api = Self {
            port: 0,
            log,
            config: dir.join("kwok-kubelet-api.yaml"),
        };
        api.move_port()?;
        Ok(api)
    }

    /// Chooses another free port (the one chosen was taken before kwok bound it).
    pub fn move_port(&mut self) -> Result<()> {
        self.port = free_port()?;
        std::fs::write(&self.config, kwok_config(self.port, &self.log)?)
            .with_context(|| format!("writing {}", self.config.display()))
    }

    /// kwok's flags for serving it.
    pub fn kwok_args(&self) -> Vec<String> {
        vec![
            format!("--server-address=127.0.0.1:{}", self.port),
            "--node-ip=127.0.0.1".into(),
            format!("--node-port={}", self.port),
            format!("--config={}", self.config.display()),
        ]
    }
}

/// A stage setting each node's address and kubelet port to kwok's server, and a rule sending
/// every container's log to `log`.
fn kwok_config(port: u16, log: &Path) -> Result<String> {
    let log = serde_json::to_string(&log.display().to_string())?;
    Ok(format!(
        r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-kubelet-api
spec:
  resourceRef:
    apiGroup: v1
    kind: Node
  selector:
    matchExpressions:
    - key: '.status.daemonEndpoints.kubeletEndpoint.Port | tostring'
      operator: 'NotIn'
      values:
      - '{port}'
  next:
    statusTemplate: |
      addresses:
      - address: {{{{ NodeIP | Quote }}}}
        type: InternalIP
      - address: {{{{ .metadata.name | Quote }}}}
        type: Hostname
      daemonEndpoints:
        kubeletEndpoint:
          Port: {{{{ NodePort }}}}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: every-container
spec:
  logs:
  - logsFile: {log}
    follow: true
"#
    ))
}

/// Appends `text` as one stdout line, stamped `at`, to a container log file in the CRI format
/// (`<RFC 3339 time> stdout F <text>`; `F` for a full line). `--since` compares with the stamp.
pub fn append(log: &Path, at: Timestamp, text: &str) -> Result<()> {
    let mut file = std::fs::File::options()
        .append(true)
        .open(log)
        .with_context(|| format!("opening {}", log.display()))?;
    // One write per line: a reader following the file never sees half of one.
    file.write_all(format!("{at} stdout F {text}\n").as_bytes())
        .with_context(|| format!("appending to {}", log.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_waits_for_the_port_and_the_log_is_quoted() {
        let config = kwok_config(41234, Path::new("/tmp/env dir/pods.log")).unwrap();
        assert!(config.contains("      - '41234'\n"));
        assert!(config.contains("Port: {{ NodePort }}\n"));
        assert!(config.contains("logsFile: \"/tmp/env dir/pods.log\"\n"));
    }

    #[test]
    fn lines_are_in_the_cri_format() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("pods.log");
        std::fs::write(&log, "").unwrap();
        let at: Timestamp = "2026-01-02T03:04:05.5Z".parse().unwrap();
        append(&log, at, "hello").unwrap();
        append(&log, at, "again").unwrap();
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "2026-01-02T03:04:05.5Z stdout F hello\n2026-01-02T03:04:05.5Z stdout F again\n"
        );
    }
}
