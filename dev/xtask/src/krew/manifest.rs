//! The krew manifest, from the plugin's metadata and its archives' checksums: no I/O, so that
//! what the manifest says is tested here and its validity by krew's own tools (e2e/tests/krew.rs).

use anyhow::{Context, Result, bail, ensure};
use serde::Serialize;
use std::path::PathBuf;

/// The plugin's name in krew: `kubectl krew install karmada-insight`, run as
/// `kubectl karmada-insight`. Also the manifest's file name, which krew requires.
pub const NAME: &str = "karmada-insight";
/// The executable kubectl finds (`_` for `-`), as the plugin crate names it.
pub const BIN: &str = "kubectl-karmada_insight";

/// The platforms krew knows (those its validator accepts in a selector).
const PLATFORMS: &[(&str, &str)] = &[
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
];

/// An `<os>/<arch>` pair in krew's (Go's) spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    pub os: &'static str,
    pub arch: &'static str,
}

impl Platform {
    pub fn new(os: &str, arch: &str) -> Result<Self> {
        PLATFORMS
            .iter()
            .find(|(o, a)| *o == os && *a == arch)
            .map(|&(os, arch)| Self { os, arch })
            .with_context(|| format!("krew knows no platform {os}/{arch}"))
    }

    /// The machine this runs on, where the plugin is built.
    pub fn host() -> Result<Self> {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            other => other,
        };
        Self::new(os, arch)
    }

    /// The plugin's executable, at the top of the archive.
    pub fn bin(self) -> String {
        if self.os == "windows" {
            format!("{BIN}.exe")
        } else {
            BIN.to_owned()
        }
    }

    /// The archive's file name: the same for every build of a version, so that its URL is known
    /// before the release exists.
    pub fn archive_name(self, version: &str) -> String {
        format!("{NAME}-v{version}-{}-{}.tar.gz", self.os, self.arch)
    }
}

/// `--archive <os>/<arch>=<path>`: the archive of another platform, built elsewhere.
pub fn parse_archive(arg: &str) -> Result<(Platform, PathBuf), String> {
    let parse = || -> Result<(Platform, PathBuf)> {
        let (platform, path) = arg.split_once('=').context("expected <os>/<arch>=<path>")?;
        let (os, arch) = platform.split_once('/').context("expected <os>/<arch>")?;
        ensure!(!path.is_empty(), "no path after `=`");
        Ok((Platform::new(os, arch)?, PathBuf::from(path)))
    };
    parse().map_err(|e| format!("{e:#}"))
}

/// What the manifest says about the plugin: its package's Cargo metadata.
#[derive(Debug)]
pub struct Plugin {
    pub version: String,
    pub description: String,
    pub homepage: String,
    pub repository: String,
}

/// One platform's archive, packed.
#[derive(Debug)]
pub struct Archive {
    pub platform: Platform,
    pub sha256: String,
}

/// One line, as `kubectl krew search` shows it.
const SHORT_DESCRIPTION: &str = "Karmada fleet health and workload placement, from karmada-manager";

/// Follows the package's description in `kubectl krew info`.
const DESCRIPTION: &str = "It reads the ClusterInsight, WorkloadPlacement, \
ClusterWorkloadPlacement and FleetInsight resources that karmada-manager keeps on the Karmada API \
server: the fleet on one screen, where a workload's pods run and why, how many more replicas fit \
where. It needs no access to the member clusters for that.";

/// Shown after the install: without karmada-manager on the hub, every command finds nothing.
const CAVEATS: &str = "This plugin reads what karmada-manager writes on the Karmada API server:
run karmada-manager against your Karmada first, then point the plugin at the Karmada API server
(--kubeconfig, --context). To start:
  kubectl karmada-insight status
";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    api_version: &'a str,
    kind: &'a str,
    metadata: Metadata<'a>,
    spec: Spec<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    version: String,
    homepage: &'a str,
    short_description: &'a str,
    description: String,
    caveats: &'a str,
    platforms: Vec<PlatformSpec<'a>>,
}

#[derive(Serialize)]
struct PlatformSpec<'a> {
    selector: Selector,
    uri: String,
    sha256: &'a str,
    bin: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    match_labels: Labels,
}

#[derive(Serialize)]
struct Labels {
    os: &'static str,
    arch: &'static str,
}

/// The krew manifest (`karmada-insight.yaml`) for these archives, one platform each, sorted.
pub fn manifest(plugin: &Plugin, archives: &[Archive]) -> Result<String> {
    ensure!(!archives.is_empty(), "a krew manifest needs a platform");
    let mut archives: Vec<_> = archives.iter().collect();
    archives.sort_by_key(|a| a.platform);
    if let Some(pair) = archives.windows(2).find(|w| w[0].platform == w[1].platform) {
        let Platform { os, arch } = pair[0].platform;
        bail!("two archives for {os}/{arch}");
    }
    let release = format!(
        "{}/releases/download/v{}",
        plugin
            .repository
            .trim_end_matches('/')
            .trim_end_matches(".git"),
        plugin.version
    );
    let platforms = archives
        .iter()
        .map(|a| PlatformSpec {
            selector: Selector {
                match_labels: Labels {
                    os: a.platform.os,
                    arch: a.platform.arch,
                },
            },
            uri: format!("{release}/{}", a.platform.archive_name(&plugin.version)),
            sha256: &a.sha256,
            bin: a.platform.bin(),
        })
        .collect();
    let manifest = Manifest {
        api_version: "krew.googlecontainertools.github.com/v1alpha2",
        kind: "Plugin",
        metadata: Metadata { name: NAME },
        spec: Spec {
            version: format!("v{}", plugin.version),
            homepage: &plugin.homepage,
            short_description: SHORT_DESCRIPTION,
            description: format!("{}\n\n{DESCRIPTION}\n", plugin.description.trim()),
            caveats: CAVEATS,
            platforms,
        },
    };
    Ok(format!(
        "# Generated by `cargo xtask krew`; do not edit.\n{}",
        serde_yaml_ng::to_string(&manifest)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_yaml_ng::Value;

    fn plugin() -> Plugin {
        Plugin {
            version: "1.2.3".into(),
            description: "kubectl plugin: the fleet.".into(),
            homepage: "https://example.org/fleet".into(),
            repository: "https://example.org/acme/fleet.git/".into(),
        }
    }

    fn archive(os: &str, arch: &str, hex: char) -> Archive {
        Archive {
            platform: Platform::new(os, arch).unwrap(),
            sha256: hex.to_string().repeat(64),
        }
    }

    #[test]
    fn the_manifest_names_the_plugin_and_points_each_platform_at_its_release_archive() {
        let yaml = manifest(
            &plugin(),
            &[
                archive("linux", "amd64", 'a'),
                archive("darwin", "arm64", 'b'),
            ],
        )
        .unwrap();
        let doc: Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert_eq!(
            doc["apiVersion"],
            "krew.googlecontainertools.github.com/v1alpha2"
        );
        assert_eq!(doc["kind"], "Plugin");
        assert_eq!(doc["metadata"]["name"], "karmada-insight");
        let spec = &doc["spec"];
        assert_eq!(spec["version"], "v1.2.3");
        assert_eq!(spec["homepage"], "https://example.org/fleet");
        assert!(!spec["shortDescription"].as_str().unwrap().contains('\n'));
        assert!(
            spec["description"]
                .as_str()
                .unwrap()
                .starts_with("kubectl plugin: the fleet.\n\n")
        );
        // Sorted by platform, whatever the order given.
        let darwin = &spec["platforms"][0];
        assert_eq!(darwin["selector"]["matchLabels"]["os"], "darwin");
        assert_eq!(darwin["selector"]["matchLabels"]["arch"], "arm64");
        assert_eq!(
            darwin["uri"],
            "https://example.org/acme/fleet/releases/download/v1.2.3/karmada-insight-v1.2.3-darwin-arm64.tar.gz"
        );
        assert_eq!(darwin["sha256"], "b".repeat(64).as_str());
        assert_eq!(darwin["bin"], "kubectl-karmada_insight");
        assert_eq!(
            spec["platforms"][1]["selector"]["matchLabels"]["os"],
            "linux"
        );
        assert_eq!(spec["platforms"].as_sequence().unwrap().len(), 2);
    }

    #[test]
    fn windows_runs_an_exe_and_no_platform_comes_twice() {
        let yaml = manifest(&plugin(), &[archive("windows", "amd64", 'c')]).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert_eq!(
            doc["spec"]["platforms"][0]["bin"],
            "kubectl-karmada_insight.exe"
        );
        let twice = [
            archive("linux", "arm64", 'a'),
            archive("linux", "arm64", 'b'),
        ];
        assert!(manifest(&plugin(), &twice).is_err());
        assert!(manifest(&plugin(), &[]).is_err());
    }

    #[test]
    fn archives_of_other_platforms_are_given_as_os_arch_path() {
        let (platform, path) = parse_archive("linux/arm64=dist/x.tar.gz").unwrap();
        assert_eq!((platform.os, platform.arch), ("linux", "arm64"));
        assert_eq!(path, PathBuf::from("dist/x.tar.gz"));
        for bad in [
            "linux/arm64",
            "linux=x.tar.gz",
            "plan9/amd64=x",
            "darwin/arm=x",
            "linux/amd64=",
        ] {
            assert!(parse_archive(bad).is_err(), "{bad}");
        }
    }
}
