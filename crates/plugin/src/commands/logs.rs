//! `logs <kind>/<name> [--cluster C] [-c container] [-f] [--tail N] [--since D]`: the logs of a
//! workload's pods on every cluster its placement names, all at once, through Karmada's cluster
//! proxy as the user. The pods are those the member's own copy of the workload selects (its
//! label selector), read live there: the placements' pod lists are capped. Each line is
//! prefixed with `[cluster/pod]`, and `[cluster/pod/container]` when the pod has several
//! containers and `-c` does not pick one (kubectl's `--prefix` is `[pod/name/container]`).

mod pods;
mod stream;

use crate::cli::{Global, LogsArgs, Output};
use crate::error::{PluginError, Result};
use crate::hub::{Hub, Placement};
use futures::future::join_all;
use kube::api::{Api, LogParams};
use pods::{MemberPod, PodOwner, pods_on};
use stream::Source;

/// A container whose log to read, and the prefix of its lines.
#[derive(Debug)]
struct Picked {
    pod: MemberPod,
    container: String,
    prefix: String,
}

pub async fn run(hub: &Hub, global: &Global, args: &LogsArgs) -> Result<()> {
    if matches!(global.output, Output::Json | Output::Yaml) {
        return Err(PluginError::Usage(
            "logs prints the log lines themselves: -o json and -o yaml do not apply".into(),
        ));
    }
    let params = log_params(args);
    let placement = hub.workload(&args.workload).await?;
    let workload = &placement.status.workload;
    let owner = PodOwner::of(&workload.kind, &workload.display)?;
    let namespace = workload
        .namespace
        .clone()
        .ok_or_else(|| PluginError::Usage(format!("{} is not namespaced", workload.display)))?;
    let clusters = targets(&placement, args.cluster.as_deref())?;
    let lookups = clusters
        .iter()
        .map(|c| pods_on(hub, c, owner, (&namespace, &workload.name)));
    let mut pods = Vec::new();
    let mut failures = Vec::new();
    for found in join_all(lookups).await {
        match found {
            Ok(found) => pods.extend(found),
            Err(error) => {
                eprintln!("error: {error}");
                failures.push(error);
            }
        }
    }
    let cluster_failures = failures.len();
    if pods.is_empty() && failures.is_empty() {
        return Err(PluginError::NotFound(format!(
            "{} has no pods on {}",
            workload.display,
            clusters.join(", ")
        )));
    }
    let (picked, missing) = pick_containers(&pods, args.container.as_deref(), &workload.display)?;
    let streams = picked.len() + missing.len();
    for error in missing {
        eprintln!("error: {error}");
        failures.push(error);
    }
    if args.follow && picked.len() > args.max_log_requests {
        return Err(PluginError::Usage(format!(
            "following {} logs at once is more than --max-log-requests={}: raise it, or narrow with --cluster or -c",
            picked.len(),
            args.max_log_requests
        )));
    }
    let sources = sources(hub, picked, &namespace, args.follow)?;
    failures.extend(stream::merge(sources, &params, args.max_log_requests).await);
    outcome(failures, (cluster_failures, clusters.len()), streams)
}

/// The clusters to read: the placement's, or `only` if the workload is placed there.
fn targets(placement: &Placement, only: Option<&str>) -> Result<Vec<String>> {
    let placed: Vec<String> = placement
        .status
        .clusters
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let display = &placement.status.workload.display;
    match only {
        None if placed.is_empty() => Err(PluginError::NotFound(format!(
            "{display} is not placed on any cluster yet ({})",
            placement.display()
        ))),
        None => Ok(placed),
        Some(cluster) if placed.iter().any(|p| p == cluster) => Ok(vec![cluster.to_owned()]),
        Some(cluster) => Err(PluginError::NotFound(format!(
            "{display} is not placed on cluster {cluster}; it is on {}",
            if placed.is_empty() {
                "none yet".to_owned()
            } else {
                placed.join(", ")
            }
        ))),
    }
}

/// The (pod, container, prefix) to read: `container` where given, else every container. A pod
/// without the container is reported; if none has it, the container is a usage error.
fn pick_containers(
    pods: &[MemberPod],
    container: Option<&str>,
    display: &str,
) -> Result<(Vec<Picked>, Vec<PluginError>)> {
    let Some(wanted) = container else {
        let picked = pods
            .iter()
            .flat_map(|pod| {
                let several = pod.containers.len() > 1;
                pod.containers.iter().map(move |c| Picked {
                    pod: pod.clone(),
                    container: c.clone(),
                    prefix: prefix(&pod.cluster, &pod.name, several.then_some(c.as_str())),
                })
            })
            .collect();
        return Ok((picked, Vec::new()));
    };
    let (with, without): (Vec<&MemberPod>, Vec<&MemberPod>) = pods
        .iter()
        .partition(|p| p.containers.iter().any(|c| c == wanted));
    if with.is_empty() && !without.is_empty() {
        let mut names: Vec<&str> = pods
            .iter()
            .flat_map(|p| p.containers.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        return Err(PluginError::Usage(format!(
            "no pod of {display} has a container {wanted:?}; its containers: {}",
            names.join(", ")
        )));
    }
    let picked = with
        .into_iter()
        .map(|pod| Picked {
            pod: pod.clone(),
            container: wanted.to_owned(),
            prefix: prefix(&pod.cluster, &pod.name, None),
        })
        .collect();
    let missing = without
        .into_iter()
        .map(|pod| {
            PluginError::Usage(format!(
                "cluster {}: pod {} has no container {wanted:?} (it has {})",
                pod.cluster,
                pod.name,
                pod.containers.join(", ")
            ))
        })
        .collect();
    Ok((picked, missing))
}

/// `[cluster/pod]`, or `[cluster/pod/container]`.
fn prefix(cluster: &str, pod: &str, container: Option<&str>) -> String {
    match container {
        Some(container) => format!("[{cluster}/{pod}/{container}]"),
        None => format!("[{cluster}/{pod}]"),
    }
}

/// One stream per picked container, each cluster's through one client: with the read timeout,
/// or without it for `-f`, whose streams may stay silent as long as they are followed.
fn sources(hub: &Hub, picked: Vec<Picked>, namespace: &str, follow: bool) -> Result<Vec<Source>> {
    let mut clients: Vec<(String, kube::Client)> = Vec::new();
    let mut sources = Vec::with_capacity(picked.len());
    for Picked {
        pod,
        container,
        prefix,
    } in picked
    {
        let client = match clients.iter().find(|(c, _)| *c == pod.cluster) {
            Some((_, client)) => client.clone(),
            None => {
                let client = if follow {
                    hub.member_stream_client(&pod.cluster)?
                } else {
                    hub.member_client(&pod.cluster)?
                };
                clients.push((pod.cluster.clone(), client.clone()));
                client
            }
        };
        sources.push(Source {
            pods: Api::namespaced(client, namespace),
            cluster: pod.cluster,
            pod: pod.name,
            container,
            prefix,
        });
    }
    Ok(sources)
}

fn log_params(args: &LogsArgs) -> LogParams {
    LogParams {
        follow: args.follow,
        // kubectl's `--tail=-1`: everything.
        tail_lines: args.tail.filter(|n| *n >= 0),
        // The API counts whole seconds; rounded up so that `--since 500ms` still asks for some.
        since_seconds: args
            .since
            .map(|d| d.as_secs() as i64 + i64::from(d.subsec_nanos() > 0)),
        ..LogParams::default()
    }
}

/// The error of a request through the cluster proxy, naming the cluster and the grant.
fn through_proxy(
    error: kube::Error,
    cluster: &str,
    verb: &'static str,
    resource: &str,
) -> PluginError {
    PluginError::from_proxy(
        error,
        cluster,
        verb,
        resource,
        "the hub must grant you clusters/proxy; the member must let Karmada's impersonator impersonate you and your groups, and grant you get on the workload, list on pods and get on pods/log",
    )
}

/// Ok when nothing failed; else an error with the first failure's exit code.
fn outcome(
    mut failures: Vec<PluginError>,
    (failed_clusters, clusters): (usize, usize),
    streams: usize,
) -> Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    let failed_streams = failures.len() - failed_clusters;
    let first = failures.remove(0);
    Err(PluginError::Partial {
        message: format!(
            "the logs are incomplete: {failed_clusters} of {clusters} clusters could not be read, {failed_streams} of {streams} logs failed (each reported above)"
        ),
        first: Box::new(first),
    })
}

#[cfg(test)]
mod tests;
