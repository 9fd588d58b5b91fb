//! A load of propagated workloads — the test plays Karmada on the hub (policy, bindings with
//! the scheduler's and the status aggregator's status, Works) and the controllers in the
//! members (Deployment → ReplicaSet → pods) — whose every placement can be checked against what
//! the test wrote, and the check of the whole world against the truth.

use super::common::{CONVERGE, condition, insight, insight_matches, truth};
use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::{Node, Pod};
use karmada_manager_api::{FleetInsight, WorkloadPlacement};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use testenv::bulk;
use testenv::karmada_objects::{
    self as karmada, MemberReport, Template, apply, apply_binding, apply_work, binding,
    scheduled_status, work,
};
use testenv::pods::{PodBuilder, pod};
use testenv::workloads;

/// Where the load's workloads live, on the hub and in the members.
pub const NAMESPACE: &str = "load";

/// One propagated Deployment: `pods[m]` pods on member `m`, each ready or not.
#[derive(Clone, Debug)]
pub struct Workload {
    pub binding: Value,
    /// Per member: the pods, and whether each is ready.
    pub pods: Vec<Vec<(PodBuilder, bool)>>,
    /// The ReplicaSet on each member, to own further pods.
    replica_sets: Vec<workloads::Owner>,
}

impl Workload {
    pub fn ready(&self) -> i64 {
        self.pods.iter().flatten().filter(|(_, r)| *r).count() as i64
    }

    pub fn desired(&self) -> i64 {
        self.pods.iter().map(Vec::len).sum::<usize>() as i64
    }
}

/// Deployments `load/<name>` propagated by PropagationPolicy `load/load-pp` to every member,
/// divided by the scheduler; the test keeps what it wrote to compare placements with.
#[derive(Clone)]
pub struct Load {
    hub: Client,
    members: Vec<(String, Client)>,
    policy: Value,
    pub workloads: BTreeMap<String, Workload>,
}

impl Load {
    /// The policy, a node `n1` in every member, and `count` workloads `w00`... with one ready
    /// pod on every member.
    pub async fn seed(hub: &Client, members: &[(&str, Client)], count: usize) -> Result<Self> {
        testenv::join::apply_namespace(hub, NAMESPACE).await?;
        let names: Vec<&str> = members.iter().map(|(n, _)| *n).collect();
        let policy = json!({
            "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
            "metadata": {"name": "load-pp", "namespace": NAMESPACE},
            "spec": {
                "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
                "placement": {
                    "clusterAffinity": {"clusterNames": names},
                    "replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Aggregated"},
                },
            },
        });
        apply(hub, &karmada::propagation_policies(), &policy).await?;
        for (_, member) in members {
            if Api::<Node>::all(member.clone())
                .get_opt("n1")
                .await?
                .is_none()
            {
                bulk::create_nodes(member, &[testenv::nodes::node("n1")]).await?;
            }
        }
        let mut load = Self {
            hub: hub.clone(),
            members: members
                .iter()
                .map(|(n, c)| (n.to_string(), c.clone()))
                .collect(),
            policy,
            workloads: BTreeMap::new(),
        };
        let names: Vec<String> = (0..count).map(|i| format!("w{i:02}")).collect();
        load.add_all(&names).await?;
        Ok(load)
    }

    /// Adds workloads with one ready pod on every member, several at once.
    pub async fn add_all(&mut self, names: &[String]) -> Result<()> {
        let mut tasks = tokio::task::JoinSet::new();
        for chunk in names.chunks(names.len().div_ceil(6).max(1)) {
            let (load, chunk) = (self.clone(), chunk.to_vec());
            tasks.spawn(async move {
                let mut created = Vec::new();
                for name in chunk {
                    created.push((name.clone(), load.create(&name).await?));
                }
                Ok::<_, anyhow::Error>(created)
            });
        }
        while let Some(done) = tasks.join_next().await {
            self.workloads.extend(done??);
        }
        Ok(())
    }

    async fn create(&self, name: &str) -> Result<Workload> {
        let template = workloads::create(&self.hub, "Deployment", NAMESPACE, name, 1, None)
            .await
            .with_context(|| format!("template {name}"))?;
        let template = Template {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: Some(NAMESPACE.into()),
            name: name.into(),
            uid: template.uid,
        };
        let mut pods = Vec::new();
        let mut replica_sets = Vec::new();
        for (m, (_, member)) in self.members.iter().enumerate() {
            let deployment =
                workloads::create(member, "Deployment", NAMESPACE, name, 1, None).await?;
            let rs_name = format!("{name}-rs");
            let rs = workloads::create(
                member,
                "ReplicaSet",
                NAMESPACE,
                &rs_name,
                1,
                Some(&deployment),
            )
            .await?;
            let first = pod(NAMESPACE, &format!("{rs_name}-{m}-0"))
                .on_node("n1")
                .owned_by("ReplicaSet", &rs_name, &rs.uid)
                .running();
            create_pod(member, &first).await?;
            pods.push(vec![(first, true)]);
            replica_sets.push(rs);
        }
        let clusters: Vec<(&str, i64)> =
            self.members.iter().map(|(n, _)| (n.as_str(), 1)).collect();
        let permanent_id = format!("{name}-permanent-id");
        let binding = binding(
            &template,
            &self.policy,
            &permanent_id,
            clusters.len() as i64,
            &clusters,
        );
        let workload = Workload {
            binding,
            pods,
            replica_sets,
        };
        self.apply_binding(&workload).await?;
        for (member, _) in &self.members {
            apply_work(
                &self.hub,
                &work(&workload.binding, member, &format!("{name}-work"), &[]),
            )
            .await?;
        }
        Ok(workload)
    }

    /// The binding's spec, then its status as the scheduler and the status aggregator would
    /// write it for what the members run.
    async fn apply_binding(&self, workload: &Workload) -> Result<()> {
        let reports: Vec<MemberReport> = self
            .members
            .iter()
            .zip(&workload.pods)
            .filter(|(_, pods)| !pods.is_empty())
            .map(|((name, _), pods)| {
                let ready = pods.iter().filter(|(_, r)| *r).count() as i64;
                MemberReport::healthy(name).replicas(pods.len() as i64, ready)
            })
            .collect();
        apply_binding(&self.hub, &workload.binding, |g| {
            scheduled_status(g, &reports)
        })
        .await?;
        Ok(())
    }

    /// Pod `index` of `name` on member `m` becomes ready or not; Karmada's aggregated status
    /// follows.
    pub async fn set_ready(
        &mut self,
        name: &str,
        m: usize,
        index: usize,
        ready: bool,
    ) -> Result<()> {
        let workload = self.workloads.get_mut(name).context("no such workload")?;
        let (builder, was) = &mut workload.pods[m][index];
        *builder = builder.clone().ready(ready);
        *was = ready;
        let api = Api::<Pod>::namespaced(self.members[m].1.clone(), NAMESPACE);
        bulk::set_pod_status(&api, builder).await?;
        let workload = workload.clone();
        self.apply_binding(&workload).await
    }

    /// Rescheduled: `extra` more pods on member `m` (the binding's spec changes, so its
    /// generation does).
    pub async fn scale_up(&mut self, name: &str, m: usize, extra: usize) -> Result<()> {
        let workload = self.workloads.get_mut(name).context("no such workload")?;
        let rs = &workload.replica_sets[m];
        let start = workload.pods[m].len();
        let new: Vec<PodBuilder> = (start..start + extra)
            .map(|k| {
                pod(NAMESPACE, &format!("{}-{m}-{k}", rs.name))
                    .on_node("n1")
                    .owned_by("ReplicaSet", &rs.name, &rs.uid)
                    .running()
            })
            .collect();
        bulk::create_pods(&self.members[m].1, &new).await?;
        workload.pods[m].extend(new.into_iter().map(|p| (p, true)));
        let per: Vec<i64> = workload.pods.iter().map(|p| p.len() as i64).collect();
        let spec = &mut workload.binding["spec"];
        spec["replicas"] = json!(per.iter().sum::<i64>());
        spec["clusters"] = json!(
            self.members
                .iter()
                .zip(&per)
                .map(|((n, _), r)| json!({"name": n, "replicas": r}))
                .collect::<Vec<_>>()
        );
        let workload = workload.clone();
        self.apply_binding(&workload).await
    }

    /// The ReplicaSet on member `m` replaced pod `index` of `name` by a new one (another name,
    /// as ready as the old one): a pod deleted and another created, nothing Karmada reports
    /// changes.
    pub async fn replace_pod(&mut self, name: &str, m: usize, index: usize) -> Result<()> {
        let workload = self.workloads.get_mut(name).context("no such workload")?;
        let rs = &workload.replica_sets[m];
        let api = Api::<Pod>::namespaced(self.members[m].1.clone(), NAMESPACE);
        let (old, ready) = workload.pods[m][index].clone();
        bulk::delete_pod(&api, old.name()).await?;
        let replacement = pod(NAMESPACE, &format!("{}-r", old.name()))
            .on_node("n1")
            .owned_by("ReplicaSet", &rs.name, &rs.uid)
            .running()
            .ready(ready);
        bulk::create_pods(&self.members[m].1, std::slice::from_ref(&replacement)).await?;
        workload.pods[m][index] = (replacement, ready);
        Ok(())
    }

    /// Karmada deletes the binding and its Works (the template went away).
    pub async fn delete(&mut self, name: &str) -> Result<()> {
        self.workloads.remove(name).context("no such workload")?;
        let bindings = Api::<DynamicObject>::namespaced_with(
            self.hub.clone(),
            NAMESPACE,
            &karmada::resource_bindings(),
        );
        bindings
            .delete(&format!("{name}-deployment"), &DeleteParams::default())
            .await?;
        for (member, _) in &self.members {
            let works = Api::<DynamicObject>::namespaced_with(
                self.hub.clone(),
                &format!("karmada-es-{member}"),
                &karmada::works(),
            );
            works
                .delete(&format!("{name}-work"), &DeleteParams::default())
                .await?;
        }
        Ok(())
    }

    /// Flips pod readiness round-robin over the workloads and members until `stop` is set,
    /// each step a pod status and its binding's aggregated status: status churn on both sides.
    /// Returns the number of steps.
    pub async fn churn(&mut self, stop: Arc<AtomicBool>) -> Result<usize> {
        let names: Vec<String> = self.workloads.keys().cloned().collect();
        let mut steps = 0;
        while !stop.load(Ordering::Relaxed) {
            let name = &names[steps % names.len()];
            let m = (steps / names.len()) % self.members.len();
            let ready = !self.workloads[name].pods[m][0].1;
            self.set_ready(name, m, 0, ready).await?;
            steps += 1;
        }
        Ok(steps)
    }

    /// What is wrong with the placements, compared with what the test wrote; empty once every
    /// binding has exactly one placement saying what the members run, none is left over, and
    /// no condition is stale.
    pub async fn mismatches(&self) -> Result<Vec<String>> {
        let bindings = Api::<DynamicObject>::namespaced_with(
            self.hub.clone(),
            NAMESPACE,
            &karmada::resource_bindings(),
        )
        .list(&ListParams::default())
        .await?;
        let bindings: BTreeMap<String, DynamicObject> = bindings
            .items
            .into_iter()
            .map(|b| (b.name_any(), b))
            .collect();
        let placements = Api::<WorkloadPlacement>::namespaced(self.hub.clone(), NAMESPACE)
            .list(&ListParams::default())
            .await?;
        let mut wrong = Vec::new();
        let mut seen = BTreeMap::new();
        for placement in &placements.items {
            *seen.entry(placement.name_any()).or_insert(0) += 1;
            if !bindings.contains_key(&placement.name_any()) {
                wrong.push(format!("placement {} has no binding", placement.name_any()));
            }
        }
        for (name, workload) in &self.workloads {
            let key = format!("{name}-deployment");
            let binding = bindings
                .get(&key)
                .context("a binding the test wrote is missing")?;
            match seen.get(&key) {
                Some(1) => {}
                other => wrong.push(format!("{key}: {other:?} placements")),
            }
            let Some(placement) = placements.items.iter().find(|p| p.name_any() == key) else {
                continue;
            };
            if let Err(problem) = self.check(workload, binding, placement) {
                wrong.push(format!("{key}: {problem}"));
            }
        }
        Ok(wrong)
    }

    fn check(
        &self,
        workload: &Workload,
        binding: &DynamicObject,
        placement: &WorkloadPlacement,
    ) -> std::result::Result<(), String> {
        let s = placement.status.as_ref().ok_or("no status")?;
        let generation = placement.metadata.generation;
        let expect = |ok: bool, what: String| if ok { Ok(()) } else { Err(what) };
        let owner = placement.owner_references().first().map(|o| o.uid.as_str());
        expect(
            owner == binding.metadata.uid.as_deref(),
            format!("owner {owner:?}"),
        )?;
        expect(
            s.observed_generation == generation
                && s.conditions
                    .iter()
                    .all(|c| c.observed_generation == generation),
            format!(
                "observedGeneration {:?} vs {generation:?}",
                s.observed_generation
            ),
        )?;
        expect(
            Some(s.binding.generation) == binding.metadata.generation
                && s.binding.scheduler_observed_generation == binding.metadata.generation,
            format!(
                "binding generation {:?} vs {:?}",
                s.binding, binding.metadata.generation
            ),
        )?;
        let (ready, desired) = (workload.ready(), workload.desired());
        let want_ready = if ready == desired {
            ("True", "WorkloadReady")
        } else {
            ("False", "ReplicasNotReady")
        };
        expect(
            condition(&s.conditions, "Ready") == Some(want_ready)
                && condition(&s.conditions, "Scheduled") == Some(("True", "BindingScheduled")),
            format!("conditions {:?}, want Ready {want_ready:?}", s.conditions),
        )?;
        expect(
            (s.replicas.desired, s.replicas.ready) == (desired, ready),
            format!(
                "replicas {:?}, want {desired} desired, {ready} ready",
                s.replicas
            ),
        )?;
        expect(
            s.clusters.len() == self.members.len(),
            format!("{} cluster entries", s.clusters.len()),
        )?;
        for ((member, _), pods) in self.members.iter().zip(&workload.pods) {
            let entry = s
                .clusters
                .iter()
                .find(|c| &c.name == member)
                .ok_or(format!("no entry for {member}"))?;
            let ready = pods.iter().filter(|(_, r)| *r).count() as i64;
            let counted = entry.pods.as_ref().map(|p| (p.total, p.ready));
            expect(
                entry.replicas == pods.len() as i64
                    && entry.ready_replicas == Some(ready)
                    && counted == Some((pods.len() as i64, ready))
                    && entry.problems.is_empty(),
                format!(
                    "{member}: {entry:?}, want {} pods, {ready} ready",
                    pods.len()
                ),
            )?;
        }
        Ok(())
    }

    /// The load's part of the FleetInsight: workloads in total and ready.
    pub fn fleet_workloads(&self) -> (i64, i64) {
        let ready = self
            .workloads
            .values()
            .filter(|w| w.ready() == w.desired())
            .count();
        (self.workloads.len() as i64, ready as i64)
    }
}

/// One pod and its kubelet status (`bulk::create_pods` does many, but its stream cannot be
/// moved into a spawned task).
async fn create_pod(member: &Client, builder: &PodBuilder) -> Result<()> {
    let api = Api::<Pod>::namespaced(member.clone(), builder.namespace());
    api.create(&PostParams::default(), &builder.build()).await?;
    bulk::set_pod_status(&api, builder).await
}

/// `(total, ready)` workloads of the FleetInsight.
pub async fn fleet_workloads(hub: &Client) -> Result<(i64, i64)> {
    let fleet = Api::<FleetInsight>::all(hub.clone()).get("fleet").await?;
    let w = fleet.status.unwrap_or_default().workloads;
    Ok((w.total, w.ready))
}

/// Every insight matches its member, the placements match the load, the fleet counts agree:
/// an empty list. What differs otherwise.
pub async fn world_mismatches(
    hub: &Client,
    members: &[(&str, Client)],
    load: &Load,
) -> Result<Vec<String>> {
    let mut wrong = load.mismatches().await?;
    for (name, member) in members {
        let truth = truth(member).await?;
        let status = insight(hub, name).await?;
        if !insight_matches(&status, &truth) {
            wrong.push(format!(
                "insight {name}: nodes {}, pods {}, not ready {}, Ready {:?}; member holds {truth:?}",
                status.nodes.total,
                status.pods.total,
                status.pods.not_ready,
                condition(&status.conditions, "Ready")
            ));
        }
        let bindings = load.workloads.len() as i64;
        if status.workloads.bindings != bindings {
            wrong.push(format!(
                "insight {name}: {} bindings, want {bindings}",
                status.workloads.bindings
            ));
        }
    }
    let fleet = fleet_workloads(hub).await?;
    if fleet != load.fleet_workloads() {
        wrong.push(format!(
            "fleet workloads (total, ready) {fleet:?}, want {:?}",
            load.fleet_workloads()
        ));
    }
    Ok(wrong)
}

/// Waits until [`world_mismatches`] is empty (bounded by [`CONVERGE`]); how long it took.
pub async fn converged(
    hub: &Client,
    members: &[(&str, Client)],
    load: &Load,
    what: &str,
) -> Result<std::time::Duration> {
    let started = std::time::Instant::now();
    crate::support::eventually(
        what,
        CONVERGE,
        || world_mismatches(hub, members, load),
        Vec::is_empty,
    )
    .await?;
    Ok(started.elapsed())
}
