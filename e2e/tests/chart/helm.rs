//! Running the real `helm` against the chart, and reading what it renders: the rendered
//! objects by kind and name, and the operator's container and arguments.

use super::{NAMESPACE, RELEASE};
use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The chart's directory in this repository.
pub fn chart() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../charts/karmada-manager")
}

/// The helm binary (built on first use) with its home directories in a temporary directory, so
/// that tests never touch the user's helm configuration.
pub struct Helm {
    bin: PathBuf,
    /// Helm's homes and the values files; the tests may put files of their own here.
    pub dir: tempfile::TempDir,
}

impl Helm {
    pub fn new() -> Result<Self> {
        Ok(Self {
            bin: testenv::upstream::ensure_helm()?,
            dir: tempfile::Builder::new().prefix("chart-test-").tempdir()?,
        })
    }

    /// Runs helm; returns whether it succeeded, its stdout and its stderr.
    pub fn output(&self, args: &[&str]) -> Result<(bool, String, String)> {
        let home = self.dir.path();
        let output = Command::new(&self.bin)
            .args(args)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .env_remove("KUBECONFIG")
            .output()
            .with_context(|| format!("running {}", self.bin.display()))?;
        Ok((
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }

    pub fn run(&self, args: &[&str]) -> Result<String> {
        let (ok, stdout, stderr) = self.output(args)?;
        ensure!(ok, "helm {} failed:\n{stderr}\n{stdout}", args.join(" "));
        Ok(stdout)
    }

    /// A values file holding `yaml`.
    pub fn values_file(&self, yaml: &str) -> Result<PathBuf> {
        let file = tempfile::Builder::new()
            .suffix(".yaml")
            .tempfile_in(self.dir.path())?;
        std::fs::write(file.path(), yaml)?;
        Ok(file.into_temp_path().keep()?)
    }

    /// `helm template` of the chart with the values files (in order) and `--set`s.
    pub fn template(&self, values: &[&str], sets: &[&str]) -> Result<Vec<Value>> {
        let chart = chart().display().to_string();
        let files = values
            .iter()
            .map(|yaml| Ok(self.values_file(yaml)?.display().to_string()))
            .collect::<Result<Vec<_>>>()?;
        let mut args = vec!["template", RELEASE, &chart, "--namespace", NAMESPACE];
        for file in &files {
            args.extend(["--values", file]);
        }
        for set in sets {
            args.extend(["--set", set]);
        }
        parse_documents(&self.run(&args)?)
    }

    /// `helm install` of the chart as [`RELEASE`] into [`NAMESPACE`] of the cluster `kubeconfig`
    /// points at, with the further `args`.
    pub fn install(&self, kubeconfig: &Path, args: &[&str]) -> Result<String> {
        let chart = chart().display().to_string();
        let kubeconfig = kubeconfig.display().to_string();
        let mut install = vec![
            "install",
            RELEASE,
            &chart,
            "--kubeconfig",
            &kubeconfig,
            "--namespace",
            NAMESPACE,
        ];
        install.extend_from_slice(args);
        self.run(&install)
    }
}

/// The objects of a multi-document YAML stream (empty documents dropped).
pub fn parse_documents(yaml: &str) -> Result<Vec<Value>> {
    let mut objects = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(yaml) {
        let value = Value::deserialize(document).context("rendered YAML does not parse")?;
        if !value.is_null() {
            objects.push(value);
        }
    }
    Ok(objects)
}

pub fn kinds(objects: &[Value]) -> BTreeSet<String> {
    objects
        .iter()
        .filter_map(|o| o["kind"].as_str().map(str::to_owned))
        .collect()
}

pub fn all<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objects.iter().filter(|o| o["kind"] == kind).collect()
}

pub fn one<'a>(objects: &'a [Value], kind: &str) -> Result<&'a Value> {
    match all(objects, kind).as_slice() {
        [object] => Ok(object),
        found => bail!("expected one {kind}, found {}", found.len()),
    }
}

pub fn named<'a>(objects: &'a [Value], kind: &str, name: &str) -> Result<&'a Value> {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .with_context(|| format!("no {kind} {name} in {:?}", kinds(objects)))
}

pub fn container(objects: &[Value]) -> Result<&Value> {
    let containers = &one(objects, "Deployment")?["spec"]["template"]["spec"]["containers"];
    let containers = containers.as_array().context("no containers")?;
    ensure!(containers.len() == 1, "one container expected");
    Ok(&containers[0])
}

pub fn args(objects: &[Value]) -> Result<Vec<String>> {
    container(objects)?["args"]
        .as_array()
        .context("no args")?
        .iter()
        .map(|a| a.as_str().map(str::to_owned).context("non-string arg"))
        .collect()
}

pub fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}
