//! The Helm chart (`charts/karmada-manager`), with a real `helm` built from its Go module:
//! it lints (also `--strict`), renders for the default values and for a "full" set, and what it
//! renders is accepted by real API servers with a server-side dry run: the operator half by a
//! stand-in for the Karmada host cluster (member `m1` of the environment), the hub RBAC by the
//! hub. The pod meets the `restricted` Pod Security Standard (checked by the API server's
//! PodSecurity admission, not by us), the hub RBAC grants what the operator needs and nothing
//! else (SubjectAccessReviews, then the operator itself run with the chart's arguments as that
//! ServiceAccount), every flag of `karmada-manager run` is settable, and the Grafana dashboard
//! queries only metrics the operator exports.
//!
//! The tests are thin wrappers; their bodies and helpers live in `chart/*.rs`, by purpose.

mod support;

#[path = "chart/dashboard.rs"]
mod dashboard;
#[path = "chart/dry_run.rs"]
mod dry_run;
#[path = "chart/helm.rs"]
mod helm;
#[path = "chart/operator.rs"]
mod operator;
#[path = "alerts/promql.rs"]
mod promql;
#[path = "chart/rbac.rs"]
mod rbac;
#[path = "chart/render.rs"]
mod render;
#[path = "chart/values.rs"]
mod values;

use anyhow::Result;

const RELEASE: &str = "karmada-manager";
/// The release namespace, on the host cluster and on the hub alike (as Karmada's own).
const NAMESPACE: &str = "karmada-system";

#[test]
fn the_chart_lints_strictly_with_default_and_full_values() -> Result<()> {
    values::the_chart_lints_strictly_with_default_and_full_values()
}

#[test]
fn the_schema_rejects_unknown_and_invalid_values() -> Result<()> {
    values::the_schema_rejects_unknown_and_invalid_values()
}

#[test]
fn every_flag_of_run_is_set_by_the_chart_and_documented() -> Result<()> {
    values::every_flag_of_run_is_set_by_the_chart_and_documented()
}

#[test]
fn default_values_render_the_operator_in_cluster_with_a_single_replica() -> Result<()> {
    render::default_values_render_the_operator_in_cluster_with_a_single_replica()
}

#[test]
fn full_values_render_every_option_and_set_every_flag() -> Result<()> {
    render::full_values_render_every_option_and_set_every_flag()
}

#[test]
fn clusters_proxy_is_granted_only_in_the_proxy_modes() -> Result<()> {
    rbac::clusters_proxy_is_granted_only_in_the_proxy_modes()
}

#[test]
fn the_hub_rbac_is_least_privilege() -> Result<()> {
    rbac::the_hub_rbac_is_least_privilege()
}

#[test]
fn the_lease_role_follows_the_leader_election_values() -> Result<()> {
    rbac::the_lease_role_follows_the_leader_election_values()
}

#[test]
fn sharding_replaces_leader_election_and_keeps_the_lease_values() -> Result<()> {
    render::sharding_replaces_leader_election_and_keeps_the_lease_values()
}

#[test]
fn sharding_off_renders_as_before() -> Result<()> {
    render::sharding_off_renders_as_before()
}

#[test]
fn the_lease_role_follows_sharding() -> Result<()> {
    rbac::the_lease_role_follows_sharding()
}

#[test]
fn the_dashboard_is_valid_json_and_queries_only_exported_metrics() -> Result<()> {
    dashboard::the_dashboard_is_valid_json_and_queries_only_exported_metrics()
}

#[tokio::test(flavor = "multi_thread")]
async fn rendered_manifests_pass_a_server_side_dry_run_on_host_and_hub() -> Result<()> {
    dry_run::rendered_manifests_pass_a_server_side_dry_run_on_host_and_hub().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operator_runs_with_the_charts_arguments_and_only_the_hub_rbac() -> Result<()> {
    operator::the_operator_runs_with_the_charts_arguments_and_only_the_hub_rbac().await
}
