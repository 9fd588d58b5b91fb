//! Gathers what one ClusterInsight is built from, out of the in-memory caches only: the
//! member's connection and index (`members`), and the bindings scheduled to the member. Then
//! hands it all to the core's builder.

use crate::context::Context;
use crate::members::with_view;
use karmada_manager_core::{
    ClusterInsightBuild, ClusterInsightInputs, cluster_insight_status, scheduled_bindings,
};
use karmada_types::Cluster;

/// The built status of Cluster `name`'s insight; `None` while the member's connection is not
/// planned yet.
pub fn build(ctx: &Context, cluster: &Cluster, name: &str) -> Option<ClusterInsightBuild> {
    let connection = ctx.members.connection(name)?;
    let bindings = ctx.caches.bindings.state();
    let cluster_bindings = ctx.caches.cluster_bindings.state();
    let specs = bindings
        .iter()
        .filter_map(|b| b.0.as_ref().ok().map(|b| &b.spec))
        .chain(
            cluster_bindings
                .iter()
                .filter_map(|b| b.0.as_ref().ok().map(|b| &b.spec)),
        );
    let scheduled = scheduled_bindings(name, specs);
    let settings = &ctx.settings;
    Some(with_view(&connection, true, |member| {
        let inputs = ClusterInsightInputs {
            cluster,
            member,
            scheduled,
            unreachable_grace: settings.unreachable_grace,
        };
        cluster_insight_status(&inputs, &settings.cluster_insight)
    }))
}
