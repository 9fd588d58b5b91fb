//! A local, Karmada-shaped environment of real processes for end-to-end tests, the demo and the
//! benchmarks: one etcd, a hub kube-apiserver with Karmada's CRDs and a `Cluster` stand-in (or,
//! with the real Karmada, karmada-aggregated-apiserver), and member kube-apiservers joined to
//! the hub the way `karmadactl join` does.
//!
//! The binaries are built from their Go modules at the versions pinned in [`versions`] and cached
//! outside the repository ([`cache`]); nothing third-party is committed.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use testenv::{EnvOptions, Environment, nodes::node, pods::pod, bulk};
//! let env = Environment::start(EnvOptions::members(&["m1", "m2"])).await?;
//! let m1 = env.member("m1").client().await?;
//! bulk::create_nodes(&m1, &[node("n1").zone("a")]).await?;
//! bulk::create_pods(&m1, &[pod("shop", "web-1").on_node("n1").requests(&[("cpu", "500m")]).running()]).await?;
//! # Ok(()) }
//! ```

pub mod accounts;
pub mod aggregated_apiserver;
pub mod apiserver;
pub mod audit;
pub mod browser;
pub mod bulk;
pub mod cache;
mod certs;
pub mod cluster_proxy;
pub mod connect_proxy;
pub mod crds;
pub mod debian;
pub mod demo;
pub mod demo_karmada;
pub mod demo_workloads;
mod env;
pub mod estimator;
mod etcd;
pub mod faketime;
pub mod hanging;
pub mod http;
pub mod join;
pub mod karmada_control_plane;
pub mod karmada_objects;
pub mod kubeconfig;
pub mod kubelet_api;
pub mod member_controllers;
pub mod metrics;
pub mod nodes;
pub mod pods;
mod process;
pub mod pull_agent;
pub mod tcp_proxy;
pub mod upstream;
pub mod versions;
pub mod workloads;

pub use env::{EnvOptions, Environment, MemberOptions};
pub use process::free_port;
