//! The fleet the generator describes: per cluster its region, zones and nodes, and the
//! workloads (Deployments, through their ReplicaSets) whose pods it runs.
//!
//! As in a real Karmada fleet, workload names, namespaces and pod templates are the same in
//! every member (they are propagated from the hub), while everything a member assigns itself
//! differs: node names and IPs, ReplicaSet and pod uids, pod name suffixes, replica counts. So
//! interning across members helps exactly as much as it would in production, no more.

use prop_json::Rng;

/// Cluster-independent streams (templates) are derived from the seed with stream numbers
/// above this; cluster `c` uses stream `c`.
const FLEET_STREAMS: u64 = 1 << 32;

/// Regions, one per cluster in turn; zones are `<region>a|b|c`.
const REGIONS: &[&str] = &[
    "eu-west-1",
    "eu-central-1",
    "us-east-1",
    "us-west-2",
    "ap-southeast-1",
    "ap-northeast-1",
    "sa-east-1",
];

/// Team namespaces (the same set in every member) plus the usual platform ones.
const NAMESPACES: &[&str] = &[
    "payments",
    "checkout",
    "catalog",
    "search",
    "identity",
    "notifications",
    "recommendations",
    "analytics",
    "billing",
    "shipping",
    "inventory",
    "media",
    "messaging",
    "fraud",
    "pricing",
    "reviews",
    "ads",
    "loyalty",
    "support",
    "partners",
    "monitoring",
    "logging",
    "ingress-nginx",
    "istio-system",
    "kube-system",
    "cert-manager",
    "data-platform",
    "ml-serving",
    "edge",
    "web",
];

const APP_WORDS: &[&str] = &[
    "api",
    "frontend",
    "worker",
    "gateway",
    "consumer",
    "scheduler",
    "cache",
    "indexer",
    "renderer",
    "exporter",
    "sync",
    "webhook",
    "grpc",
    "batch",
    "stream",
    "proxy",
];

const CPU_REQUESTS: &[&str] = &["50m", "100m", "250m", "500m", "750m", "1", "2"];
const MEMORY_REQUESTS: &[&str] = &["64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi"];

/// One container of a pod template.
#[derive(Clone, Debug)]
pub struct Container {
    pub name: &'static str,
    /// Repository without tag, e.g. `registry.example.com/payments/api`.
    pub repository: String,
    pub tag: String,
    /// 64 hex digits: the image digest the kubelet reports as `imageID`.
    pub digest: String,
    pub port: Option<(&'static str, u32)>,
    pub cpu_request: &'static str,
    pub memory_request: &'static str,
    pub cpu_limit: &'static str,
    pub memory_limit: &'static str,
}

/// A Deployment's pod template as its ReplicaSet stamps it out.
#[derive(Clone, Debug)]
pub struct Template {
    pub containers: Vec<Container>,
    /// Every container has limits equal to requests.
    pub guaranteed: bool,
}

/// A Deployment (by its current ReplicaSet) running in one member.
#[derive(Clone, Debug)]
pub struct Workload {
    pub namespace: &'static str,
    /// Deployment name (also `app.kubernetes.io/name`).
    pub app: String,
    /// `pod-template-hash`: the same in every member, since the template is.
    pub hash: String,
    /// The ReplicaSet's uid in this member.
    pub uid: String,
    pub replicas: usize,
    pub template: Template,
}

/// One member cluster's fixed facts.
#[derive(Clone, Debug)]
pub struct ClusterPlan {
    pub index: usize,
    pub seed: u64,
    pub region: &'static str,
    pub nodes: usize,
    pub workloads: Vec<Workload>,
}

impl ClusterPlan {
    /// The plan of cluster `index` of a fleet generated from `seed`, with `nodes` nodes and
    /// `pods` pods. Depends only on these four numbers.
    pub fn new(seed: u64, index: usize, nodes: usize, pods: usize) -> ClusterPlan {
        let mut rng = Rng::derive(seed, index as u64);
        let mut workloads = Vec::new();
        let mut placed = 0;
        while placed < pods {
            let j = workloads.len();
            let replicas = (rng.range(1, 20) as usize).min(pods - placed);
            workloads.push(workload(seed, j, replicas, &mut rng));
            placed += replicas;
        }
        ClusterPlan {
            index,
            seed,
            region: REGIONS[index % REGIONS.len()],
            nodes,
            workloads,
        }
    }

    /// The generator of this cluster's objects (node and pod streams draw from their own
    /// sub-streams, so generating nodes does not shift the pods).
    pub fn rng(&self, stream: u64) -> Rng {
        Rng::derive(self.seed ^ 0x5EED_0000_0000 ^ stream, self.index as u64)
    }

    /// Name of node `i`, as EC2 names them: `ip-10-<cluster>-<i/250>-<i%250+4>.<region>.compute.internal`.
    pub fn node_name(&self, i: usize) -> String {
        let [a, b, c] = self.node_ip_octets(i);
        format!("ip-10-{a}-{b}-{c}.{}.compute.internal", self.region)
    }

    /// The last three octets of node `i`'s InternalIP (in `10.0.0.0/8`): distinct per cluster
    /// for up to 256 clusters and 64,000 nodes per cluster.
    pub fn node_ip_octets(&self, i: usize) -> [usize; 3] {
        [self.index % 256, (i / 250) % 256, i % 250 + 4]
    }

    /// Zone of node `i`: nodes are spread over three zones.
    pub fn zone(&self, i: usize) -> String {
        format!("{}{}", self.region, ["a", "b", "c"][i % 3])
    }
}

/// Fleet-wide workload `j` (name, namespace, template), with its member-specific uid.
fn workload(seed: u64, j: usize, replicas: usize, rng: &mut Rng) -> Workload {
    let mut fleet = Rng::derive(seed, FLEET_STREAMS + j as u64);
    let namespace = *fleet.pick(NAMESPACES);
    let app = format!("{}-{}", fleet.pick(APP_WORDS), j);
    let hash = pod_template_hash(&mut fleet);
    let template = template(namespace, &app, &mut fleet);
    Workload {
        namespace,
        app,
        hash,
        uid: uid(rng),
        replicas,
        template,
    }
}

fn template(namespace: &str, app: &str, rng: &mut Rng) -> Template {
    let guaranteed = rng.per_mille(200);
    let (cpu, memory) = (*rng.pick(CPU_REQUESTS), *rng.pick(MEMORY_REQUESTS));
    let (cpu_limit, memory_limit) = if guaranteed {
        (cpu, memory)
    } else {
        (
            *rng.pick(&["1", "2", "4"]),
            *rng.pick(&["1Gi", "2Gi", "4Gi", "8Gi"]),
        )
    };
    let mut containers = vec![Container {
        name: "app",
        repository: format!("registry.example.com/{namespace}/{app}"),
        tag: format!("v1.{}.{}", rng.below(40), rng.below(20)),
        digest: hex(rng, 64),
        port: Some(("http", 8080)),
        cpu_request: cpu,
        memory_request: memory,
        cpu_limit,
        memory_limit,
    }];
    // A mesh sidecar on every pod, a log shipper on some: 2–3 containers.
    containers.push(sidecar(
        "istio-proxy",
        "docker.io/istio/proxyv2",
        "1.24.2",
        ("100m", "128Mi"),
        guaranteed,
        Some(("http-envoy-prom", 15090)),
    ));
    if rng.per_mille(500) {
        containers.push(sidecar(
            "fluent-bit",
            "cr.fluentbit.io/fluent/fluent-bit",
            "3.2.4",
            ("50m", "64Mi"),
            guaranteed,
            None,
        ));
    }
    Template {
        containers,
        guaranteed,
    }
}

fn sidecar(
    name: &'static str,
    repository: &str,
    tag: &str,
    (cpu, memory): (&'static str, &'static str),
    guaranteed: bool,
    port: Option<(&'static str, u32)>,
) -> Container {
    Container {
        name,
        repository: repository.to_owned(),
        tag: tag.to_owned(),
        // A digest per image, not per workload: every pod pulls the same sidecar image.
        digest: hex(&mut Rng::from_name(repository), 64),
        port,
        cpu_request: cpu,
        memory_request: memory,
        cpu_limit: if guaranteed { cpu } else { "2" },
        memory_limit: if guaranteed { memory } else { "1Gi" },
    }
}

/// The 10-character `pod-template-hash` alphabet Kubernetes uses (no vowels, no 0/1/3).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn pod_template_hash(rng: &mut Rng) -> String {
    random_name(rng, 10)
}

/// `n` characters of Kubernetes' generated-name alphabet.
pub fn random_name(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(*rng.pick(NAME_ALPHABET)))
        .collect()
}

fn hex(rng: &mut Rng, n: usize) -> String {
    let mut bytes = Vec::with_capacity(n);
    super::out::Out(&mut bytes).hex(rng, n);
    String::from_utf8_lossy(&bytes).into_owned()
}

fn uid(rng: &mut Rng) -> String {
    let mut bytes = Vec::with_capacity(36);
    super::out::Out(&mut bytes).uid(rng);
    String::from_utf8_lossy(&bytes).into_owned()
}
